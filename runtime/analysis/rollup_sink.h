// The roll-up sink of the scoring pipeline: every roll-up of a card computed in the run's one
// pass (spec "Roll-ups"). Each block's partial sums are made on the worker that scored it and
// folded in, in input order, on the calling thread; the run must score with detail.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/analysis/rollup.h"
#include "runtime/pipeline/pipeline.h"

namespace healthc::analysis {

class RollupSink final : public rt::Sink {
 public:
  explicit RollupSink(const ir::Program& program);
  void prepare(const rt::ScoredBlock& block, std::string& scratch) const override;
  rt::SinkStatus consume(rt::ScoredBlock& block, std::string& scratch) override;
  // After the run: the card's roll-ups in file order, over every consumed block (score_change
  // not set: that needs the previous snapshot's tables, set_score_changes).
  std::vector<RollupTable> tables() const;

 private:
  using Partials = std::vector<std::unique_ptr<RollupBuilder::Partial>>;
  std::vector<RollupBuilder> builders_;
  // Blocks prepared and not yet consumed, by block ordinal (at most the blocks in flight).
  mutable std::mutex mutex_;
  mutable std::map<uint64_t, Partials> pending_;
};

}  // namespace healthc::analysis
