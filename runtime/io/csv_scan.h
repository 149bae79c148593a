// Cutting CSV (RFC 4180) records out of a window of bytes, without parsing their cells: used
// by the sequential reader, the span splitter and the span parsers alike, so all three cut
// the same records whatever the read or span boundaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/io/csv_masks.h"

namespace healthc::rt::csv {

// The longest a quoted cell may be. Past it, a quote still open is taken as never closed:
// without a limit, one stray quote would make the reader hold (and then swallow) the whole
// rest of the input. Documented in docs/language.md (Data, Bad input).
constexpr size_t kMaxQuotedCellBytes = size_t{1} << 20;

// A cell's bytes in the input window: inside the quotes for a quoted cell. `escaped` says the
// bytes still hold "" pairs to be turned into single quotes.
struct Cell {
  const char* begin;
  const char* end;
  bool escaped;
};

// The cells of the current record. Filled field by field in place: building a Cell and
// copying it in costs a store-forwarding stall per cell, a measurable share of the read.
class CellList {
 public:
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  const Cell& operator[](size_t i) const { return cells_[i]; }
  const Cell* begin() const { return cells_.data(); }
  const Cell* end() const { return cells_.data() + size_; }
  void push(const char* b, const char* e, bool escaped) {
    if (size_ == cells_.size()) cells_.resize(cells_.size() * 2 + 16);
    Cell& cell = cells_[size_++];
    cell.begin = b;
    cell.end = e;
    cell.escaped = escaped;
  }
  void push(const Cell& c) { push(c.begin, c.end, c.escaped); }

 private:
  std::vector<Cell> cells_;
  size_t size_ = 0;
};

enum class Problem : uint8_t {
  None,
  Unterminated,   // a quote still open at the end of the input
  QuoteTooLong,   // a quote not closed within kMaxQuotedCellBytes
  TextAfterQuote,
};

// One record found in the window.
struct RecordSpan {
  const char* begin = nullptr;
  const char* end = nullptr;   // excludes the line terminator
  const char* next = nullptr;  // first byte after the terminator
  uint64_t newlines = 0;       // line breaks inside quoted cells
  Problem problem = Problem::None;
  size_t problem_cell = 0;        // 0-based cell the problem is in
  uint64_t problem_newlines = 0;  // lines from the record's first to the one the problem is on
};

enum class Scan { Record, Blank, NeedMore, End };

// Finds the record at `p`; `eof` says whether `end` is the end of the input. NeedMore asks
// for a longer window starting at the same `p`. A quote that is never closed (or not within
// the limit) makes a record of its own that ends with the line the quote opened on.
// `delim` separates cells (never a quote, CR or LF).
Scan scan_record(const char* p, const char* end, bool eof, CellList& cells, RecordSpan& rec, char delim = ',');

// Cuts the records of one window in order, finding cell and record boundaries 64 bytes at a
// time (csv_masks.h): next() gives exactly what scan_record(pos(), end, eof, ...) would, on
// every ScanPath. Quoted cells that close cleanly are cut from the same masks; anything else
// with a quote (a quote inside an unquoted cell, text after a closing quote, a quote still
// open at the window's end) goes to the general scanner, so every reject stays as it was.
class RecordCutter {
 public:
  RecordCutter(const char* begin, const char* end, bool eof, char delim = ',',
               ScanPath path = best_scan_path())
      : p_(begin), end_(end), eof_(eof), delim_(delim), masks_(mask_function(path)) {}
  // A new window (after a refill); scanning goes on at `begin`.
  void reset(const char* begin, const char* end, bool eof) {
    p_ = begin;
    end_ = end;
    eof_ = eof;
    blk_ = nullptr;
  }
  Scan next(CellList& cells, RecordSpan& rec);
  // Where the next record starts.
  const char* pos() const { return p_; }

 private:
  void load(const char* at);
  // Drops the bits before `at` (a position at or after blk_).
  void resync(const char* at) {
    if (at - blk_ < 64) {
      bits_ &= ~uint64_t{0} << (at - blk_);
    } else {
      load(at);
    }
  }
  Scan general(const char* start, CellList& cells, RecordSpan& rec);
  Scan at_end(const char* start, const char* cell, CellList& cells, RecordSpan& rec);

  const char* p_;
  const char* end_;
  bool eof_;
  char delim_;
  MaskFn masks_;
  const char* blk_ = nullptr;  // the 64 bytes `bits_` describes (fewer at the window's end)
  uint64_t bits_ = 0;          // their delimiters, line feeds and quotes not yet passed
};

// Turns a cell's "" pairs into single quotes.
void unescape(const Cell& cell, std::string& out);

}  // namespace healthc::rt::csv
