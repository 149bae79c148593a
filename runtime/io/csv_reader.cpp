// CSV (RFC 4180) into ColumnBlocks: records are cut and cells parsed straight from the input
// window; only text cells are copied, once, into the block's arena.
#include "runtime/io/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>

#include "runtime/io/cell_fast.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/csv_scan.h"
#include "runtime/io/input_buffer.h"
#include "runtime/io/row_builder.h"
#include "runtime/io/seen_keys.h"
#include "runtime/io/span_cut.h"
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
      : schema_(std::move(schema)),
        in_(in, options.chunk_bytes, options.map_files && options.prefix.empty()),
        delim_(options.delimiter),
        key_field_(key_field_of(schema_)) {
    if (!options.prefix.empty()) in_.unconsume(options.prefix.data(), options.prefix.size());
  }

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
    start_block(schema_, block, accepted_);
    mark_extras(block);
    if (!ok_ || done_) return false;
    if (shrank()) return false;
    // Zero would read nothing yet not be the end; one row is the smallest useful step.
    max_rows = std::max<size_t>(max_rows, 1);
    size_t records = 0;
    try {
      csv::RecordCutter cut(in_.begin(), in_.end(), in_.eof(), delim_);
      while (records < max_rows) {
        RecordSpan rec;
        const Scan scan = cut.next(state_.cells, rec);
        if (scan == Scan::NeedMore) {
          in_.fill_more();
          cut.reset(in_.begin(), in_.end(), in_.eof());
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
          accepted_ += take_record(state_, rec, line_, block, rejects, &seen_);
        }
        line_ += rec.newlines + 1;
        in_.consume(static_cast<size_t>(rec.next - in_.begin()));
      }
    } catch (const std::exception& e) {
      // Only allocation can throw here; stop cleanly rather than let it cross the library.
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
    }
    // The block holds copies of what it needs: the mapped pages read so far can go.
    in_.release_before(in_.begin());
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
      const Scan scan = scan_record(in_.begin(), in_.end(), in_.eof(), state_.cells, rec, delim_);
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
    // A JSON Lines record is no CSV header whatever its quotes do: say which option reads it.
    if (rec.begin != rec.end && *rec.begin == '{' && rec.problem != Problem::None) {
      return "the input looks like JSON Lines: pass --input-format jsonl (its first line is not a CSV header)";
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

    if (std::string error = map_columns(schema_, names, map_); !error.empty()) return error;
    plan_fast_cells();
    plan_slots();
    init_state(state_);
    return {};
  }

  // The per-record work, on `st` so parallel span parsers each bring their own scratch.
  struct ParseState {
    CellList cells;
    // The row being converted (append_row's arrays); text views point into the input or,
    // for cells with escaped quotes, into the per-column buffers.
    std::vector<double> row_num;
    std::vector<uint8_t> row_valid;
    std::vector<std::string_view> row_text, extra_text;
    std::vector<std::string> text_buf, extra_buf;
    std::vector<uint8_t> extra_in;  // [extra]: the header has the column
    std::string scratch;
    std::string reason;
    BadCells bad;
  };

  // The header's extra columns show in every block, even one without rows.
  void mark_extras(ColumnBlock& block) const {
    for (size_t e = 0; e < map_.extra_column.size(); ++e) block.extra_present[e] = map_.extra_column[e] >= 0;
  }

  static std::string_view cell_text(const Cell& cell, std::string& scratch) {
    if (!cell.escaped) return {cell.begin, static_cast<size_t>(cell.end - cell.begin)};
    csv::unescape(cell, scratch);
    return scratch;
  }

  // Parses every field of the record first and only then appends, so a rejected row leaves
  // no trace in the block; every bad cell is named. `keys` (the sequential reader's) rejects a
  // repeated key; spans are checked for that in order afterwards (settle_span). Returns true
  // when the row was accepted.
  bool take_record(ParseState& st, const RecordSpan& rec, uint64_t line, ColumnBlock& block,
                   std::vector<Reject>& rejects, SeenKeys* keys) const {
    auto reject = [&](std::string reason) {
      add_reject(rejects, line, std::move(reason), rec.begin, rec.end);
      return false;
    };
    if (rec.problem == Problem::Unterminated || rec.problem == Problem::QuoteTooLong) {
      // Reported at the line the quote opened on: that is where the fix goes.
      add_reject(rejects, line + rec.problem_newlines,
                 "cell " + std::to_string(rec.problem_cell + 1) +
                     (rec.problem == Problem::Unterminated
                          ? " opens a quote that is never closed"
                          : " opens a quote that is not closed within " +
                                std::to_string(csv::kMaxQuotedCellBytes >> 20) + " MiB"),
                 rec.begin, rec.end);
      return false;
    }
    if (rec.problem == Problem::TextAfterQuote) {
      return reject("cell " + std::to_string(rec.problem_cell + 1) +
                    " has text after its closing quote");
    }
    const CellList& cells = st.cells;
    if (cells.size() != map_.columns) {
      return reject("expected " + std::to_string(map_.columns) + " cells, found " +
                    std::to_string(cells.size()));
    }
    const bool nulls = !schema_.null_cells.empty();
    st.bad.clear();
    const auto& fields = schema_.fields;
    for (size_t f = 0; f < fields.size(); ++f) {
      const Cell& cell = cells[map_.field_column[f]];
      const FieldSpec& field = fields[f];
      if (field.type == FieldType::Text) {
        // The bytes are copied when the row is appended. Text goes out again (in JSON too),
        // so bytes that are not UTF-8 are refused here rather than passed on.
        if (cell.begin != cell.end && !(nulls && is_null_cell(schema_, cell_text(cell, st.text_buf[f])))) {
          if (!is_valid_utf8({cell.begin, static_cast<size_t>(cell.end - cell.begin)})) {
            st.bad.add("field `" + field.name + "` is not valid UTF-8");
            continue;
          }
          st.row_valid[f] = 1;
          st.row_text[f] = cell_text(cell, st.text_buf[f]);
        } else if (field.optional) {
          st.row_valid[f] = 0;
          st.row_text[f] = {};
        } else {
          st.bad.add("required field `" + field.name + "` is empty");
        }
        continue;
      }
      if (!nulls && !cell.escaped) {
        double v = 0;
        bool done = false;
        switch (fast_[f]) {
          case Fast::Number: done = fast_number(cell.begin, cell.end, rec.begin, v); break;
          case Fast::Date: done = fast_date(cell.begin, cell.end, v); break;
          case Fast::Enum: {
            const int32_t m = enums_[f].find(cell.begin, cell.end);
            done = m >= 0;
            v = m;
            break;
          }
          case Fast::None: break;
        }
        if (done) {
          st.row_num[f] = v;
          st.row_valid[f] = 1;
          continue;
        }
      }
      std::string_view text = cell_text(cell, st.scratch);
      if (nulls && is_null_cell(schema_, trim_spaces(text))) text = {};
      const CellStatus status = parse_cell(field, text, st.row_num[f], st.reason);
      if (status == CellStatus::Rejected) {
        st.bad.add(st.reason);
        continue;
      }
      // Through a local: a store to a uint8_t may alias anything, so reading it back
      // would force reloads.
      const bool present = status == CellStatus::Present;
      st.row_valid[f] = present;
      if (!present) st.row_num[f] = 0.0;
    }
    if (st.bad.any()) return reject(st.bad.reason());
    for (size_t e = 0; e < map_.extra_column.size(); ++e) {
      if (map_.extra_column[e] < 0) continue;
      const Cell& cell = cells[static_cast<size_t>(map_.extra_column[e])];
      if (!is_valid_utf8({cell.begin, static_cast<size_t>(cell.end - cell.begin)})) {
        return reject("column `" + schema_.extra_columns[e] + "` is not valid UTF-8");
      }
      st.extra_text[e] = cell_text(cell, st.extra_buf[e]);
    }
    if (keys && key_field_ >= 0) {
      const std::string_view key = st.row_text[static_cast<size_t>(key_field_)];
      if (const uint64_t first = keys->first_line(key, line); first != 0) return reject(duplicate_key_reason(key, first));
    }
    append_row(schema_, block, st.row_num.data(), st.row_valid.data(), st.row_text.data(), st.extra_text.data(),
               st.extra_in.data(), line);
    return true;
  }

  // Which inline reader (cell_fast.h) tries each field's cells before parse_cell.
  enum class Fast : uint8_t { None, Number, Date, Enum };
  void plan_fast_cells() {
    fast_.assign(schema_.fields.size(), Fast::None);
    enums_.assign(schema_.fields.size(), EnumMatcher{});
    for (size_t f = 0; f < schema_.fields.size(); ++f) {
      const FieldSpec& field = schema_.fields[f];
      if (field.exact_members) continue;  // cells compared untrimmed: parse_cell's rule
      if (field.type == FieldType::Number) fast_[f] = Fast::Number;
      if (field.type == FieldType::Date) fast_[f] = Fast::Date;
      if (field.type == FieldType::Enum) {
        enums_[f] = EnumMatcher(field);
        if (enums_[f].usable()) fast_[f] = Fast::Enum;
      }
    }
  }

  // The header columns a field or extra column reads, each once (an outcome column may be both).
  void plan_slots() {
    std::vector<int64_t> slot_of(map_.columns, -1);
    auto slot = [&](size_t column) {
      if (slot_of[column] < 0) {
        slot_of[column] = static_cast<int64_t>(slot_column_.size());
        slot_column_.push_back(column);
      }
      return static_cast<size_t>(slot_of[column]);
    };
    slot_column_.clear();
    field_slot_.assign(schema_.fields.size(), 0);
    extra_slot_.assign(map_.extra_column.size(), 0);
    for (size_t f = 0; f < schema_.fields.size(); ++f) field_slot_[f] = slot(map_.field_column[f]);
    for (size_t e = 0; e < map_.extra_column.size(); ++e)
      if (map_.extra_column[e] >= 0) extra_slot_[e] = slot(static_cast<size_t>(map_.extra_column[e]));
  }

  void init_state(ParseState& st) const {
    const size_t nfields = schema_.fields.size(), nextra = schema_.extra_columns.size();
    st.row_num.assign(nfields, 0.0);
    st.row_valid.assign(nfields, 0);
    st.row_text.assign(nfields, {});
    st.text_buf.assign(nfields, {});
    st.extra_text.assign(nextra, {});
    st.extra_buf.assign(nextra, {});
    st.extra_in.assign(nextra, 0);
    for (size_t e = 0; e < nextra; ++e) st.extra_in[e] = map_.extra_column[e] >= 0;
  }

 public:
  // Parallel reading: whole records, cut cheaply in order, parsed anywhere.
  bool can_split() const override { return true; }

  bool next_span(RawSpan& span, size_t target_bytes) override {
    span.clear();
    span.first_line = line_;
    if (!ok_ || done_ || shrank()) return false;
    try {
      return cut_span(in_, span, target_bytes, line_, done_,
                      [this](std::string_view bytes) { return record_boundary(bytes); });
    } catch (const std::exception& e) {
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
      return false;
    }
  }

  void parse_span(const RawSpan& span, ColumnBlock& block,
                  std::vector<Reject>& rejects) const override {
    block.reset(schema_);
    mark_extras(block);
    reserve_rows(schema_, block, static_cast<size_t>(span.newlines) + 1);
    ParseState st;
    init_state(st);
    const char* p = span.data();
    const char* end = p + span.size();
    uint64_t line = span.first_line;
    try {
      csv::RecordCutter cut(p, end, true, delim_);
      // Cells are kept as 32-bit offsets into the span; a span too long for them (one record
      // of more than 2 GiB) is read a row at a time.
      if (span.size() < (size_t{1} << 31)) {
        ColumnBatch batch;
        while (parse_batch(st, batch, cut, p, line, block, rejects)) {
        }
        return;
      }
      for (;;) {
        RecordSpan rec;
        const Scan scan = cut.next(st.cells, rec);
        if (scan == Scan::End || scan == Scan::NeedMore) break;
        if (scan == Scan::Record) take_record(st, rec, line, block, rejects, nullptr);
        line += rec.newlines + 1;
      }
    } catch (const std::exception& e) {
      rejects.push_back(Reject{line, std::string("could not read the row: ") + e.what(), {}});
    }
  }

  // Records of a span cut in batches, their cells kept column by column (only the columns a
  // field or extra column reads): each field is then converted in one loop over the batch, with
  // one dispatch a column rather than a cell, into columns sized once a batch.
  struct ColumnBatch {
    static constexpr size_t kRows = 512;
    size_t rows = 0;
    std::vector<uint32_t> off, len;  // [slot * kRows + row]: offset into the span; length, top bit: escaped
    std::vector<uint64_t> line;      // [row]
    std::vector<uint32_t> rec_begin, rec_end;  // [row]: the record's bytes, for its reject
    std::vector<int32_t> bad;        // [row]: its entry in `bads`, or -1
    std::vector<BadCells> bads;
    size_t nbads = 0;
    std::vector<size_t> drop;
    std::vector<Reject> cut_rejects, cell_rejects;
    static constexpr uint32_t kEscaped = uint32_t{1} << 31;
  };

  // Cuts up to a batch of records from `cut` and converts them into `block`; records that cannot
  // be read go to `rejects` in line order, with the reasons take_record gives. False once the
  // span is used up.
  bool parse_batch(ParseState& st, ColumnBatch& b, csv::RecordCutter& cut, const char* base, uint64_t& line,
                   ColumnBlock& block, std::vector<Reject>& rejects) const {
    constexpr size_t kRows = ColumnBatch::kRows;
    const size_t nslots = slot_column_.size();
    b.off.resize(nslots * kRows);
    b.len.resize(nslots * kRows);
    b.line.resize(kRows);
    b.rec_begin.resize(kRows);
    b.rec_end.resize(kRows);
    b.cut_rejects.clear();
    b.cell_rejects.clear();
    size_t n = 0;
    bool more = true;
    while (n < kRows) {
      RecordSpan rec;
      const Scan scan = cut.next(st.cells, rec);
      if (scan == Scan::End || scan == Scan::NeedMore) {
        more = false;
        break;
      }
      if (scan == Scan::Record) {
        if (rec.problem != Problem::None || st.cells.size() != map_.columns) {
          take_record(st, rec, line, block, b.cut_rejects, nullptr);  // a reject: the block is untouched
        } else {
          for (size_t s = 0; s < nslots; ++s) {
            const Cell& c = st.cells[slot_column_[s]];
            b.off[s * kRows + n] = static_cast<uint32_t>(c.begin - base);
            b.len[s * kRows + n] = static_cast<uint32_t>(c.end - c.begin) | (c.escaped ? ColumnBatch::kEscaped : 0);
          }
          b.line[n] = line;
          b.rec_begin[n] = static_cast<uint32_t>(rec.begin - base);
          b.rec_end[n] = static_cast<uint32_t>(rec.end - base);
          ++n;
        }
      }
      line += rec.newlines + 1;
    }
    b.rows = n;
    const size_t first = block.rows;
    try {
      convert_batch(st, b, base, block);
    } catch (...) {
      // No half-converted rows: the block keeps the rows before this batch.
      truncate_rows(block, first);
      line = n ? b.line[0] : line;
      throw;
    }
    // Rejected rows leave the block; both reject lists are in line order, and so is the merge.
    b.drop.clear();
    for (size_t r = 0; r < n; ++r) {
      if (b.bad[r] < 0) continue;
      b.drop.push_back(first + r);
      add_reject(b.cell_rejects, b.line[r], b.bads[static_cast<size_t>(b.bad[r])].reason(), base + b.rec_begin[r],
                 base + b.rec_end[r]);
    }
    remove_rows(block, b.drop);
    if (b.cut_rejects.empty() || b.cell_rejects.empty()) {
      for (auto* list : {&b.cut_rejects, &b.cell_rejects})
        rejects.insert(rejects.end(), std::make_move_iterator(list->begin()), std::make_move_iterator(list->end()));
    } else {
      std::merge(std::make_move_iterator(b.cut_rejects.begin()), std::make_move_iterator(b.cut_rejects.end()),
                 std::make_move_iterator(b.cell_rejects.begin()), std::make_move_iterator(b.cell_rejects.end()),
                 std::back_inserter(rejects), [](const Reject& x, const Reject& y) { return x.line < y.line; });
    }
    return more;
  }

  // The batch's rows appended to `block`, a field at a time; rows with a bad cell (or an extra
  // column that is not UTF-8) are appended too and marked in `b.bad`, to be removed.
  void convert_batch(ParseState& st, ColumnBatch& b, const char* base, ColumnBlock& block) const {
    constexpr size_t kRows = ColumnBatch::kRows;
    const size_t n = b.rows, first = block.rows;
    b.bad.assign(n, -1);
    b.nbads = 0;
    auto bad_of = [&b](size_t r) -> BadCells& {
      if (b.bad[r] < 0) {
        b.bad[r] = static_cast<int32_t>(b.nbads++);
        if (b.bads.size() < b.nbads) b.bads.emplace_back();
        b.bads[b.nbads - 1].clear();
      }
      return b.bads[static_cast<size_t>(b.bad[r])];
    };
    auto cell_at = [&b, base](size_t slot, size_t r) {
      const uint32_t off = b.off[slot * kRows + r], len = b.len[slot * kRows + r];
      const char* p = base + off;
      return Cell{p, p + (len & ~ColumnBatch::kEscaped), (len & ColumnBatch::kEscaped) != 0};
    };
    const bool nulls = !schema_.null_cells.empty();
    const auto& fields = schema_.fields;
    for (size_t f = 0; f < fields.size(); ++f) {
      const FieldSpec& field = fields[f];
      const size_t slot = field_slot_[f];
      block.valid[f].resize(first + n);
      uint8_t* valid = block.valid[f].data() + first;
      if (field.type == FieldType::Text) {
        block.text[f].resize(first + n);
        TextRef* text = block.text[f].data() + first;
        for (size_t r = 0; r < n; ++r) {
          const Cell cell = cell_at(slot, r);
          valid[r] = 0;
          text[r] = TextRef{"", 0};
          // Text goes out again (in JSON too), so bytes that are not UTF-8 are refused here.
          if (cell.begin != cell.end && !(nulls && is_null_cell(schema_, cell_text(cell, st.text_buf[f])))) {
            if (!is_valid_utf8({cell.begin, static_cast<size_t>(cell.end - cell.begin)})) {
              bad_of(r).add("field `" + field.name + "` is not valid UTF-8");
              continue;
            }
            const std::string_view kept = block.keep(cell_text(cell, st.text_buf[f]));
            valid[r] = 1;
            text[r] = TextRef{kept.data(), kept.size()};
          } else if (!field.optional) {
            bad_of(r).add("required field `" + field.name + "` is empty");
          }
        }
        continue;
      }
      block.num[f].resize(first + n);
      double* num = block.num[f].data() + first;
      // The general grammar (parse_cell): every cell the inline readers do not answer for.
      auto general = [&](size_t r, const Cell& cell) {
        std::string_view text = cell_text(cell, st.scratch);
        if (nulls && is_null_cell(schema_, trim_spaces(text))) text = {};
        double v = 0;
        const CellStatus status = parse_cell(field, text, v, st.reason);
        if (status == CellStatus::Rejected) bad_of(r).add(st.reason);
        const bool present = status == CellStatus::Present;
        num[r] = present ? v : 0.0;
        valid[r] = present;
      };
      const Fast fast = nulls ? Fast::None : fast_[f];
      switch (fast) {
        case Fast::Number:
          for (size_t r = 0; r < n; ++r) {
            const Cell cell = cell_at(slot, r);
            double v = 0;
            if (!cell.escaped && fast_number(cell.begin, cell.end, base, v)) {
              num[r] = v;
              valid[r] = 1;
            } else {
              general(r, cell);
            }
          }
          break;
        case Fast::Date:
          for (size_t r = 0; r < n; ++r) {
            const Cell cell = cell_at(slot, r);
            double v = 0;
            if (!cell.escaped && fast_date(cell.begin, cell.end, v)) {
              num[r] = v;
              valid[r] = 1;
            } else {
              general(r, cell);
            }
          }
          break;
        case Fast::Enum: {
          const EnumMatcher& members = enums_[f];
          for (size_t r = 0; r < n; ++r) {
            const Cell cell = cell_at(slot, r);
            const int32_t m = cell.escaped ? -1 : members.find(cell.begin, cell.end);
            if (m >= 0) {
              num[r] = m;
              valid[r] = 1;
            } else {
              general(r, cell);
            }
          }
          break;
        }
        case Fast::None:
          for (size_t r = 0; r < n; ++r) general(r, cell_at(slot, r));
          break;
      }
    }
    for (size_t e = 0; e < map_.extra_column.size(); ++e) {
      block.extra[e].resize(first + n);
      TextRef* extra = block.extra[e].data() + first;
      for (size_t r = 0; r < n; ++r) extra[r] = TextRef{"", 0};
      if (map_.extra_column[e] < 0) continue;
      block.extra_present[e] = true;
      for (size_t r = 0; r < n; ++r) {
        // Looked at only for rows whose cells all read (take_record's order of checks); the
        // first extra column that is not UTF-8 is the reason.
        if (b.bad[r] >= 0) continue;
        const Cell cell = cell_at(extra_slot_[e], r);
        if (!is_valid_utf8({cell.begin, static_cast<size_t>(cell.end - cell.begin)})) {
          bad_of(r).add("column `" + schema_.extra_columns[e] + "` is not valid UTF-8");
          continue;
        }
        const std::string_view kept = block.keep(cell_text(cell, st.extra_buf[e]));
        extra[r] = TextRef{kept.data(), kept.size()};
      }
    }
    block.line.resize(first + n);
    std::copy(b.line.begin(), b.line.begin() + static_cast<std::ptrdiff_t>(n), block.line.begin() + static_cast<std::ptrdiff_t>(first));
    block.rows = first + n;
  }

  // Cuts every column of `block` back to its first `rows` rows.
  void truncate_rows(ColumnBlock& block, size_t rows) const {
    for (size_t f = 0; f < schema_.fields.size(); ++f) {
      if (block.num[f].size() > rows) block.num[f].resize(rows);
      if (block.text[f].size() > rows) block.text[f].resize(rows);
      if (block.valid[f].size() > rows) block.valid[f].resize(rows);
    }
    for (auto& e : block.extra)
      if (e.size() > rows) e.resize(rows);
    if (block.line.size() > rows) block.line.resize(rows);
    block.rows = rows;
  }

  // A span's rows whose keys came earlier (in this span or before it) become rejects, kept
  // whole: their bytes are found again in the span, which only happens for such rows.
  void settle_span(const RawSpan& span, ColumnBlock& block, std::vector<Reject>& rejects) override {
    settle_keys(span, block, rejects);
    // Spans settle in input order, and nothing reads a settled span again (the block and the
    // rejects hold copies): a mapped input's pages up to here can go.
    if (span.mapped) in_.release_before(span.mapped + span.mapped_size);
  }

 private:
  void settle_keys(const RawSpan& span, ColumnBlock& block, std::vector<Reject>& rejects) {
    if (key_field_ < 0) return;
    if (!keys_sized_) {  // a mapped file's size says how many keys to make room for
      keys_sized_ = true;
      if (in_.mapped()) seen_.reserve(estimate_keys(block.rows, span.size(), in_.mapped_bytes()));
    }
    const auto& keys = block.text[static_cast<size_t>(key_field_)];
    std::vector<size_t> drop;
    std::vector<Reject> found;
    seen_.first_lines(keys.data(), block.line.data(), block.rows, firsts_);
    for (size_t r = 0; r < block.rows; ++r)
      if (firsts_[r] != 0) {
        drop.push_back(r);
        found.push_back(Reject{block.line[r], duplicate_key_reason(keys[r].view(), firsts_[r]), {}});
      }
    if (drop.empty()) return;
    CellList cells;
    const char* p = span.data();
    const char* end = p + span.size();
    uint64_t line = span.first_line;
    csv::RecordCutter cut(p, end, true, delim_);
    for (size_t next = 0; next < found.size();) {
      RecordSpan rec;
      const Scan scan = cut.next(cells, rec);
      if (scan == Scan::End || scan == Scan::NeedMore) break;
      if (scan == Scan::Record && line == found[next].line) found[next++].raw.assign(rec.begin, rec.end);
      line += rec.newlines + 1;
    }
    remove_rows(block, drop);
    // Both lists are in line order; the merge keeps the rejects so.
    const size_t mid = rejects.size();
    rejects.insert(rejects.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    std::inplace_merge(rejects.begin(), rejects.begin() + static_cast<std::ptrdiff_t>(mid), rejects.end(),
                       [](const Reject& a, const Reject& b) { return a.line < b.line; });
  }

  // A mapped file that became shorter than what was mapped cannot be read on (its pages past
  // the new end are gone): an input error, as a failed read of a streamed file is.
  bool shrank() {
    if (!in_.shrank()) return false;
    error_ = "could not read the input: the file became shorter while it was read";
    done_ = true;
    return true;
  }

  // The end of the last whole record in `bytes` (0 when there is none). Without quotes that
  // is after the last newline, and the pass that saw no quote counted the line feeds; with
  // quotes, the records are cut exactly by the scanner.
  SpanEnd record_boundary(std::string_view bytes) const {
    const char* b = bytes.data();
    const char* e = b + bytes.size();
    if (const csv::LineScan seen = csv::scan_lines(b, bytes.size()); !seen.quote) {
      const void* nl = memrchr(b, '\n', bytes.size());
      return SpanEnd{nl ? static_cast<size_t>(static_cast<const char*>(nl) - b) + 1 : 0, seen.newlines};
    }
    CellList cells;
    RecordSpan rec;
    csv::RecordCutter cut(b, e, false, delim_);
    for (;;) {
      const Scan scan = cut.next(cells, rec);
      if (scan == Scan::NeedMore || scan == Scan::End) break;
    }
    return SpanEnd{static_cast<size_t>(cut.pos() - b), std::nullopt};
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

  ColumnMapping map_;  // the header's columns for each field and extra column
  std::vector<Fast> fast_;           // [field]
  std::vector<EnumMatcher> enums_;   // [field], usable for Fast::Enum
  std::vector<size_t> slot_column_;  // [slot]: the header column a ColumnBatch slot holds
  std::vector<size_t> field_slot_;   // [field]
  std::vector<size_t> extra_slot_;   // [extra], for extra columns the header has

  // Reused for every record so the hot path does not allocate.
  ParseState state_;
  char delim_ = ',';
  int32_t key_field_ = -1;
  std::vector<uint64_t> firsts_;  // settle_span's, per row
  SeenKeys seen_;  // the run's keys: the sequential reader's, or settle_span's in span order
  bool keys_sized_ = false;
};

}  // namespace

std::unique_ptr<RecordReader> make_csv_reader(std::FILE* in, Schema schema,
                                              const ReaderOptions& options) {
  return std::make_unique<CsvReader>(in, std::move(schema), options);
}

}  // namespace healthc::rt
