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
        const Scan scan = scan_record(in_.begin(), in_.end(), in_.eof(), cells_, rec);
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
          take_record(rec, block, rejects);
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
      const Scan scan = scan_record(in_.begin(), in_.end(), in_.eof(), cells_, rec);
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
    names.reserve(cells_.size());
    for (const Cell& cell : cells_) {
      std::string_view name(cell.begin, static_cast<size_t>(cell.end - cell.begin));
      if (cell.escaped) {
        unescape(cell, scratch_);
        name = scratch_;
      }
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
    row_num_.assign(schema_.fields.size(), 0.0);
    row_valid_.assign(schema_.fields.size(), 0);
    return {};
  }

  std::string_view cell_text(const Cell& cell) {
    if (!cell.escaped) return {cell.begin, static_cast<size_t>(cell.end - cell.begin)};
    unescape(cell, scratch_);
    return scratch_;
  }

  // Parses every field of the record first and only then appends, so a rejected row leaves
  // no trace in the block.
  void take_record(const RecordSpan& rec, ColumnBlock& block, std::vector<Reject>& rejects) {
    auto reject = [&](std::string reason) {
      rejects.push_back(Reject{line_, std::move(reason),
                               std::string(rec.begin, static_cast<size_t>(rec.end - rec.begin))});
    };
    if (rec.problem == Problem::Unterminated) {
      reject("cell " + std::to_string(rec.problem_cell + 1) +
             " opens a quote that is never closed");
      return;
    }
    if (rec.problem == Problem::TextAfterQuote) {
      reject("cell " + std::to_string(rec.problem_cell + 1) + " has text after its closing quote");
      return;
    }
    if (cells_.size() != ncols_) {
      reject("expected " + std::to_string(ncols_) + " cells, found " +
             std::to_string(cells_.size()));
      return;
    }
    const auto& fields = schema_.fields;
    for (size_t f = 0; f < fields.size(); ++f) {
      const Cell& cell = cells_[field_col_[f]];
      const FieldSpec& field = fields[f];
      if (field.type == FieldType::Text) {
        // Only the empty check: the bytes are copied in the second pass.
        if (cell.begin != cell.end) {
          row_valid_[f] = 1;
        } else if (field.optional) {
          row_valid_[f] = 0;
        } else {
          reject("required field `" + field.name + "` is empty");
          return;
        }
        continue;
      }
      const CellStatus status = parse_cell(field, cell_text(cell), row_num_[f], reason_);
      if (status == CellStatus::Rejected) {
        reject(reason_);
        return;
      }
      // Through a local: a store to a uint8_t may alias anything, so reading it back
      // would force reloads.
      const bool present = status == CellStatus::Present;
      row_valid_[f] = present;
      if (!present) row_num_[f] = 0.0;
    }

    for (size_t f = 0; f < fields.size(); ++f) {
      if (fields[f].type == FieldType::Text) {
        const std::string_view kept = block.keep(cell_text(cells_[field_col_[f]]));
        block.text[f].push_back(TextRef{kept.data(), kept.size()});
      } else {
        block.num[f].push_back(row_num_[f]);
      }
      block.valid[f].push_back(row_valid_[f]);
    }
    for (size_t e = 0; e < extra_col_.size(); ++e) {
      const std::string_view kept =
          extra_col_[e] < 0 ? block.keep({})
                            : block.keep(cell_text(cells_[static_cast<size_t>(extra_col_[e])]));
      block.extra[e].push_back(TextRef{kept.data(), kept.size()});
    }
    block.line.push_back(line_);
    ++block.rows;
    ++accepted_;
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
  CellList cells_;
  std::vector<double> row_num_;
  std::vector<uint8_t> row_valid_;
  std::string scratch_;
  std::string reason_;
};

}  // namespace

std::unique_ptr<RecordReader> make_csv_reader(std::FILE* in, Schema schema,
                                              const ReaderOptions& options) {
  return std::make_unique<CsvReader>(in, std::move(schema), options);
}

}  // namespace healthc::rt
