// Shared by the reader fuzz targets: read bytes through a real FILE* with given chunk and block
// sizes, check every block's invariants, and flatten what was read so two readings of the same
// bytes can be compared whole.
#pragma once

#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/record_reader.h"
#include "tests/fuzz/fuzz_invariants.h"

namespace healthc::fuzz {

// Reader options with only the chunk size set (the rest as the readers default them).
inline rt::ReaderOptions reader_options(size_t chunk_bytes) {
  rt::ReaderOptions o;
  o.chunk_bytes = chunk_bytes;
  return o;
}

using rt::ColumnBlock;
using rt::DataFormat;
using rt::FieldType;
using rt::RawSpan;
using rt::ReaderOptions;
using rt::Reject;
using rt::Schema;

// A read-only FILE* over bytes in memory (fmemopen refuses an empty buffer, hence /dev/null).
class MemoryInput {
 public:
  explicit MemoryInput(std::string_view bytes)
      : bytes_(bytes), file_(bytes_.empty() ? std::fopen("/dev/null", "rb") : fmemopen(bytes_.data(), bytes_.size(), "rb")) {
    require(file_ != nullptr, "cannot open an in-memory FILE");
  }
  ~MemoryInput() { std::fclose(file_); }
  MemoryInput(const MemoryInput&) = delete;
  MemoryInput& operator=(const MemoryInput&) = delete;
  std::FILE* get() const { return file_; }

 private:
  std::string bytes_;
  std::FILE* file_;
};

struct Reading {
  std::string open_error;
  std::vector<std::string> rows;  // one string per accepted row: line, then every cell
  std::vector<std::string> rejects;  // line, reason, raw bytes
  std::string input_error;
  bool operator==(const Reading&) const = default;
};

inline std::string describe(const Reading& r) {
  std::string s = "open error `" + r.open_error + "`, " + std::to_string(r.rows.size()) + " rows, " +
                  std::to_string(r.rejects.size()) + " rejects";
  for (const std::string& row : r.rows) s += "\n  row " + row;
  for (const std::string& rej : r.rejects) s += "\n  reject " + rej;
  return s;
}

inline void append_cell(std::string& out, std::string_view cell) {
  out += '|';
  out += std::to_string(cell.size());  // length-prefixed: no separator is ambiguous
  out += ':';
  out += cell;
}

inline void flatten_block(const Schema& schema, const ColumnBlock& block, Reading& out) {
  for (size_t r = 0; r < block.rows; ++r) {
    std::string row = std::to_string(block.line[r]);
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      if (!block.valid[f][r]) {
        append_cell(row, "<missing>");
      } else if (schema.fields[f].type == FieldType::Text) {
        append_cell(row, block.text[f][r].view());
      } else {
        char buf[64];
        const auto res = std::to_chars(buf, buf + sizeof buf, block.num[f][r]);
        append_cell(row, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
      }
    }
    for (size_t e = 0; e < schema.extra_columns.size(); ++e) append_cell(row, block.extra[e][r].view());
    out.rows.push_back(std::move(row));
  }
}

// The invariants of RecordReader::next: columns as long as the block, at most `max_rows`
// records a call, rejects with a line and a reason, lines that only grow.
inline void check_block(const Schema& schema, const ColumnBlock& block, size_t rows_before, size_t new_rejects,
                        size_t max_rows) {
  require(block.rows + new_rejects <= max_rows, "a call read more than max_rows records");
  require(block.first_row_index == rows_before, "first_row_index does not count the accepted rows");
  require(block.line.size() == block.rows, "line column length");
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    require(block.valid[f].size() == block.rows, "validity column length");
    if (schema.fields[f].type == FieldType::Text) {
      require(block.text[f].size() == block.rows && block.num[f].empty(), "text column length");
    } else {
      require(block.num[f].size() == block.rows, "number column length");
      for (size_t r = 0; r < block.rows; ++r) {
        if (!block.valid[f][r]) continue;
        const double v = block.num[f][r];
        require(v == v && v - v == 0, "a reader produced a non-finite number");
        if (schema.fields[f].type == FieldType::Bool) require(v == 0 || v == 1, "a bool that is not 0 or 1");
        if (schema.fields[f].type == FieldType::Enum)
          require(v >= 0 && v < static_cast<double>(schema.fields[f].members.size()) && v == static_cast<int>(v),
                  "an enum index outside the members");
      }
    }
  }
  for (size_t e = 0; e < schema.extra_columns.size(); ++e)
    require(block.extra[e].size() == block.rows, "extra column length");
  for (size_t r = 1; r < block.rows; ++r) require(block.line[r - 1] < block.line[r], "row lines do not grow");
}

