// CSV (RFC 4180) into ColumnBlocks: records are cut and cells parsed straight from the input
// window; only text cells are copied, once, into the block's arena.
#include "runtime/io/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "runtime/io/cell_parse.h"
#include "runtime/io/csv_scan.h"
#include "runtime/io/input_buffer.h"
#include "runtime/io/utf8.h"

namespace healthc::rt {
namespace {

using csv::Cell;
using csv::CellList;
using csv::Problem;
using csv::RecordSpan;
using csv::Scan;
using csv::scan_record;

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
    if (rec.problem == Problem::Unterminated || rec.problem == Problem::QuoteTooLong) {
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
      // A column without a name (spreadsheets export `a,b,,` for trailing empty columns)
      // names nothing: its cells are ignored like those of any column that is not a field.
      if (names[c].empty()) continue;
      if (!column_of.emplace(names[c], c).second) {
        return "column " + quote_cell(names[c]) + " appears more than once in the header";
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
    csv::unescape(cell, scratch);
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
    if (rec.problem == Problem::Unterminated || rec.problem == Problem::QuoteTooLong) {
      // Reported at the line the quote opened on: that is where the fix goes.
      rejects.push_back(Reject{
          line + rec.problem_newlines,
          "cell " + std::to_string(rec.problem_cell + 1) +
              (rec.problem == Problem::Unterminated
                   ? " opens a quote that is never closed"
                   : " opens a quote that is not closed within " +
                         std::to_string(csv::kMaxQuotedCellBytes >> 20) + " MiB"),
          std::string(rec.begin, static_cast<size_t>(rec.end - rec.begin))});
      return false;
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
        // Only the checks: the bytes are copied in the second pass. Text goes out again (in
        // JSON too), so bytes that are not UTF-8 are refused here rather than passed on.
        if (cell.begin != cell.end) {
          if (!is_valid_utf8({cell.begin, static_cast<size_t>(cell.end - cell.begin)})) {
            return reject("field `" + field.name + "` is not valid UTF-8");
          }
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
    for (size_t e = 0; e < extra_col_.size(); ++e) {
      if (extra_col_[e] < 0) continue;
      const Cell& cell = cells[static_cast<size_t>(extra_col_[e])];
      if (!is_valid_utf8({cell.begin, static_cast<size_t>(cell.end - cell.begin)})) {
        return reject("column `" + schema_.extra_columns[e] + "` is not valid UTF-8");
      }
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
