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

// One group's running figures.
struct GroupSums {
  std::vector<std::optional<std::string>> key;
  int64_t accounts = 0, scored = 0;
  ExactSum weight, weighted_score;  // over the scored accounts
  std::vector<int64_t> band_accounts;
  std::vector<ExactSum> band_weight;
  std::vector<ExactSum> measure_sum, measure_weight;  // over the accounts where M counts
  int32_t min_score = -1;
  std::string min_account;

  GroupSums(size_t bands, size_t measures)
      : band_accounts(bands, 0), band_weight(bands), measure_sum(measures), measure_weight(measures) {}

  void merge(const GroupSums& o) {
    accounts += o.accounts;
    scored += o.scored;
    weight.add(o.weight);
    weighted_score.add(o.weighted_score);
    for (size_t b = 0; b < band_accounts.size(); ++b) {
      band_accounts[b] += o.band_accounts[b];
      band_weight[b].add(o.band_weight[b]);
    }
    for (size_t m = 0; m < measure_sum.size(); ++m) {
      measure_sum[m].add(o.measure_sum[m]);
      measure_weight[m].add(o.measure_weight[m]);
    }
    // `o` comes later in row order: it wins only with a strictly lower score.
    if (o.min_score >= 0 && (min_score < 0 || o.min_score < min_score)) {
      min_score = o.min_score;
      min_account = o.min_account;
    }
  }
};

// Groups by their encoded key (each `by` value: a missing tag, or a present tag, its length and
// its bytes), in the order first met.
struct Groups {
  std::unordered_map<std::string, uint32_t> index;
  std::vector<GroupSums> sums;
};

// Missing first, then the UTF-8 bytes (std::string compares as unsigned char), field by field.
bool key_less(const std::vector<std::optional<std::string>>& a, const std::vector<std::optional<std::string>>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return !a[i].has_value();
    if (a[i] && *a[i] != *b[i]) return *a[i] < *b[i];
  }
  return a.size() < b.size();
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
  std::string key;
  std::vector<std::optional<std::string>> values;
  const std::vector<rt::TextRef>* keys = nullptr;
  if (p.key_field >= 0 && static_cast<size_t>(p.key_field) < block.text.size()) keys = &block.text[p.key_field];
  for (size_t row = 0; row < rows; ++row) {
    key.clear();
    for (int32_t f : r.by) {
      std::string_view v;
      bool present = block.valid[f][row] != 0;
      const ir::Field& field = p.fields[f];
      if (present) {
        if (field.type == ir::FieldType::Text) {
          v = block.text[f][row].view();
        } else if (field.type == ir::FieldType::Bool) {
          v = block.num[f][row] != 0 ? "true" : "false";
        } else {
          const double m = block.num[f][row];
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
    auto [it, added] = g.index.try_emplace(key, static_cast<uint32_t>(g.sums.size()));
    if (added) {
      GroupSums sums(nbands, nmeasures);
      size_t at = 0;
      for (size_t i = 0; i < r.by.size(); ++i) {
        if (key[at++] == '\0') {
          sums.key.emplace_back();
          continue;
        }
        uint32_t n;
        std::memcpy(&n, key.data() + at, sizeof n);
        at += sizeof n;
        sums.key.emplace_back(key.substr(at, n));
        at += n;
      }
      g.sums.push_back(std::move(sums));
    }
    GroupSums& s = g.sums[it->second];
    // A missing or negative weight counts as 0.
    double w = 1;
    if (r.weight >= 0) {
      const double x = block.num[r.weight][row];
      w = block.valid[r.weight][row] && x > 0 ? x : 0;
    }
    ++s.accounts;
    const int32_t band = scores.band[row];
    if (band >= 0 && static_cast<size_t>(band) < nbands) {
      ++s.band_accounts[band];
      s.band_weight[band].add(w);
    }
    const int32_t score = scores.score[row];
    if (!ir::is_unscored_score(score)) {
      ++s.scored;
      s.weight.add(w);
      s.weighted_score.add_product(w, score);
      if (s.min_score < 0 || score < s.min_score) {
        s.min_score = score;
        s.min_account = keys ? std::string((*keys)[row].view()) : std::string();
      }
    }
    // M counts where it is scored and in the account's model (its effective weight is valid).
    for (size_t m = 0; m < nmeasures; ++m) {
      const size_t at = m * rows + row;
      if (!scores.m_score_valid[at] || !scores.m_weight_valid[at]) continue;
      s.measure_sum[m].add_product(w, scores.m_score[at]);
      s.measure_weight[m].add(w);
    }
  }
  return out;
}

void RollupBuilder::merge(std::unique_ptr<Partial> block_partial) {
  if (!block_partial) return;
  Groups& g = state_->groups;
  Groups& in = block_partial->groups;
  // The partial's groups in the order first met, so merging keeps row order for ties.
  std::vector<const std::string*> keys(in.sums.size());
  for (const auto& [k, i] : in.index) keys[i] = &k;
  for (size_t i = 0; i < in.sums.size(); ++i) {
    auto [it, added] = g.index.try_emplace(*keys[i], static_cast<uint32_t>(g.sums.size()));
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
  for (size_t i : order) {
    const GroupSums& s = sums[i];
    RollupGroup out;
    out.key = s.key;
    out.accounts = s.accounts;
    out.scored = s.scored;
    out.unscored = s.accounts - s.scored;
    // Unscored where no scored account weighs anything.
    if (!s.weight.is_zero()) {
      const double mean = ExactSum::ratio(s.weighted_score, s.weight);
      out.score = static_cast<int32_t>(std::clamp(ir::round_score(mean), 0.0, 100.0));
    }
    out.band = ir::band_of_score(p, out.score);
    out.min_score = s.min_score;
    out.min_account = s.min_account;
    out.band_accounts = s.band_accounts;
    for (const ExactSum& w : s.band_weight) out.band_weight.push_back(w.value());
    for (size_t m = 0; m < s.measure_sum.size(); ++m)
      out.measure_score.push_back(ExactSum::ratio(s.measure_sum[m], s.measure_weight[m]));
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
