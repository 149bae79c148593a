// The data profile: counts over BlockScores, and the streaming loop that fills it.
#include "compiler/lint/data_profile.h"

#include <algorithm>

#include "compiler/ir/conventions.h"

#include "runtime/pipeline/pipeline.h"

namespace healthc::lint {
namespace {

void mark_measures(const std::vector<ir::WeightNode>& nodes, std::vector<uint8_t>& holds) {
  for (const ir::WeightNode& n : nodes) {
    if (n.measure >= 0) holds[static_cast<size_t>(n.measure)] = 1;
    mark_measures(n.children, holds);
  }
}

// A row's roll-up key, encoded as analysis::RollupBuilder groups rows: per by field a missing
// tag, or a present tag, the length and the cell as a roll-up prints it (bool true/false, an
// enum member as the data spells it; an out-of-range member is missing).
void encode_key(const ir::Program& p, const ir::Rollup& r, const rt::ColumnBlock& block, size_t row, std::string& key) {
  key.clear();
  for (const int32_t f : r.by) {
    const ir::Field& field = p.fields[static_cast<size_t>(f)];
    std::string_view v;
    bool present = block.valid[static_cast<size_t>(f)][row] != 0;
    if (present) {
      if (field.type == ir::FieldType::Text) {
        v = block.text[static_cast<size_t>(f)][row].view();
      } else if (field.type == ir::FieldType::Bool) {
        v = block.num[static_cast<size_t>(f)][row] != 0 ? "true" : "false";
      } else {
        const double m = block.num[static_cast<size_t>(f)][row];
        present = m >= 0 && m < static_cast<double>(field.members.size());
        if (present) v = ir::member_spelling(field, static_cast<size_t>(m));
      }
    }
    if (!present) {
      key.push_back('\0');
      continue;
    }
    key.push_back('\1');
    const auto n = static_cast<uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(v);
  }
}

}  // namespace

DataProfile::DataProfile(const ir::Program& p) : program_(&p) {
  const size_t nm = p.measures.size(), ns = p.segments.size();
  segments.assign(ir::segment_choices(ns), 0);
  bands.assign(ir::band_choices(p.bands.size()), 0);
  measures.assign(nm, MeasureProfile{});
  overrides.assign(p.overrides.size(), OverrideProfile{});
  model_holds_.assign(p.models.size(), std::vector<uint8_t>(nm, 0));
  for (size_t m = 0; m < p.models.size(); ++m) mark_measures(p.models[m].roots, model_holds_[m]);
  for (int32_t s = 0; s <= ir::default_segment(p); ++s) segment_model_.push_back(ir::model_of_segment(p, s));
  for (const int32_t model : segment_model_)
    for (size_t i = 0; i < nm; ++i)
      if (model >= 0 && static_cast<size_t>(model) < model_holds_.size() && model_holds_[model][i])
        measures[i].in_some_model = true;
  for (const ir::Override& o : p.overrides) {
    std::vector<uint8_t> e(ir::segment_choices(ns), 0);
    for (int32_t s = 0; s <= ir::default_segment(p); ++s) e[s] = ir::override_applies_to_segment(p, o, s);
    eligible_.push_back(std::move(e));
  }
  rollup_groups_.resize(p.rollups.size());
  weight_missing_.assign(p.rollups.size(), 0);
}

void DataProfile::add_rollups(const rt::ColumnBlock& block, const BlockScores&) {
  std::string key;
  for (size_t r = 0; r < rollup_groups_.size(); ++r) {
    const ir::Rollup& rollup = program_->rollups[r];
    for (size_t i = 0; i < block.rows; ++i) {
      encode_key(*program_, rollup, block, i, key);
      ++rollup_groups_[r][key];
    }
    const int32_t w = rollup.weight;
    if (w < 0 || static_cast<size_t>(w) >= block.valid.size()) continue;
    const std::vector<uint8_t>& valid = block.valid[static_cast<size_t>(w)];
    for (size_t i = 0; i < block.rows && i < valid.size(); ++i) weight_missing_[r] += valid[i] == 0;
  }
}

void DataProfile::finish() {
  rollups.assign(rollup_groups_.size(), RollupProfile{});
  for (size_t r = 0; r < rollup_groups_.size(); ++r) {
    RollupProfile& rp = rollups[r];
    rp.groups = rollup_groups_[r].size();
    for (const auto& [key, accounts] : rollup_groups_[r]) {
      rp.accounts += accounts;
      rp.largest_group = std::max(rp.largest_group, accounts);
    }
    rp.weight_missing = weight_missing_[r];
  }
}

void DataProfile::add(const BlockScores& b) {
  const size_t n = b.rows, nm = measures.size(), ns = segments.size();
  accepted += n;
  for (size_t r = 0; r < n; ++r) {
    const size_t seg = std::min(static_cast<size_t>(std::max(b.segment[r], 0)), ns - 1);
    ++segments[seg];
    if (!ir::is_unscored_score(b.score[r])) ++scored;
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

namespace {

// The profile as a sink of the pipeline: rejected rows counted (and reported), scored blocks
// added in input order.
class ProfileSink final : public rt::Sink {
 public:
  ProfileSink(const ProfileOptions& options, DataProfile& profile) : options_(options), profile_(profile) {}
  rt::SinkStatus consume(rt::ScoredBlock& b, std::string&) override {
    for (const rt::Reject& r : b.rejects)
      if (options_.on_reject) options_.on_reject(r);
    profile_.add_rejected(b.rejects.size());
    if (b.block.rows > 0) {
      profile_.add(b.scores);
      profile_.add_rollups(b.block, b.scores);
    }
    return rt::SinkStatus::Continue;
  }

 private:
  const ProfileOptions& options_;
  DataProfile& profile_;
};

}  // namespace

bool profile_data(const Scorecard& card, rt::RecordReader& reader, const ProfileOptions& options,
                  DataProfile& profile, std::string& error) {
  rt::ReaderSource source(reader, /*split=*/false);
  ProfileSink sink(options, profile);
  rt::Sink* sinks[] = {&sink};
  rt::PipelineOptions po;
  po.as_of = options.as_of;
  po.scoring = rt::Scoring::Detail;
  po.block_rows = std::max<size_t>(options.block_rows, 1);
  const rt::PipelineSummary sum = rt::run_pipeline(card, source, sinks, po);
  if (!sum.error.empty()) {
    error = sum.error;
    return false;
  }
  profile.finish();
  return true;
}

}  // namespace healthc::lint
