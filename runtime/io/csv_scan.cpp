// The CSV record scanners: scan_record (one record at a time: SWAR over eight bytes for records
// without quotes, and the general scanner for quoted cells, which may hold commas, line breaks
// and "" pairs) and RecordCutter (the readers' hot path: 64-byte masks, the general scanner for
// anything unusual). The delimiter is a parameter (`--delimiter`, `.tsv`); the comma is the default.
#include "runtime/io/csv_scan.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace healthc::rt::csv {
namespace {

const char* find(const char* p, const char* end, char c) {
  return static_cast<const char*>(std::memchr(p, c, static_cast<size_t>(end - p)));
}

// The high bit of each byte of `word` that equals `c`, exactly (no false positives, unlike
// the shorter has-zero-byte trick, since the positions are used and not just tested).
inline uint64_t byte_matches(uint64_t word, char c) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
  const uint64_t x = word ^ (0x0101010101010101ULL * static_cast<uint8_t>(c));
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// The record holding a quote at `open` that is not closed: it ends with the line the quote
// opened on, so only that record is lost and reading resumes on the next line. The rule looks
// only at the bytes, never at where a read or a span ended, so every way of cutting the input
// gives the same records.
Scan broken_quote(const char* p, const char* open, const char* end, bool eof, Problem problem,
                  const CellList& cells, RecordSpan& rec) {
  const char* nl = find(open + 1, end, '\n');
  if (nl == nullptr && !eof) return Scan::NeedMore;
  const char* stop = nl ? nl : end;
  if (stop > open + 1 && stop[-1] == '\r') --stop;
  rec.problem = problem;
  rec.problem_cell = cells.size();
  rec.newlines = static_cast<uint64_t>(std::count(p, open, '\n'));
  rec.problem_newlines = rec.newlines;
  rec.end = stop;
  rec.next = nl ? nl + 1 : end;
  return Scan::Record;
}

// The general case: a record with quotes, whose quoted cells may hold commas and newlines.
// Works from the record's start every time; on NeedMore the caller refills and calls again.
Scan scan_quoted(const char* p, const char* end, bool eof, CellList& cells, RecordSpan& rec, char delim) {
  cells.clear();
  rec = RecordSpan{};
  rec.begin = p;
  const char* q = p;
  for (;;) {
    const char* cell_begin = q;
    bool escaped = false;
    if (q < end && *q == '"') {
      const char* const content = q + 1;
      // With more than the limit in view, a cell not closed within it is decided without
      // waiting for the rest of the input (which keeps the window bounded); the byte after
      // the last candidate quote is then in view too, to tell a "" pair from a close.
      const bool capped = static_cast<size_t>(end - content) > kMaxQuotedCellBytes + 1;
      const char* const search_end = capped ? content + kMaxQuotedCellBytes + 1 : end;
      const char* r = content;
      for (;;) {
        r = r < search_end ? find(r, search_end, '"') : nullptr;
        if (r == nullptr) {
          if (capped) return broken_quote(p, q, end, eof, Problem::QuoteTooLong, cells, rec);
          if (!eof) return Scan::NeedMore;
          return broken_quote(p, q, end, eof, Problem::Unterminated, cells, rec);
        }
        // A quote that ends the window may be the first half of a "" pair.
        if (r + 1 == end && !eof) return Scan::NeedMore;
        if (r + 1 < end && r[1] == '"') {
          escaped = true;
          r += 2;
          continue;
        }
        break;
      }
      rec.newlines += static_cast<uint64_t>(std::count(content, r, '\n'));
      const Cell cell{content, r, escaped};
      q = r + 1;
      if (q == end) {  // eof here: a quote at the window's end with more to come was NeedMore
        cells.push(cell);
        rec.end = rec.next = end;
        return Scan::Record;
      }
      if (*q == delim) {
        cells.push(cell);
        ++q;
        continue;
      }
      if (*q == '\n') {
        cells.push(cell);
        rec.end = q;
        rec.next = q + 1;
        return Scan::Record;
      }
      if (*q == '\r') {
        if (q + 1 == end) {
          if (!eof) return Scan::NeedMore;
          cells.push(cell);
          rec.end = q;
          rec.next = end;
          return Scan::Record;
        }
        if (q[1] == '\n') {
          cells.push(cell);
          rec.end = q;
          rec.next = q + 2;
          return Scan::Record;
        }
      }
      // Text after the closing quote: the row is rejected, but the scan still has to find
      // where the cell (and the record) ends, so it carries on as for an unquoted cell.
      if (rec.problem == Problem::None) {
        rec.problem = Problem::TextAfterQuote;
        rec.problem_cell = cells.size();
      }
      escaped = false;  // its quotes may no longer pair up; the row is rejected anyway
    }
    // Unquoted (a quote inside one is taken literally, as most writers expect).
    const char* const unquoted = q;
    while (q < end && *q != delim && *q != '\n') ++q;
    if (q == end) {
      if (!eof) return Scan::NeedMore;
      const char* stop = end;
      if (stop > unquoted && stop[-1] == '\r') --stop;
      cells.push(cell_begin, stop, escaped);
      rec.end = stop;
      rec.next = end;
      return Scan::Record;
    }
    if (*q == delim) {
      cells.push(cell_begin, q, escaped);
      ++q;
      continue;
    }
    const char* stop = q;
    if (stop > unquoted && stop[-1] == '\r') --stop;
    cells.push(cell_begin, stop, escaped);
    rec.end = stop;
    rec.next = q + 1;
    return Scan::Record;
  }
}

}  // namespace

