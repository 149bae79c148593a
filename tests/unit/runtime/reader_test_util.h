// Shared by the reader tests: feed bytes through a real FILE*, read every block, and flatten
// the blocks into rows of strings that assertions can compare whole.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/record_reader.h"

namespace healthc::rt::test_util {

// Reader options with only the chunk size set (the rest as the readers default them).
inline ReaderOptions reader_options(size_t chunk_bytes) {
  ReaderOptions o;
  o.chunk_bytes = chunk_bytes;
  return o;
}

// The marker a missing cell renders as.
inline const std::string kMissing = "<missing>";

// A FILE* holding `bytes`, as a reader gets it from the driver.
class TempInput {
 public:
  explicit TempInput(std::string_view bytes) : file_(std::tmpfile()) {
    if (file_ != nullptr) {
      if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), file_);
      std::rewind(file_);
    }
  }
  ~TempInput() {
    if (file_ != nullptr) std::fclose(file_);
  }
  TempInput(const TempInput&) = delete;
  TempInput& operator=(const TempInput&) = delete;
  std::FILE* get() const { return file_; }

 private:
  std::FILE* file_;
};

inline std::string render_number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

struct ReadResult {
  std::string open_error;
  std::string header;
  std::vector<std::vector<std::string>> rows;    // [accepted row][field]
  std::vector<std::vector<std::string>> extras;  // [accepted row][extra column]
  std::vector<bool> extra_present;               // from the last block
  std::vector<uint64_t> lines;                   // [accepted row]
  std::vector<Reject> rejects;
  size_t calls_returning_true = 0;
  uint64_t bytes_read = 0;
  std::string input_error;
};

struct ReadOptions {
  size_t max_rows = 1024;
  size_t chunk_bytes = size_t{1} << 20;
};

// Reads everything, checking the block invariants on the way (every column as long as the
// block, text fields without numbers, first_row_index counting accepted rows). `map`: the
// file mapped (InputBuffer) rather than streamed in chunks of opts.chunk_bytes.
inline ReadResult read_once(DataFormat format, std::string_view input, const Schema& schema, ReadOptions opts,
                            bool map) {
  ReadResult out;
  TempInput file(input);
  ReaderOptions ro = reader_options(opts.chunk_bytes);
  ro.map_files = map;
  auto reader = make_reader(format, file.get(), schema, ro);
  out.open_error = reader->open();
  out.header = reader->header_text();
  if (!out.open_error.empty()) return out;
  ColumnBlock block;
  for (size_t guard = 0; guard < 1000000; ++guard) {
    const size_t rejects_before = out.rejects.size();
    const bool more = reader->next(block, out.rejects, opts.max_rows);
    if (!more) {
      EXPECT_EQ(block.rows, 0u);
      EXPECT_EQ(out.rejects.size(), rejects_before);
      break;
    }
    ++out.calls_returning_true;
    EXPECT_LE(block.rows + (out.rejects.size() - rejects_before), opts.max_rows);
    EXPECT_EQ(block.first_row_index, out.rows.size());
    EXPECT_EQ(block.line.size(), block.rows);
    out.extra_present = block.extra_present;
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      EXPECT_EQ(block.valid[f].size(), block.rows);
      if (schema.fields[f].type == FieldType::Text) {
        EXPECT_EQ(block.text[f].size(), block.rows);
        EXPECT_TRUE(block.num[f].empty());
      } else {
        EXPECT_EQ(block.num[f].size(), block.rows);
      }
    }
    for (size_t e = 0; e < schema.extra_columns.size(); ++e) {
      EXPECT_EQ(block.extra[e].size(), block.rows);
    }
    for (size_t r = 0; r < block.rows; ++r) {
      std::vector<std::string> row;
      for (size_t f = 0; f < schema.fields.size(); ++f) {
        if (!block.valid[f][r]) {
          row.push_back(kMissing);
        } else if (schema.fields[f].type == FieldType::Text) {
          row.emplace_back(block.text[f][r].view());
        } else {
          row.push_back(render_number(block.num[f][r]));
        }
      }
      out.rows.push_back(std::move(row));
      std::vector<std::string> extra;
      for (size_t e = 0; e < schema.extra_columns.size(); ++e) {
        extra.emplace_back(block.extra[e][r].view());
      }
      out.extras.push_back(std::move(extra));
      out.lines.push_back(block.line[r]);
    }
  }
  out.bytes_read = reader->bytes_read();
  out.input_error = reader->input_error();
  return out;
}

// read_once streamed, and checked against the same file mapped: every reader test is also a
// test that mapping the file changes nothing.
inline ReadResult read_all(DataFormat format, std::string_view input, const Schema& schema,
                           ReadOptions opts = {}) {
  ReadResult streamed = read_once(format, input, schema, opts, false);
  const ReadResult mapped = read_once(format, input, schema, opts, true);
  EXPECT_EQ(mapped.open_error, streamed.open_error);
  EXPECT_EQ(mapped.header, streamed.header);
  EXPECT_EQ(mapped.rows, streamed.rows);
  EXPECT_EQ(mapped.extras, streamed.extras);
  EXPECT_EQ(mapped.lines, streamed.lines);
  EXPECT_EQ(mapped.input_error, streamed.input_error);
  EXPECT_EQ(mapped.bytes_read, streamed.bytes_read);
  EXPECT_EQ(mapped.rejects.size(), streamed.rejects.size());
  for (size_t i = 0; i < std::min(mapped.rejects.size(), streamed.rejects.size()); ++i) {
    EXPECT_EQ(mapped.rejects[i].line, streamed.rejects[i].line) << i;
    EXPECT_EQ(mapped.rejects[i].reason, streamed.rejects[i].reason) << i;
    EXPECT_EQ(mapped.rejects[i].raw, streamed.rejects[i].raw) << i;
  }
  return streamed;
}

// The CSV header of account_schema()'s columns.
inline const std::string kHeader = "id,tier,seats,active,renewal,note\n";

inline FieldSpec field(std::string name, FieldType type, bool optional = false,
                       std::vector<std::string> members = {}) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.optional = optional;
  f.members = std::move(members);
  return f;
}

// The schema most reader tests use: a key, an enum, a number, and optional bool/date/text.
inline Schema account_schema() {
  Schema s;
  s.fields.push_back(field("id", FieldType::Text));
  s.fields.back().key = true;
  s.fields.push_back(field("tier", FieldType::Enum, false, {"smb", "mid", "enterprise"}));
  s.fields.push_back(field("seats", FieldType::Number));
  s.fields.push_back(field("active", FieldType::Bool, true));
  s.fields.push_back(field("renewal", FieldType::Date, true));
  s.fields.push_back(field("note", FieldType::Text, true));
  return s;
}

using Row = std::vector<std::string>;

// A whole CSV input read with `schema` (account_schema() unless given).
inline ReadResult read_csv(std::string_view input, const Schema& schema = account_schema(), ReadOptions opts = {}) {
  return read_all(DataFormat::Csv, input, schema, opts);
}

}  // namespace healthc::rt::test_util
