// A sink that looks for one account by its key and stops the run when it has it: what
// `healthc explain` reads through.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "runtime/pipeline/pipeline.h"

namespace healthc::rt {

class FindKeySink final : public Sink {
 public:
  FindKeySink(int32_t key_field, std::string key) : key_field_(key_field), key_(std::move(key)) {}
  // The key of a rejected record (its raw bytes), when it can be told: set it to hear why the
  // account was rejected instead of not finding it.
  std::function<std::optional<std::string>(const std::string& raw)> reject_key;

  SinkStatus consume(ScoredBlock& b, std::string&) override {
    if (reject_key && !rejected)
      for (const Reject& r : b.rejects)
        if (reject_key(r.raw) == key_) {
          rejected = r;
          break;
        }
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
  std::optional<Reject> rejected;  // the first rejected record with the key (with reject_key)

 private:
  int32_t key_field_;
  std::string key_;
};

}  // namespace healthc::rt
