// The batch pipeline. The calling thread cuts the input into spans of whole records (or, for
// readers that cannot cut, reads whole blocks) and writes finished blocks strictly in input
// order; worker threads parse, score and format blocks concurrently. Output is identical for
// any thread count, and memory is bounded by the number of blocks in flight.
#include "runtime/batch_runner.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace healthc::rt {
namespace {

struct Job {
  RawSpan span;  // split readers: the records to parse
  ColumnBlock block;
  std::vector<Reject> rejects;
  BlockScores scores;
  std::string text;
  uint64_t unscored = 0;
  enum State { Free, Queued, Done } state = Free;
};

// Bytes per span: large enough to amortise the hand-offs, small enough that 2 x threads
// spans in flight keep memory flat.
constexpr size_t kSpanBytes = size_t{1} << 20;

}  // namespace

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
  const bool split = reader.can_split();
  const Schema schema = card.schema();
  const int32_t nbands = static_cast<int32_t>(card.program().bands.size());
  const int workers = std::max(1, opt.threads);
  const size_t ring = static_cast<size_t>(workers) * 2 + 2;
  std::vector<Job> jobs(ring);

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<size_t> queue;
  bool closing = false;

  auto process = [&](Job& job) {
    if (split) reader.parse_span(job.span, job.block, job.rejects);
    card.score(job.block, opt.as_of, detail, job.scores);
    job.text.clear();
    format_rows(card.program(), opt.columns, job.block, job.scores, opt.format, job.text);
    job.unscored = 0;
    for (size_t r = 0; r < job.block.rows; ++r) job.unscored += job.scores.band[r] == nbands;
  };
  auto worker = [&] {
    for (;;) {
      size_t slot;
      {
        std::unique_lock lock(mu);
        work_cv.wait(lock, [&] { return closing || !queue.empty(); });
        if (queue.empty()) return;
        slot = queue.front();
        queue.pop_front();
      }
      process(jobs[slot]);
      {
        std::lock_guard lock(mu);
        jobs[slot].state = Job::Done;
      }
      done_cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < workers; ++t) pool.emplace_back(worker);

  uint64_t next_read = 0, next_write = 0;
  // Writes the job `next_write` once it is done; `wait` says whether to block for it.
  auto write_next = [&](bool wait) {
    Job& job = jobs[next_write % ring];
    {
      std::unique_lock lock(mu);
      if (wait) done_cv.wait(lock, [&] { return job.state == Job::Done; });
      if (job.state != Job::Done) return false;
    }
    for (const Reject& r : job.rejects) {
      if (opt.on_reject) opt.on_reject(r);
      if (opt.rejects) {
        std::fwrite(r.raw.data(), 1, r.raw.size(), opt.rejects);
        std::fputc('\n', opt.rejects);
      }
    }
    std::fwrite(job.text.data(), 1, job.text.size(), opt.out);
    // A full disk or a closed pipe: reading on would only score rows that cannot be written.
    // The caller's stream says why (its error indicator and errno).
    if (std::ferror(opt.out) || (opt.rejects && std::ferror(opt.rejects))) sum.output_failed = true;
    sum.rejected += job.rejects.size();
    sum.scored += job.block.rows;
    sum.unscored += job.unscored;
    {
      std::lock_guard lock(mu);
      job.state = Job::Free;
    }
    ++next_write;
    if (opt.on_progress) opt.on_progress(reader.bytes_read(), sum.scored + sum.rejected);
    return true;
  };

  while (!sum.output_failed) {
    if (next_read - next_write == ring) write_next(true);  // every slot in flight: drain one
    Job& job = jobs[next_read % ring];
    job.rejects.clear();
    bool got;
    if (split) {
      got = reader.next_span(job.span, kSpanBytes);
    } else {
      job.block.reset(schema);
      got = reader.next(job.block, job.rejects, opt.block_rows);
    }
    if (!got) break;
    {
      std::lock_guard lock(mu);
      job.state = Job::Queued;
      queue.push_back(next_read % ring);
    }
    work_cv.notify_one();
    ++next_read;
    while (next_write < next_read && write_next(false)) {
    }
  }
  while (next_write < next_read) write_next(true);
  {
    std::lock_guard lock(mu);
    closing = true;
  }
  work_cv.notify_all();
  for (auto& t : pool) t.join();
  if (std::string err = reader.input_error(); !err.empty()) sum.error = err;
  sum.read = sum.scored + sum.rejected;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

}  // namespace healthc::rt
