// SeenKeys (seen_keys.h): the run's keys, for rejecting repeated ones.
#include "runtime/io/seen_keys.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "runtime/io/cell_parse.h"

namespace healthc::rt {

namespace {
inline uint64_t hash_of(std::string_view key) { return std::hash<std::string_view>{}(key); }
// The slot's tag: hash bits that home() (the high bits, through the multiply) hardly uses.
inline uint64_t tag_of(uint64_t hash) { return hash & 0xFFFFFF; }

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
const char* get_varint(const char* p, uint64_t& v) {
  v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(*p++);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) return p;
  }
}
}  // namespace

std::string_view SeenKeys::key_at(uint64_t loc, uint64_t* line) const {
  const char* p = chunks_[loc >> kOffsetBits].data() + (loc & kOffsetMask);
  uint64_t size = 0, first = 0;
  p = get_varint(p, size);
  p = get_varint(p, first);
  if (line) *line = first;
  return std::string_view(p, static_cast<size_t>(size));
}

size_t SeenKeys::bytes() const {
  size_t total = slots_.capacity() * sizeof(uint64_t);
  for (const std::string& c : chunks_) total += c.capacity();
  return total;
}

// Moves every key into a table of `slots` slots (rehashing each: the home depends on the size).
void SeenKeys::rebuild(size_t slots) {
  std::vector<uint64_t> old(slots, 0);
  old.swap(slots_);
  for (uint64_t s : old) {
    if (s == 0) continue;
    for (size_t i = home(hash_of(key_at((s & kLocMask) - 1)));; i = i + 1 == slots_.size() ? 0 : i + 1)
      if (slots_[i] == 0) {
        slots_[i] = s;
        break;
      }
  }
}

void SeenKeys::reserve(size_t keys) {
  const size_t want = std::max<size_t>(1024, keys / 3 * 4 + 4);
  if (want > slots_.size()) rebuild(want);
}

uint64_t SeenKeys::first_line(std::string_view key, uint64_t line) {
  if ((count_ + 1) * 4 > slots_.size() * 3) rebuild(std::max<size_t>(1024, slots_.size() * 2));
  return insert(key, hash_of(key), line);
}

void SeenKeys::first_lines(const TextRef* keys, const uint64_t* lines, size_t n, std::vector<uint64_t>& out) {
  // Room for every key first, so no slot moves while rows ahead are being fetched.
  if ((count_ + n) * 4 > slots_.size() * 3) rebuild(std::max<size_t>({1024, slots_.size() * 2, (count_ + n) / 3 * 4 + 4}));
  constexpr size_t kAhead = 16;
  std::vector<uint64_t> hashes(n);
  for (size_t r = 0; r < n; ++r) hashes[r] = hash_of(keys[r].view());
  out.resize(n);
  for (size_t r = 0; r < n; ++r) {
    if (r + kAhead < n) __builtin_prefetch(&slots_[home(hashes[r + kAhead])]);
    out[r] = insert(keys[r].view(), hashes[r], lines[r]);
  }
}

uint64_t SeenKeys::insert(std::string_view key, uint64_t h, uint64_t line) {
  const uint64_t tag = tag_of(h);
  const size_t n = slots_.size();
  size_t i = home(h);
  for (; slots_[i] != 0; i = i + 1 == n ? 0 : i + 1) {
    const uint64_t s = slots_[i];
    if ((s >> kLocBits) != tag) continue;
    uint64_t first = 0;
    if (key_at((s & kLocMask) - 1, &first) == key) return first;
  }
  constexpr size_t kChunk = size_t{1} << kOffsetBits;
  const size_t need = 20 + key.size();  // two varints of at most 10 bytes, and the key
  if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < need ||
      chunks_.back().size() >= kChunk)
    chunks_.emplace_back().reserve(std::max(kChunk, need));
  std::string& c = chunks_.back();
  const uint64_t loc = (static_cast<uint64_t>(chunks_.size() - 1) << kOffsetBits) | c.size();
  put_varint(c, key.size());
  put_varint(c, line);
  c.append(key);
  slots_[i] = (tag << kLocBits) | (loc + 1);
  ++count_;
  return 0;
}

std::string duplicate_key_reason(std::string_view key, uint64_t first) {
  return "duplicate key " + quote_cell(key) + ": first on line " + std::to_string(first);
}

}  // namespace healthc::rt
