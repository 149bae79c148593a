// Loading past snapshots for a run and filling its history columns (past.h).
#include "runtime/history/past.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "compiler/ir/conventions.h"

namespace healthc::history {

namespace {

// A name's index in this program's list, or kNoSuchName for a name the card no longer has.
template <class T>
double index_of(const std::vector<T>& list, const std::string& name) {
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name) return static_cast<double>(i);
  return ir::kNoSuchName;
}

int index_of_measure(const CardNames& names, const std::string& name) {
  for (size_t i = 0; i < names.measures.size(); ++i)
    if (names.measures[i] == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

PastSnapshots::PastSnapshots(const Store* store, const std::string& title, int32_t as_of_days,
                             const ir::Program& p, bool want_previous)
    : key_field_(p.key_field) {
  columns_.resize(p.history.size());
  column_present_.assign(p.history.size(), false);
  if (!store) return;
  // One read transaction: which snapshots are the past and their contents agree (a snapshot
  // replaced meanwhile would be "no snapshot N").
  const std::unique_ptr<Store::Reading> reading = store->read_transaction();
  std::optional<SnapshotInfo> prev = store->latest(title, as_of_days - 1, as_of_days);
  previous_snapshot_ = prev;
  // A card without alerts or history reads nothing else of the past: a v1 card's run pays one
  // lookup.
  if (!want_previous && p.alerts.empty() && p.history.empty()) return;
  // Which snapshot each history input reads: -1 the previous one, N the latest at or before
  // as_of - N, always before as_of (never the snapshot this run replaces).
  std::map<int64_t, std::vector<size_t>> inputs_of;  // snapshot id -> history inputs
  std::map<int64_t, SnapshotInfo> infos;
  if (prev) infos.emplace(prev->id, *prev), inputs_of[prev->id];
  std::map<int32_t, std::optional<SnapshotInfo>> by_days;
  for (size_t h = 0; h < p.history.size(); ++h) {
    const int32_t back = p.history[h].days_back;
    auto it = by_days.find(back);
    if (it == by_days.end())
      it = by_days.emplace(back, back < 0 ? prev : store->latest(title, as_of_days - back, as_of_days)).first;
    if (!it->second) continue;
    infos.emplace(it->second->id, *it->second);
    inputs_of[it->second->id].push_back(h);
  }
  // One snapshot in memory at a time: what the run needs of it is kept, the rest dropped.
  for (const auto& [id, inputs] : inputs_of) {
    const size_t index = load(*store, infos.at(id), p, inputs);
    if (prev && id == prev->id) previous_ = static_cast<int>(index);
  }
}

size_t PastSnapshots::load(const Store& store, const SnapshotInfo& info, const ir::Program& p,
                           const std::vector<size_t>& inputs) {
  Snapshot snap = store.read(info.id);
  const size_t index = loaded_.size();
  Loaded& l = loaded_.emplace_back();
  l.info = snap.info;
  l.band_names = snap.names.bands;
  const size_t n = snap.accounts.size();
  l.rows.reserve(n);
  l.score.resize(n);
  l.alerts.resize(n);
  l.band.resize(n);
  std::vector<int> alert_map(snap.names.alerts.size(), -1);
  for (size_t a = 0; a < alert_map.size(); ++a)
    for (size_t b = 0; b < p.alerts.size(); ++b)
      if (p.alerts[b].name == snap.names.alerts[a]) alert_map[a] = static_cast<int>(b);
  for (size_t i = 0; i < n; ++i) {
    const AccountRecord& r = snap.accounts[i];
    l.rows.emplace(r.key, static_cast<uint32_t>(i));
    l.score[i] = r.score;
    l.band[i] = r.band;
    uint64_t bits = 0;
    for (size_t a = 0; a < alert_map.size() && a < 64; ++a)
      if ((r.alerts_active >> a & 1) && alert_map[a] >= 0) bits |= uint64_t{1} << alert_map[a];
    l.alerts[i] = bits;
  }
  // This program's indexes for the snapshot's names (its own `default`/`unscored` last).
  const CardNames& names = snap.names;
  auto map_names = [&](const std::vector<std::string>& list, auto&& lookup) {
    std::vector<double> out(list.size());
    for (size_t i = 0; i < list.size(); ++i) out[i] = lookup(list[i], i + 1 == list.size());
    return out;
  };
  const std::vector<double> seg = map_names(names.segments, [&](const std::string& s, bool last) {
    return last ? static_cast<double>(p.segments.size()) : index_of(p.segments, s);
  });
  const std::vector<double> band = map_names(names.bands, [&](const std::string& s, bool last) {
    return last ? static_cast<double>(p.bands.size()) : index_of(p.bands, s);
  });
  const std::vector<double> label =
      map_names(names.labels, [&](const std::string& s, bool) { return index_of(p.labels, s); });
  const std::vector<double> override_ =
      map_names(names.overrides, [&](const std::string& s, bool) { return index_of(p.overrides, s); });
  for (size_t h : inputs) {
    const ir::HistoryInput& in = p.history[h];
    Column& c = columns_[h];
    c.snapshot = index;
    column_present_[h] = true;
    c.value.assign(n, 0);
    c.valid.assign(n, 0);
    const int m = in.measure >= 0 ? index_of_measure(names, p.measures[static_cast<size_t>(in.measure)].name) : -1;
    // A past value is comparable only as the same kind; an enum's member index is mapped by
    // member name onto this card's order of the members (a member it no longer has: no name).
    bool same_kind = true;
    std::vector<double> member_map;
    const bool is_enum = in.measure >= 0 && p.measures[static_cast<size_t>(in.measure)].value_kind == ir::ValueKind::Enum;
    if (in.kind == ir::HistoryKind::MeasureValue && m >= 0) {
      const ir::Measure& cur = p.measures[static_cast<size_t>(in.measure)];
      const size_t sm = static_cast<size_t>(m);
      // No kind recorded (a development store from before kinds): a number or bool as it was,
      // an enum index cannot be read by name.
      const std::string then_kind = sm < names.measure_kinds.size() ? names.measure_kinds[sm] : std::string();
      same_kind = then_kind.empty() ? !is_enum : then_kind == value_kind_name(cur.value_kind);
      if (same_kind && is_enum) {
        const std::vector<std::string> empty;
        const auto& then = sm < names.measure_members.size() ? names.measure_members[sm] : empty;
        // By member name, as the store records them (not the data's spelling, which a card
        // may add or change while the member stays).
        const std::vector<std::string> none;
        const std::vector<std::string>& now =
            cur.enum_field >= 0 ? p.fields[static_cast<size_t>(cur.enum_field)].members : none;
        for (const std::string& name : then) {
          auto it = std::find(now.begin(), now.end(), name);
          member_map.push_back(it == now.end() ? ir::kNoSuchName : static_cast<double>(it - now.begin()));
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const AccountRecord& r = snap.accounts[i];
      double v = 0;
      bool ok = true;
      auto pick = [&](const std::vector<double>& map, int32_t idx) {
        if (idx >= 0 && static_cast<size_t>(idx) < map.size()) v = map[static_cast<size_t>(idx)];
        else v = ir::kNoSuchName;
      };
      switch (in.kind) {
        case ir::HistoryKind::FinalScore: ok = r.score >= 0, v = r.score; break;
        case ir::HistoryKind::WeightedScore: ok = r.weighted >= 0, v = r.weighted; break;
        case ir::HistoryKind::Segment: pick(seg, r.segment); break;
        case ir::HistoryKind::Band: pick(band, r.band); break;
        case ir::HistoryKind::Label:
          if (r.label < 0) v = -1;
          else pick(label, r.label);
          break;
        case ir::HistoryKind::Override:
          if (r.override_ < 0) v = -1;
          else pick(override_, r.override_);
          break;
        case ir::HistoryKind::MeasureScore:
        case ir::HistoryKind::MeasureValue: {
          const std::vector<double>& vals = in.kind == ir::HistoryKind::MeasureScore ? r.m_score : r.m_value;
          ok = m >= 0 && static_cast<size_t>(m) < vals.size() && !std::isnan(vals[static_cast<size_t>(m)]);
          if (ok) v = vals[static_cast<size_t>(m)];
          if (in.kind == ir::HistoryKind::MeasureValue && ok) {
            ok = same_kind;
            if (ok && is_enum) {
              const double idx = v;
              v = idx >= 0 && idx < static_cast<double>(member_map.size()) ? member_map[static_cast<size_t>(idx)]
                                                                            : ir::kNoSuchName;
            }
          }
          break;
        }
      }
      c.value[i] = ok ? v : 0;
      c.valid[i] = ok;
    }
  }
  return index;
}

int64_t PastSnapshots::previous_row(std::string_view key) const {
  if (previous_ < 0) return -1;
  const Loaded& l = loaded_[static_cast<size_t>(previous_)];
  auto it = l.rows.find(key);
  return it == l.rows.end() ? -1 : static_cast<int64_t>(it->second);
}

int32_t PastSnapshots::previous_score(int64_t row) const {
  return row < 0 ? -1 : loaded_[static_cast<size_t>(previous_)].score[static_cast<size_t>(row)];
}

uint64_t PastSnapshots::previous_alerts(int64_t row) const {
  return row < 0 ? 0 : loaded_[static_cast<size_t>(previous_)].alerts[static_cast<size_t>(row)];
}

std::string_view PastSnapshots::previous_band(int64_t row) const {
  if (row < 0) return {};
  const Loaded& l = loaded_[static_cast<size_t>(previous_)];
  const int32_t b = l.band[static_cast<size_t>(row)];
  return b >= 0 && static_cast<size_t>(b) < l.band_names.size() ? std::string_view(l.band_names[static_cast<size_t>(b)])
                                                                 : std::string_view();
}

void PastSnapshots::fill(const rt::ColumnBlock& block, HistoryColumns& out) const {
  const size_t rows = block.rows;
  out.values.resize(columns_.size());
  out.valid.resize(columns_.size());
  // The account's row in each loaded snapshot, looked up once per block row.
  std::vector<std::vector<int64_t>> at(loaded_.size());
  for (size_t s = 0; s < loaded_.size(); ++s) {
    at[s].resize(rows);
    for (size_t r = 0; r < rows; ++r) {
      auto it = loaded_[s].rows.find(block.text[static_cast<size_t>(key_field_)][r].view());
      at[s][r] = it == loaded_[s].rows.end() ? -1 : static_cast<int64_t>(it->second);
    }
  }
  for (size_t h = 0; h < columns_.size(); ++h) {
    out.values[h].assign(rows, 0);
    out.valid[h].assign(rows, 0);
    if (!column_present_[h]) continue;
    const Column& c = columns_[h];
    for (size_t r = 0; r < rows; ++r) {
      const int64_t i = at[c.snapshot][r];
      if (i < 0) continue;
      out.values[h][r] = c.value[static_cast<size_t>(i)];
      out.valid[h][r] = c.valid[static_cast<size_t>(i)];
    }
  }
}

}  // namespace healthc::history
