// `tune`'s search: a split by key hash, the training accounts grouped by the model that scores
// them, and a hill climb over whole-number weights, each candidate built and scored for real.
#include "runtime/analysis/tune.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/apportion.h"
#include "runtime/analysis/sampling.h"

namespace healthc::analysis {
namespace {

// A level inside the search's working copy of the models.
struct Level {
  size_t model;
  std::string path;
  std::vector<ir::WeightNode>* nodes;  // inside the target trees
  std::vector<double> original;
  bool tuned = false;
};

void collect_levels(size_t model, std::vector<ir::WeightNode>& nodes, const std::string& path, std::vector<Level>& out) {
  Level l{model, path.empty() ? "(root)" : path, &nodes, {}, false};
  for (const auto& n : nodes) l.original.push_back(n.weight);
  out.push_back(std::move(l));
  for (auto& n : nodes)
    if (n.measure < 0) collect_levels(model, n.children, path.empty() ? n.name : path + "/" + n.name, out);
}

// The training accounts grouped by the model that scores them. Segments do not depend on
// weights, so a candidate that changes one model's weights only needs that model's accounts
// rescored; the others keep their scores.
struct Part {
  int32_t model;
  std::deque<rt::ColumnBlock> blocks;
  std::vector<uint8_t> positive;
  std::vector<int32_t> score;
};

// The AUC over every part's scored accounts.
Fit fit(const std::vector<Part>& parts, bool positive_low) {
  std::vector<double> value;
  std::vector<uint8_t> pos;
  Fit f;
  for (const Part& part : parts)
    for (size_t i = 0; i < part.score.size(); ++i) {
      if (ir::is_unscored_score(part.score[i])) {
        ++f.unscored;
        continue;
      }
      value.push_back(positive_low ? -part.score[i] : part.score[i]);
      pos.push_back(part.positive[i]);
    }
  f.auc = auc_only(value, pos);
  return f;
}

// Band `from`s that give each band the same share of `scores` as `old_band` had.
std::vector<int32_t> keep_band_shares(const ir::Program& p, const std::vector<int32_t>& old_band,
                                      std::vector<int32_t> scores) {
  std::vector<int32_t> from;
  std::erase_if(scores, ir::is_unscored_score);
  std::sort(scores.begin(), scores.end());
  size_t below = 0;  // old accounts in bands before b
  const size_t n_old = static_cast<size_t>(std::count_if(
      old_band.begin(), old_band.end(), [&](int32_t b) { return !ir::is_unscored_band(p, b); }));
  for (size_t b = 0; b < p.bands.size(); ++b) {
    if (b == 0) {
      from.push_back(0);
    } else {
      const double share = n_old ? static_cast<double>(below) / static_cast<double>(n_old) : 0;
      int32_t best = from.back() + 1;
      double best_gap = 2;
      for (int32_t t = from.back() + 1; t <= 100 - static_cast<int32_t>(p.bands.size() - 1 - b); ++t) {
        const double under = static_cast<double>(std::lower_bound(scores.begin(), scores.end(), t) - scores.begin()) /
                             static_cast<double>(std::max<size_t>(1, scores.size()));
        if (std::abs(under - share) < best_gap) best_gap = std::abs(under - share), best = t;
      }
      from.push_back(best);
    }
    below += std::count(old_band.begin(), old_band.end(), static_cast<int32_t>(b));
  }
  return from;
}

}  // namespace

TuneResult tune(const Scorecard& card, const rt::Dataset& data, const TuneOptions& opt,
                const CandidateBuilder& build_card) {
  TuneResult res;
  const ir::Program& p = card.program();
  auto fail = [&](TuneStatus status, std::string error) {
    res.status = status;
    res.error = std::move(error);
    return res;
  };
  const std::string outcome = opt.outcome_column < data.extra.size() ? data.extra[opt.outcome_column] : "";
  if (opt.outcome_column >= data.extra_present.size() || !data.extra_present[opt.outcome_column])
    return fail(TuneStatus::DataError, fmt::format("{} has no column `{}` for the outcome", data.display_name(), outcome));
  std::vector<int8_t> y;
  std::string err;
  if (!rt::read_outcomes(data, opt.outcome_column, y, err, opt.positive_value)) return fail(TuneStatus::DataError, err);
  // The split, by a hash of each account's key.
  const std::vector<std::string_view> keys = rt::row_keys(card, data.blocks);
  std::vector<uint8_t> in_train(y.size()), in_test(y.size());
  std::vector<uint8_t> y_train, y_test;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0) continue;
    (in_training(keys[i], opt.seed, opt.train) ? in_train : in_test)[i] = 1;
    (in_train[i] ? y_train : y_test).push_back(static_cast<uint8_t>(y[i]));
  }
  for (const auto* part : {&y_train, &y_test}) {
    const size_t ones = static_cast<size_t>(std::count(part->begin(), part->end(), 1));
    const char* which = part == &y_train ? "training" : "held-out";
    if (part->empty())
      return fail(TuneStatus::DataError, fmt::format("the {} split has no accounts with an outcome", which));
    if (ones == 0 || ones == part->size())
      return fail(TuneStatus::DataError,
                  fmt::format("the {} split ({} accounts with an outcome) has only {} = {}; tuning needs accounts "
                              "with both outcomes in each",
                              which, part->size(), outcome, ones ? 1 : 0));
  }
  res.training = y_train.size();
  res.held_out = y_test.size();
  res.with_outcome = res.training + res.held_out;
  res.without_outcome = y.size() - res.with_outcome;
  res.rejected = data.rejects.size();
  res.training_positives = static_cast<size_t>(std::count(y_train.begin(), y_train.end(), 1));
  const std::deque<rt::ColumnBlock> train_blocks = rt::select_rows(data, in_train);
  const std::deque<rt::ColumnBlock> test_blocks = rt::select_rows(data, in_test);

  // The search space: each level of each model that scores accounts.
  std::vector<ir::Model> target = p.models;
  std::set<int32_t> used{p.default_model};
  for (const auto& s : p.segments) used.insert(s.model);
  std::vector<Level> levels;
  for (size_t m = 0; m < target.size(); ++m) collect_levels(m, target[m].roots, "", levels);
  for (Level& l : levels) {
    double sum = 0;
    for (double w : l.original) sum += w;
    l.tuned = used.count(static_cast<int32_t>(l.model)) && l.nodes->size() >= 2 && sum > 0;
    if (!l.tuned) continue;
    auto start = apportion(l.original, 100);
    // Lift nodes below min_weight, taking the points from the largest.
    for (size_t i = 0; i < start.size(); ++i) {
      while (l.original[i] > 0 && start[i] < opt.min_weight) {
        const size_t big = static_cast<size_t>(std::max_element(start.begin(), start.end()) - start.begin());
        if (start[big] <= opt.min_weight) break;
        --start[big], ++start[i];
      }
    }
    for (size_t i = 0; i < start.size(); ++i) (*l.nodes)[i].weight = static_cast<double>(start[i]);
  }

  res.engine = opt.engine ? *opt.engine : y_train.size() > kJitBreakEvenRows ? Engine::Jit : Engine::Evaluator;
  std::vector<int32_t> band_from;
  for (const auto& b : p.bands) band_from.push_back(b.from);
  std::string internal_error;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  auto build = [&](const std::vector<int32_t>& froms) {
    const auto t = Clock::now();
    auto c = build_card(target, froms, res.engine, internal_error);
    res.compile_seconds += since(t);
    return c;
  };
  // The first scoring failure (it threw: out of memory); the scores it gave are incomplete, so
  // every use checks it before reading them, and the search ends with it.
  std::string score_error;
  auto scores_of = [&](const Scorecard& c, const std::deque<rt::ColumnBlock>& blocks) {
    const auto t = Clock::now();
    std::string e;
    rt::RowScores rows = rt::flatten(rt::score_blocks(c, blocks, opt.as_of, false, opt.threads, e));
    if (!e.empty() && score_error.empty()) score_error = std::move(e);
    res.score_seconds += since(t);
    return rows;
  };
  auto scoring_failed = [&] { return fail(TuneStatus::InternalError, "scoring failed: " + score_error); };

  const auto t0 = Clock::now();
  // The training accounts by model, with the original card's scores (for "before").
  std::vector<Part> parts;
  {
    const rt::RowScores rows = scores_of(card, train_blocks);
    if (!score_error.empty()) return scoring_failed();
    std::vector<int32_t> part_of_model(target.size(), -1);
    std::vector<std::vector<uint8_t>> picks;
    size_t k = 0;  // index among training rows
    for (size_t i = 0; i < data.rows; ++i) {
      if (!in_train[i]) continue;
      const int32_t seg = rows.segment[k];
      const int32_t model = ir::model_of_segment(p, seg);
      if (part_of_model[model] < 0) {
        part_of_model[model] = static_cast<int32_t>(parts.size());
        parts.push_back(Part{model, {}, {}, {}});
        picks.emplace_back(data.rows, 0);
      }
      Part& part = parts[part_of_model[model]];
      picks[part_of_model[model]][i] = 1;
      part.positive.push_back(y_train[k]);
      part.score.push_back(rows.score[k]);
      ++k;
    }
    for (size_t q = 0; q < parts.size(); ++q) parts[q].blocks = rt::select_rows(data, picks[q]);
    res.before_train = fit(parts, opt.positive_low);
  }
  // Scores the parts a change of `model` touches (all when -1) with `c`.
  auto rescore = [&](const Scorecard& c, int32_t model) {
    for (Part& part : parts)
      if (model < 0 || part.model == model) part.score = scores_of(c, part.blocks).score;
  };
  auto start_card = build(band_from);
  if (!start_card) return fail(TuneStatus::InternalError, internal_error);
  rescore(*start_card, -1);
  if (!score_error.empty()) return scoring_failed();
  Fit best = fit(parts, opt.positive_low);
  const size_t max_unscored = best.unscored;
  res.evals = 1;
  for (int step : {16, 8, 4, 2, 1}) {
    for (int pass = 0; pass < 50 && !res.stopped; ++pass) {
      bool improved = false;
      for (Level& l : levels) {
        if (!l.tuned) continue;
        auto& nodes = *l.nodes;
        const int32_t model = static_cast<int32_t>(l.model);
        for (size_t i = 0; i < nodes.size() && !res.stopped; ++i) {
          for (size_t j = 0; j < nodes.size() && !res.stopped; ++j) {
            const double floor = l.original[i] > 0 ? std::min<double>(opt.min_weight, nodes[i].weight) : 0;
            if (i == j || nodes[i].weight <= floor) continue;
            const double d = std::min<double>(step, nodes[i].weight - floor);
            nodes[i].weight -= d, nodes[j].weight += d;
            auto cand = build(band_from);
            if (!cand) return fail(TuneStatus::InternalError, internal_error);
            std::vector<std::pair<size_t, std::vector<int32_t>>> kept;  // scores to restore if the move fails
            for (size_t q = 0; q < parts.size(); ++q)
              if (parts[q].model == model) kept.emplace_back(q, parts[q].score);
            rescore(*cand, model);
            if (!score_error.empty()) return scoring_failed();
            const Fit f = fit(parts, opt.positive_low);
            res.stopped = ++res.evals >= opt.max_evals;
            if (f.unscored <= max_unscored && f.auc > best.auc + 1e-9) {
              best = f;
              improved = true;
            } else {
              nodes[i].weight += d, nodes[j].weight -= d;
              for (auto& [q, score] : kept) parts[q].score = std::move(score);
            }
          }
        }
      }
      if (!improved) break;
    }
  }

  // Band thresholds, if asked: the shares the old card gave the training accounts.
  // Overrides that name bands move scores with the thresholds, so settle them a few times.
  if (opt.keep_band_shares) {
    const rt::RowScores old_rows = scores_of(card, train_blocks);
    if (!score_error.empty()) return scoring_failed();
    for (int round = 0; round < 5; ++round) {
      auto tuned = build(band_from);
      if (!tuned) break;
      const rt::RowScores tuned_rows = scores_of(*tuned, train_blocks);
      if (!score_error.empty()) return scoring_failed();
      const std::vector<int32_t> next = keep_band_shares(p, old_rows.band, tuned_rows.score);
      if (next == band_from) break;
      band_from = next;
    }
  }
  auto final_card = build(band_from);
  if (!final_card) return fail(TuneStatus::InternalError, internal_error);
  rescore(*final_card, -1);
  if (!score_error.empty()) return scoring_failed();
  res.after_train = fit(parts, opt.positive_low);
  res.seconds = since(t0);
  auto holdout = [&](const Scorecard& c) {
    const rt::RowScores rows = scores_of(c, test_blocks);
    std::vector<double> value;
    std::vector<uint8_t> pos;
    for (size_t i = 0; i < rows.score.size(); ++i)
      if (!ir::is_unscored_score(rows.score[i]))
        value.push_back(opt.positive_low ? -rows.score[i] : rows.score[i]), pos.push_back(y_test[i]);
    return auc(value, pos);
  };
  res.before_held_out = holdout(card);
  res.after_held_out = holdout(*final_card);
  if (!score_error.empty()) return scoring_failed();
  for (const Level& l : levels) {
    if (!l.tuned) continue;
    TunedLevel t{l.model, l.path, {}, l.original, {}};
    for (const ir::WeightNode& n : *l.nodes) t.nodes.push_back(n.name), t.after.push_back(n.weight);
    res.levels.push_back(std::move(t));
  }
  res.models = std::move(target);
  res.band_from = std::move(band_from);
  return res;
}

}  // namespace healthc::analysis
