// The keys a run has accepted so far and the line each was first on: the readers reject a row
// whose key repeats an earlier row's (spec "Bad input": one account, one score per run).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/column_block.h"

namespace healthc::rt {

// Open addressing over a byte arena of fixed-size chunks (never copied as it grows), as it
// holds every account of the run: a key costs its bytes, one byte of length and one to five of
// line (varints; 17 bytes for an 11-byte key and a line under 2^28), plus one 8-byte slot at a
// load of at most 3/4. A slot keeps 24 bits of the key's hash beside where the key is, so a
// probe past another key costs no visit to the arena (at a million keys the arena is far out
// of cache). The table need not be a power of two (a slot is found by multiplying the hash by
// the size): reserve() sizes it once from the reader's estimate, with no doubling to overshoot.
// The hash is a wyhash-style multiply-fold of the key's words (two loads for a key of up to 16
// bytes), about a third of std::hash's instructions on an 11-byte key.
class SeenKeys {
 public:
  // Room for `keys` keys without growing (an estimate: more still fit, by growing).
  void reserve(size_t keys);
  // The line `key` was first on, or 0 when it is new (then recorded as on `line`, >= 1).
  uint64_t first_line(std::string_view key, uint64_t line);
  // The same for a block's keys in order (out[i]: what first_line would give for row i), with
  // each slot fetched some rows ahead: one cache miss a row is the cost of a large run's table.
  void first_lines(const TextRef* keys, const uint64_t* lines, size_t n, std::vector<uint64_t>& out);
  size_t size() const { return count_; }
  // Bytes held (slots and arena), for the memory figures in docs/performance.md.
  size_t bytes() const;

 private:
  void rebuild(size_t slots);
  uint64_t insert(std::string_view key, uint64_t hash, uint64_t line);
  // The key at `loc` and the line it was first on.
  std::string_view key_at(uint64_t loc, uint64_t* line = nullptr) const;
  size_t home(uint64_t hash) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(hash) * slots_.size()) >> 64);
  }
  static constexpr int kOffsetBits = 20;  // a chunk's entries start below 1 MiB (a longer key has its own)
  static constexpr uint64_t kOffsetMask = (uint64_t{1} << kOffsetBits) - 1;
  static constexpr int kLocBits = 40;     // chunk << 20 | offset, + 1
  static constexpr uint64_t kLocMask = (uint64_t{1} << kLocBits) - 1;
  // Per key: size, line (varints), the key's bytes; written in place (no string's capacity
  // checks a byte). The last chunk has `used_` of its `room_` bytes filled.
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0, room_ = 0;
  size_t arena_bytes_ = 0;
  std::vector<uint64_t> slots_;   // tag (the hash's low 24 bits) << 40 | loc + 1; 0: empty
  std::vector<uint64_t> hashes_;  // first_lines' block of hashes
  size_t count_ = 0;
};

// The reason a row whose key was first on `first` is rejected.
std::string duplicate_key_reason(std::string_view key, uint64_t first);

}  // namespace healthc::rt
