// Loading and slicing whole data files for the analyses.
#include "runtime/pipeline/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "runtime/io/cell_parse.h"
#include "runtime/io/record_reader.h"

namespace healthc::rt {

std::FILE* open_data_file(const std::string& path, std::string& error) {
  if (path == "-") return stdin;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
  return f;
}

namespace {

bool load(const Scorecard& card, std::unique_ptr<RecordReader> reader, const std::string& path,
          std::vector<std::string> extra, Dataset& out, std::string& error, size_t block_rows);

}  // namespace

bool load_dataset(const Scorecard& card, const std::string& path, std::vector<std::string> extra, Dataset& out,
                  std::string& error, size_t block_rows, const DataReading& how) {
  out = Dataset{};
  out.path = path;
  std::FILE* in = open_data_file(path, error);
  if (!in) return false;
  bool ok = false;
  {
    auto reader = open_data_reader(how, path, in, card.schema(extra));
    ok = load(card, std::move(reader), path, std::move(extra), out, error, block_rows);
  }
  out.null_cells = how.null_cells;
  if (in != stdin) std::fclose(in);
  return ok;
}

bool load_dataset(const Scorecard& card, std::FILE* in, DataFormat format, const std::string& path,
                  std::vector<std::string> extra, Dataset& out, std::string& error, size_t block_rows) {
  auto reader = make_reader(format, in, card.schema(extra));
  return load(card, std::move(reader), path, std::move(extra), out, error, block_rows);
}

namespace {

bool load(const Scorecard& card, std::unique_ptr<RecordReader> reader, const std::string& path,
          std::vector<std::string> extra, Dataset& out, std::string& error, size_t block_rows) {
  out = Dataset{};
  out.path = path;
  out.extra = extra;
  out.extra_present.assign(extra.size(), false);
  // Whole blocks on the calling thread: nothing is scored, and the blocks are kept as read.
  ReaderSource source(*reader, /*split=*/false);
  ScoredBlocks kept;
  CollectSink sink(kept);
  Sink* sinks[] = {&sink};
  PipelineOptions po;
  po.scoring = Scoring::None;
  po.block_rows = block_rows;
  const PipelineSummary sum = run_pipeline(card, source, sinks, po);
  if (!sum.error.empty()) {
    error = fmt::format("{}: {}", out.display_name(), sum.error);
    return false;
  }
  out.header = reader->header_text();
  out.blocks = std::move(kept.blocks);
  out.rejects = std::move(kept.rejects);
  out.rows = kept.rows;
  for (size_t e = 0; e < out.extra_present.size(); ++e)
    out.extra_present[e] = (e < kept.extra_present.size() && kept.extra_present[e]) ||
                           (e < source.extra_present_at_end().size() && source.extra_present_at_end()[e]);
  return true;
}

}  // namespace

std::deque<ColumnBlock> select_rows(const Dataset& data, std::span<const uint8_t> keep, size_t block_rows) {
  std::deque<ColumnBlock> out;
  size_t i = 0;
  for (const ColumnBlock& src : data.blocks) {
    for (size_t r = 0; r < src.rows; ++r, ++i) {
      if (!keep[i]) continue;
      if (out.empty() || out.back().rows == block_rows) {
        ColumnBlock b;
        b.num.resize(src.num.size());
        b.valid.resize(src.valid.size());
        b.text.resize(src.text.size());
        b.extra.resize(src.extra.size());
        b.extra_present = src.extra_present;
        b.first_row_index = i;
        out.push_back(std::move(b));
      }
      ColumnBlock& b = out.back();
      for (size_t f = 0; f < src.valid.size(); ++f) {
        if (!src.num[f].empty()) b.num[f].push_back(src.num[f][r]);
        if (!src.text[f].empty()) b.text[f].push_back(src.text[f][r]);
        b.valid[f].push_back(src.valid[f][r]);
      }
      for (size_t e = 0; e < src.extra.size(); ++e) b.extra[e].push_back(src.extra[e][r]);
      b.line.push_back(src.line[r]);
      ++b.rows;
    }
  }
  return out;
}

namespace {

// What a first look at an outcome column finds: whether it holds bools, other text, or both,
// and its first few distinct values (an outcome has two; a few more are enough to say so).
struct OutcomeSurvey {
  static constexpr size_t kShown = 4;
  std::vector<std::string_view> values;  // distinct, in order of appearance, at most kShown
  bool more = false;                     // more distinct values than kShown
  uint64_t first_bool_line = 0, first_text_line = 0, third_value_line = 0;
  std::string_view first_text;           // the first cell that is not a bool
  std::string_view third_value;          // the first cell past two distinct values
};

std::string_view outcome_cell(const Dataset& data, const ColumnBlock& b, size_t column, size_t r) {
  std::string_view cell = b.extra[column][r].view();
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
  // `--null NA` applies to the outcome as to the fields: the cell is missing.
  for (const std::string& n : data.null_cells)
    if (cell == n) return {};
  return cell;
}

std::optional<bool> outcome_bool(std::string_view cell) {
  if (auto bit = parse_bool(cell)) return *bit;
  if (auto n = parse_number(cell); n && (*n == 0 || *n == 1)) return *n == 1;
  return std::nullopt;
}

OutcomeSurvey survey(const Dataset& data, size_t column) {
  OutcomeSurvey s;
  for (const ColumnBlock& b : data.blocks) {
    for (size_t r = 0; r < b.rows; ++r) {
      const std::string_view cell = outcome_cell(data, b, column, r);
      if (cell.empty()) continue;
      if (outcome_bool(cell)) {
        if (!s.first_bool_line) s.first_bool_line = b.line[r];
      } else if (!s.first_text_line) {
        s.first_text_line = b.line[r];
        s.first_text = cell;
      }
      if (std::find(s.values.begin(), s.values.end(), cell) != s.values.end()) continue;
      if (s.values.size() == 2 && !s.third_value_line) {
        s.third_value_line = b.line[r];
        s.third_value = cell;
      }
      if (s.values.size() < OutcomeSurvey::kShown) s.values.push_back(cell);
      else s.more = true;
    }
  }
  return s;
}

std::string shown_values(const OutcomeSurvey& s) {
  std::string out;
  for (size_t i = 0; i < s.values.size(); ++i) out += fmt::format("{}`{}`", i ? ", " : "", s.values[i]);
  if (s.more) out += ", ...";
  return out;
}

// Why the column cannot be read as outcomes, or empty when it can.
std::string outcome_error(const Dataset& data, size_t column, const std::string& positive) {
  const OutcomeSurvey s = survey(data, column);
  const std::string where = fmt::format("{}:", data.display_name());
  const std::string& name = data.extra[column];
  if (positive.empty()) {
    if (!s.first_text_line) return {};
    std::string msg = fmt::format("{}{}: outcome `{}` is `{}`, not a bool (true/false, yes/no, 1/0)", where,
                                  s.first_text_line, name, s.first_text);
    // --positive-value is the way out only for a column of one or two words: with bools among
    // them, the word named would decide the bools' rows too, and turn a `1` into a 0.
    if (s.first_bool_line) {
      msg += fmt::format("; the column mixes bools with other text ({}): fix the data", shown_values(s));
    } else if (s.third_value_line) {
      msg += fmt::format("; the column has more than two values ({}): an outcome has two", shown_values(s));
    } else {
      msg += fmt::format("; if one of its values ({}) means the outcome happened, pass --positive-value with it",
                         shown_values(s));
    }
    return msg;
  }
  if (s.first_bool_line && s.first_text_line) {
    return fmt::format("{}{}: outcome `{}` is `{}` where other rows hold bools ({}); --positive-value '{}' needs a "
                       "column of two values",
                       where, s.first_text_line, name, s.first_text, shown_values(s), positive);
  }
  if (s.third_value_line) {
    return fmt::format("{}{}: outcome `{}` is `{}`, a third value ({}); --positive-value '{}' needs a column of "
                       "two values",
                       where, s.third_value_line, name, s.third_value, shown_values(s), positive);
  }
  if (!s.values.empty() && std::find(s.values.begin(), s.values.end(), positive) == s.values.end()) {
    return fmt::format("{}: no outcome `{}` is `{}` (the column holds {})", data.display_name(), name, positive,
                       shown_values(s));
  }
  return {};
}

}  // namespace

bool read_outcomes(const Dataset& data, size_t column, std::vector<int8_t>& out, std::string& error,
                   const std::string& positive) {
  out.clear();
  if (std::string why = outcome_error(data, column, positive); !why.empty()) {
    error = std::move(why);
    return false;
  }
  out.reserve(data.rows);
  for (const ColumnBlock& b : data.blocks) {
    for (size_t r = 0; r < b.rows; ++r) {
      const std::string_view cell = outcome_cell(data, b, column, r);
      if (cell.empty()) out.push_back(-1);
      else if (!positive.empty()) out.push_back(cell == positive ? 1 : 0);
      else out.push_back(*outcome_bool(cell) ? 1 : 0);
    }
  }
  return true;
}

std::vector<std::string_view> row_keys(const Scorecard& card, const std::deque<ColumnBlock>& blocks) {
  std::vector<std::string_view> out;
  const int32_t kf = card.program().key_field;
  for (const ColumnBlock& b : blocks)
    for (size_t r = 0; r < b.rows; ++r) out.push_back(b.text[kf][r].view());
  return out;
}

RowScores flatten(const std::vector<BlockScores>& scores) {
  RowScores out;
  for (const BlockScores& s : scores) {
    out.segment.insert(out.segment.end(), s.segment.begin(), s.segment.end());
    out.score.insert(out.score.end(), s.score.begin(), s.score.end());
    out.band.insert(out.band.end(), s.band.begin(), s.band.end());
    out.label.insert(out.label.end(), s.label.begin(), s.label.end());
    out.override_.insert(out.override_.end(), s.override_.begin(), s.override_.end());
  }
  return out;
}

}  // namespace healthc::rt
