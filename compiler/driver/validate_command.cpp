// `healthc validate CARD DATA --outcome COLUMN`: is the score predictive? The AUC of the score
// for a 0/1 outcome with its confidence interval, outcome rates per band and per score decile,
// the worst band's lift, each measure's own AUC and missing rate, and the same per segment.
//
// Convention: a higher score means a healthier account. With `--positive low` (the default,
// for churned, downgraded, escalated) outcome 1 is expected at low scores; with
// `--positive high` (renewed, expanded) at high scores. The AUC is the chance that the score
// orders a random account with outcome 1 and a random one with outcome 0 the expected way,
// ties counting half: 0.5 is chance, 1 perfect, below 0.5 backwards.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "compiler/driver/dataset.h"
#include "compiler/driver/report.h"
#include "compiler/driver/scoring_options.h"
#include "runtime/analysis/auc.h"
#include "runtime/analysis/distribution.h"
#include "runtime/analysis/rates.h"
#include "runtime/analysis/validate.h"

namespace healthc::driver {
namespace {

using nlohmann::json;

using Group = analysis::OutcomeGroup;
using MeasureStats = analysis::MeasureValidity;
using analysis::Validation;

json auc_json(const analysis::Auc& a) {
  return json{{"auc", a.auc}, {"se", a.se}, {"ci_low", a.lo}, {"ci_high", a.hi}, {"positives", a.positives},
              {"negatives", a.negatives}};
}
json rate_json(const Group& g, const analysis::Rate& base) {
  return json{{"name", g.name}, {"accounts", g.rate.count}, {"positives", g.rate.positives},
              {"rate", g.rate.rate()}, {"lift", analysis::lift(g.rate, base)}};
}

std::string ci(const analysis::Auc& a) {
  return std::isfinite(a.lo) ? fmt::format("{:.3f}-{:.3f}", a.lo, a.hi) : "-";
}

// A measure's verdict: weak when its interval holds 0.5, backwards when it lies below; worth
// a look when such a measure still carries a real share of the score.
std::string verdict(const MeasureStats& m) {
  const analysis::Auc& a = m.auc;
  if (!a.defined()) return "no accounts with both outcomes";
  std::string v;
  if (std::isfinite(a.hi) && a.hi < 0.5) v = "backwards: predicts the other way";
  else if (std::isfinite(a.lo) && a.lo <= 0.5) v = "weak: interval holds 0.5";
  if (!v.empty() && m.mean_weight >= 0.05) v += fmt::format(", yet {} of the score", fmt_pct(m.mean_weight));
  return v;
}

std::string render(const Validation& v, const std::string& card, const std::string& data,
                   ReportFormat f) {
  std::string o;
  const std::string expect = v.positive_low ? "low" : "high";
  const bool md = f == ReportFormat::Markdown;
  const std::string bullet = md ? "- " : "", bold = md ? "**" : "", indent = md ? "" : "  ";
  if (md) o += fmt::format("## Validation of `{}` against `{}`\n\n", card, v.outcome);
  else o += fmt::format("validate {} on {}: outcome `{}`\n", card, data, v.outcome);
  o += fmt::format("{}accounts: {} read, {} with a score and an outcome ({} unscored, {} with no outcome, {} rejected)\n",
                   bullet, v.read + v.rejected, v.base.count, v.unscored, v.no_outcome, v.rejected);
  o += fmt::format("{}base rate: {} have {} = 1 ({} of {})\n", bullet, fmt_pct(v.base.rate()), v.outcome,
                   v.base.positives, v.base.count);
  o += fmt::format("{}{}AUC {:.3f} (95% CI {}, DeLong){}: the chance that an account with {} = 1 scores {} than one "
                   "with {} = 0, ties counting half; 0.5 is chance\n",
                   bullet, bold, v.auc.auc, ci(v.auc), bold, v.outcome, v.positive_low ? "lower" : "higher", v.outcome);
  if (v.auc.auc < 0.5)
    o += fmt::format("{}the AUC is below 0.5: the score orders {} backwards (is `--positive {}` right?)\n", bullet,
                     v.outcome, v.positive_low ? "low" : "high");

  o += heading(fmt::format("Outcome rate per band ({} = 1 expected at {} scores)", v.outcome, expect), f);
  Table bands{{"band", "scores", "accounts", "share", v.outcome, "rate", "lift"}, {}, ""};
  size_t with_outcome = 0;
  for (const Group& g : v.bands) with_outcome += g.rate.count;
  for (const Group& g : v.bands) {
    if (g.name == "unscored" && g.rate.count == 0) continue;
    bands.rows.push_back({g.name, g.detail, fmt::format("{}", g.rate.count),
                          fmt_pct(with_outcome ? static_cast<double>(g.rate.count) / with_outcome : NAN),
                          fmt::format("{}", g.rate.positives), fmt_pct(g.rate.rate()),
                          fmt_fixed(analysis::lift(g.rate, v.base), 2)});
  }
  o += render_table(bands, f);
  if (md) o += "\n";
  const Group& worst = v.bands[v.worst_band];
  o += fmt::format("{}{} band `{}`: {} have {} = 1, {} times the base rate of {}\n", indent,
                   v.positive_low ? "worst" : "top", worst.name, fmt_pct(worst.rate.rate()), v.outcome,
                   fmt_fixed(analysis::lift(worst.rate, v.base), 2), fmt_pct(v.base.rate()));
  if (v.out_of_order.empty()) {
    o += fmt::format("{}bands in order: each band has {} = 1 {} often than the band below it\n", indent, v.outcome, v.positive_low ? "less" : "more");
  }
  for (size_t i : v.out_of_order) {
    size_t prev = i;
    while (prev > 0 && v.bands[--prev].rate.count == 0) {}
    o += fmt::format("{}{}OUT OF ORDER{}: band `{}` has {} = 1 {} often ({}) than the band below it, `{}` ({})\n",
                     indent, bold, bold, v.bands[i].name, v.outcome, v.positive_low ? "more" : "less",
                     fmt_pct(v.bands[i].rate.rate()), v.bands[prev].name, fmt_pct(v.bands[prev].rate.rate()));
  }

  o += heading("Outcome rate per score decile (1 = lowest scores)", f);
  Table dec{{"decile", "scores", "accounts", v.outcome, "rate", "lift"}, {}, ""};
  for (const Group& g : v.deciles)
    dec.rows.push_back({g.name, g.detail, fmt::format("{}", g.rate.count), fmt::format("{}", g.rate.positives),
                        fmt_pct(g.rate.rate()), fmt_fixed(analysis::lift(g.rate, v.base), 2)});
  o += render_table(dec, f);

  o += heading("Measures, each score alone as a predictor (weak: its interval holds 0.5)", f);
  Table ms{{"measure", "AUC", "95% CI", "missing", "mean weight", "note"}, {}, "lrrrrl"};
  for (const MeasureStats& m : v.measures)
    ms.rows.push_back({m.name, fmt_fixed(m.auc.auc, 3), ci(m.auc), fmt_pct(m.missing), fmt_pct(m.mean_weight),
                       verdict(m)});
  o += render_table(ms, f);

  o += heading("Segments", f);
  Table seg{{"segment", "accounts", v.outcome, "rate", "AUC", "95% CI"}, {}, ""};
  for (const Group& g : v.segments)
    if (g.rate.count)
      seg.rows.push_back({g.name, fmt::format("{}", g.rate.count), fmt::format("{}", g.rate.positives),
                          fmt_pct(g.rate.rate()), fmt_fixed(g.auc.auc, 3), ci(g.auc)});
  o += render_table(seg, f);
  return o;
}

json to_json(const Validation& v, const std::string& card, const std::string& data) {
  json j{{"card", card}, {"data", data}, {"outcome", v.outcome}, {"positive", v.positive_low ? "low" : "high"}};
  j["accounts"] = {{"read", v.read + v.rejected}, {"rejected", v.rejected}, {"no_outcome", v.no_outcome},
                   {"unscored", v.unscored}, {"used", v.base.count}, {"positives", v.base.positives}};
  j["base_rate"] = v.base.rate();
  j["auc"] = auc_json(v.auc);
  json bands = json::array();
  for (const Group& g : v.bands) {
    json b = rate_json(g, v.base);
    b["scores"] = g.detail;
    bands.push_back(b);
  }
  j["bands"] = bands;
  j["worst_band"] = {{"band", v.bands[v.worst_band].name}, {"rate", v.bands[v.worst_band].rate.rate()},
                     {"lift", analysis::lift(v.bands[v.worst_band].rate, v.base)}};
  json ooo = json::array();
  for (size_t i : v.out_of_order) ooo.push_back(v.bands[i].name);
  j["bands_out_of_order"] = ooo;
  json dec = json::array();
  for (const Group& g : v.deciles) {
    json d = rate_json(g, v.base);
    d["scores"] = g.detail;
    dec.push_back(d);
  }
  j["deciles"] = dec;
  json ms = json::array();
  for (const MeasureStats& m : v.measures)
    ms.push_back({{"measure", m.name}, {"auc", auc_json(m.auc)}, {"missing_rate", m.missing},
                  {"mean_weight", m.mean_weight}, {"note", verdict(m)}});
  j["measures"] = ms;
  json segs = json::array();
  for (const Group& g : v.segments) {
    json s = rate_json(g, v.base);
    s["auc"] = auc_json(g.auc);
    segs.push_back(s);
  }
  j["segments"] = segs;
  return j;
}

}  // namespace

int run_validate(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  add_outcome_options(opts);
  opts.add_options()
      ("threads", po::value<int>()->default_value(default_threads(), "all cores"), "threads to score with");
  add_scoring_options(opts);
  add_data_options(opts);
  const std::vector<Format> formats{Format::Text, Format::Json, Format::Markdown};
  add_format_option(opts, formats);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("validate",
                     "CARD DATA --outcome COLUMN [options]\n\nChecks that the score predicts a 0/1 outcome: the AUC "
                     "with a 95% interval, outcome rates per band and\nscore decile, each measure's own AUC and missing "
                     "rate, per segment. A higher score is healthier:\nwith --positive low (default) outcome 1 is the "
                     "bad outcome, expected at low scores.\nExit 0 on success, 3 or 4 when some or all data rows were "
                     "rejected, 1 on a data or card error, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("validate", vm, formats, chosen, code)) return code;
  const ReportFormat format = to_report_format(chosen);
  const std::string positive = vm["positive"].as<std::string>();
  if (positive != "low" && positive != "high") return usage_error("validate", "--positive must be `low` or `high`");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("validate", "--as-of must be a date YYYY-MM-DD");
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("validate", "--threads must be from 1 to 1024");
  auto card = load_scorecard("validate", vm, code, true);
  if (!card) return code;
  note_past_missing("validate", vm["card"].as<std::string>(), card->program());

  const std::string data_path = vm["data"].as<std::string>();
  Dataset data;
  std::string err;
  rt::DataReading reading;
  if (!data_reading("validate", vm, reading, code)) return code;
  if (!load_dataset(*card, data_path, {vm["outcome"].as<std::string>()}, data, err, 8192, reading)) {
    fmt::print(stderr, "healthc validate: {}\n", err);
    return kExitErrors;
  }
  print_rejects(data);
  analysis::ValidateOptions options;
  options.positive_low = positive == "low";
  if (vm.count("positive-value")) options.positive_value = vm["positive-value"].as<std::string>();
  options.as_of = as_of;
  options.threads = threads;
  Validation v;
  if (!analysis::validate(*card, data, options, v, err)) {
    fmt::print(stderr, "healthc validate: {}\n", err);
    return kExitErrors;
  }

  const std::string card_path = vm["card"].as<std::string>();
  if (format == ReportFormat::Json)
    fmt::print("{}\n", to_json(v, card_path, data.display_name())
                           .dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  else fmt::print("{}", render(v, card_path, data.display_name(), format));
  return rows_exit_code(data);
}

}  // namespace healthc::driver
