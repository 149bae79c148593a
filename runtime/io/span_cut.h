// Cutting the input into spans of whole records for parallel reading (RecordReader::next_span),
// shared by the CSV and JSON Lines readers: only where a span may end differs between them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/io/csv_masks.h"
#include "runtime/io/input_buffer.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {

// Where a span may end: `bytes` into what it was shown (0: no whole record yet) and, when the
// search for it counted them on the way, the line feeds before that point (else cut_span
// counts them: one pass over the span either way).
struct SpanEnd {
  size_t bytes = 0;
  std::optional<uint64_t> newlines;
};

// Line feeds in the span's first `cut` bytes: the boundary search's count, else a count.
inline uint64_t span_newlines(const char* p, size_t cut, const SpanEnd& end) {
  if (end.newlines && end.bytes == cut) return *end.newlines;
  return csv::scan_lines(p, cut).newlines;
}

// Fills `span` with at least `target_bytes` of `in` (more when one record is longer), cut after
// the last whole record: `boundary(bytes)` is where it ends (a SpanEnd), asked only before the
// end of the input. The tail goes back to `in` for the next span; `line` counts the span's line
// feeds. False at the end of the input or on a read error (then `done` is set and `span` empty).
// A mapped input's span is a view into the mapping: nothing is copied. Throws what `in` throws.
template <typename Boundary>
bool cut_span(InputBuffer& in, RawSpan& span, size_t target_bytes, uint64_t& line, bool& done, Boundary boundary) {
  span.clear();
  if (in.mapped()) {
    const size_t avail = in.size();
    if (avail == 0) {
      done = true;
      return false;
    }
    size_t take = std::min(std::max<size_t>(target_bytes, 1), avail), cut = 0;
    SpanEnd found;
    for (;;) {
      found = take == avail ? SpanEnd{avail, std::nullopt} : boundary(std::string_view(in.begin(), take));
      cut = found.bytes;
      if (cut != 0) break;
      take = std::min(take * 2, avail);  // one record longer than the span: look further
    }
    span.mapped = in.begin();
    span.mapped_size = cut;
    span.newlines = span_newlines(span.mapped, cut, found);
    line += span.newlines;
    in.consume(cut);
    if (in.size() == 0) done = true;
    return true;
  }
  // The previous span's unfinished tail comes first.
  span.bytes.assign(in.begin(), in.size());
  in.consume(in.size());
  for (;;) {
    while (span.bytes.size() < target_bytes && !in.eof()) {
      if (!in.fill_more()) break;
      span.bytes.append(in.begin(), in.size());
      in.consume(in.size());
    }
    if (!in.error().empty()) {
      done = true;
      span.bytes.clear();
      return false;
    }
    if (span.bytes.empty()) {
      done = true;
      return false;
    }
    const SpanEnd found = in.eof() ? SpanEnd{span.bytes.size(), std::nullopt} : boundary(std::string_view(span.bytes));
    const size_t cut = found.bytes;
    if (cut == 0) {  // one record longer than the span: read on
      target_bytes *= 2;
      continue;
    }
    if (cut < span.bytes.size()) in.unconsume(span.bytes.data() + cut, span.bytes.size() - cut);
    span.bytes.resize(cut);
    span.newlines = span_newlines(span.bytes.data(), cut, found);
    line += span.newlines;
    if (in.eof() && in.size() == 0) done = true;
    return true;
  }
}

}  // namespace healthc::rt
