// Loading, scoring and slicing whole data files for the analysis commands.
#include "compiler/driver/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "compiler/driver/scoring_options.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/record_reader.h"

namespace healthc::driver {

int default_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

bool load_dataset(const Scorecard& card, const std::string& path, std::vector<std::string> extra, Dataset& out,
                  std::string& error, size_t block_rows) {
  out = Dataset{};
  out.path = path;
  out.extra = extra;
  out.extra_present.assign(extra.size(), false);
  std::FILE* in = open_input(path, error);
  if (!in) return false;
  const rt::Schema schema = card.schema(std::move(extra));
  auto reader = rt::make_reader(rt::format_from_path(path), in, schema);
  if (std::string e = reader->open(); !e.empty()) {
    if (in != stdin) std::fclose(in);
    error = fmt::format("{}: {}", out.display_name(), e);
    return false;
  }
  out.header = reader->header_text();
  for (;;) {
    rt::ColumnBlock block;
    block.reset(schema);
    const bool more = reader->next(block, out.rejects, block_rows);
    // A CSV header's columns show even when no row follows.
    for (size_t e = 0; e < block.extra_present.size(); ++e)
      if (block.extra_present[e]) out.extra_present[e] = true;
    if (!more) break;
    if (block.rows == 0) continue;
    block.first_row_index = out.rows;
    out.rows += block.rows;
    out.blocks.push_back(std::move(block));
  }
  std::string input_error = reader->input_error();
  if (in != stdin) std::fclose(in);
  if (!input_error.empty()) {
    error = fmt::format("{}: {}", out.display_name(), input_error);
    return false;
  }
  return true;
}

void print_rejects(const Dataset& data, size_t limit) {
  for (size_t i = 0; i < data.rejects.size() && i < limit; ++i)
    fmt::print(stderr, "{}:{}: rejected: {}\n", data.display_name(), data.rejects[i].line, data.rejects[i].reason);
  if (data.rejects.size() > limit)
    fmt::print(stderr, "{}: ... and {} more rejected rows\n", data.display_name(), data.rejects.size() - limit);
}

std::vector<BlockScores> score_blocks(const Scorecard& card, const std::deque<rt::ColumnBlock>& blocks, double as_of,
                                      bool detail, int threads) {
  std::vector<BlockScores> out(blocks.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t b; (b = next.fetch_add(1)) < blocks.size();) card.score(blocks[b], as_of, detail, out[b]);
  };
  const size_t n = std::min<size_t>(static_cast<size_t>(std::max(1, threads)), blocks.size());
  if (n <= 1) {
    work();
    return out;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t + 1 < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

std::deque<rt::ColumnBlock> select_rows(const Dataset& data, std::span<const uint8_t> keep, size_t block_rows) {
  std::deque<rt::ColumnBlock> out;
  size_t i = 0;
  for (const rt::ColumnBlock& src : data.blocks) {
    for (size_t r = 0; r < src.rows; ++r, ++i) {
      if (!keep[i]) continue;
      if (out.empty() || out.back().rows == block_rows) {
        rt::ColumnBlock b;
        b.num.resize(src.num.size());
        b.valid.resize(src.valid.size());
        b.text.resize(src.text.size());
        b.extra.resize(src.extra.size());
        b.extra_present = src.extra_present;
        b.first_row_index = i;
        out.push_back(std::move(b));
      }
      rt::ColumnBlock& b = out.back();
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

bool read_outcomes(const Dataset& data, size_t column, std::vector<int8_t>& out, std::string& error) {
  out.clear();
  out.reserve(data.rows);
  for (const rt::ColumnBlock& b : data.blocks) {
    for (size_t r = 0; r < b.rows; ++r) {
      std::string_view cell = b.extra[column][r].view();
      while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
      while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
      if (cell.empty()) {
        out.push_back(-1);
        continue;
      }
      std::string lower(cell);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      int8_t v = -1;
      if (lower == "true") v = 1;
      else if (lower == "false") v = 0;
      else if (auto n = rt::parse_number(cell); n && (*n == 0 || *n == 1)) v = static_cast<int8_t>(*n);
      if (v < 0) {
        error = fmt::format("{}:{}: outcome `{}` is `{}`, not 0 or 1", data.display_name(), b.line[r],
                            data.extra[column], cell);
        return false;
      }
      out.push_back(v);
    }
  }
  return true;
}

std::vector<std::string_view> row_keys(const Scorecard& card, const std::deque<rt::ColumnBlock>& blocks) {
  std::vector<std::string_view> out;
  const int32_t kf = card.program().key_field;
  for (const rt::ColumnBlock& b : blocks)
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

}  // namespace healthc::driver
