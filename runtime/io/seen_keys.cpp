// SeenKeys (seen_keys.h): the run's keys, for rejecting repeated ones.
#include "runtime/io/seen_keys.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "runtime/io/cell_parse.h"

namespace healthc::rt {

std::string_view SeenKeys::key_at(uint64_t at) const {
  uint32_t size = 0;
  std::memcpy(&size, entry(at) + 8, 4);
  return std::string_view(entry(at) + 12, size);
}

uint64_t SeenKeys::first_line(std::string_view key, uint64_t line) {
  if ((count_ + 1) * 4 > slots_.size() * 3) {
    std::vector<uint64_t> old(std::max<size_t>(1024, slots_.size() * 2), 0);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (uint64_t s : old)
      if (s != 0)
        for (size_t i = std::hash<std::string_view>{}(key_at(s - 1)) & mask;; i = (i + 1) & mask)
          if (slots_[i] == 0) {
            slots_[i] = s;
            break;
          }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = std::hash<std::string_view>{}(key) & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask)
    if (key_at(slots_[i] - 1) == key) {
      uint64_t first = 0;
      std::memcpy(&first, entry(slots_[i] - 1), 8);
      return first;
    }
  constexpr size_t kChunk = size_t{1} << 20;
  const size_t need = 12 + key.size();
  if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < need)
    chunks_.emplace_back().reserve(std::max(kChunk, need));
  std::string& c = chunks_.back();
  const uint64_t at = (static_cast<uint64_t>(chunks_.size() - 1) << 32) | c.size();
  const uint32_t size = static_cast<uint32_t>(key.size());
  c.append(reinterpret_cast<const char*>(&line), 8);
  c.append(reinterpret_cast<const char*>(&size), 4);
  c.append(key);
  slots_[i] = at + 1;
  ++count_;
  return 0;
}

std::string duplicate_key_reason(std::string_view key, uint64_t first) {
  return "duplicate key " + quote_cell(key) + ": first on line " + std::to_string(first);
}

}  // namespace healthc::rt
