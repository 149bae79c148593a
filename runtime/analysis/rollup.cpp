// The roll-ups' figures (rollup.h, spec "Roll-ups"). Sums are exact (ExactSum): weight x score
// and weight x measure score are added without rounding, so a group's figures are the same for
// any thread count, block size or order, and each is rounded once, at the end. Counts and the
// lowest score are merged in input order (ties go to the first account in row order).
#include "runtime/analysis/rollup.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/exact_sum.h"
#include "runtime/output.h"

namespace healthc::analysis {

namespace {

// One group's running figures. The weight of the scored accounts is the sum of the band
// weights (a scored account is in a band, an unscored one in none); a measure's weight is the sum
// over the sets of measures that counted for an account (few per group: one per model, and
// where measures were unscored), so each account adds its weight twice, not once per measure.
struct GroupSums {
  std::vector<std::optional<std::string>> key;
  int64_t accounts = 0, scored = 0;
  ExactSum weighted_score;
  std::vector<int64_t> band_accounts;
  std::vector<ExactSum> band_weight;
  std::vector<ExactSum> measure_sum;
  // [measures counted, as a bit set] -> their accounts' weight (cards of up to 64 measures);
  // per measure for larger cards.
  std::vector<std::pair<uint64_t, ExactSum>> mask_weight;
  std::vector<ExactSum> measure_weight;
  // Without a weight every account weighs 1: counts stand for the weight sums.
  int64_t score_sum = 0;
  std::vector<std::pair<uint64_t, int64_t>> mask_count;
  std::vector<int64_t> measure_count;
  int32_t min_score = -1;
  std::string min_account;

  GroupSums(size_t bands, size_t measures)
      : band_accounts(bands, 0), band_weight(bands), measure_sum(measures),
        measure_weight(measures > 64 ? measures : 0), measure_count(measures > 64 ? measures : 0, 0) {}

  ExactSum& weight_of_mask(uint64_t mask) {
    for (auto& [m, w] : mask_weight)
      if (m == mask) return w;
    mask_weight.emplace_back(mask, ExactSum());
    return mask_weight.back().second;
  }
  int64_t& count_of_mask(uint64_t mask) {
    for (auto& [m, n] : mask_count)
      if (m == mask) return n;
    mask_count.emplace_back(mask, 0);
    return mask_count.back().second;
  }

  void merge(const GroupSums& o) {
    accounts += o.accounts;
    scored += o.scored;
    weighted_score.add(o.weighted_score);
    for (size_t b = 0; b < band_accounts.size(); ++b) {
      band_accounts[b] += o.band_accounts[b];
      band_weight[b].add(o.band_weight[b]);
    }
    for (size_t m = 0; m < measure_sum.size(); ++m) measure_sum[m].add(o.measure_sum[m]);
    for (size_t m = 0; m < measure_weight.size(); ++m) measure_weight[m].add(o.measure_weight[m]);
    for (const auto& [mask, w] : o.mask_weight) weight_of_mask(mask).add(w);
    score_sum += o.score_sum;
    for (const auto& [mask, n] : o.mask_count) count_of_mask(mask) += n;
    for (size_t m = 0; m < measure_count.size(); ++m) measure_count[m] += o.measure_count[m];
    // `o` comes later in row order: it wins only with a strictly lower score.
    if (o.min_score >= 0 && (min_score < 0 || o.min_score < min_score)) {
      min_score = o.min_score;
      min_account = o.min_account;
    }
  }