// The common case (no quote on the line) costs one memchr for the line end and one pass over
// the line.
Scan scan_record(const char* p, const char* end, bool eof, CellList& cells, RecordSpan& rec, char delim) {
  if (p == end) return eof ? Scan::End : Scan::NeedMore;
  const char* nl = find(p, end, '\n');
  if (nl == nullptr && !eof) return Scan::NeedMore;
  const char* line_end = nl ? nl : end;
  const char* stop = line_end;
  if (stop > p && stop[-1] == '\r') --stop;
  if (stop == p) {
    rec = RecordSpan{};
    rec.begin = rec.end = p;
    rec.next = nl ? nl + 1 : end;
    return Scan::Blank;
  }
  rec = RecordSpan{};
  rec.begin = p;
  rec.end = stop;
  rec.next = nl ? nl + 1 : end;
  cells.clear();
  // Commas and quotes are found eight bytes at a time (SWAR): cells are a few bytes long,
  // too short for a memchr call per comma to pay off. A quote anywhere sends the record to
  // the general scanner.
  const char* c = p;
  const char* q = p;
  // The bit tricks below read bytes in memory order only on a little-endian machine.
  for (; std::endian::native == std::endian::little && stop - q >= 8; q += 8) {
    uint64_t word;
    std::memcpy(&word, q, 8);
    uint64_t hits = byte_matches(word, delim) | byte_matches(word, '"');
    while (hits != 0) {
      const char* at = q + (__builtin_ctzll(hits) >> 3);
      if (*at == '"') return scan_quoted(p, end, eof, cells, rec, delim);
      cells.push(c, at, false);
      c = at + 1;
      hits &= hits - 1;
    }
  }
  for (; q < stop; ++q) {
    if (*q == delim) {
      cells.push(c, q, false);
      c = q + 1;
    } else if (*q == '"') {
      return scan_quoted(p, end, eof, cells, rec, delim);
    }
  }
  cells.push(c, stop, false);
  return Scan::Record;
}

void unescape(const Cell& cell, std::string& out) {
  out.clear();
  const char* p = cell.begin;
  while (p < cell.end) {
    const char* q = find(p, cell.end, '"');
    if (q == nullptr) {
      out.append(p, cell.end);
      break;
    }
    out.append(p, q + 1);
    p = q + 2;  // the scanner only sets `escaped` for cells whose quotes come in pairs
  }
}

}  // namespace healthc::rt::csv

