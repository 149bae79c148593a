// Loading and slicing whole data files for the analyses.
#include "runtime/pipeline/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

bool read_outcomes(const Dataset& data, size_t column, std::vector<int8_t>& out, std::string& error,
                   const std::string& positive) {
  out.clear();
  out.reserve(data.rows);
  for (const ColumnBlock& b : data.blocks) {
    for (size_t r = 0; r < b.rows; ++r) {
      std::string_view cell = b.extra[column][r].view();
      while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
      while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
      if (cell.empty()) {
        out.push_back(-1);
        continue;
      }
      int8_t v = -1;
      if (!positive.empty()) v = cell == positive ? 1 : 0;
      else if (auto bit = parse_bool(cell)) v = *bit ? 1 : 0;
      else if (auto n = parse_number(cell); n && (*n == 0 || *n == 1)) v = static_cast<int8_t>(*n);
      if (v < 0) {
        error = fmt::format("{}:{}: outcome `{}` is `{}`, not a bool (true/false, yes/no, 1/0); if `{}` means the "
                            "outcome happened, pass --positive-value '{}'",
                            data.display_name(), b.line[r], data.extra[column], cell, cell, cell);
        return false;
      }
      out.push_back(v);
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
