// ColumnBlock housekeeping: clearing a block for reuse and the arena that owns its text.
#include "runtime/io/column_block.h"

#include <algorithm>

namespace healthc::rt {
namespace {

// Smallest arena chunk. Large enough that a chunk is always heap-allocated (never inside the
// std::string object), so moving a block keeps every TextRef valid.
constexpr size_t kMinArenaChunk = size_t{64} << 10;
// Chunks double up to this size, then stay there: growth without huge single allocations.
constexpr size_t kMaxArenaChunk = size_t{16} << 20;

}  // namespace

void ColumnBlock::reset(const Schema& schema) {
  rows = 0;
  first_row_index = 0;
  const size_t nf = schema.fields.size();
  // clear() keeps each vector's capacity: a reused block stops allocating after its first fill.
  num.resize(nf);
  valid.resize(nf);
  text.resize(nf);
  for (size_t f = 0; f < nf; ++f) {
    num[f].clear();
    valid[f].clear();
    text[f].clear();
  }
  const size_t ne = schema.extra_columns.size();
  extra.resize(ne);
  for (auto& e : extra) e.clear();
  extra_present.assign(ne, false);
  line.clear();

  // Fold the chunks into one of their total size, so a block of the same shape next time
  // fits into a single chunk with no further allocation.
  if (arena.size() > 1) {
    size_t total = 0;
    for (const auto& chunk : arena) total += chunk.size();
    arena.clear();
    arena.emplace_back().reserve(std::max(total, kMinArenaChunk));
  } else if (arena.size() == 1) {
    arena.front().clear();
  }
}

std::string_view ColumnBlock::keep(std::string_view bytes) {
  // A static empty string: empty cells still get a non-null pointer, never an allocation.
  if (bytes.empty()) return std::string_view("", 0);
  if (arena.empty() || arena.back().capacity() - arena.back().size() < bytes.size()) {
    size_t cap =
        arena.empty() ? kMinArenaChunk : std::min(arena.back().capacity() * 2, kMaxArenaChunk);
    cap = std::max({cap, bytes.size(), kMinArenaChunk});
    arena.emplace_back().reserve(cap);
  }
  // Appending within capacity never reallocates, so earlier views into the chunk stay valid;
  // the deque never moves its strings.
  std::string& chunk = arena.back();
  const size_t at = chunk.size();
  chunk.append(bytes);
  return std::string_view(chunk.data() + at, bytes.size());
}

}  // namespace healthc::rt