  ExactSum scored_weight(bool weighted) const {
    ExactSum w;
    if (!weighted) w.add(static_cast<double>(scored));
    else
      for (const ExactSum& b : band_weight) w.add(b);
    return w;
  }
  ExactSum score_total(bool weighted) const {
    if (weighted) return weighted_score;
    ExactSum s;
    s.add(static_cast<double>(score_sum));  // at most 100 x 2^53 accounts: exact
    return s;
  }
  ExactSum weight_of_measure(size_t m, bool weighted) const {
    ExactSum w;
    if (!weighted) {
      int64_t n = measure_count.empty() ? 0 : measure_count[m];
      for (const auto& [mask, c] : mask_count)
        if (mask >> m & 1) n += c;
      w.add(static_cast<double>(n));
      return w;
    }
    if (!measure_weight.empty()) return measure_weight[m];
    for (const auto& [mask, sum] : mask_weight)
      if (mask >> m & 1) w.add(sum);
    return w;
  }
};

// Missing first, then the UTF-8 bytes (std::string compares as unsigned char), field by field.
bool key_less(const std::vector<std::optional<std::string>>& a, const std::vector<std::optional<std::string>>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return !a[i].has_value();
    if (a[i] && *a[i] != *b[i]) return *a[i] < *b[i];
  }
  return a.size() < b.size();
}

// Groups by their encoded key (each `by` value: a missing tag, or a present tag, its length and
// its bytes), in the order first met.
struct Groups {
  std::unordered_map<std::string, uint32_t> index;
  std::vector<GroupSums> sums;
  std::vector<std::string> keys;  // [group] its encoded key
};

// A `by` value of a row as a roll-up cell prints it; nullopt: missing.
std::optional<std::string_view> by_value(const ir::Program& p, const rt::ColumnBlock& block, int32_t f, size_t row) {
  if (!block.valid[f][row]) return std::nullopt;
  const ir::Field& field = p.fields[f];
  if (field.type == ir::FieldType::Text) return block.text[f][row].view();
  if (field.type == ir::FieldType::Bool) return std::string_view(block.num[f][row] != 0 ? "true" : "false");
  const double m = block.num[f][row];
  if (!(m >= 0 && m < static_cast<double>(field.members.size()))) return std::nullopt;
  return ir::member_spelling(field, static_cast<size_t>(m));
}

void encode_key(const std::vector<std::optional<std::string>>& key, std::string& out) {
  out.clear();
  for (const std::optional<std::string>& v : key) {
    if (!v) {
      out.push_back('\0');
      continue;
    }
    out.push_back('\1');
    const auto n = static_cast<uint32_t>(v->size());
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out.append(*v);
  }
}

// Each row's group within a block, as a dense number 0..k-1 in the order groups are first met:
// each `by` value is numbered (enum members and bools by value, texts through a dictionary of
// the block), the numbers combined field by field and renumbered densely whenever the
// combination would outgrow 32 bits. `first` gets each group's first row.
std::vector<uint32_t> group_rows(const ir::Program& p, const ir::Rollup& r, const rt::ColumnBlock& block,
                                 std::vector<size_t>& first) {
  const size_t rows = block.rows;
  std::vector<uint64_t> code(rows, 0);
  uint64_t codes = 1;
  std::vector<uint32_t> id(rows);
  auto densify = [&] {
    std::unordered_map<uint64_t, uint32_t> dense;
    for (uint64_t& c : code) c = dense.try_emplace(c, static_cast<uint32_t>(dense.size())).first->second;
    codes = std::max<uint64_t>(dense.size(), 1);
  };
  for (int32_t f : r.by) {
    const ir::Field& field = p.fields[f];
    const std::vector<uint8_t>& valid = block.valid[f];
    uint64_t card = 0;
    if (field.type == ir::FieldType::Text) {
      std::unordered_map<std::string_view, uint32_t> dict;
      for (size_t row = 0; row < rows; ++row)
        id[row] = valid[row] ? dict.try_emplace(block.text[f][row].view(), static_cast<uint32_t>(dict.size() + 1))
                                   .first->second
                             : 0;
      card = dict.size() + 1;
    } else {
      const std::vector<double>& num = block.num[f];
      card = field.type == ir::FieldType::Bool ? 3 : field.members.size() + 1;
      for (size_t row = 0; row < rows; ++row) {
        const double v = num[row];
        id[row] = !valid[row] ? 0 : field.type == ir::FieldType::Bool ? (v != 0 ? 2 : 1)
                  : v >= 0 && v < static_cast<double>(card - 1) ? static_cast<uint32_t>(v) + 1
                                                                : 0;
      }
    }
    if (codes * card >= (uint64_t{1} << 32)) densify();
    for (size_t row = 0; row < rows; ++row) code[row] = code[row] * card + id[row];
    codes *= card;
  }
  std::vector<uint32_t> group(rows);
  first.clear();
  auto note = [&](uint32_t& slot, size_t row) {
    if (slot == UINT32_MAX) {
      slot = static_cast<uint32_t>(first.size());
      first.push_back(row);
    }
    group[row] = slot;
  };
  if (codes <= 4 * rows + 1024) {
    std::vector<uint32_t> slots(codes, UINT32_MAX);
    for (size_t row = 0; row < rows; ++row) note(slots[code[row]], row);
  } else {
    std::unordered_map<uint64_t, uint32_t> slots;
    for (size_t row = 0; row < rows; ++row) note(slots.try_emplace(code[row], UINT32_MAX).first->second, row);
  }
  return group;
}

// Adds a block's rows to their groups, each weighing its `weight` cell (missing or negative: 0).
void add_weighted(const rt::ColumnBlock& block, const BlockScores& scores, const std::vector<uint32_t>& group,
                  const std::vector<rt::TextRef>* keys, int32_t weight, size_t nmeasures, std::vector<GroupSums>& sums) {
  const size_t rows = block.rows;
  const size_t nbands = sums.empty() ? 0 : sums[0].band_accounts.size();
  const bool masks = nmeasures <= 64;
  for (size_t row = 0; row < rows; ++row) {
    GroupSums& s = sums[group[row]];
    ++s.accounts;
    // A missing or negative weight counts as 0 (and adds nothing below).
    const double x = block.num[weight][row];
    const double w = block.valid[weight][row] && x > 0 ? x : 0;
    uint64_t wm;
    int we;
    ExactSum::decompose(w, wm, we);
    const int32_t band = scores.band[row];
    if (band >= 0 && static_cast<size_t>(band) < nbands) {
      ++s.band_accounts[band];
      s.band_weight[band].add_bits(wm, we);
    }
    const int32_t score = scores.score[row];
    if (!ir::is_unscored_score(score)) {
      ++s.scored;
      s.weighted_score.add_bits(static_cast<unsigned __int128>(wm) * static_cast<uint32_t>(score), we);
      if (s.min_score < 0 || score < s.min_score) {
        s.min_score = score;
        s.min_account = keys ? std::string((*keys)[row].view()) : std::string();
      }
    }
    if (wm == 0) continue;  // weighs nothing: no measure sum moves
    // M counts where it is scored and in the account's model (its effective weight is valid).
    uint64_t counted = 0;
    for (size_t m = 0; m < nmeasures; ++m) {
      const size_t at = m * rows + row;
      if (!scores.m_score_valid[at] || !scores.m_weight_valid[at]) continue;
      uint64_t sm;
      int se;
      ExactSum::decompose(scores.m_score[at], sm, se);
      s.measure_sum[m].add_bits(static_cast<unsigned __int128>(wm) * sm, we + se);
      if (masks) counted |= uint64_t{1} << m;
      else s.measure_weight[m].add_bits(wm, we);
    }
    if (masks && counted) s.weight_of_mask(counted).add_bits(wm, we);
  }
}

// The same where every account weighs 1: counts for the weight sums, an integer for the scores.
void add_unweighted(const rt::ColumnBlock& block, const BlockScores& scores, const std::vector<uint32_t>& group,
                    const std::vector<rt::TextRef>* keys, size_t nmeasures, std::vector<GroupSums>& sums) {
  const size_t rows = block.rows;
  const size_t nbands = sums.empty() ? 0 : sums[0].band_accounts.size();
  const bool masks = nmeasures <= 64;
  for (size_t row = 0; row < rows; ++row) {
    GroupSums& s = sums[group[row]];
    ++s.accounts;
    const int32_t band = scores.band[row];
    if (band >= 0 && static_cast<size_t>(band) < nbands) ++s.band_accounts[band];
    const int32_t score = scores.score[row];
    if (!ir::is_unscored_score(score)) {
      ++s.scored;
      s.score_sum += score;
      if (s.min_score < 0 || score < s.min_score) {
        s.min_score = score;
        s.min_account = keys ? std::string((*keys)[row].view()) : std::string();
      }
    }
    uint64_t counted = 0;
    for (size_t m = 0; m < nmeasures; ++m) {
      const size_t at = m * rows + row;
      if (!scores.m_score_valid[at] || !scores.m_weight_valid[at]) continue;
      s.measure_sum[m].add(scores.m_score[at]);
      if (masks) counted |= uint64_t{1} << m;
      else ++s.measure_count[m];
    }
    if (masks && counted) ++s.count_of_mask(counted);
  }
}

}  // namespace

