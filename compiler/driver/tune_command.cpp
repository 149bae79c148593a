// `healthc tune CARD DATA --outcome COLUMN`: suggests weights that predict a 0/1 outcome
// better, keeping the card's structure. The search is a library function
// (runtime/analysis/tune.h); this file parses the options, builds each candidate card (its
// weights written into the card's text at the AST's weight ranges, then compiled, so what is
// measured is exactly what would ship), and renders the report and the diff or the tuned card.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "compiler/driver/card_writer.h"
#include "compiler/driver/dataset.h"
#include "compiler/driver/report.h"
#include "compiler/driver/scoring_options.h"
#include "compiler/driver/unified_diff.h"
#include "runtime/analysis/tune.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {

int run_tune(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  add_outcome_options(opts);
  opts.add_options()
      ("seed", po::value<uint64_t>()->default_value(1), "seed of the training / held-out split")
      ("train", po::value<double>()->default_value(0.7, "0.7"), "share of the accounts to fit on (the rest is held out)")
      ("bands", po::value<std::string>()->default_value("fixed"),
       "`fixed` keeps the band thresholds; `keep-shares` moves them so each band keeps its share of accounts")
      ("min-weight", po::value<int>()->default_value(0),
       "keep every node that starts above 0 at this weight or more (0-50; say 5 to keep every signal in play)")
      ("max-evals", po::value<size_t>()->default_value(5000), "stop the search after this many candidate cards")
      ("output,o", po::value<std::string>(), "write the tuned card here instead of printing a diff")
      ("threads", po::value<int>()->default_value(default_threads(), "all cores"), "threads to score with");
  add_scoring_options(opts);
  add_data_options(opts);
  const std::vector<Format> formats{Format::Text, Format::Json};
  add_format_option(opts, formats,
                    "text: the report on stderr and the diff on stdout; json: one object on stdout with both");
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("tune",
                     "CARD DATA --outcome COLUMN [options]\n\nSuggests weights (whole numbers summing to 100 on each "
                     "level) that predict the outcome better,\nfitting on a training split and reporting the AUC on "
                     "the held-out rest. Prints the changed\ncard as a unified diff (stdout; the report goes to "
                     "stderr), or writes it with -o.\nCandidates are scored with the evaluator (faster to compile) "
                     "unless there are over 250,000\ntraining accounts or --engine is given.\nExit 0 on success, 3 or 4 "
                     "when some or all data rows were rejected, 1 on a card or data error, 2 on usage errors. -o replaces its file only on success; it may not be\n"
                     "CARD or DATA (write the tuned card beside the original, then compare them).",
                     opts, pos, args, vm, code))
    return code;
  Format format;
  if (!read_format("tune", vm, formats, format, code)) return code;
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
  note_past_missing("tune", vm["card"].as<std::string>(), card->program());
  const ir::Program& p = card->program();
  const std::string card_path = vm["card"].as<std::string>();
  const std::string outcome = vm["outcome"].as<std::string>();

  Dataset data;
  std::string err;
  rt::DataReading reading;
  if (!data_reading("tune", vm, reading, code)) return code;
  if (!load_dataset(*card, vm["data"].as<std::string>(), {outcome}, data, err, 8192, reading)) {
    fmt::print(stderr, "healthc tune: {}\n", err);
    return kExitErrors;
  }
  print_rejects(data);
  analysis::TuneOptions options;
  options.positive_low = positive_low;
  if (vm.count("positive-value")) options.positive_value = vm["positive-value"].as<std::string>();
  options.seed = seed;
  options.train = train;
  options.keep_band_shares = bands_mode == "keep-shares";
  options.min_weight = min_weight;
  options.max_evals = vm["max-evals"].as<size_t>();
  if (!vm["engine"].defaulted()) options.engine = card->engine();
  options.as_of = as_of;
  options.threads = threads;
  CompileOptions copts;
  copts.use_cache = false;  // candidates are throwaway: keep them out of the compiled-code cache
  if (vm.count("param"))  // already checked by load_scorecard
    for (const std::string& s : vm["param"].as<std::vector<std::string>>())
      copts.params.emplace_back(s.substr(0, s.find('=')), rt::parse_number(s.substr(s.find('=') + 1)).value_or(0));
  const CardWriter writer(*card->source());
  std::vector<std::string> notes;
  // Writes a candidate's weights into the card's text, compiles it and checks that it has
  // exactly the weights asked for.
  auto build = [&](const std::vector<ir::Model>& target, const std::vector<int32_t>& froms, Engine engine,
                   std::string& error) -> std::shared_ptr<const Scorecard> {
    const std::string text = writer.write(target, froms);
    copts.engine = engine;
    CompileOutcome c = compile_scorecard_text(card_path, text, copts);
    for (std::string& note : c.notes)  // each candidate would repeat the same note
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
        fmt::print(stderr, "healthc tune: note: {}\n", note);
        notes.push_back(std::move(note));
      }
    if (!c.scorecard) {
      error = c.error.empty() ? "the tuned card does not check" : c.error;
      return nullptr;
    }
    for (size_t m = 0; m < target.size(); ++m)
      if (!same_weights(c.scorecard->program().models[m].roots, target[m].roots)) {
        error = fmt::format("writing the weights of model `{}` into the card failed", target[m].name);
        return nullptr;
      }
    return c.scorecard;
  };
  const analysis::TuneResult t = analysis::tune(*card, data, options, build);
  if (t.status == analysis::TuneStatus::DataError) {
    fmt::print(stderr, "healthc tune: {}\n", t.error);
    return kExitErrors;
  }
  if (t.status == analysis::TuneStatus::InternalError) {
    fmt::print(stderr, "healthc tune: internal error: {}\n", t.error);
    return 70;
  }

  // The report, on stderr: stdout is the diff.
  std::string r;
  r += fmt::format("tune {} on {}: outcome `{}` (1 expected at {} scores), seed {}\n", card_path, data.display_name(),
                   outcome, positive, seed);
  r += fmt::format("  accounts: {} with an outcome: {} training, {} held out ({} without an outcome, {} rejected)\n",
                   t.with_outcome, t.training, t.held_out, t.without_outcome, t.rejected);
  r += fmt::format("  search: {} candidate cards ({} engine) in {:.1f} s (compiling in {:.1f} s, scoring in {:.1f} s){}\n",
                   t.evals, t.engine == Engine::Jit ? "jit" : "eval", t.seconds, t.compile_seconds, t.score_seconds,
                   t.stopped ? fmt::format("; stopped at --max-evals {}", options.max_evals) : "");
  const analysis::Auc& test_before = t.before_held_out;
  const analysis::Auc& test_after = t.after_held_out;
  Table at{{"AUC", "before", "after", "change"}, {}, ""};
  at.rows.push_back({"training", fmt_fixed(t.before_train.auc, 4), fmt_fixed(t.after_train.auc, 4),
                     fmt_signed(t.after_train.auc - t.before_train.auc, 4)});
  at.rows.push_back({"held out", fmt_fixed(test_before.auc, 4), fmt_fixed(test_after.auc, 4),
                     fmt_signed(test_after.auc - test_before.auc, 4)});
  r += render_table(at, ReportFormat::Text);
  r += fmt::format("  held-out 95% CI (DeLong): before {:.4f}-{:.4f}, after {:.4f}-{:.4f}\n", test_before.lo,
                   test_before.hi, test_after.lo, test_after.hi);
  const size_t train_ones = t.training_positives;
  if (std::min(train_ones, t.training - train_ones) < 100)
    r += fmt::format("  note: only {} training accounts have the rarer outcome; with so few the weights partly fit "
                     "noise\n",
                     std::min(train_ones, t.training - train_ones));
  if (!(test_after.auc > test_before.auc))
    r += "  note: the held-out AUC did not improve; the suggested weights may only fit the training accounts\n";
  r += "\nweights per level (whole numbers summing to 100; models that score accounts)\n";
  Table w{{"model", "level", "node", "before", "after"}, {}, "lllrr"};
  for (const analysis::TunedLevel& l : t.levels) {
    for (size_t i = 0; i < l.nodes.size(); ++i) {
      const double now = l.after[i];
      w.rows.push_back({i == 0 ? t.models[l.model].name : "", i == 0 ? l.path : "", l.nodes[i],
                        format_weight(l.before[i]),
                        now == l.before[i] ? format_weight(now) : format_weight(now) + " *"});
    }
  }
  r += render_table(w, ReportFormat::Text);
  if (bands_mode == "keep-shares") {
    r += "\nband thresholds (each band keeps its share of training accounts)\n";
    Table bt{{"band", "from before", "from after"}, {}, ""};
    for (size_t b = 0; b < p.bands.size(); ++b)
      bt.rows.push_back({p.bands[b].name, fmt::format("{}", p.bands[b].from), fmt::format("{}", t.band_from[b])});
    r += render_table(bt, ReportFormat::Text);
  }
  const std::string new_text = writer.write(t.models, t.band_from);
  const std::string& old_text = card->source()->file->text();
  const std::string name = card_path == "-" ? "card.health" : card_path;
  if (format == Format::Json) {
    // Everything the text report says, at full precision, and the diff as a string.
    using json = nlohmann::ordered_json;
    json j;
    j["card"] = card_path;
    j["data"] = data.display_name();
    j["outcome"] = outcome;
    j["positive"] = positive;
    j["seed"] = seed;
    j["accounts"] = {{"with_outcome", t.with_outcome}, {"training", t.training}, {"held_out", t.held_out},
                     {"without_outcome", t.without_outcome}, {"rejected", t.rejected},
                     {"training_positives", t.training_positives}};
    j["search"] = {{"candidates", t.evals}, {"engine", t.engine == Engine::Jit ? "jit" : "eval"},
                   {"stopped_at_max_evals", t.stopped}, {"seconds", t.seconds},
                   {"compile_seconds", t.compile_seconds}, {"score_seconds", t.score_seconds}};
    auto auc = [](const analysis::Auc& a) { return json{{"auc", a.auc}, {"ci_low", a.lo}, {"ci_high", a.hi}}; };
    j["auc"] = {{"training", {{"before", t.before_train.auc}, {"after", t.after_train.auc}}},
                {"held_out", {{"before", auc(test_before)}, {"after", auc(test_after)}}}};
    json levels = json::array();
    for (const analysis::TunedLevel& l : t.levels) {
      json nodes = json::array();
      for (size_t i = 0; i < l.nodes.size(); ++i)
        nodes.push_back({{"node", l.nodes[i]}, {"before", l.before[i]}, {"after", l.after[i]}});
      levels.push_back({{"model", t.models[l.model].name}, {"level", l.path}, {"nodes", nodes}});
    }
    j["levels"] = levels;
    if (bands_mode == "keep-shares") {
      json bands = json::array();
      for (size_t b = 0; b < p.bands.size(); ++b)
        bands.push_back({{"band", p.bands[b].name}, {"from_before", p.bands[b].from}, {"from_after", t.band_from[b]}});
      j["band_thresholds"] = bands;
    }
    json warnings = json::array();
    if (std::min(train_ones, t.training - train_ones) < 100)
      warnings.push_back(fmt::format("only {} training accounts have the rarer outcome; with so few the weights partly "
                                     "fit noise", std::min(train_ones, t.training - train_ones)));
    if (!(test_after.auc > test_before.auc))
      warnings.push_back("the held-out AUC did not improve; the suggested weights may only fit the training accounts");
    j["notes"] = warnings;
    j["changed"] = new_text != old_text;
    j["output"] = vm.count("output") ? json(out_path) : json();
    j["diff"] = new_text == old_text ? "" : unified_diff(old_text, new_text, "a/" + name, "b/" + name);
    if (vm.count("output")) {
      out.write(new_text);
      if (std::string e = out.commit(); !e.empty()) {
        fmt::print(stderr, "healthc tune: {}\n", e);
        return kExitErrors;
      }
    }
    fmt::print("{}\n", j.dump(2, ' ', false, json::error_handler_t::replace));
    return rows_exit_code(data);
  }
  fmt::print(stderr, "{}", r);

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
    fmt::print("{}", unified_diff(old_text, new_text, "a/" + name, "b/" + name));
  }
  return rows_exit_code(data);
}

}  // namespace healthc::driver
