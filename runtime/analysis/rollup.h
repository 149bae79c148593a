// Roll-ups (spec "Roll-ups"): a run's accounts grouped by the values of a card's `by` fields,
// with counts, the weighted mean score and its band, weights per band ("ARR at risk") and
// measure means per group. Built from scored blocks by the roll-up sink of the pipeline in one
// pass, written as DIR/NAME.csv, recorded with a snapshot in the store and read back by
// `healthc rollup` and `healthc report`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "runtime/io/column_block.h"
#include "runtime/scorecard.h"

namespace healthc::analysis {

// One group of a roll-up: the accounts with the same `by` values.
struct RollupGroup {
  // [by field] the value as a roll-up cell prints it (an enum member as the data spells it, a
  // bool as true/false); nullopt: missing (a group of its own).
  std::vector<std::optional<std::string>> key;
  int64_t accounts = 0, scored = 0, unscored = 0;
  int32_t score = -1;       // the weighted mean of the final scores, rounded as an account's; -1: none
  int32_t band = 0;         // into RollupTable::bands; == bands.size(): unscored
  int32_t min_score = -1;   // the lowest final score; -1: no scored account
  std::string min_account;  // its key (the first in row order on a tie)
  std::vector<int64_t> band_accounts;  // [band], RollupTable::bands order
  std::vector<double> band_weight;     // [band]
  std::vector<double> measure_score;   // [measure], file order, not rounded; NaN: no account qualifies
  // With a store: score minus the same group's score in the previous snapshot's roll-up;
  // nullopt where the group did not exist then or either score is missing.
  std::optional<int32_t> score_change;
};

struct RollupTable {
  std::string name, title;
  std::vector<std::string> by;        // the `by` fields' names
  std::string weight;                 // the weight field's name; empty: every account weighs 1
  std::vector<std::string> bands;     // band names in band order (the B_accounts, B_weight columns)
  std::vector<std::string> measures;  // measure names in file order (the M_score columns)
  std::vector<RollupGroup> groups;    // sorted by key: UTF-8 bytes field by field, missing first
};

// Accumulates one of a program's roll-ups over its scored blocks (detail scores: measure
// scores and weights). The result is the same for any thread count and any block size.
class RollupBuilder {
 public:
  RollupBuilder(const ir::Program& program, size_t rollup);
  ~RollupBuilder();
  RollupBuilder(RollupBuilder&&) noexcept;
  RollupBuilder& operator=(RollupBuilder&&) noexcept;

  // One block's partial sums, computed on a worker thread (concurrently for different blocks).
  struct Partial;
  std::unique_ptr<Partial> partial(const rt::ColumnBlock& block, const BlockScores& scores) const;
  // The partial sums of several roll-ups of one program over one block ([i]: builders[i]'s), in one
  // pass over the measure scores: what the roll-up sink calls, cheaper than one partial each.
  static std::vector<std::unique_ptr<Partial>> partials(const std::vector<const RollupBuilder*>& builders,
                                                        const rt::ColumnBlock& block, const BlockScores& scores);
  // Folds a block's partial sums in, in input order (on the calling thread).
  void merge(std::unique_ptr<Partial> block_partial);
  RollupTable finish() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace healthc::analysis

// A block's partial sums are opaque: deleted where they are defined (rollup.cpp), so callers can
// hold and drop them without seeing their type.
template <>
struct std::default_delete<healthc::analysis::RollupBuilder::Partial> {
  void operator()(healthc::analysis::RollupBuilder::Partial* p) const;
};

namespace healthc::analysis {

// Sets every group's score_change against `previous` (the same roll-up in the previous
// snapshot; null: there is none, every change stays missing).
void set_score_changes(RollupTable& now, const RollupTable* previous);

// The roll-up's CSV file as the spec lays it out (`with_change`: the score_change column).
std::string rollup_csv(const RollupTable& table, bool with_change);

namespace detail {
// For tests: one measure's scores over `rows` rows in the fixed point the roll-ups add them in
// (rollup.cpp, fixed_terms), on the scalar path, or with `avx2` on the AVX2 one where the CPU has
// it; with `sets`, bit m of each row's byte set where the measure counts. True where a row counts
// with a score the fixed point does not hold.
bool rollup_fixed_terms(bool avx2, const double* score, const uint8_t* score_valid, const uint8_t* weight_valid,
                        size_t rows, uint64_t* fixed, uint8_t* counts, uint8_t* sets = nullptr, unsigned m = 0);
// For tests: a weight column as the roll-ups take it (rollup.cpp, integer_weights), on either
// path: w[row] the integer weight below 2^40, 0 where missing, not above 0, or not such an
// integer; true where a row is not such an integer.
bool rollup_integer_weights(bool avx2, const double* x, const uint8_t* present, size_t rows, uint64_t* w);
}  // namespace detail

}  // namespace healthc::analysis
