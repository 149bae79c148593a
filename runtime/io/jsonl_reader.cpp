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
#include "runtime/io/span_cut.h"

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
      : schema_(std::move(schema)),
        in_(in, options.chunk_bytes, options.map_files && options.prefix.empty()),
        key_field_(key_field_of(schema_)),
        state_(schema_) {
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
    if (!ok_ || done_ || shrank()) return false;
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
          accepted_ += take_line(state_, p, stop, line_, block, rejects, &seen_, end);
        }
        ++line_;
        in_.consume(static_cast<size_t>((nl ? nl + 1 : end) - p));
      }
    } catch (const std::exception& e) {
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
    }
    // The block holds copies of what it needs: the mapped pages read so far can go.
    in_.release_before(in_.begin());
    return records > 0;
  }

  uint64_t bytes_read() const override { return in_.bytes_read(); }
  std::string input_error() const override { return error_.empty() ? in_.error() : error_; }

  // Parallel reading: a record is one line (a JSON string cannot hold a raw line break), so
  // spans are cut after their last line feed and parsed anywhere, each with its own parser.
  bool can_split() const override { return true; }

  bool next_span(RawSpan& span, size_t target_bytes) override {
    span.clear();
    span.first_line = line_;
    if (!ok_ || done_ || shrank()) return false;
    try {
      return cut_span(in_, span, target_bytes, line_, done_, [](std::string_view bytes) {
        const void* nl = memrchr(bytes.data(), '\n', bytes.size());
        return SpanEnd{nl ? static_cast<size_t>(static_cast<const char*>(nl) - bytes.data()) + 1 : 0, std::nullopt};
      });
    } catch (const std::exception& e) {
      error_ = std::string("could not read the input: ") + e.what();
      done_ = true;
      return false;
    }
  }

  void parse_span(const RawSpan& span, ColumnBlock& block, std::vector<Reject>& rejects) const override {
    block.reset(schema_);
    reserve_rows(schema_, block, static_cast<size_t>(span.newlines) + 1);
    ParseState st(schema_);
    uint64_t line = span.first_line;
    const char* const span_end = span.data() + span.size();  // a line's padding may be the span's next bytes
    try {
      for_each_line(span, [&](const char* p, const char* stop) {
        if (!is_blank(p, stop)) take_line(st, p, stop, line, block, rejects, nullptr, span_end);
        ++line;
      });
    } catch (const std::exception& e) {
      rejects.push_back(Reject{line, std::string("could not read the row: ") + e.what(), {}});
    }
  }

  // A span's rows whose keys came earlier become rejects, in line order (as the CSV reader's).
  void settle_span(const RawSpan& span, ColumnBlock& block, std::vector<Reject>& rejects) override {
    settle_keys(span, block, rejects);
    // In input order, and nothing reads a settled span again: its mapped pages can go.
    if (span.mapped) in_.release_before(span.mapped + span.mapped_size);
  }

 private:
  // A mapped file that became shorter than what was mapped cannot be read on (the CSV reader's rule).
  bool shrank() {
    if (!in_.shrank()) return false;
    error_ = "could not read the input: the file became shorter while it was read";
    done_ = true;
    return true;
  }

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
    uint64_t line = span.first_line;
    size_t next = 0;
    for_each_line(span, [&](const char* p, const char* stop) {
      if (next < found.size() && line == found[next].line) found[next++].raw.assign(p, stop);
      ++line;
    });
    remove_rows(block, drop);
    const size_t mid = rejects.size();
    rejects.insert(rejects.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    std::inplace_merge(rejects.begin(), rejects.begin() + static_cast<std::ptrdiff_t>(mid), rejects.end(),
                       [](const Reject& a, const Reject& b) { return a.line < b.line; });
  }

 private:
  // Per thread: the row parser and each extra column's text for the row being appended.
  struct NumberText {
    char bytes[64];
  };
  struct ParseState {
    explicit ParseState(const Schema& schema)
        : row(schema), extra_buf(schema.extra_columns.size()), extra_text(schema.extra_columns.size()),
          extra_in(schema.extra_columns.size(), 0) {}
    JsonRowParser row;
    std::vector<NumberText> extra_buf;
    std::vector<std::string_view> extra_text;
    std::vector<uint8_t> extra_in;
  };

  // Every line of a span (without its terminator), a final one without a line feed included.
  template <class F>
  static void for_each_line(const RawSpan& span, F&& f) {
    const char* p = span.data();
    const char* const end = p + span.size();
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* stop = nl ? nl : end;
      const char* next = nl ? nl + 1 : end;
      if (stop > p && stop[-1] == '\r') --stop;
      f(p, stop);
      p = next;
    }
  }

  // The row parser converts every field first and the row is appended only when all are
  // good, so a rejected row leaves no trace in the block. `keys` (the sequential reader's)
  // rejects a repeated key; spans are checked for that in order afterwards (settle_span).
  bool take_line(ParseState& st, const char* begin, const char* end, uint64_t line, ColumnBlock& block,
                 std::vector<Reject>& rejects, SeenKeys* keys, const char* readable_end = nullptr) const {
    if (std::string reason = st.row.parse(begin, end, readable_end); !reason.empty()) {
      add_reject(rejects, line, std::move(reason), begin, end);
      return false;
    }
    if (keys && key_field_ >= 0) {
      const std::string_view key = st.row.text()[static_cast<size_t>(key_field_)];
      if (const uint64_t first = keys->first_line(key, line); first != 0) {
        add_reject(rejects, line, duplicate_key_reason(key, first), begin, end);
        return false;
      }
    }
    const size_t nextra = schema_.extra_columns.size();
    for (size_t e = 0; e < nextra; ++e) st.extra_in[e] = st.row.extra_text(e, st.extra_buf[e].bytes, st.extra_text[e]);
    append_row(schema_, block, st.row.num().data(), st.row.valid().data(), st.row.text().data(),
               st.extra_text.data(), st.extra_in.data(), line);
    return true;
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
  bool keys_sized_ = false;
  std::vector<uint64_t> firsts_;  // settle_span's, per row
  ParseState state_;  // the sequential reader's; after schema_, which its parser reads
};

}  // namespace

std::unique_ptr<RecordReader> make_jsonl_reader(std::FILE* in, Schema schema,
                                                const ReaderOptions& options) {
  return std::make_unique<JsonLinesReader>(in, std::move(schema), options);
}

}  // namespace healthc::rt
