// SeenKeys (seen_keys.h): the run's keys, for rejecting repeated ones.
#include "runtime/io/seen_keys.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "runtime/io/cell_parse.h"

namespace healthc::rt {

namespace {
inline uint64_t hash_of(std::string_view key) { return std::hash<std::string_view>{}(key); }
}  // namespace

std::string_view SeenKeys::key_at(uint64_t loc) const {
  uint32_t size = 0;
  std::memcpy(&size, entry(loc) + 8, 4);
  return std::string_view(entry(loc) + 12, size);
}

// Doubles the table. A key's slot comes from the top bits of its hash, so while the table has
// at most 2^24 slots the tag alone gives the new slot; past that the key is hashed again.
void SeenKeys::grow() {
  std::vector<uint64_t> old(size_t{1} << std::max(10, bits_ + 1), 0);
  old.swap(slots_);
  bits_ = std::max(10, bits_ + 1);
  const size_t mask = slots_.size() - 1;
  for (uint64_t s : old) {
    if (s == 0) continue;
    const uint64_t tag = s >> kLocBits;
    const size_t home = bits_ <= 24 ? static_cast<size_t>(tag >> (24 - bits_))
                                    : static_cast<size_t>(hash_of(key_at((s & kLocMask) - 1)) >> (64 - bits_));
    for (size_t i = home;; i = (i + 1) & mask)
      if (slots_[i] == 0) {
        slots_[i] = s;
        break;
      }
  }
}

uint64_t SeenKeys::first_line(std::string_view key, uint64_t line) {
  if ((count_ + 1) * 4 > slots_.size() * 3) grow();
  return insert(key, hash_of(key), line);
}

void SeenKeys::first_lines(const TextRef* keys, const uint64_t* lines, size_t n, std::vector<uint64_t>& out) {
  // Room for every key first, so no slot moves while rows ahead are being fetched.
  while ((count_ + n) * 4 > slots_.size() * 3) grow();
  constexpr size_t kAhead = 16;
  std::vector<uint64_t> hashes(n);
  for (size_t r = 0; r < n; ++r) hashes[r] = hash_of(keys[r].view());
  out.resize(n);
  for (size_t r = 0; r < n; ++r) {
    if (r + kAhead < n) __builtin_prefetch(&slots_[static_cast<size_t>(hashes[r + kAhead] >> (64 - bits_))]);
    out[r] = insert(keys[r].view(), hashes[r], lines[r]);
  }
}

uint64_t SeenKeys::insert(std::string_view key, uint64_t h, uint64_t line) {
  const uint64_t tag = h >> 40;
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(h >> (64 - bits_));
  for (; slots_[i] != 0; i = (i + 1) & mask) {
    const uint64_t s = slots_[i];
    if ((s >> kLocBits) == tag && key_at((s & kLocMask) - 1) == key) {
      uint64_t first = 0;
      std::memcpy(&first, entry((s & kLocMask) - 1), 8);
      return first;
    }
  }
  constexpr size_t kChunk = size_t{1} << kOffsetBits;
  const size_t need = 12 + key.size();
  if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < need ||
      chunks_.back().size() >= kChunk)
    chunks_.emplace_back().reserve(std::max(kChunk, need));
  std::string& c = chunks_.back();
  const uint64_t loc = (static_cast<uint64_t>(chunks_.size() - 1) << kOffsetBits) | c.size();
  const uint32_t size = static_cast<uint32_t>(key.size());
  c.append(reinterpret_cast<const char*>(&line), 8);
  c.append(reinterpret_cast<const char*>(&size), 4);
  c.append(key);
  slots_[i] = (tag << kLocBits) | (loc + 1);
  ++count_;
  return 0;
}

std::string duplicate_key_reason(std::string_view key, uint64_t first) {
  return "duplicate key " + quote_cell(key) + ": first on line " + std::to_string(first);
}

}  // namespace healthc::rt