struct RollupBuilder::Partial {
  Groups groups;
};

struct RollupBuilder::State {
  const ir::Program* program = nullptr;
  size_t rollup = 0;
  Groups groups;
};

}  // namespace healthc::analysis

void std::default_delete<healthc::analysis::RollupBuilder::Partial>::operator()(
    healthc::analysis::RollupBuilder::Partial* p) const {
  delete p;
}

namespace healthc::analysis {

RollupBuilder::RollupBuilder(const ir::Program& program, size_t rollup) : state_(std::make_unique<State>()) {
  if (rollup >= program.rollups.size()) throw std::out_of_range("no such roll-up");
  state_->program = &program;
  state_->rollup = rollup;
}
RollupBuilder::~RollupBuilder() = default;
RollupBuilder::RollupBuilder(RollupBuilder&&) noexcept = default;
RollupBuilder& RollupBuilder::operator=(RollupBuilder&&) noexcept = default;

std::unique_ptr<RollupBuilder::Partial> RollupBuilder::partial(const rt::ColumnBlock& block,
                                                               const BlockScores& scores) const {
  const ir::Program& p = *state_->program;
  const ir::Rollup& r = p.rollups[state_->rollup];
  const size_t nbands = p.bands.size(), nmeasures = p.measures.size(), rows = block.rows;
  if (scores.rows != rows) throw std::invalid_argument("roll-up: the scores are not the block's");
  if (!scores.detail && nmeasures > 0) throw std::invalid_argument("roll-ups need detail scores (measure scores)");
  auto out = std::make_unique<Partial>();
  Groups& g = out->groups;
  std::vector<size_t> first;
  const std::vector<uint32_t> group = group_rows(p, r, block, first);
  g.sums.reserve(first.size());
  for (size_t row : first) {
    GroupSums sums(nbands, nmeasures);
    for (int32_t f : r.by) {
      const std::optional<std::string_view> v = by_value(p, block, f, row);
      sums.key.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
    }
    g.sums.push_back(std::move(sums));
  }
  const std::vector<rt::TextRef>* keys = nullptr;
  if (p.key_field >= 0 && static_cast<size_t>(p.key_field) < block.text.size()) keys = &block.text[p.key_field];
  if (r.weight < 0)
    add_unweighted(block, scores, group, keys, nmeasures, g.sums);
  else
    add_weighted(block, scores, group, keys, r.weight, nmeasures, g.sums);
  for (const GroupSums& sums : g.sums) {
    g.keys.emplace_back();
    encode_key(sums.key, g.keys.back());
  }
  return out;
}

void RollupBuilder::merge(std::unique_ptr<Partial> block_partial) {
  if (!block_partial) return;
  Groups& g = state_->groups;
  Groups& in = block_partial->groups;
  // In the order the block met its groups, so a new group's first account comes first.
  for (size_t i = 0; i < in.sums.size(); ++i) {
    auto [it, added] = g.index.try_emplace(in.keys[i], static_cast<uint32_t>(g.sums.size()));
    if (added)
      g.sums.push_back(std::move(in.sums[i]));
    else
      g.sums[it->second].merge(in.sums[i]);
  }
}

RollupTable RollupBuilder::finish() const {
  const ir::Program& p = *state_->program;
  const ir::Rollup& r = p.rollups[state_->rollup];
  RollupTable t;
  t.name = r.name;
  t.title = r.title;
  for (int32_t f : r.by) t.by.push_back(p.fields[f].name);
  if (r.weight >= 0) t.weight = p.fields[r.weight].name;
  for (const ir::Band& b : p.bands) t.bands.push_back(b.name);
  for (const ir::Measure& m : p.measures) t.measures.push_back(m.name);
  const std::vector<GroupSums>& sums = state_->groups.sums;
  std::vector<size_t> order(sums.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key_less(sums[a].key, sums[b].key); });
  const bool weighted = r.weight >= 0;
  for (size_t i : order) {
    const GroupSums& s = sums[i];
    RollupGroup out;
    out.key = s.key;
    out.accounts = s.accounts;
    out.scored = s.scored;
    out.unscored = s.accounts - s.scored;
    // Unscored where no scored account weighs anything.
    if (const ExactSum weight = s.scored_weight(weighted); !weight.is_zero()) {
      const double mean = ExactSum::ratio(s.score_total(weighted), weight);
      out.score = static_cast<int32_t>(std::clamp(ir::round_score(mean), 0.0, 100.0));
    }
    out.band = ir::band_of_score(p, out.score);
    out.min_score = s.min_score;
    out.min_account = s.min_account;
    out.band_accounts = s.band_accounts;
    for (size_t b = 0; b < s.band_weight.size(); ++b)
      out.band_weight.push_back(weighted ? s.band_weight[b].value() : static_cast<double>(s.band_accounts[b]));
    for (size_t m = 0; m < s.measure_sum.size(); ++m)
      out.measure_score.push_back(ExactSum::ratio(s.measure_sum[m], s.weight_of_measure(m, weighted)));
    t.groups.push_back(std::move(out));
  }
  return t;
}