inline void flatten_rejects(const std::vector<Reject>& rejects, size_t from, Reading& out) {
  for (size_t i = from; i < rejects.size(); ++i) {
    require(rejects[i].line >= 1, "a reject without a line");
    require(!rejects[i].reason.empty(), "a reject without a reason");
    std::string s = std::to_string(rejects[i].line);
    append_cell(s, rejects[i].reason);
    append_cell(s, rejects[i].raw);
    out.rejects.push_back(std::move(s));
  }
}

// Reads everything with next(), `chunk_bytes` from the FILE at a time, `max_rows` a block.
inline Reading read_with_next(DataFormat format, std::string_view bytes, const Schema& schema, size_t chunk_bytes,
                              size_t max_rows) {
  Reading out;
  MemoryInput in(bytes);
  auto reader = make_reader(format, in.get(), schema, reader_options(chunk_bytes));
  out.open_error = reader->open();
  if (!out.open_error.empty()) return out;
  ColumnBlock block;
  std::vector<Reject> rejects;
  // Each call consumes at least one record or ends, so the input's size bounds the calls.
  for (size_t calls = 0;; ++calls) {
    require(calls <= bytes.size() + 2, "next() keeps returning true without consuming the input");
    const size_t rejects_before = rejects.size();
    const size_t rows_before = out.rows.size();
    if (!reader->next(block, rejects, max_rows)) {
      require(block.rows == 0 && rejects.size() == rejects_before, "next() returned false with rows");
      break;
    }
    check_block(schema, block, rows_before, rejects.size() - rejects_before, max_rows);
    require(block.rows > 0 || rejects.size() > rejects_before, "next() returned true with nothing read");
    flatten_block(schema, block, out);
    flatten_rejects(rejects, rejects_before, out);
  }
  require(reader->bytes_read() <= bytes.size(), "bytes_read() is more than the input");
  out.input_error = reader->input_error();
  return out;
}

// Reads everything through the parallel path: next_span() cuts, parse_span() parses. Nothing
// when the reader cannot split.
inline std::optional<Reading> read_with_spans(DataFormat format, std::string_view bytes, const Schema& schema, size_t chunk_bytes,
                               size_t target_bytes) {
  Reading out;
  MemoryInput in(bytes);
  auto reader = make_reader(format, in.get(), schema, reader_options(chunk_bytes));
  out.open_error = reader->open();
  if (!reader->can_split()) return std::nullopt;
  if (!out.open_error.empty()) return out;
  RawSpan span;
  ColumnBlock block;
  std::vector<Reject> rejects;
  for (size_t spans = 0; reader->next_span(span, target_bytes); ++spans) {
    require(spans <= bytes.size() + 2, "next_span() keeps returning true without consuming the input");
    block.reset(schema);
    block.first_row_index = out.rows.size();
    const size_t rejects_before = rejects.size();
    reader->parse_span(span, block, rejects);
    reader->settle_span(span, block, rejects);  // in order, as the executor does: repeated keys
    flatten_block(schema, block, out);
    flatten_rejects(rejects, rejects_before, out);
  }
  out.input_error = reader->input_error();
  return out;
}

}  // namespace healthc::fuzz
