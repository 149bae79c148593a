// A whole data file in memory: what the analyses (test, diff, validate, tune) share; they look
// at every account at once, unlike `score`, which streams. Loaded through the pipeline, scored
// through it again (score_blocks) with as many cards as an analysis needs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "runtime/pipeline/pipeline.h"
#include "runtime/scorecard.h"

namespace healthc::rt {

struct Dataset {
  std::string path;  // as given ("-" for stdin)
  // A deque: appending never moves a block, so the text cells' views into each block's
  // arena stay valid (a vector would copy blocks on growth: deque's move is not noexcept).
  std::deque<ColumnBlock> blocks;
  std::vector<Reject> rejects;
  std::vector<std::string> extra;   // the extra columns asked for
  std::vector<bool> extra_present;  // [extra]: in the header (CSV) or in some row (JSON Lines)
  std::string header;               // the CSV header line as read (empty for JSON Lines)
  size_t rows = 0;                  // accepted rows
  std::vector<std::string> null_cells;  // `--null`: outcome cells that mean missing, as fields' do
  std::string display_name() const { return path == "-" ? "<stdin>" : path; }
};

// Opens a data file for reading ("-" is stdin); null with a message on failure.
std::FILE* open_data_file(const std::string& path, std::string& error);

// Reads `path` with `card`'s fields plus the `extra` columns (kept as raw text). False with
// `error` set when the file could not be read at all (unreadable, a header without a field).
// `how`: the command's data options (--input-format, --delimiter, --null).
bool load_dataset(const Scorecard& card, const std::string& path, std::vector<std::string> extra, Dataset& out,
                  std::string& error, size_t block_rows = 8192, const DataReading& how = {});
// The same from an open stream (not closed here) in `format`; `path` names it in messages.
bool load_dataset(const Scorecard& card, std::FILE* in, DataFormat format, const std::string& path,
                  std::vector<std::string> extra, Dataset& out, std::string& error, size_t block_rows = 8192);

// The rows with keep[i] != 0 (i counting accepted rows in order), copied into new blocks of
// at most `block_rows`. Text cells still point into `data`'s blocks, which must outlive them.
std::deque<ColumnBlock> select_rows(const Dataset& data, std::span<const uint8_t> keep, size_t block_rows = 8192);

// One per accepted row, in order: the outcome of extra column `column` as 0/1, or -1 where the
// cell is empty. Accepts the data's bools (true/false, yes/no, 1/0, any case; numbers equal
// to 0 or 1); with `positive` non-empty, that text (exactly, once trimmed) is 1 and the other
// value 0. A null cell (Dataset::null_cells) is empty. False with `error` (naming the first
// offending line and the column's values) on a value that is not a bool, or, with `positive`,
// on a column mixing bools with text, holding more than two values, or never `positive`.
bool read_outcomes(const Dataset& data, size_t column, std::vector<int8_t>& out, std::string& error,
                   const std::string& positive = {});

// The key of every accepted row, in order (views into the blocks).
std::vector<std::string_view> row_keys(const Scorecard& card, const std::deque<ColumnBlock>& blocks);

// Flattens per-block results into per-row vectors.
struct RowScores {
  std::vector<int32_t> segment, score, band, label, override_;
};
RowScores flatten(const std::vector<BlockScores>& scores);

}  // namespace healthc::rt
