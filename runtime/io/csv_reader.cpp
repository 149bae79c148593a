// CSV (RFC 4180) into ColumnBlocks: records are cut and cells parsed straight from the input
// window; only text cells are copied, once, into the block's arena.
#include "runtime/io/csv_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "runtime/io/cell_parse.h"
#include "runtime/io/input_buffer.h"

namespace healthc::rt {
namespace {

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

enum class Problem : uint8_t { None, Unterminated, TextAfterQuote };

// One record found in the window.
struct RecordSpan {
  const char* begin = nullptr;
  const char* end = nullptr;   // excludes the line terminator
  const char* next = nullptr;  // first byte after the terminator
  uint64_t newlines = 0;       // line breaks inside quoted cells
  Problem problem = Problem::None;
  size_t problem_cell = 0;  // 0-based cell the problem is in
};

enum class Scan { Record, Blank, NeedMore, End };

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

// The general case: a record with quotes, whose quoted cells may hold commas and newlines.
// Works from the record's start every time; on NeedMore the caller refills and calls again.
Scan scan_quoted(const char* p, const char* end, bool eof, CellList& cells, RecordSpan& rec) {
  cells.clear();
  rec = RecordSpan{};
  rec.begin = p;
  const char* q = p;
  for (;;) {
    const char* cell_begin = q;
    bool escaped = false;
    if (q < end && *q == '"') {
      const char* r = q + 1;
      for (;;) {
        r = find(r, end, '"');
        if (r == nullptr) {
          if (!eof) return Scan::NeedMore;
          // Never closed: everything to the end of input belongs to this broken record.
          const char* stop = end;
          if (stop > p && stop[-1] == '\n') --stop;
          if (stop > p && stop[-1] == '\r') --stop;
          rec.problem = Problem::Unterminated;
          rec.problem_cell = cells.size();
          rec.end = stop;
          rec.next = end;
          rec.newlines = static_cast<uint64_t>(std::count(p, stop, '\n'));
          return Scan::Record;
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
      rec.newlines += static_cast<uint64_t>(std::count(q + 1, r, '\n'));
      const Cell cell{q + 1, r, escaped};
      q = r + 1;
      if (q == end) {  // eof here: a quote at the window's end with more to come was NeedMore
        cells.push(cell);
        rec.end = rec.next = end;
        return Scan::Record;
      }
      if (*q == ',') {
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
    while (q < end && *q != ',' && *q != '\n') ++q;
    if (q == end) {
      if (!eof) return Scan::NeedMore;
      const char* stop = end;
      if (stop > unquoted && stop[-1] == '\r') --stop;
      cells.push(cell_begin, stop, escaped);
      rec.end = stop;
      rec.next = end;
      return Scan::Record;
    }
    if (*q == ',') {
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

// Finds the record at `p`. The common case (no quote on the line) costs one memchr for the
// line end and one pass over the line.
Scan scan_record(const char* p, const char* end, bool eof, CellList& cells, RecordSpan& rec) {
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
    uint64_t hits = byte_matches(word, ',') | byte_matches(word, '"');
    while (hits != 0) {
      const char* at = q + (__builtin_ctzll(hits) >> 3);
      if (*at == '"') return scan_quoted(p, end, eof, cells, rec);
      cells.push(c, at, false);
      c = at + 1;
      hits &= hits - 1;
    }
  }
  for (; q < stop; ++q) {
    if (*q == ',') {
      cells.push(c, q, false);
      c = q + 1;
    } else if (*q == '"') {
      return scan_quoted(p, end, eof, cells, rec);
    }
  }
  cells.push(c, stop, false);
  return Scan::Record;
}

// Turns "" pairs into single quotes.
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

class CsvReader final : public RecordReader {
 public:
  CsvReader(std::FILE* in, Schema schema, const ReaderOptions& options)
      : schema_(std::move(schema)), in_(in, options.chunk_bytes) {}

  std::string open() override {
    if (opened_) return open_error_;
    opened_ = true;
    try {
      open_error_ = read_header();
    } catch (const std::exception& e) {
      open_error_ = std::string("could not read the header: ") + e.what();
    }
    ok_ = open_error_.empty();
    return open_error_;
  }

  bool next(ColumnBlock& block, std::vector<Reject>& rejects, size_t max_rows) override {
    block.reset(schema_);
    block.first_row_index = accepted_;
    for (size_t e = 0; e < extra_col_.size(); ++e) block.extra_present[e] = extra_col_[e] >= 0;
    if (!ok_ || done_) return false;
    // Zero would read nothing yet not be the end; one row is the smallest useful step.
    max_rows = std::max<size_t>(max_rows, 1);
    size_t records = 0;
    try {
      while (records < max_rows) {
        RecordSpan rec;
        const Scan scan = scan_record(in_.begin(), in_.end(), in_.eof(), state_.cells, rec);
        if (scan == Scan::NeedMore) {
          in_.fill_more();
          // A read error leaves a partial record in the window; do not pass it off as whole.
          if (!in_.error().empty()) {
            done_ = true;
            break;
          }
          continue;
        }
        if (scan == Scan::End) {
          done_ = true;
          break;
        }
        if (scan == Scan::Record) {
          ++records;
          accepted_ += take_record(state_, rec, line_, block, rejects);
        }
        line_ += rec.newlines + 1;
        in_.consume(static_cast<size_t>(rec.next - in_.begin()));
      }
    } catch (const std::exception& e) {
      // Only allocation can throw here; stop cleanly rather than let it cross the library.
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
    }
    return records > 0;
  }

  std::string header_text() const override { return header_text_; }
  uint64_t bytes_read() const override { return in_.bytes_read(); }
  std::string input_error() const override { return error_.empty() ? in_.error() : error_; }

 private:
  std::string read_header() {
    // The BOM check needs three bytes, which a tiny chunk size may not give in one read.
    while (in_.size() < 3 && in_.fill_more()) {
    }
    if (!in_.error().empty()) return in_.error();
    if (in_.size() >= 3 && std::memcmp(in_.begin(), "\xEF\xBB\xBF", 3) == 0) in_.consume(3);

    RecordSpan rec;
    for (;;) {
      const Scan scan = scan_record(in_.begin(), in_.end(), in_.eof(), state_.cells, rec);
      if (scan == Scan::NeedMore) {
        in_.fill_more();
        if (!in_.error().empty()) return in_.error();
        continue;
      }
      if (scan == Scan::End) return "the input is empty: expected a header row naming the fields";
      if (scan == Scan::Record) break;
      ++line_;  // blank lines before the header
      in_.consume(static_cast<size_t>(rec.next - in_.begin()));
    }
    if (rec.problem == Problem::Unterminated) {
      return "the header row has a quoted name that is never closed";
    }
    if (rec.problem == Problem::TextAfterQuote) {
      return "header column " + std::to_string(rec.problem_cell + 1) +
             " has text after its closing quote";
    }
    header_text_.assign(rec.begin, rec.end);

    std::vector<std::string> names;
    names.reserve(state_.cells.size());
    for (const Cell& cell : state_.cells) {
      std::string_view name = cell_text(cell, state_.scratch);
      // Hand-edited headers often have a space after the comma; names never start with one.
      names.emplace_back(trim_spaces(name));
    }
    line_ += rec.newlines + 1;
    in_.consume(static_cast<size_t>(rec.next - in_.begin()));

    std::unordered_map<std::string_view, size_t> column_of;
    for (size_t c = 0; c < names.size(); ++c) {
      if (!column_of.emplace(names[c], c).second) {
        return "column `" + names[c] + "` appears more than once in the header";
      }
    }
    ncols_ = names.size();
    field_col_.assign(schema_.fields.size(), 0);
    std::vector<std::string> absent;
    for (size_t f = 0; f < schema_.fields.size(); ++f) {
      auto it = column_of.find(schema_.fields[f].name);
      if (it == column_of.end()) {
        absent.push_back(schema_.fields[f].name);
      } else {
        field_col_[f] = it->second;
      }
    }
    if (!absent.empty()) {
      std::string msg = absent.size() == 1 ? "the header has no column for field "
                                           : "the header has no columns for fields ";
      for (size_t i = 0; i < absent.size(); ++i) {
        if (i) msg += ", ";
        msg += "`" + absent[i] + "`";
      }
      return msg;
    }
    extra_col_.assign(schema_.extra_columns.size(), -1);
    for (size_t e = 0; e < schema_.extra_columns.size(); ++e) {
      auto it = column_of.find(schema_.extra_columns[e]);
      if (it != column_of.end()) extra_col_[e] = static_cast<int64_t>(it->second);
    }
    init_state(state_);
    return {};
  }

  // The per-record work, on `st` so parallel span parsers each bring their own scratch.
  struct ParseState {
    CellList cells;
    std::vector<double> row_num;
    std::vector<uint8_t> row_valid;
    std::string scratch;
    std::string reason;
  };

  static std::string_view cell_text(const Cell& cell, std::string& scratch) {
    if (!cell.escaped) return {cell.begin, static_cast<size_t>(cell.end - cell.begin)};
    unescape(cell, scratch);
    return scratch;
  }

  // Parses every field of the record first and only then appends, so a rejected row leaves
  // no trace in the block. Returns true when the row was accepted.
  bool take_record(ParseState& st, const RecordSpan& rec, uint64_t line, ColumnBlock& block,
                   std::vector<Reject>& rejects) const {
    auto reject = [&](std::string reason) {
      rejects.push_back(Reject{line, std::move(reason),
                               std::string(rec.begin, static_cast<size_t>(rec.end - rec.begin))});
      return false;
    };
    if (rec.problem == Problem::Unterminated) {
      return reject("cell " + std::to_string(rec.problem_cell + 1) +
                    " opens a quote that is never closed");
    }
    if (rec.problem == Problem::TextAfterQuote) {
      return reject("cell " + std::to_string(rec.problem_cell + 1) +
                    " has text after its closing quote");
    }
    const CellList& cells = st.cells;
    if (cells.size() != ncols_) {
      return reject("expected " + std::to_string(ncols_) + " cells, found " +
                    std::to_string(cells.size()));
    }
    const auto& fields = schema_.fields;
    for (size_t f = 0; f < fields.size(); ++f) {
      const Cell& cell = cells[field_col_[f]];
      const FieldSpec& field = fields[f];
      if (field.type == FieldType::Text) {
        // Only the empty check: the bytes are copied in the second pass.
        if (cell.begin != cell.end) {
          st.row_valid[f] = 1;
        } else if (field.optional) {
          st.row_valid[f] = 0;
        } else {
          return reject("required field `" + field.name + "` is empty");
        }
        continue;
      }
      const CellStatus status =
          parse_cell(field, cell_text(cell, st.scratch), st.row_num[f], st.reason);
      if (status == CellStatus::Rejected) return reject(st.reason);
      // Through a local: a store to a uint8_t may alias anything, so reading it back
      // would force reloads.
      const bool present = status == CellStatus::Present;
      st.row_valid[f] = present;
      if (!present) st.row_num[f] = 0.0;
    }

    for (size_t f = 0; f < fields.size(); ++f) {
      if (fields[f].type == FieldType::Text) {
        const std::string_view kept = block.keep(cell_text(cells[field_col_[f]], st.scratch));
        block.text[f].push_back(TextRef{kept.data(), kept.size()});
      } else {
        block.num[f].push_back(st.row_num[f]);
      }
      block.valid[f].push_back(st.row_valid[f]);
    }
    for (size_t e = 0; e < extra_col_.size(); ++e) {
      const std::string_view kept =
          extra_col_[e] < 0
              ? block.keep({})
              : block.keep(cell_text(cells[static_cast<size_t>(extra_col_[e])], st.scratch));
      block.extra[e].push_back(TextRef{kept.data(), kept.size()});
    }
    block.line.push_back(line);
    ++block.rows;
    return true;
  }

  void init_state(ParseState& st) const {
    st.row_num.assign(schema_.fields.size(), 0.0);
    st.row_valid.assign(schema_.fields.size(), 0);
  }

 public:
  // Parallel reading: whole records, cut cheaply in order, parsed anywhere.
  bool can_split() const override { return true; }

  bool next_span(RawSpan& span, size_t target_bytes) override {
    span.bytes.clear();
    span.first_line = line_;
    if (!ok_ || done_) return false;
    try {
      // The previous span's unfinished tail comes first.
      span.bytes.assign(in_.begin(), in_.size());
      in_.consume(in_.size());
      for (;;) {
        while (span.bytes.size() < target_bytes && !in_.eof()) {
          if (!in_.fill_more()) break;
          span.bytes.append(in_.begin(), in_.size());
          in_.consume(in_.size());
        }
        if (!in_.error().empty()) {
          done_ = true;
          span.bytes.clear();
          return false;
        }
        if (span.bytes.empty()) {
          done_ = true;
          return false;
        }
        const size_t cut = in_.eof() ? span.bytes.size() : record_boundary(span.bytes);
        if (cut == 0) {  // one record longer than the span: read on
          target_bytes *= 2;
          continue;
        }
        // The tail goes back to the window for the next span.
        if (cut < span.bytes.size()) in_.unconsume(span.bytes.data() + cut, span.bytes.size() - cut);
        span.bytes.resize(cut);
        line_ += static_cast<uint64_t>(std::count(span.bytes.begin(), span.bytes.end(), '\n'));
        if (in_.eof() && in_.size() == 0) done_ = true;
        return true;
      }
    } catch (const std::exception& e) {
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
      return false;
    }
  }

  void parse_span(const RawSpan& span, ColumnBlock& block,
                  std::vector<Reject>& rejects) const override {
    block.reset(schema_);
    for (size_t e = 0; e < extra_col_.size(); ++e) block.extra_present[e] = extra_col_[e] >= 0;
    ParseState st;
    init_state(st);
    const char* p = span.bytes.data();
    const char* end = p + span.bytes.size();
    uint64_t line = span.first_line;
    try {
      for (;;) {
        RecordSpan rec;
        const Scan scan = scan_record(p, end, true, st.cells, rec);
        if (scan == Scan::End || scan == Scan::NeedMore) break;
        if (scan == Scan::Record) take_record(st, rec, line, block, rejects);
        line += rec.newlines + 1;
        p = rec.next;
      }
    } catch (const std::exception& e) {
      rejects.push_back(Reject{line, std::string("could not read the row: ") + e.what(), {}});
    }
  }

 private:
  // The end of the last whole record in `bytes` (0 when there is none). Without quotes that
  // is after the last newline; with quotes, the records are cut exactly by the scanner.
  size_t record_boundary(const std::string& bytes) const {
    const char* b = bytes.data();
    const char* e = b + bytes.size();
    if (std::memchr(b, '"', bytes.size()) == nullptr) {
      const void* nl = memrchr(b, '\n', bytes.size());
      return nl ? static_cast<size_t>(static_cast<const char*>(nl) - b) + 1 : 0;
    }
    CellList cells;
    RecordSpan rec;
    const char* p = b;
    for (;;) {
      const Scan scan = scan_record(p, e, false, cells, rec);
      if (scan == Scan::NeedMore || scan == Scan::End) break;
      p = rec.next;
    }
    return static_cast<size_t>(p - b);
  }

  Schema schema_;
  InputBuffer in_;
  bool opened_ = false;
  bool ok_ = false;
  bool done_ = false;
  std::string open_error_;
  std::string error_;
  std::string header_text_;
  uint64_t line_ = 1;  // physical line of the next unread byte
  uint64_t accepted_ = 0;

  size_t ncols_ = 0;
  std::vector<size_t> field_col_;   // [field] -> column
  std::vector<int64_t> extra_col_;  // [extra] -> column, or -1 when the header lacks it

  // Reused for every record so the hot path does not allocate.
  ParseState state_;
};

}  // namespace

std::unique_ptr<RecordReader> make_csv_reader(std::FILE* in, Schema schema,
                                              const ReaderOptions& options) {
  return std::make_unique<CsvReader>(in, std::move(schema), options);
}

}  // namespace healthc::rt
