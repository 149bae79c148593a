// Output rows of `healthc score`: which columns, and their CSV / JSON Lines text. Formats a
// whole block into one buffer (no allocation per cell).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/scorecard.h"

namespace healthc::rt {

// v2: the final scores of the previous snapshot, by account key (the history store's; -1 where
// the account was not there or was unscored). Read concurrently by the formatting workers.
class PreviousScores {
 public:
  virtual ~PreviousScores() = default;
  virtual int32_t previous_score(std::string_view key) const = 0;
};

struct OutputColumn {
  enum Kind {
    Key, Segment, Score, Band, Color, Label, Override, Reasons, Value, MeasureScore, Weight,
    // v2: the previous snapshot's final score, the change since (score - previous_score), the
    // weighted score before overrides, the stale measures (`;`-separated, file order).
    PreviousScore, ScoreChange, Weighted, Stale
  } kind;
  int32_t measure = -1;
  std::string header;
  const PreviousScores* previous = nullptr;  // PreviousScore, ScoreChange; null: no store (missing)
};

enum class OutputFormat { Csv, JsonLines };

// KEY, segment, score, band, color, label, override, reasons, then `stale` when the card has a
// stale rule; with `explain`, also every measure's M.value, M.score, M.weight.
std::vector<OutputColumn> default_columns(const ir::Program& p, bool explain);
// Columns by header name, in the order given (also previous_score, score_change, weighted and
// stale); returns the unknown name in `unknown`.
bool select_columns(const ir::Program& p, const std::vector<std::string>& names, std::vector<OutputColumn>& out,
                    std::string& unknown);
bool needs_detail(const std::vector<OutputColumn>& columns);
// Whether a column reads the previous snapshot (previous_score, score_change).
bool reads_previous(const std::vector<OutputColumn>& columns);

std::string format_header(const std::vector<OutputColumn>& columns, OutputFormat format);
void format_rows(const ir::Program& p, const std::vector<OutputColumn>& columns, const ColumnBlock& block,
                 const BlockScores& scores, OutputFormat format, std::string& out);

// The account's reasons: its measures by points lost (effective weight x (100 - score)), most
// first, ties in file order, those costing nothing left out; at most `limit`.
struct Reason {
  int32_t measure;
  double points;
};
std::vector<Reason> reasons(const ir::Program& p, const BlockScores& scores, size_t row, size_t limit);
// The `reasons` column: the top three as `measure -points`, points to one decimal, `; `-separated.
std::string reasons_text(const ir::Program& p, const BlockScores& scores, size_t row);
namespace detail {
// For tests: the reasons cells of every row of `scores` ('\n' after each) as the writer picks them a
// tile at a time, on the scalar path, or with `avx2` on the AVX2 one where the CPU has it.
std::string reasons_cells(const ir::Program& p, const BlockScores& scores, bool avx2);
}  // namespace detail

// `s` as a JSON string, quotes included. Always valid JSON: bytes that are not UTF-8 become
// U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// Shortest decimal that reads back to the same double.
void append_number(std::string& out, double v);

// `v` to one decimal, the bytes `std::to_chars(..., std::chars_format::fixed, 1)` writes (the
// reasons' points), without its general path for the common case (see output.cpp).
void append_fixed1(std::string& out, double v);

// `s` as one CSV cell (RFC 4180): as it is, or quoted with inner quotes doubled where it holds
// a comma, a quote or a line break.
void append_csv(std::string& out, std::string_view s);
// True where `s` needs no quotes in CSV (none of `,`, `"`, CR, LF), as append_csv decides.
bool csv_plain(std::string_view s);
// True where `s` goes into a JSON string as it is (no `"`, `\` or byte below 0x20).
bool json_plain(std::string_view s);

}  // namespace healthc::rt
