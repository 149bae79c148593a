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

namespace healthc::driver {
namespace {

using nlohmann::json;

struct Group {
  std::string name, detail;  // detail: a band's score range, a decile's scores
  analysis::Rate rate;
  analysis::Auc auc;         // segments only
};

struct MeasureStats {
  std::string name;
  analysis::Auc auc;
  double missing = 0;      // share of accounts (with an outcome) where the measure is unscored
  double mean_weight = 0;  // mean effective weight over scored accounts
};

struct Validation {
  std::string outcome;
  bool positive_low = true;
  size_t read = 0, rejected = 0, no_outcome = 0, unscored = 0;
  analysis::Rate base;  // accounts with a score and an outcome
  analysis::Auc auc;
  std::vector<Group> bands;  // the card's bands, then `unscored`
  std::vector<size_t> out_of_order;
  size_t worst_band = 0;
  std::vector<Group> deciles;
  std::vector<MeasureStats> measures;
  std::vector<Group> segments;
};

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
      ("format", po::value<std::string>()->default_value("text"), "`text`, `json` or `markdown`")
      ("threads", po::value<int>()->default_value(default_threads()), "threads to score with");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("validate",
                     "CARD DATA --outcome COLUMN [options]\n\nChecks that the score predicts a 0/1 outcome: the AUC "
                     "with a 95% interval, outcome rates per band and\nscore decile, each measure's own AUC and missing "
                     "rate, per segment. A higher score is healthier:\nwith --positive low (default) outcome 1 is the "
                     "bad outcome, expected at low scores.\nExit 0 on success, 1 on a data or card error, 2 on usage "
                     "errors.",
                     opts, pos, args, vm, code))
    return code;
  ReportFormat format;
  if (!parse_report_format(vm["format"].as<std::string>(), format))
    return usage_error("validate", "--format must be `text`, `json` or `markdown`");
  const std::string positive = vm["positive"].as<std::string>();
  if (positive != "low" && positive != "high") return usage_error("validate", "--positive must be `low` or `high`");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("validate", "--as-of must be a date YYYY-MM-DD");
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("validate", "--threads must be from 1 to 1024");
  auto card = load_scorecard("validate", vm, code, true);
  if (!card) return code;
  const ir::Program& p = card->program();

  Validation v;
  v.outcome = vm["outcome"].as<std::string>();
  v.positive_low = positive == "low";
  const std::string data_path = vm["data"].as<std::string>();
  Dataset data;
  std::string err;
  if (!load_dataset(*card, data_path, {v.outcome}, data, err)) {
    fmt::print(stderr, "healthc validate: {}\n", err);
    return kExitErrors;
  }
  print_rejects(data);
  if (!data.extra_present[0]) {
    fmt::print(stderr, "healthc validate: {} has no column `{}` for the outcome\n", data.display_name(), v.outcome);
    return kExitErrors;
  }
  std::vector<int8_t> y;
  if (!read_outcomes(data, 0, y, err)) {
    fmt::print(stderr, "healthc validate: {}\n", err);
    return kExitErrors;
  }
  const std::vector<BlockScores> scores = score_blocks(*card, data.blocks, as_of, true, threads);
  const RowScores rows = flatten(scores);
  v.read = data.rows;
  v.rejected = data.rejects.size();

