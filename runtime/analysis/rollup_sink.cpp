// RollupSink (rollup_sink.h).
#include "runtime/analysis/rollup_sink.h"

namespace healthc::analysis {

RollupSink::RollupSink(const ir::Program& program) {
  for (size_t r = 0; r < program.rollups.size(); ++r) builders_.emplace_back(program, r);
}

void RollupSink::prepare(const rt::ScoredBlock& block, std::string&) const {
  if (block.block.rows == 0) return;
  std::vector<const RollupBuilder*> builders;
  for (const RollupBuilder& b : builders_) builders.push_back(&b);
  Partials partials = RollupBuilder::partials(builders, block.block, block.scores);
  std::lock_guard lock(mutex_);
  pending_[block.index] = std::move(partials);
}

rt::SinkStatus RollupSink::consume(rt::ScoredBlock& block, std::string&) {
  Partials partials;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(block.index);
    if (it == pending_.end()) return rt::SinkStatus::Continue;  // an empty block
    partials = std::move(it->second);
    pending_.erase(it);
  }
  for (size_t r = 0; r < builders_.size() && r < partials.size(); ++r) builders_[r].merge(std::move(partials[r]));
  return rt::SinkStatus::Continue;
}

std::vector<RollupTable> RollupSink::tables() const {
  std::vector<RollupTable> out;
  for (const RollupBuilder& b : builders_) out.push_back(b.finish());
  return out;
}

}  // namespace healthc::analysis
