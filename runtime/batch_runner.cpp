// The executor of the pipeline (runtime/pipeline/pipeline.h). The calling thread takes batches
// from the source in input order (spans of whole records, or whole blocks) and hands scored
// blocks to the sinks strictly in that order; worker threads parse, score and prepare (format)
// blocks concurrently. Output is identical for any thread count, and memory is bounded by the
// number of blocks in flight.
#include "runtime/batch_runner.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "runtime/pipeline/writer_sink.h"

namespace healthc::rt {
namespace {

struct Job {
  Batch batch;
  BlockScores scores;
  std::vector<std::string> scratch;  // [sink]
  uint64_t unscored = 0;
  enum State { Free, Queued, Done } state = Free;
};

}  // namespace

PipelineSummary run_pipeline(const Scorecard& card, Source& source, std::span<Sink* const> sinks,
                             const PipelineOptions& opt) {
  PipelineSummary sum;
  const auto start = std::chrono::steady_clock::now();
  if (std::string err = source.open(); !err.empty()) {
    sum.error = err;
    return sum;
  }
  for (Sink* s : sinks) {
    if (std::string err = s->begin(source); !err.empty()) {
      sum.sink_failed = true;
      sum.sink_error = err;
      return sum;
    }
  }
  const bool score = opt.scoring != Scoring::None;
  const bool detail = opt.scoring == Scoring::Detail;
  const int32_t nbands = static_cast<int32_t>(card.program().bands.size());
  // A source that reads keeps the calling thread for reading and ordering; blocks already in
  // memory need no reading, so the calling thread scores too ("helps") and no more threads
  // start than there are blocks (none for a single block).
  const size_t known = source.known_batches();
  const bool helping = known > 0;
  const int threads = std::max(1, opt.threads);
  const int workers = helping ? static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), known)) - 1 : threads;
  const size_t ring = static_cast<size_t>(std::max(1, workers)) * 2 + 2;
  std::vector<Job> jobs(ring);
  for (Job& j : jobs) j.scratch.resize(sinks.size());

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<size_t> queue;
  bool closing = false;

  auto process = [&](Job& job) {
    source.complete(job.batch);
    const ColumnBlock& block = *job.batch.view;
    job.unscored = 0;
    if (score) {
      card.score(block, opt.as_of, detail, job.scores);
      for (size_t r = 0; r < block.rows; ++r) job.unscored += job.scores.band[r] == nbands;
    } else {
      job.scores.rows = 0;
    }
    const ScoredBlock view{block, job.scores, job.batch.rejects};
    for (size_t s = 0; s < sinks.size(); ++s) sinks[s]->prepare(view, job.scratch[s]);
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

  bool halted = false;  // a sink stopped or failed: later blocks are not consumed
  uint64_t next_read = 0, next_write = 0;
  // Consumes the job `next_write` once it is done; `wait` says whether to block for it.
  auto write_next = [&](bool wait) {
    Job& job = jobs[next_write % ring];
    {
      std::unique_lock lock(mu);
      while (wait && job.state != Job::Done) {
        if (helping && !queue.empty()) {  // score a queued block rather than wait
          const size_t slot = queue.front();
          queue.pop_front();
          lock.unlock();
          process(jobs[slot]);
          lock.lock();
          jobs[slot].state = Job::Done;
          continue;
        }
        done_cv.wait(lock, [&] { return job.state == Job::Done || (helping && !queue.empty()); });
      }
      if (job.state != Job::Done) return false;
    }
    if (!halted) {
      const bool owned = job.batch.view == &job.batch.block;
      ScoredBlock view{*job.batch.view, job.scores, job.batch.rejects, next_write, sum.scored,
                       owned ? &job.batch.block : nullptr, &job.scores};
      const uint64_t rows = job.batch.view->rows;
      for (size_t s = 0; s < sinks.size() && !halted; ++s) {
        const SinkStatus st = sinks[s]->consume(view, job.scratch[s]);
        if (st == SinkStatus::Failed) {
          halted = sum.sink_failed = true;
          sum.sink_error = sinks[s]->error();
        } else if (st == SinkStatus::Stop) {
          halted = sum.stopped = true;
        }
      }
      sum.rejected += job.batch.rejects.size();
      sum.scored += rows;
      sum.unscored += job.unscored;
    }
    {
      std::lock_guard lock(mu);
      job.state = Job::Free;
    }
    ++next_write;
    if (!halted && opt.on_progress) opt.on_progress(source.bytes_read(), sum.scored + sum.rejected);
    return true;
  };

  while (!halted) {
    if (next_read - next_write == ring) write_next(true);  // every slot in flight: drain one
    if (halted) break;
    Job& job = jobs[next_read % ring];
    job.batch.rejects.clear();
    if (!source.next(job.batch, opt.block_rows)) break;
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
  if (std::string err = source.input_error(); !err.empty()) sum.error = err;
  sum.read = sum.scored + sum.rejected;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

RunSummary run_batch(const Scorecard& card, RecordReader& reader, const RunOptions& opt) {
  ReaderSource source(reader);
  std::vector<Sink*> sinks;
  RejectCallbackSink callback(opt.on_reject);
  RejectsWriterSink rejects(opt.rejects);
  ScoresWriterSink scores(card.program(), opt.columns, opt.format, opt.out);
  // Rejects first: each block's rejected rows are reported before its scores are written.
  if (opt.on_reject) sinks.push_back(&callback);
  if (opt.rejects) sinks.push_back(&rejects);
  sinks.push_back(&scores);
  PipelineOptions po;
  po.as_of = opt.as_of;
  po.scoring = needs_detail(opt.columns) ? Scoring::Detail : Scoring::Basic;
  po.threads = opt.threads;
  po.block_rows = opt.block_rows;
  po.on_progress = opt.on_progress;
  const PipelineSummary p = run_pipeline(card, source, sinks, po);
  RunSummary sum;
  sum.read = p.read;
  sum.scored = p.scored;
  sum.unscored = p.unscored;
  sum.rejected = p.rejected;
  sum.seconds = p.seconds;
  sum.error = p.error;
  sum.output_failed = p.sink_failed;
  return sum;
}

}  // namespace healthc::rt