namespace healthc::rt::csv {

void RecordCutter::load(const char* at) {
  blk_ = at;
  const ptrdiff_t n = end_ - at;
  if (n >= 64) {
    bits_ = masks_(at, delim_);
    return;
  }
  // The window's last bytes: through a zeroed copy, so nothing past the window is read.
  char tail[64] = {};
  std::memcpy(tail, at, static_cast<size_t>(n));
  bits_ = masks_(tail, delim_) & ((uint64_t{1} << n) - 1);
}

Scan RecordCutter::general(const char* start, CellList& cells, RecordSpan& rec) {
  const Scan scan = scan_quoted(start, end_, eof_, cells, rec, delim_);
  if (scan != Scan::NeedMore) p_ = rec.next;
  blk_ = nullptr;
  return scan;
}

// No line feed before the window's end: the record is the rest of the input, or needs more.
Scan RecordCutter::at_end(const char* start, const char* cell, CellList& cells, RecordSpan& rec) {
  if (!eof_) return Scan::NeedMore;
  const char* stop = end_;
  if (stop > start && stop[-1] == '\r') --stop;
  rec.next = p_ = end_;
  rec.end = stop;
  if (stop == start) return Scan::Blank;
  cells.push(cell, stop, false);
  return Scan::Record;
}

Scan RecordCutter::next(CellList& cells, RecordSpan& rec) {
  const char* const start = p_;
  if (start == end_) return eof_ ? Scan::End : Scan::NeedMore;
  if (blk_ == nullptr) {
    load(start);
  } else {
    resync(start);
  }
  rec = RecordSpan{};
  rec.begin = start;
  cells.clear();
  const char* c = start;
  for (;;) {
    while (bits_ == 0) {
      if (end_ - blk_ <= 64) return at_end(start, c, cells, rec);
      load(blk_ + 64);
    }
    const char* at = blk_ + __builtin_ctzll(bits_);
    bits_ &= bits_ - 1;
    const char ch = *at;
    if (ch == delim_) {
      cells.push(c, at, false);
      c = at + 1;
      continue;
    }
    if (ch == '\n') {
      const char* stop = at;
      if (stop > start && stop[-1] == '\r') --stop;
      rec.next = p_ = at + 1;
      rec.end = stop;
      if (stop == start) return Scan::Blank;
      cells.push(c, stop, false);
      return Scan::Record;
    }
    // A quote. Only one that opens a cell and closes cleanly is cut here.
    if (at != c) return general(start, cells, rec);
    const char* const content = at + 1;
    bool escaped = false;
    uint64_t newlines = 0;
    const char* r = nullptr;
    for (;;) {
      while (bits_ == 0) {
        if (end_ - blk_ <= 64) return general(start, cells, rec);
        load(blk_ + 64);
      }
      r = blk_ + __builtin_ctzll(bits_);
      bits_ &= bits_ - 1;
      if (*r == '\n') ++newlines;
      if (*r != '"') continue;
      // Near the window's end or the length limit, the general scanner decides.
      if (end_ - r < 3 || static_cast<size_t>(r - content) + 2 > kMaxQuotedCellBytes) return general(start, cells, rec);
      if (r[1] != '"') break;
      escaped = true;
      resync(r + 2);
    }
    if (r[1] == delim_) {
      cells.push(content, r, escaped);
      rec.newlines += newlines;
      c = r + 2;
      resync(c);
      continue;
    }
    const char* next = r[1] == '\n' ? r + 2 : r[1] == '\r' && r[2] == '\n' ? r + 3 : nullptr;
    if (next == nullptr) return general(start, cells, rec);  // text after the closing quote
    cells.push(content, r, escaped);
    rec.newlines += newlines;
    rec.end = r + 1;
    rec.next = p_ = next;
    return Scan::Record;
  }
}

}  // namespace healthc::rt::csv
