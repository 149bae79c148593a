// JSON Lines into ColumnBlocks: one object per line, keys naming fields. Values go through the
// same cell grammars as CSV, so both formats accept and reject the same things.
#include "runtime/io/jsonl_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "runtime/io/cell_parse.h"
#include "runtime/io/input_buffer.h"

namespace healthc::rt {
namespace {

using nlohmann::json;

// Walks a line without building anything, only to catch the parser's message: with
// exceptions off, json::parse says that a line is malformed but not why.
class ErrorCatcher final : public nlohmann::json_sax<json> {
 public:
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message = ex.what();
    return false;
  }
};

// nlohmann's message, without its "[json.exception.parse_error.101] " tag and with the line
// dropped: the record is a single line, and the reject already carries the file's line.
std::string parse_error_message(const char* begin, const char* end) {
  ErrorCatcher catcher;
  json::sax_parse(begin, end, &catcher);
  std::string msg = catcher.message.empty() ? "the line could not be parsed" : catcher.message;
  if (msg.front() == '[') {
    const size_t close = msg.find("] ");
    if (close != std::string::npos) msg.erase(0, close + 2);
  }
  const std::string_view line1 = "parse error at line 1, column";
  if (msg.compare(0, line1.size(), line1) == 0) {
    msg.replace(0, line1.size(), "parse error at column");
  }
  return "malformed json: " + msg;
}

bool is_blank(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != ' ' && *p != '\t') return false;
  }
  return true;
}

class JsonLinesReader final : public RecordReader {
 public:
  JsonLinesReader(std::FILE* in, Schema schema, const ReaderOptions& options)
      : schema_(std::move(schema)), in_(in, options.chunk_bytes) {}

  std::string open() override {
    if (opened_) return open_error_;
    opened_ = true;
    // No header to read: only that the stream is there and readable.
    if (!in_.fill_more() && !in_.error().empty()) open_error_ = in_.error();
    ok_ = open_error_.empty();
    row_num_.assign(schema_.fields.size(), 0.0);
    row_valid_.assign(schema_.fields.size(), 0);
    row_text_.assign(schema_.fields.size(), nullptr);
    return open_error_;
  }

  bool next(ColumnBlock& block, std::vector<Reject>& rejects, size_t max_rows) override {
    block.reset(schema_);
    block.first_row_index = accepted_;
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
  // Parses every field first and appends only when all are good, so a rejected row leaves no
  // trace in the block.
  void take_line(const char* begin, const char* end, ColumnBlock& block,
                 std::vector<Reject>& rejects) {
    auto reject = [&](std::string reason) {
      rejects.push_back(
          Reject{line_, std::move(reason), std::string(begin, static_cast<size_t>(end - begin))});
    };
    const json record = json::parse(begin, end, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded()) {
      reject(parse_error_message(begin, end));
      return;
    }
    if (!record.is_object()) {
      reject(std::string("expected a json object, found ") + record.type_name());
      return;
    }
    const auto& fields = schema_.fields;
    for (size_t f = 0; f < fields.size(); ++f) {
      const FieldSpec& field = fields[f];
      row_text_[f] = nullptr;
      row_num_[f] = 0.0;
      const auto it = record.find(field.name);
      if (it == record.end() || it->is_null()) {
        if (field.optional) {
          row_valid_[f] = 0;
          continue;
        }
        reject("required field `" + field.name + "` is " +
               (it == record.end() ? "absent" : "null"));
        return;
      }
      const json& v = *it;
      if (field.type == FieldType::Text) {
        if (!v.is_string()) {
          reject("field `" + field.name + "`: " + quote_cell(v.dump()) + " is not a string");
          return;
        }
        const std::string& s = v.get_ref<const std::string&>();
        if (s.empty() && !field.optional) {
          reject("required field `" + field.name + "` is empty");
          return;
        }
        row_valid_[f] = !s.empty();
        row_text_[f] = &s;
        continue;
      }
      if (field.type == FieldType::Number && v.is_number()) {
        const double d = v.get<double>();
        // nlohmann already refuses an overflowing literal as malformed; this guard keeps the
        // CSV path's promise (no infinities) should a parser version let one through.
        if (!std::isfinite(d)) {
          reject("field `" + field.name + "`: " + quote_cell(v.dump()) +
                 " is out of range for a number");
          return;
        }
        row_num_[f] = d;
        row_valid_[f] = 1;
        continue;
      }
      if (field.type == FieldType::Bool && v.is_boolean()) {
        row_num_[f] = v.get<bool>() ? 1.0 : 0.0;
        row_valid_[f] = 1;
        continue;
      }
      // Strings (numeric strings, bool spellings, dates, enum members) go through the cell
      // grammar; other values through their JSON text, which the grammar rejects with the
      // field's own wording (a bool field still takes the numbers 1 and 0, as in CSV).
      const CellStatus status =
          v.is_string() ? parse_cell(field, v.get_ref<const std::string&>(), row_num_[f], reason_)
                        : parse_cell(field, v.dump(), row_num_[f], reason_);
      if (status == CellStatus::Rejected) {
        reject(reason_);
        return;
      }
      row_valid_[f] = status == CellStatus::Present;
      if (!row_valid_[f]) row_num_[f] = 0.0;
    }

    for (size_t f = 0; f < fields.size(); ++f) {
      if (fields[f].type == FieldType::Text) {
        const std::string_view kept =
            block.keep(row_text_[f] ? std::string_view(*row_text_[f]) : std::string_view());
        block.text[f].push_back(TextRef{kept.data(), kept.size()});
      } else {
        block.num[f].push_back(row_num_[f]);
      }
      block.valid[f].push_back(row_valid_[f]);
    }
    for (size_t e = 0; e < schema_.extra_columns.size(); ++e) {
      const auto it = record.find(schema_.extra_columns[e]);
      std::string_view kept = block.keep({});
      if (it != record.end() && !it->is_null()) {
        // No header here, so "present" means some row of this block has the key.
        block.extra_present[e] = true;
        kept = it->is_string() ? block.keep(it->get_ref<const std::string&>())
                               : block.keep(it->dump());
      }
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
  uint64_t line_ = 1;  // physical line of the next unread byte
  uint64_t accepted_ = 0;

  // Reused for every record.
  std::vector<double> row_num_;
  std::vector<uint8_t> row_valid_;
  std::vector<const std::string*> row_text_;  // into the parsed record, until it is appended
  std::string reason_;
};

}  // namespace

std::unique_ptr<RecordReader> make_jsonl_reader(std::FILE* in, Schema schema,
                                                const ReaderOptions& options) {
  return std::make_unique<JsonLinesReader>(in, std::move(schema), options);
}

}  // namespace healthc::rt