  // The accounts the AUC and deciles use: a score and an outcome.
  std::vector<double> predictor, score_of_used;
  std::vector<uint8_t> pos_used;
  std::vector<int32_t> used_rows;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0) {
      ++v.no_outcome;
      continue;
    }
    if (rows.score[i] < 0) {
      ++v.unscored;
      continue;
    }
    v.base.add(y[i] == 1);
    score_of_used.push_back(rows.score[i]);
    predictor.push_back(v.positive_low ? -rows.score[i] : rows.score[i]);
    pos_used.push_back(y[i] == 1);
    used_rows.push_back(static_cast<int32_t>(i));
  }
  if (v.base.positives == 0 || v.base.positives == v.base.count) {
    if (v.base.count == 0)
      fmt::print(stderr, "healthc validate: no account in {} has both a score and an outcome\n", data.display_name());
    else
      fmt::print(stderr,
                 "healthc validate: every scored account in {} has {} = {}; validating needs accounts with both "
                 "outcomes\n",
                 data.display_name(), v.outcome, v.base.positives ? 1 : 0);
    return kExitErrors;
  }
  v.auc = analysis::auc(predictor, pos_used);

  // Bands (unscored accounts as their own group).
  const size_t nb = p.bands.size();
  std::vector<int32_t> band_of(y.size());
  std::vector<uint8_t> pos_all(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    band_of[i] = y[i] < 0 ? -1 : rows.band[i];
    pos_all[i] = y[i] == 1;
  }
  const auto band_rates = analysis::rates_by_group(band_of, pos_all, nb + 1);
  for (size_t b = 0; b <= nb; ++b)
    v.bands.push_back(Group{b < nb ? p.bands[b].name : "unscored",
                            b < nb ? fmt::format("{}-{}", p.bands[b].from, p.bands[b].to) : "-", band_rates[b], {}});
  v.out_of_order = analysis::out_of_order(std::span(band_rates).first(nb), v.positive_low);
  v.worst_band = v.positive_low ? 0 : nb - 1;

  // Deciles of the score.
  const std::vector<uint8_t> dec = analysis::deciles(score_of_used);
  std::vector<int32_t> dec_group(dec.begin(), dec.end());
  const auto dec_rates = analysis::rates_by_group(dec_group, pos_used, 10);
  for (size_t d = 0; d < 10; ++d) {
    double lo = 101, hi = -1;
    for (size_t i = 0; i < dec.size(); ++i)
      if (dec[i] == d) lo = std::min(lo, score_of_used[i]), hi = std::max(hi, score_of_used[i]);
    if (dec_rates[d].count == 0) continue;
    v.deciles.push_back(Group{fmt::format("{}", d + 1), lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi),
                              dec_rates[d], {}});
  }

  // Each measure on its own, over every account with an outcome.
  for (size_t m = 0; m < p.measures.size(); ++m) {
    MeasureStats ms{p.measures[m].name, {}, 0, 0};
    std::vector<double> val;
    std::vector<uint8_t> pos;
    size_t with_outcome = 0, missing = 0, scored_accounts = 0;
    double weight_sum = 0;
    size_t i = 0;
    for (const BlockScores& s : scores) {
      for (size_t r = 0; r < s.rows; ++r, ++i) {
        if (y[i] < 0) continue;
        ++with_outcome;
        const size_t at = m * s.rows + r;
        if (s.score[r] >= 0) {
          ++scored_accounts;
          if (s.m_weight_valid[at]) weight_sum += s.m_weight[at];
        }
        if (!s.m_score_valid[at]) {
          ++missing;
          continue;
        }
        val.push_back(v.positive_low ? -s.m_score[at] : s.m_score[at]);
        pos.push_back(y[i] == 1);
      }
    }
    ms.auc = analysis::auc(val, pos);
    ms.missing = with_outcome ? static_cast<double>(missing) / with_outcome : NAN;
    ms.mean_weight = scored_accounts ? weight_sum / scored_accounts : NAN;
    v.measures.push_back(ms);
  }

  // Segments.
  const size_t ns = p.segments.size();
  for (size_t sgi = 0; sgi <= ns; ++sgi) {
    Group g{sgi < ns ? p.segments[sgi].name : "default", {}, {}, {}};
    std::vector<double> val;
    std::vector<uint8_t> pos;
    for (size_t k = 0; k < used_rows.size(); ++k) {
      if (rows.segment[used_rows[k]] != static_cast<int32_t>(sgi)) continue;
      g.rate.add(pos_used[k] != 0);
      val.push_back(predictor[k]);
      pos.push_back(pos_used[k]);
    }
    g.auc = analysis::auc(val, pos);
    v.segments.push_back(g);
  }

  const std::string card_path = vm["card"].as<std::string>();
  if (format == ReportFormat::Json)
    fmt::print("{}\n", to_json(v, card_path, data.display_name())
                           .dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  else fmt::print("{}", render(v, card_path, data.display_name(), format));
  return kExitOk;
}

}  // namespace healthc::driver
