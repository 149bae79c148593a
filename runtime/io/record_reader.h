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
struct RawSpan {
  std::string bytes;
  uint64_t first_line = 1;
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
};

struct ReaderOptions {
  // Bytes read from the FILE at a time. Memory is a few of these plus the block; tests
  // shrink it so that records straddle reads.
  size_t chunk_bytes = size_t{1} << 20;
};

// `in` must stay open while the reader lives; the reader does not close it.
std::unique_ptr<RecordReader> make_reader(DataFormat format, std::FILE* in, Schema schema);
std::unique_ptr<RecordReader> make_reader(DataFormat format, std::FILE* in, Schema schema,
                                          const ReaderOptions& options);

// Guesses the format from a file name: .jsonl / .ndjson / .json -> JsonLines, else CSV.
DataFormat format_from_path(const std::string& path);

}  // namespace healthc::rt
