// The keys a run has accepted so far and the line each was first on: the readers reject a row
// whose key repeats an earlier row's (spec "Bad input": one account, one score per run).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace healthc::rt {

// Open addressing over a byte arena of fixed-size chunks (never copied as it grows): about
// 12 bytes plus the key's bytes plus 11-21 bytes of slots a key, not a node-based map's 80,
// as it holds every account of the run.
class SeenKeys {
 public:
  // The line `key` was first on, or 0 when it is new (then recorded as on `line`, >= 1).
  uint64_t first_line(std::string_view key, uint64_t line);

 private:
  std::string_view key_at(uint64_t at) const;
  const char* entry(uint64_t at) const { return chunks_[at >> 32].data() + (at & 0xffffffff); }
  std::vector<std::string> chunks_;  // per key: line (8 bytes), size (4), the key's bytes
  std::vector<uint64_t> slots_;      // chunk << 32 | offset, + 1; 0: empty
  size_t count_ = 0;
};

// The reason a row whose key was first on `first` is rejected.
std::string duplicate_key_reason(std::string_view key, uint64_t first);

}  // namespace healthc::rt
