// The data profile: counts over BlockScores, and the streaming loop that fills it.
#include "compiler/lint/data_profile.h"

#include <algorithm>

namespace healthc::lint {
namespace {

void mark_measures(const std::vector<ir::WeightNode>& nodes, std::vector<uint8_t>& holds) {
  for (const ir::WeightNode& n : nodes) {
    if (n.measure >= 0) holds[static_cast<size_t>(n.measure)] = 1;
    mark_measures(n.children, holds);
  }
}

}  // namespace

DataProfile::DataProfile(const ir::Program& p) {
  const size_t nm = p.measures.size(), ns = p.segments.size();
  segments.assign(ns + 1, 0);
  bands.assign(p.bands.size() + 1, 0);
  measures.assign(nm, MeasureProfile{});
  overrides.assign(p.overrides.size(), OverrideProfile{});
  model_holds_.assign(p.models.size(), std::vector<uint8_t>(nm, 0));
  for (size_t m = 0; m < p.models.size(); ++m) mark_measures(p.models[m].roots, model_holds_[m]);
  for (const ir::Segment& s : p.segments) segment_model_.push_back(s.model);
  segment_model_.push_back(p.default_model);
  for (const int32_t model : segment_model_)
    for (size_t i = 0; i < nm; ++i)
      if (model >= 0 && static_cast<size_t>(model) < model_holds_.size() && model_holds_[model][i])
        measures[i].in_some_model = true;
  for (const ir::Override& o : p.overrides) {
    std::vector<uint8_t> e(ns + 1, o.segments.empty() ? 1 : 0);
    for (const int32_t s : o.segments) e[s < 0 ? ns : static_cast<size_t>(s)] = 1;
    eligible_.push_back(std::move(e));
  }
}

void DataProfile::add(const BlockScores& b) {
  const size_t n = b.rows, nm = measures.size(), ns = segments.size();
  accepted += n;
  for (size_t r = 0; r < n; ++r) {
    const size_t seg = std::min(static_cast<size_t>(std::max(b.segment[r], 0)), ns - 1);
    ++segments[seg];
    if (b.score[r] >= 0) ++scored;
    ++bands[std::min(static_cast<size_t>(std::max(b.band[r], 0)), bands.size() - 1)];
    for (size_t o = 0; o < overrides.size(); ++o) {
      if (!eligible_[o][seg]) continue;
      ++overrides[o].eligible;
      if (b.override_[r] == static_cast<int32_t>(o)) ++overrides[o].fired;
    }
    if (!b.detail) continue;
    const int32_t model = segment_model_[seg];
    if (model < 0 || static_cast<size_t>(model) >= model_holds_.size()) continue;
    const std::vector<uint8_t>& holds = model_holds_[model];
    for (size_t m = 0; m < nm; ++m) {
      if (!holds[m]) continue;
      MeasureProfile& mp = measures[m];
      ++mp.in_model;
      const size_t at = m * n + r;
      if (!b.m_score_valid[at]) continue;
      const double s = b.m_score[at];
      ++mp.scored;
      mp.sum += s;
      mp.min = std::min(mp.min, s);
      mp.max = std::max(mp.max, s);
    }
  }
}

bool profile_data(const Scorecard& card, rt::RecordReader& reader, const ProfileOptions& options,
                  DataProfile& profile, std::string& error) {
  const rt::Schema schema = card.schema();
  if (std::string e = reader.open(); !e.empty()) {
    error = std::move(e);
    return false;
  }
  rt::ColumnBlock block;
  BlockScores scores;
  std::vector<rt::Reject> rejects;
  for (;;) {
    block.reset(schema);
    rejects.clear();
    const bool more = reader.next(block, rejects, std::max<size_t>(options.block_rows, 1));
    for (const rt::Reject& r : rejects)
      if (options.on_reject) options.on_reject(r);
    profile.add_rejected(rejects.size());
    if (!more) break;
    if (block.rows == 0) continue;
    card.score(block, options.as_of, /*detail=*/true, scores);
    profile.add(scores);
  }
  if (std::string e = reader.input_error(); !e.empty()) {
    error = std::move(e);
    return false;
  }
  return true;
}

}  // namespace healthc::lint
