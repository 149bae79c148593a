// `healthc tune CARD DATA --outcome COLUMN`: suggests weights that predict a 0/1 outcome
// better, keeping the card's structure (measures, groups, models, segments). It fits on a
// training split and reports the AUC on the held-out rest before and after.
//
// The search works on whole-number weights that sum to 100 on each level of each model that
// scores accounts (the default model and every segment's model): it moves points from one
// sibling to another, in steps of 16, 8, 4, 2 and 1, keeping a move when the training AUC
// rises, until no move helps. Every candidate is a real card: its weights are written into
// the card's text (at the AST's weight ranges) and compiled and scored through the embedding
// API, so what is measured is exactly what would ship. Moves that would leave more training
// accounts unscored are refused (dropping hard accounts is not predicting them).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "compiler/driver/card_writer.h"
#include "compiler/driver/dataset.h"
#include "compiler/driver/report.h"
#include "compiler/driver/scoring_options.h"
#include "compiler/driver/unified_diff.h"
#include "runtime/analysis/apportion.h"
#include "runtime/analysis/auc.h"
#include "runtime/analysis/sampling.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {
namespace {

// One level of one model's weight tree: siblings whose weights are relative to each other.
struct Level {
  size_t model;
  std::string path;                    // "(root)", or the group names from the root: "product"
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

struct Fit {
  double auc = analysis::kNaN;
  size_t unscored = 0;
};

// The AUC over every part's scored accounts.
Fit fit(const std::vector<Part>& parts, bool positive_low) {
  std::vector<double> value;
  std::vector<uint8_t> pos;
  Fit f;
  for (const Part& part : parts)
    for (size_t i = 0; i < part.score.size(); ++i) {
      if (part.score[i] < 0) {
        ++f.unscored;
        continue;
      }
      value.push_back(positive_low ? -part.score[i] : part.score[i]);
      pos.push_back(part.positive[i]);
    }
  f.auc = analysis::auc_only(value, pos);
  return f;
}

// Band `from`s that give each band the same share of `scores` as `old_band` had.
std::vector<int32_t> keep_band_shares(const ir::Program& p, const std::vector<int32_t>& old_band,
                                      std::vector<int32_t> scores) {
  std::vector<int32_t> from;
  std::erase_if(scores, [](int32_t s) { return s < 0; });
  std::sort(scores.begin(), scores.end());
  size_t below = 0;  // old accounts in bands before b
  const size_t n_old = static_cast<size_t>(std::count_if(
      old_band.begin(), old_band.end(), [&](int32_t b) { return b < static_cast<int32_t>(p.bands.size()); }));
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

int run_tune(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  add_outcome_options(opts);
  opts.add_options()
      ("seed", po::value<uint64_t>()->default_value(1), "seed of the training / held-out split")
      ("train", po::value<double>()->default_value(0.7), "share of the accounts to fit on (the rest is held out)")
      ("bands", po::value<std::string>()->default_value("fixed"),
       "`fixed` keeps the band thresholds; `keep-shares` moves them so each band keeps its share of accounts")
      ("min-weight", po::value<int>()->default_value(0),
       "keep every node that starts above 0 at this weight or more (0-50; say 5 to keep every signal in play)")
      ("max-evals", po::value<size_t>()->default_value(5000), "stop the search after this many candidate cards")
      ("output,o", po::value<std::string>(), "write the tuned card here instead of printing a diff")
      ("threads", po::value<int>()->default_value(default_threads()), "threads to score with");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("tune",
                     "CARD DATA --outcome COLUMN [options]\n\nSuggests weights (whole numbers summing to 100 on each "
                     "level) that predict the outcome better,\nfitting on a training split and reporting the AUC on "
                     "the held-out rest. Prints the changed\ncard as a unified diff (stdout; the report goes to "
                     "stderr), or writes it with -o.\nCandidates are scored with the evaluator (faster to compile) "
                     "unless there are over 250,000\ntraining accounts or --engine is given.\nExit 0 on success, 1 on "
                     "a card or data error, 2 on usage errors. -o replaces its file only on success; it may not be\n"
                     "CARD or DATA (write the tuned card beside the original, then compare them).",
                     opts, pos, args, vm, code))
    return code;
  const std::string positive = vm["positive"].as<std::string>();
  if (positive != "low" && positive != "high") return usage_error("tune", "--positive must be `low` or `high`");
  const bool positive_low = positive == "low";
  const double train = vm["train"].as<double>();
  if (!(train > 0 && train < 1)) return usage_error("tune", "--train must be between 0 and 1 (the training share)");
  const std::string bands_mode = vm["bands"].as<std::string>();
  if (bands_mode != "fixed" && bands_mode != "keep-shares") return usage_error("tune", "--bands must be `fixed` or `keep-shares`");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("tune", "--as-of must be a date YYYY-MM-DD");
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("tune", "--threads must be from 1 to 1024");
  const uint64_t seed = vm["seed"].as<uint64_t>();
  const int min_weight = vm["min-weight"].as<int>();
  if (min_weight < 0 || min_weight > 50) return usage_error("tune", "--min-weight must be from 0 to 50");
  const std::string out_path = vm.count("output") ? vm["output"].as<std::string>() : "-";
  if (std::string clash = rt::check_distinct(
          {{"CARD", vm["card"].as<std::string>()}, {"DATA", vm["data"].as<std::string>()}}, {{"-o", out_path}});
      !clash.empty())
    return usage_error("tune", clash);
  // Opened before the search so that an unwritable path fails before minutes of work; the
  // tuned card replaces an existing file only at commit().
  rt::OutputFile out;
  if (vm.count("output"))
    if (std::string e = out.open(out_path); !e.empty()) {
      fmt::print(stderr, "healthc tune: {}\n", e);
      return kExitErrors;
    }
  auto card = load_scorecard("tune", vm, code);
  if (!card) return code;
  const ir::Program& p = card->program();
  const std::string card_path = vm["card"].as<std::string>();
  const std::string outcome = vm["outcome"].as<std::string>();

  Dataset data;
  std::string err;
  if (!load_dataset(*card, vm["data"].as<std::string>(), {outcome}, data, err)) {
    fmt::print(stderr, "healthc tune: {}\n", err);
    return kExitErrors;
  }
  print_rejects(data);
  if (!data.extra_present[0]) {
    fmt::print(stderr, "healthc tune: {} has no column `{}` for the outcome\n", data.display_name(), outcome);
    return kExitErrors;
  }
  std::vector<int8_t> y;
  if (!read_outcomes(data, 0, y, err)) {
    fmt::print(stderr, "healthc tune: {}\n", err);
    return kExitErrors;
  }
  // The split, by a hash of each account's key.
  const std::vector<std::string_view> keys = row_keys(*card, data.blocks);
  std::vector<uint8_t> in_train(y.size()), in_test(y.size());
  std::vector<uint8_t> y_train, y_test;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0) continue;
    (analysis::in_training(keys[i], seed, train) ? in_train : in_test)[i] = 1;
    (in_train[i] ? y_train : y_test).push_back(static_cast<uint8_t>(y[i]));
  }
  for (const auto* part : {&y_train, &y_test}) {
    const size_t ones = static_cast<size_t>(std::count(part->begin(), part->end(), 1));
    if (part->empty()) {
      fmt::print(stderr, "healthc tune: the {} split has no accounts with an outcome\n",
                 part == &y_train ? "training" : "held-out");
      return kExitErrors;
    }
    if (ones == 0 || ones == part->size()) {
      fmt::print(stderr,
                 "healthc tune: the {} split ({} accounts with an outcome) has only {} = {}; tuning needs accounts "
                 "with both outcomes in each\n",
                 part == &y_train ? "training" : "held-out", part->size(), outcome, ones ? 1 : 0);
      return kExitErrors;
    }
  }
  const std::deque<rt::ColumnBlock> train_blocks = select_rows(data, in_train), test_blocks = select_rows(data, in_test);

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
    auto start = analysis::apportion(l.original, 100);
    // Lift nodes below --min-weight, taking the points from the largest.
    for (size_t i = 0; i < start.size(); ++i) {
      while (l.original[i] > 0 && start[i] < min_weight) {
        const size_t big = static_cast<size_t>(std::max_element(start.begin(), start.end()) - start.begin());
        if (start[big] <= min_weight) break;
        --start[big], ++start[i];
      }
    }
    for (size_t i = 0; i < start.size(); ++i) (*l.nodes)[i].weight = static_cast<double>(start[i]);
  }

  // Which engine scores the candidates, unless --engine says. Measured on the B2B card (2
  // cores): the JIT takes about 0.09-0.12 s to compile a candidate and scores 100,000 accounts in
  // 6 ms; the evaluator compiles one in 2 ms and scores 100,000 accounts in 60 ms. The evaluator
  // wins below roughly 200,000 training accounts.
  constexpr size_t kJitBreakEvenRows = 250000;
  CompileOptions copts;
  copts.engine = !vm["engine"].defaulted()            ? card->engine()
                 : y_train.size() > kJitBreakEvenRows ? Engine::Jit
                                                       : Engine::Evaluator;
  copts.use_cache = false;  // candidates are throwaway: keep them out of the compiled-code cache
  if (vm.count("param"))  // already checked by load_scorecard
    for (const std::string& s : vm["param"].as<std::vector<std::string>>())
      copts.params.emplace_back(s.substr(0, s.find('=')), rt::parse_number(s.substr(s.find('=') + 1)).value_or(0));
  const CardWriter writer(card->source());
  std::vector<int32_t> band_from;
  for (const auto& b : p.bands) band_from.push_back(b.from);
  std::string internal_error;
  std::vector<std::string> notes;
  double compile_seconds = 0, score_seconds = 0;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  // Compiles a candidate and checks that it has exactly the weights asked for.
  auto build = [&](const std::vector<int32_t>& froms) -> std::shared_ptr<const Scorecard> {
    const auto t = Clock::now();
    const std::string text = writer.write(target, froms);
    CompileOutcome c = compile_scorecard_text(card_path, text, copts);
    compile_seconds += since(t);
    for (std::string& note : c.notes)  // each candidate would repeat the same note
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
        fmt::print(stderr, "healthc tune: note: {}\n", note);
        notes.push_back(std::move(note));
      }
    if (!c.scorecard) {
      internal_error = c.error.empty() ? "the tuned card does not check" : c.error;
      return nullptr;
    }
    for (size_t m = 0; m < target.size(); ++m)
      if (!same_weights(c.scorecard->program().models[m].roots, target[m].roots)) {
        internal_error = fmt::format("writing the weights of model `{}` into the card failed", target[m].name);
        return nullptr;
      }
    return c.scorecard;
  };
  auto scores_of = [&](const Scorecard& c, const std::deque<rt::ColumnBlock>& blocks) {
    const auto t = Clock::now();
    RowScores rows = flatten(score_blocks(c, blocks, as_of, false, threads));
    score_seconds += since(t);
    return rows;
  };

  const auto t0 = Clock::now();
  // The training accounts by model, with the original card's scores (for "before").
  std::vector<Part> parts;
  Fit before_train;
  {
    const RowScores rows = scores_of(*card, train_blocks);
    std::vector<int32_t> part_of_model(target.size(), -1);
    std::vector<std::vector<uint8_t>> picks;
    size_t k = 0;  // index among training rows
    for (size_t i = 0; i < data.rows; ++i) {
      if (!in_train[i]) continue;
      const int32_t seg = rows.segment[k];
      const int32_t model = seg < static_cast<int32_t>(p.segments.size()) ? p.segments[seg].model : p.default_model;
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
    for (size_t q = 0; q < parts.size(); ++q) parts[q].blocks = select_rows(data, picks[q]);
    before_train = fit(parts, positive_low);
  }
  // Scores the parts a change of `model` touches (all when -1) with `c`.
  auto rescore = [&](const Scorecard& c, int32_t model) {
    for (Part& part : parts)
      if (model < 0 || part.model == model) part.score = scores_of(c, part.blocks).score;
  };
  auto start_card = build(band_from);
  if (!start_card) {
    fmt::print(stderr, "healthc tune: internal error: {}\n", internal_error);
    return 70;
  }
  rescore(*start_card, -1);
  Fit best = fit(parts, positive_low);
  const size_t max_unscored = best.unscored;
  size_t evals = 1;
  const size_t max_evals = vm["max-evals"].as<size_t>();
  bool stopped = false;
  for (int step : {16, 8, 4, 2, 1}) {
    for (int pass = 0; pass < 50 && !stopped; ++pass) {
      bool improved = false;
      for (Level& l : levels) {
        if (!l.tuned) continue;
        auto& nodes = *l.nodes;
        const int32_t model = static_cast<int32_t>(l.model);
        for (size_t i = 0; i < nodes.size() && !stopped; ++i) {
          for (size_t j = 0; j < nodes.size() && !stopped; ++j) {
            const double floor = l.original[i] > 0 ? std::min<double>(min_weight, nodes[i].weight) : 0;
            if (i == j || nodes[i].weight <= floor) continue;
            const double d = std::min<double>(step, nodes[i].weight - floor);
            nodes[i].weight -= d, nodes[j].weight += d;
            auto cand = build(band_from);
            if (!cand) {
              fmt::print(stderr, "healthc tune: internal error: {}\n", internal_error);
              return 70;
            }
            std::vector<std::pair<size_t, std::vector<int32_t>>> kept;  // scores to restore if the move fails
            for (size_t q = 0; q < parts.size(); ++q)
              if (parts[q].model == model) kept.emplace_back(q, parts[q].score);
            rescore(*cand, model);
            const Fit f = fit(parts, positive_low);
            stopped = ++evals >= max_evals;
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
  if (bands_mode == "keep-shares") {
    const RowScores old_rows = scores_of(*card, train_blocks);
    for (int round = 0; round < 5; ++round) {
      auto tuned = build(band_from);
      if (!tuned) break;
      const std::vector<int32_t> next = keep_band_shares(p, old_rows.band, scores_of(*tuned, train_blocks).score);
      if (next == band_from) break;
      band_from = next;
    }
  }
  auto final_card = build(band_from);
  if (!final_card) {
    fmt::print(stderr, "healthc tune: internal error: {}\n", internal_error);
    return 70;
  }
  rescore(*final_card, -1);
  const Fit after_train = fit(parts, positive_low);
  const double seconds = since(t0);
  auto holdout = [&](const Scorecard& c) {
    const RowScores rows = scores_of(c, test_blocks);
    std::vector<double> value;
    std::vector<uint8_t> pos;
    for (size_t i = 0; i < rows.score.size(); ++i)
      if (rows.score[i] >= 0) value.push_back(positive_low ? -rows.score[i] : rows.score[i]), pos.push_back(y_test[i]);
    return analysis::auc(value, pos);
  };
  const analysis::Auc test_before = holdout(*card), test_after = holdout(*final_card);

  // The report, on stderr: stdout is the diff.
  std::string r;
  r += fmt::format("tune {} on {}: outcome `{}` (1 expected at {} scores), seed {}\n", card_path, data.display_name(),
                   outcome, positive, seed);
  r += fmt::format("  accounts: {} with an outcome: {} training, {} held out ({} without an outcome, {} rejected)\n",
                   y_train.size() + y_test.size(), y_train.size(), y_test.size(),
                   y.size() - y_train.size() - y_test.size(), data.rejects.size());
  r += fmt::format("  search: {} candidate cards ({} engine) in {:.1f} s (compiling in {:.1f} s, scoring in {:.1f} s){}\n", evals,
                   copts.engine == Engine::Jit ? "jit" : "eval", seconds, compile_seconds, score_seconds,
                   stopped ? fmt::format("; stopped at --max-evals {}", max_evals) : "");
  Table t{{"AUC", "before", "after", "change"}, {}, ""};
  t.rows.push_back({"training", fmt_fixed(before_train.auc, 4), fmt_fixed(after_train.auc, 4),
                    fmt_signed(after_train.auc - before_train.auc, 4)});
  t.rows.push_back({"held out", fmt_fixed(test_before.auc, 4), fmt_fixed(test_after.auc, 4),
                    fmt_signed(test_after.auc - test_before.auc, 4)});
  r += render_table(t, ReportFormat::Text);
  r += fmt::format("  held-out 95% CI (DeLong): before {:.4f}-{:.4f}, after {:.4f}-{:.4f}\n", test_before.lo,
                   test_before.hi, test_after.lo, test_after.hi);
  const size_t train_ones = static_cast<size_t>(std::count(y_train.begin(), y_train.end(), 1));
  if (std::min(train_ones, y_train.size() - train_ones) < 100)
    r += fmt::format("  note: only {} training accounts have the rarer outcome; with so few the weights partly fit "
                     "noise\n",
                     std::min(train_ones, y_train.size() - train_ones));
  if (!(test_after.auc > test_before.auc))
    r += "  note: the held-out AUC did not improve; the suggested weights may only fit the training accounts\n";
  r += "\nweights per level (whole numbers summing to 100; models that score accounts)\n";
  Table w{{"model", "level", "node", "before", "after"}, {}, "lllrr"};
  for (const Level& l : levels) {
    if (!l.tuned) continue;
    for (size_t i = 0; i < l.nodes->size(); ++i) {
      const double now = (*l.nodes)[i].weight;
      w.rows.push_back({i == 0 ? target[l.model].name : "", i == 0 ? l.path : "", (*l.nodes)[i].name,
                        format_weight(l.original[i]),
                        now == l.original[i] ? format_weight(now) : format_weight(now) + " *"});
    }
  }
  r += render_table(w, ReportFormat::Text);
  if (bands_mode == "keep-shares") {
    r += "\nband thresholds (each band keeps its share of training accounts)\n";
    Table bt{{"band", "from before", "from after"}, {}, ""};
    for (size_t b = 0; b < p.bands.size(); ++b)
      bt.rows.push_back({p.bands[b].name, fmt::format("{}", p.bands[b].from), fmt::format("{}", band_from[b])});
    r += render_table(bt, ReportFormat::Text);
  }
  fmt::print(stderr, "{}", r);

  const std::string new_text = writer.write(target, band_from);
  const std::string& old_text = card->source().file->text();
  if (vm.count("output")) {
    out.write(new_text);
    if (std::string e = out.commit(); !e.empty()) {
      fmt::print(stderr, "healthc tune: {}\n", e);
      return kExitErrors;
    }
    fmt::print(stderr, "wrote the tuned card to {}\n", out_path);
  } else if (new_text == old_text) {
    fmt::print(stderr, "no change: the card's weights already fit best\n");
  } else {
    const std::string name = card_path == "-" ? "card.health" : card_path;
    fmt::print("{}", unified_diff(old_text, new_text, "a/" + name, "b/" + name));
  }
  return kExitOk;
}

}  // namespace healthc::driver
