// SeenKeys (seen_keys.h): the run's keys, for rejecting repeated ones.
#include "runtime/io/seen_keys.h"

#include <algorithm>
#include <cstring>

#include "runtime/io/cell_fast.h"
#include "runtime/io/cell_parse.h"

namespace healthc::rt {

namespace {
// 64 x 64 -> 128-bit multiply, folded (wyhash's mum).
inline uint64_t mum(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
constexpr uint64_t kP0 = 0xa0761d6478bd642fULL, kP1 = 0xe7037ed1a0b428dbULL, kP2 = 0x8ebc6af09c88c6e3ULL;

// wyhash's shape: the key's first and last words (overlapping; short keys by bytes), longer keys
// folded 16 bytes at a time before them, mixed with the length. Both halves of the result are
// well mixed: home() uses the high bits (by the multiply), the tag the low 24.
inline uint64_t hash_of(std::string_view key) {
  const char* p = key.data();
  const size_t n = key.size();
  uint64_t a = 0, b = 0, seed = kP0;
  if (n <= 16) {
    if (n >= 8) {
      a = swar::load8(p);
      b = swar::load8(p + n - 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, p, 4);
      std::memcpy(&y, p + n - 4, 4);
      a = x;
      b = y;
    } else if (n > 0) {
      a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) | (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    size_t left = n;
    for (; left > 16; p += 16, left -= 16) seed = mum(swar::load8(p) ^ kP1, swar::load8(p + 8) ^ seed);
    a = swar::load8(p + left - 16);
    b = swar::load8(p + left - 8);
  }
  return mum(kP1 ^ n, mum(a ^ kP1, b ^ seed ^ kP2));
}
// The slot's tag: hash bits that home() (the high bits, through the multiply) hardly uses.
inline uint64_t tag_of(uint64_t hash) { return hash & 0xFFFFFF; }

inline char* put_varint(char* out, uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
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
  const char* p = chunks_[loc >> kOffsetBits].get() + (loc & kOffsetMask);
  uint64_t size = 0, first = 0;
  p = get_varint(p, size);
  p = get_varint(p, first);
  if (line) *line = first;
  return std::string_view(p, static_cast<size_t>(size));
}

size_t SeenKeys::bytes() const {
  return (slots_.capacity() + hashes_.capacity()) * sizeof(uint64_t) + arena_bytes_;
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
  hashes_.resize(n);
  for (size_t r = 0; r < n; ++r) hashes_[r] = hash_of(keys[r].view());
  out.resize(n);
  for (size_t r = 0; r < n; ++r) {
    if (r + kAhead < n) __builtin_prefetch(&slots_[home(hashes_[r + kAhead])]);
    out[r] = insert(keys[r].view(), hashes_[r], lines[r]);
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
    const std::string_view at = key_at((s & kLocMask) - 1, &first);
    if (at.size() == key.size() && swar::same_bytes(at.data(), key.data(), key.size())) return first;
  }
  constexpr size_t kChunk = size_t{1} << kOffsetBits;
  const size_t need = 20 + key.size();  // two varints of at most 10 bytes, and the key
  if (chunks_.empty() || room_ - used_ < need || used_ >= kChunk) {
    room_ = std::max(kChunk, need);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(room_));
    arena_bytes_ += room_;
    used_ = 0;
  }
  char* const base = chunks_.back().get();
  const uint64_t loc = (static_cast<uint64_t>(chunks_.size() - 1) << kOffsetBits) | used_;
  char* w = put_varint(put_varint(base + used_, key.size()), line);
  std::memcpy(w, key.data(), key.size());
  used_ = static_cast<size_t>(w + key.size() - base);
  slots_[i] = (tag << kLocBits) | (loc + 1);
  ++count_;
  return 0;
}

std::string duplicate_key_reason(std::string_view key, uint64_t first) {
  return "duplicate key " + quote_cell(key) + ": first on line " + std::to_string(first);
}

}  // namespace healthc::rt