void set_score_changes(RollupTable& now, const RollupTable* previous) {
  for (RollupGroup& g : now.groups) g.score_change.reset();
  // A roll-up by other fields under the same name has no "same group" to compare with.
  if (!previous || previous->by != now.by) return;
  const std::vector<RollupGroup>& before = previous->groups;
  for (RollupGroup& g : now.groups) {
    auto it = std::lower_bound(before.begin(), before.end(), g,
                               [](const RollupGroup& a, const RollupGroup& b) { return key_less(a.key, b.key); });
    if (it == before.end() || it->key != g.key) continue;
    if (ir::is_unscored_score(g.score) || ir::is_unscored_score(it->score)) continue;
    g.score_change = g.score - it->score;
  }
}

std::string rollup_csv(const RollupTable& t, bool with_change) {
  std::string out;
  auto cell = [&](std::string_view s, bool first = false) {
    if (!first) out += ',';
    rt::append_csv(out, s);
  };
  auto number = [&](double v) {
    out += ',';
    if (!std::isnan(v)) rt::append_number(out, v);
  };
  for (size_t i = 0; i < t.by.size(); ++i) cell(t.by[i], i == 0);
  for (const char* c : {"accounts", "scored", "unscored", "score", "band", "min_score", "min_account"}) cell(c);
  for (const std::string& b : t.bands) {
    cell(b + "_accounts");
    cell(b + "_weight");
  }
  for (const std::string& m : t.measures) cell(m + "_score");
  if (with_change) cell("score_change");
  out += '\n';
  for (const RollupGroup& g : t.groups) {
    for (size_t i = 0; i < g.key.size(); ++i) cell(g.key[i] ? std::string_view(*g.key[i]) : std::string_view(), i == 0);
    out += ',' + std::to_string(g.accounts) + ',' + std::to_string(g.scored) + ',' + std::to_string(g.unscored) + ',';
    if (!ir::is_unscored_score(g.score)) out += std::to_string(g.score);
    cell(g.band >= 0 && static_cast<size_t>(g.band) < t.bands.size() ? std::string_view(t.bands[g.band])
                                                                    : ir::kUnscoredBandName);
    out += ',';
    if (!ir::is_unscored_score(g.min_score)) out += std::to_string(g.min_score);
    cell(g.min_account);
    for (size_t b = 0; b < t.bands.size(); ++b) {
      out += ',' + std::to_string(b < g.band_accounts.size() ? g.band_accounts[b] : 0);
      number(b < g.band_weight.size() ? g.band_weight[b] : 0.0);
    }
    for (size_t m = 0; m < t.measures.size(); ++m)
      number(m < g.measure_score.size() ? g.measure_score[m] : std::numeric_limits<double>::quiet_NaN());
    if (with_change) {
      out += ',';
      if (g.score_change) out += std::to_string(*g.score_change);
    }
    out += '\n';
  }
  return out;
}

}  // namespace healthc::analysis
