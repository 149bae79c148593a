// A sink that looks for one account by its key and stops the run when it has it: what
// `healthc explain` reads through.
#pragma once

#include <string>

#include "runtime/pipeline/pipeline.h"

namespace healthc::rt {

class FindKeySink final : public Sink {
 public:
  FindKeySink(int32_t key_field, std::string key) : key_field_(key_field), key_(std::move(key)) {}
  SinkStatus consume(ScoredBlock& b, std::string&) override {
    for (size_t r = 0; r < b.block.rows; ++r) {
      if (b.block.text[key_field_][r].view() != key_) continue;
      scores = b.scores;
      row = r;
      found = true;
      return SinkStatus::Stop;
    }
    return SinkStatus::Continue;
  }

  bool found = false;
  BlockScores scores;  // the scores of the block that holds the account
  size_t row = 0;      // the account's row in it

 private:
  int32_t key_field_;
  std::string key_;
};

}  // namespace healthc::rt
