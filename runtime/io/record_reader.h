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
