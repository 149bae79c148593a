// `validate`'s computation: score the data set once with detail, then group and rank.
#include "runtime/analysis/validate.h"

#include <fmt/format.h>

#include <cmath>

#include "compiler/ir/conventions.h"
#include "runtime/analysis/distribution.h"

namespace healthc::analysis {

bool validate(const Scorecard& card, const rt::Dataset& data, const ValidateOptions& opt, Validation& v,
              std::string& err) {
  const ir::Program& p = card.program();
  v = Validation{};
  v.outcome = opt.outcome_column < data.extra.size() ? data.extra[opt.outcome_column] : std::string();
  v.positive_low = opt.positive_low;
  if (opt.outcome_column >= data.extra_present.size() || !data.extra_present[opt.outcome_column]) {
    err = fmt::format("{} has no column `{}` for the outcome", data.display_name(), v.outcome);
    return false;
  }
  std::vector<int8_t> y;
  if (!rt::read_outcomes(data, opt.outcome_column, y, err, opt.positive_value)) return false;
  const std::vector<BlockScores> scores = rt::score_blocks(card, data.blocks, opt.as_of, true, opt.threads, err);
  if (!err.empty()) {
    err = fmt::format("{}: {}", data.display_name(), err);
    return false;
  }
  const rt::RowScores rows = rt::flatten(scores);
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
    if (ir::is_unscored_score(rows.score[i])) {
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
      err = fmt::format("no account in {} has both a score and an outcome", data.display_name());
    else
      err = fmt::format("every scored account in {} has {} = {}; validating needs accounts with both outcomes",
                        data.display_name(), v.outcome, v.base.positives ? 1 : 0);
    return false;
  }
  v.auc = auc(predictor, pos_used);

  // Bands (unscored accounts as their own group).
  const size_t nb = p.bands.size();
  std::vector<int32_t> band_of(y.size());
  std::vector<uint8_t> pos_all(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    band_of[i] = y[i] < 0 ? -1 : rows.band[i];
    pos_all[i] = y[i] == 1;
  }
  const auto band_rates = rates_by_group(band_of, pos_all, nb + 1);
  for (size_t b = 0; b <= nb; ++b)
    v.bands.push_back(OutcomeGroup{std::string(ir::band_name(p, static_cast<int32_t>(b))),
                                   b < nb ? fmt::format("{}-{}", p.bands[b].from, p.bands[b].to) : "-",
                                   band_rates[b],
                                   {}});
  v.out_of_order = out_of_order(std::span(band_rates).first(nb), v.positive_low);
  v.worst_band = v.positive_low ? 0 : nb - 1;

  // Deciles of the score.
  const std::vector<uint8_t> dec = deciles(score_of_used);
  std::vector<int32_t> dec_group(dec.begin(), dec.end());
  const auto dec_rates = rates_by_group(dec_group, pos_used, 10);
  for (size_t d = 0; d < 10; ++d) {
    double lo = 101, hi = -1;
    for (size_t i = 0; i < dec.size(); ++i)
      if (dec[i] == d) lo = std::min(lo, score_of_used[i]), hi = std::max(hi, score_of_used[i]);
    if (dec_rates[d].count == 0) continue;
    v.deciles.push_back(OutcomeGroup{fmt::format("{}", d + 1),
                                     lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi), dec_rates[d],
                                     {}});
  }

  // Each measure on its own, over every account with an outcome.
  for (size_t m = 0; m < p.measures.size(); ++m) {
    MeasureValidity ms{p.measures[m].name, {}, 0, 0};
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
        if (!ir::is_unscored_score(s.score[r])) {
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
    ms.auc = auc(val, pos);
    ms.missing = with_outcome ? static_cast<double>(missing) / with_outcome : NAN;
    ms.mean_weight = scored_accounts ? weight_sum / scored_accounts : NAN;
    v.measures.push_back(ms);
  }

  // Segments.
  const size_t ns = p.segments.size();
  for (size_t sgi = 0; sgi <= ns; ++sgi) {
    OutcomeGroup g{std::string(ir::segment_name(p, static_cast<int32_t>(sgi))), {}, {}, {}};
    std::vector<double> val;
    std::vector<uint8_t> pos;
    for (size_t k = 0; k < used_rows.size(); ++k) {
      if (rows.segment[used_rows[k]] != static_cast<int32_t>(sgi)) continue;
      g.rate.add(pos_used[k] != 0);
      val.push_back(predictor[k]);
      pos.push_back(pos_used[k]);
    }
    g.auc = auc(val, pos);
    v.segments.push_back(g);
  }
  return true;
}

}  // namespace healthc::analysis
