// Streaming readers: CSV (RFC 4180) and JSON Lines into ColumnBlocks, a chunk at a time,
// so memory stays flat however large the input.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/io/column_block.h"
#include "runtime/io/schema.h"

namespace healthc::rt {

enum class DataFormat { Csv, JsonLines };

// Whole records cut from the input, not yet parsed; `first_line` is the line of its first byte.
// A streamed input's span holds its bytes; a mapped file's is a view into the mapping, valid
// while the reader lives.
struct RawSpan {
  std::string bytes;
  const char* mapped = nullptr;  // the view, when not null
  size_t mapped_size = 0;
  uint64_t first_line = 1;
  uint64_t newlines = 0;  // line feeds in the span: its records are at most one more
  const char* data() const { return mapped ? mapped : bytes.data(); }
  size_t size() const { return mapped ? mapped_size : bytes.size(); }
  void clear() {
    bytes.clear();
    mapped = nullptr;
    mapped_size = 0;
    newlines = 0;
  }
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Reads the header (CSV) and prepares column mapping. Returns an error message (a header
  // that lacks a declared field, an unreadable file) or empty on success.
  virtual std::string open() = 0;
  // Fills `block` (after block.reset) with up to `max_rows` accepted rows; rows that cannot
  // be read are appended to `rejects` instead. Returns false when the input is exhausted
  // and nothing was read (block.rows == 0 and no rejects added).
  // A call reads at most `max_rows` records, accepted and rejected together, so a file of
  // bad rows cannot grow `rejects` without bound: a block may come back short (even empty,
  // with rejects) before the end of the input. Keep calling until it returns false.
  virtual bool next(ColumnBlock& block, std::vector<Reject>& rejects, size_t max_rows) = 0;
  // The header line as read (CSV), for writing a reject file that reads back.
  virtual std::string header_text() const { return {}; }
  virtual uint64_t bytes_read() const = 0;
  // Why the input ended early (a read error), or empty when it ended at its real end. A
  // caller checks it after next() returns false.
  virtual std::string input_error() const { return {}; }

  // Parallel reading, for readers that can cut records without parsing them (CSV):
  // next_span() cuts the input into spans of whole records, in order and cheaply (one thread);
  // parse_span() parses a span into a block and may run on any thread, concurrently with other
  // parse_span() calls. A reader uses either next() or next_span(), not both.
  virtual bool can_split() const { return false; }
  virtual bool next_span(RawSpan&, size_t /*target_bytes*/) { return false; }
  virtual void parse_span(const RawSpan&, ColumnBlock&, std::vector<Reject>&) const {}
  // After parse_span, in input order and one span at a time (never concurrently): the checks
  // that need every earlier row (a repeated key), which move such rows to `rejects`. The
  // sequential next() makes them itself.
  virtual void settle_span(const RawSpan&, ColumnBlock&, std::vector<Reject>&) {}
};

struct ReaderOptions {
  // Bytes read from the FILE at a time. Memory is a few of these plus the block; tests
  // shrink it so that records straddle reads.
  size_t chunk_bytes = size_t{1} << 20;
  // CSV: the byte between cells (`--delimiter`, a `.tsv` file's tab). Never a quote or newline.
  char delimiter = ',';
  // Bytes the caller already took from the stream (to recognise its format): read first.
  std::string prefix;
  // Map a regular file (with no prefix) rather than read it (InputBuffer); tests turn it off
  // to run the streamed path on the same files.
  bool map_files = true;
};

// `in` must stay open while the reader lives; the reader does not close it.
std::unique_ptr<RecordReader> make_reader(DataFormat format, std::FILE* in, Schema schema);
std::unique_ptr<RecordReader> make_reader(DataFormat format, std::FILE* in, Schema schema,
                                          const ReaderOptions& options);

// What a command was told about how to read its data (`--input-format`, `--delimiter`,
// `--null`); what it was not told comes from the file: open_data_reader.
struct DataReading {
  std::optional<DataFormat> format;  // else from the name; stdin: from its first bytes
  char delimiter = 0;                // CSV; 0: from the name (a tab for .tsv), else a comma
  std::vector<std::string> null_cells;
};

// A reader for `in`, named `path` ("-" is stdin), as `how` says.
std::unique_ptr<RecordReader> open_data_reader(const DataReading& how, const std::string& path, std::FILE* in,
                                               Schema schema);

// Guesses the format from a file name: .jsonl / .ndjson / .json -> JsonLines, else CSV.
DataFormat format_from_path(const std::string& path);
// A file name's delimiter: a tab for .tsv / .tab, else a comma.
char delimiter_from_path(const std::string& path);
// A stream's format from its first bytes (reading stdin, which has no name): JSON Lines when
// the first byte that is not white space (after a UTF-8 byte-order mark) is `{`, else CSV.
// The bytes read go to `prefix`, for ReaderOptions::prefix; at most `limit` are read.
DataFormat sniff_format(std::FILE* in, std::string& prefix, size_t limit = 65536);

}  // namespace healthc::rt
