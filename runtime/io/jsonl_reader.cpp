// JSON Lines into ColumnBlocks: one object per line, keys naming fields. Each line goes through
// the JSON row parser (json_row.h, shared with the C API), whose values go through the same cell
// grammars as CSV, so both formats accept and reject the same things.
#include "runtime/io/jsonl_reader.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "runtime/io/input_buffer.h"
#include "runtime/io/json_row.h"
#include "runtime/io/row_builder.h"
#include "runtime/io/seen_keys.h"

namespace healthc::rt {
namespace {

bool is_blank(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != ' ' && *p != '\t') return false;
  }
  return true;
}

class JsonLinesReader final : public RecordReader {
 public:
  JsonLinesReader(std::FILE* in, Schema schema, const ReaderOptions& options)
      : schema_(std::move(schema)), in_(in, options.chunk_bytes), key_field_(key_field_of(schema_)), row_(schema_) {
    if (!options.prefix.empty()) in_.unconsume(options.prefix.data(), options.prefix.size());
  }

  std::string open() override {
    if (opened_) return open_error_;
    opened_ = true;
    // No header to read: only that the stream is there and readable. A byte-order mark at the
    // start goes, even on a line of its own (each line's own is skipped by the row parser).
    while (in_.size() < 3 && in_.fill_more()) {
    }
    if (!in_.error().empty()) open_error_ = in_.error();
    else if (in_.size() >= 3 && std::memcmp(in_.begin(), "\xEF\xBB\xBF", 3) == 0) in_.consume(3);
    ok_ = open_error_.empty();
    return open_error_;
  }

  bool next(ColumnBlock& block, std::vector<Reject>& rejects, size_t max_rows) override {
    start_block(schema_, block, accepted_);
    if (!ok_ || done_) return false;
    max_rows = std::max<size_t>(max_rows, 1);
    size_t records = 0;
    try {
      while (records < max_rows) {
        const char* p = in_.begin();
        const char* end = in_.end();
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', in_.size()));
        if (nl == nullptr && !in_.eof()) {
          in_.fill_more();
          if (!in_.error().empty()) {
            done_ = true;
            break;
          }
          continue;
        }
        if (p == end) {
          done_ = true;
          break;
        }
        const char* stop = nl ? nl : end;
        if (stop > p && stop[-1] == '\r') --stop;
        if (!is_blank(p, stop)) {
          ++records;
          take_line(p, stop, block, rejects);
        }
        ++line_;
        in_.consume(static_cast<size_t>((nl ? nl + 1 : end) - p));
      }
    } catch (const std::exception& e) {
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
    }
    return records > 0;
  }

  uint64_t bytes_read() const override { return in_.bytes_read(); }
  std::string input_error() const override { return error_.empty() ? in_.error() : error_; }

 private:
  // The row parser converts every field first and the row is appended only when all are
  // good, so a rejected row leaves no trace in the block.
  void take_line(const char* begin, const char* end, ColumnBlock& block,
                 std::vector<Reject>& rejects) {
    if (std::string reason = row_.parse(begin, end); !reason.empty()) {
      add_reject(rejects, line_, std::move(reason), begin, end);
      return;
    }
    // Lines are read in order: a key seen on an earlier line rejects this one.
    if (key_field_ >= 0) {
      const std::string_view key = row_.text()[static_cast<size_t>(key_field_)];
      if (const uint64_t first = seen_.first_line(key, line_); first != 0) {
        add_reject(rejects, line_, duplicate_key_reason(key, first), begin, end);
        return;
      }
    }
    const size_t nextra = schema_.extra_columns.size();
    if (extra_text_.size() != nextra) {
      extra_text_.assign(nextra, {});
      extra_in_.assign(nextra, 0);
      extra_buf_.resize(nextra);
    }
    for (size_t e = 0; e < nextra; ++e) extra_in_[e] = row_.extra_text(e, extra_buf_[e].bytes, extra_text_[e]);
    append_row(schema_, block, row_.num().data(), row_.valid().data(), row_.text().data(), extra_text_.data(),
               extra_in_.data(), line_);
    ++accepted_;
  }

  Schema schema_;
  InputBuffer in_;
  bool opened_ = false;
  bool ok_ = false;
  bool done_ = false;
  std::string open_error_;
  std::string error_;
  uint64_t line_ = 1;  // physical line of the next unread byte
  uint64_t accepted_ = 0;
  int32_t key_field_ = -1;
  SeenKeys seen_;

  JsonRowParser row_;  // after schema_, which it reads
  // Each extra column's text for the row being appended (a number's text lives in its buffer).
  struct NumberText {
    char bytes[64];
  };
  std::vector<NumberText> extra_buf_;
  std::vector<std::string_view> extra_text_;
  std::vector<uint8_t> extra_in_;
};

}  // namespace

std::unique_ptr<RecordReader> make_jsonl_reader(std::FILE* in, Schema schema,
                                                const ReaderOptions& options) {
  return std::make_unique<JsonLinesReader>(in, std::move(schema), options);
}

}  // namespace healthc::rt
