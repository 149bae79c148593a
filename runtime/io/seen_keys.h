// The keys a run has accepted so far and the line each was first on: the readers reject a row
// whose key repeats an earlier row's (spec "Bad input": one account, one score per run).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/column_block.h"

namespace healthc::rt {

// Open addressing over a byte arena of fixed-size chunks (never copied as it grows): about
// 12 bytes plus the key's bytes plus 11-21 bytes of slots a key, not a node-based map's 80,
// as it holds every account of the run. A slot keeps 24 bits of the key's hash beside where
// the key is, so a probe past another key costs no visit to the arena (at a million keys the
// arena is far out of cache), and growing the table needs no rehash of the keys.
class SeenKeys {
 public:
  // The line `key` was first on, or 0 when it is new (then recorded as on `line`, >= 1).
  uint64_t first_line(std::string_view key, uint64_t line);
  // The same for a block's keys in order (out[i]: what first_line would give for row i), with
  // each slot fetched some rows ahead: one cache miss a row is the cost of a large run's table.
  void first_lines(const TextRef* keys, const uint64_t* lines, size_t n, std::vector<uint64_t>& out);

 private:
  void grow();
  uint64_t insert(std::string_view key, uint64_t hash, uint64_t line);
  std::string_view key_at(uint64_t loc) const;
  const char* entry(uint64_t loc) const { return chunks_[loc >> kOffsetBits].data() + (loc & kOffsetMask); }
  static constexpr int kOffsetBits = 20;  // a chunk's entries start below 1 MiB (a longer key has its own)
  static constexpr uint64_t kOffsetMask = (uint64_t{1} << kOffsetBits) - 1;
  static constexpr int kLocBits = 40;     // chunk << 20 | offset, + 1
  static constexpr uint64_t kLocMask = (uint64_t{1} << kLocBits) - 1;
  std::vector<std::string> chunks_;  // per key: line (8 bytes), size (4), the key's bytes
  std::vector<uint64_t> slots_;      // tag (the hash's top 24 bits) << 40 | loc + 1; 0: empty
  int bits_ = 0;                     // slots_.size() == 1 << bits_
  size_t count_ = 0;
};

// The reason a row whose key was first on `first` is rejected.
std::string duplicate_key_reason(std::string_view key, uint64_t first);

}  // namespace healthc::rt
