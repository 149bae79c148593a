// The batch pipeline. Each round reads up to 2 x threads blocks, scores and formats them in
// parallel (one block per task), then writes them in order, so output is identical for any
// thread count.
#include "runtime/batch_runner.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace healthc::rt {

RunSummary run_batch(const Scorecard& card, RecordReader& reader, const RunOptions& opt) {
  RunSummary sum;
  const auto start = std::chrono::steady_clock::now();
  if (std::string err = reader.open(); !err.empty()) {
    sum.error = err;
    return sum;
  }
  const std::string header = format_header(opt.columns, opt.format);
  std::fwrite(header.data(), 1, header.size(), opt.out);
  if (opt.rejects) {
    const std::string h = reader.header_text();
    if (!h.empty()) std::fprintf(opt.rejects, "%s\n", h.c_str());
  }
  const bool detail = needs_detail(opt.columns);
  const Schema schema = card.schema();
  const size_t width = static_cast<size_t>(std::max(1, opt.threads)) * 2;
  struct Slot {
    ColumnBlock block;
    std::vector<Reject> rejects;
    BlockScores scores;
    std::string text;
  };
  std::vector<Slot> slots(width);
  const int32_t nbands = static_cast<int32_t>(card.program().bands.size());
  bool more = true;
  while (more) {
    size_t filled = 0;
    for (; filled < width; ++filled) {
      Slot& s = slots[filled];
      s.block.reset(schema);
      s.rejects.clear();
      if (!reader.next(s.block, s.rejects, opt.block_rows)) {
        more = false;
        break;
      }
    }
    if (filled == 0) break;
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < filled;) {
        Slot& s = slots[i];
        card.score(s.block, opt.as_of, detail, s.scores);
        s.text.clear();
        format_rows(card.program(), opt.columns, s.block, s.scores, opt.format, s.text);
      }
    };
    const int helpers = std::min<int>(opt.threads, static_cast<int>(filled)) - 1;
    std::vector<std::thread> pool;
    for (int t = 0; t < helpers; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    for (size_t i = 0; i < filled; ++i) {
      Slot& s = slots[i];
      // Rejected rows and scored rows are reported in input order within the block.
      for (const Reject& r : s.rejects) {
        if (opt.on_reject) opt.on_reject(r);
        if (opt.rejects) {
          std::fwrite(r.raw.data(), 1, r.raw.size(), opt.rejects);
          std::fputc('\n', opt.rejects);
        }
      }
      std::fwrite(s.text.data(), 1, s.text.size(), opt.out);
      sum.rejected += s.rejects.size();
      sum.scored += s.block.rows;
      for (size_t r = 0; r < s.block.rows; ++r) sum.unscored += s.scores.band[r] == nbands;
    }
    if (opt.on_progress) opt.on_progress(reader.bytes_read(), sum.scored + sum.rejected);
  }
  if (std::string err = reader.input_error(); !err.empty()) sum.error = err;
  sum.read = sum.scored + sum.rejected;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

}  // namespace healthc::rt
