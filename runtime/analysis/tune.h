// `healthc tune` as a library function: the search for weights that predict a 0/1 outcome
// better, keeping the card's structure (measures, groups, models, segments). It fits on a
// training split of the data set and measures the AUC on the held-out rest before and after.
//
// The search works on whole-number weights that sum to 100 on each level of each model that
// scores accounts (the default model and every segment's model): it moves points from one
// sibling to another, in steps of 16, 8, 4, 2 and 1, keeping a move when the training AUC
// rises, until no move helps. Every candidate is a real card, made by the caller's builder
// (the CLI writes the weights into the card's text and compiles it), so what is measured is
// exactly what would ship. Moves that would leave more training accounts unscored are refused
// (dropping hard accounts is not predicting them).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/analysis/auc.h"
#include "runtime/pipeline/dataset.h"
#include "runtime/scorecard.h"

namespace healthc::analysis {

// Makes the candidate card with each model's weight tree as in `models` (the card's own models,
// weights changed) and each band's `from` as in `band_from`, compiled for `engine`. Null with
// `error` set when it cannot (an internal error: the search stops).
using CandidateBuilder = std::function<std::shared_ptr<const Scorecard>(
    const std::vector<ir::Model>& models, const std::vector<int32_t>& band_from, Engine engine, std::string& error)>;

struct TuneOptions {
  size_t outcome_column = 0;  // the data set's extra column holding the outcome
  std::string positive_value;  // the outcome text that means 1 (`--positive-value`); empty: bools
  bool positive_low = true;
  uint64_t seed = 1;           // of the training / held-out split
  double train = 0.7;          // share of the accounts to fit on
  bool keep_band_shares = false;  // move band thresholds so each band keeps its share
  int min_weight = 0;          // keep every node that starts above 0 at this weight or more
  size_t max_evals = 5000;     // candidate cards at most
  std::optional<Engine> engine;  // unset: the evaluator, or the JIT past kJitBreakEvenRows
  double as_of = 0;
  int threads = 1;
};

// Which engine scores the candidates by default. Measured on the B2B card (2 cores): the JIT
// takes about 0.09-0.12 s to compile a candidate and scores 100,000 accounts in 6 ms; the
// evaluator compiles one in 2 ms and scores 100,000 accounts in 60 ms. The evaluator wins below
// roughly 200,000 training accounts.
inline constexpr size_t kJitBreakEvenRows = 250000;

struct Fit {
  double auc = kNaN;
  size_t unscored = 0;
};

// One level of one model's weight tree: siblings whose weights are relative to each other.
struct TunedLevel {
  size_t model = 0;
  std::string path;  // "(root)", or the group names from the root: "product"
  std::vector<std::string> nodes;
  std::vector<double> before, after;  // the card's weights; the suggested ones
};

enum class TuneStatus { Ok, DataError, InternalError };

struct TuneResult {
  TuneStatus status = TuneStatus::Ok;
  std::string error;  // a sentence, when not Ok
  size_t with_outcome = 0, training = 0, held_out = 0, without_outcome = 0, rejected = 0;
  size_t training_positives = 0;
  Engine engine = Engine::Evaluator;
  size_t evals = 0;
  bool stopped = false;  // at max_evals
  double seconds = 0, compile_seconds = 0, score_seconds = 0;
  Fit before_train, after_train;
  Auc before_held_out, after_held_out;
  std::vector<TunedLevel> levels;  // the tuned levels, in model and tree order
  std::vector<ir::Model> models;   // every model, with the suggested weights
  std::vector<int32_t> band_from;  // the suggested band thresholds
};

TuneResult tune(const Scorecard& card, const rt::Dataset& data, const TuneOptions& options,
                const CandidateBuilder& build);

}  // namespace healthc::analysis
