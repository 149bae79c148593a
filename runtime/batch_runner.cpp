// The executor of the pipeline (runtime/pipeline/pipeline.h). The calling thread takes batches
// from the source in input order (spans of whole records, or whole blocks) and hands scored
// blocks to the sinks strictly in that order; worker threads parse, score and prepare (format)
// blocks concurrently. Output is identical for any thread count; memory is the blocks in flight
// plus the keys accepted so far (the repeated-key check, about 15 bytes and the key's bytes a
// key: runtime/io/seen_keys.h).
#include "runtime/batch_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>

#include "runtime/pipeline/writer_sink.h"

namespace healthc::rt {
namespace {

struct Job {
  Batch batch;
  BlockScores scores;
  HistoryColumns history;  // [history input][row], when the card reads history
  std::vector<std::string> scratch;  // [sink]
  uint64_t unscored = 0;
  uint64_t index = 0;  // the batch's ordinal
  std::string error;   // what a throw while processing it said
  bool skipped = false;  // not processed: an earlier block failed or the run halted
  enum State { Free, Queued, Done } state = Free;
};

// Runs `f`; the message of anything it throws ("out of memory" for bad_alloc), else empty.
// Exceptions stop here: the executor runs on worker threads (a throw there would terminate)
// and under a C API that must not throw.
template <class F>
std::string guarded(F&& f) noexcept {
  try {
    f();
    return {};
  } catch (const std::bad_alloc&) {
    return "out of memory";
  } catch (const std::exception& e) {
    const char* what = e.what();
    return what && *what ? std::string(what) : std::string("an exception without a message");
  } catch (...) {
    return "an unknown exception";
  }
}

PipelineSummary run(const Scorecard& card, Source& source, std::span<Sink* const> sinks,
                    const PipelineOptions& opt) {
  PipelineSummary sum;
  const auto start = std::chrono::steady_clock::now();
  auto fail = [&](std::string message) {
    sum.error = std::move(message);
    sum.internal = true;
    return sum;
  };
  std::string err;
  if (std::string e = guarded([&] { err = source.open(); }); !e.empty()) return fail(std::move(e));
  if (!err.empty()) {
    sum.error = err;
    return sum;
  }
  for (Sink* s : sinks) {
    if (std::string e = guarded([&] { err = s->begin(source); }); !e.empty()) return fail(std::move(e));
    if (!err.empty()) {
      sum.sink_failed = true;
      sum.sink_error = err;
      return sum;
    }
  }
  const bool score = opt.scoring != Scoring::None;
  const bool detail = opt.scoring == Scoring::Detail;
  const int32_t nbands = static_cast<int32_t>(card.program().bands.size());
  const size_t nhistory = score ? card.program().history.size() : 0;
  // A source that reads keeps the calling thread for reading and ordering; blocks already in
  // memory need no reading, so the calling thread scores too ("helps") and no more threads
  // start than there are blocks (none for a single block).
  const size_t known = source.known_batches();
  const bool helping = known > 0;
  const int threads = std::max(1, opt.threads);
  const int workers = helping ? static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), known)) - 1 : threads;
  // Two slots a worker keep them busy while the calling thread reads and writes; one more
  // for the block being written, and one ahead of it to read into. The detail variant's
  // scores (every measure's value, score and weight) are several times the block they score,
  // so there the slot read ahead is given up: it is what kept a million rows' full output
  // over the memory bound.
  const size_t ring = static_cast<size_t>(std::max(1, workers)) * 2 + (detail ? 1 : 2);
  std::vector<Job> jobs(ring);
  for (Job& j : jobs) j.scratch.resize(sinks.size());
  // When no sink reads a block's scores in order (the writers: their text is made in prepare),
  // the scores need not wait in the slot: a block is scored into one of a few buffers, one a
  // thread that may process at once, and the slot keeps only its text. With detail that is
  // most of a run's memory (every measure's value, score and weight a row).
  const bool scores_in_slots =
      std::any_of(sinks.begin(), sinks.end(), [](const Sink* s) { return s->consume_reads_scores(); });
  std::vector<BlockScores> score_pool(scores_in_slots ? 0 : static_cast<size_t>(std::max(1, workers)) + 1);
  std::vector<BlockScores*> free_scores;
  for (BlockScores& s : score_pool) free_scores.push_back(&s);

  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  // Queued slots, a ring of `ring` (never more are in flight): pushing allocates nothing, so
  // cannot throw while workers run.
  std::vector<size_t> queue(ring);
  size_t queue_head = 0, queued = 0;
  bool closing = false;
  // Blocks from this ordinal on are skipped, not processed: set past the first block that
  // failed (earlier ones still run, so the error reported is the first in input order for any
  // thread count), or to 0 once the run halts.
  uint64_t stop_from = UINT64_MAX;
  // The source's in-order step (Source::settle) between parsing and scoring: batch
  // `settle_turn` is the next to settle. Batches are dequeued in order, so the earliest one in
  // flight never waits; a batch at or past stop_from stops waiting (it will not be consumed).
  const bool settles = source.settles();
  uint64_t settle_turn = 0;
  std::condition_variable settle_cv;

  auto process = [&](Job& job) {
    job.error = guarded([&] {
      source.complete(job.batch);
      if (settles) {
        {
          std::unique_lock lock(mu);
          settle_cv.wait(lock, [&] { return settle_turn == job.index || job.index >= stop_from; });
          if (settle_turn != job.index) throw std::runtime_error("a block was skipped");
        }
        // Hands the turn on however settling ends (a throw too), so no later batch waits forever.
        struct Next {
          std::mutex& mu;
          uint64_t& turn;
          std::condition_variable& cv;
          ~Next() {
            {
              std::lock_guard lock(mu);
              ++turn;
            }
            cv.notify_all();
          }
        } next{mu, settle_turn, settle_cv};
        source.settle(job.batch);
      }
      const ColumnBlock& block = *job.batch.view;
      job.unscored = 0;
      if (score && nhistory > 0) {
        // Sized and all missing first, so a provider fills only what it knows.
        job.history.values.resize(nhistory);
        job.history.valid.resize(nhistory);
        for (size_t h = 0; h < nhistory; ++h) {
          job.history.values[h].assign(block.rows, 0.0);
          job.history.valid[h].assign(block.rows, 0);
        }
        if (opt.history) opt.history->fill(block, job.history);
      }
      // A pooled buffer is taken under the lock and given back however this ends.
      struct Pooled {
        std::mutex& mu;
        std::vector<BlockScores*>& free;
        BlockScores* scores = nullptr;
        ~Pooled() {
          if (!scores) return;
          std::lock_guard lock(mu);
          free.push_back(scores);
        }
      } pooled{mu, free_scores};
      if (!scores_in_slots) {
        std::lock_guard lock(mu);
        pooled.scores = free_scores.back();  // never empty: a buffer a thread that processes
        free_scores.pop_back();
      }
      BlockScores& scores = pooled.scores ? *pooled.scores : job.scores;
      if (score) {
        card.score(block, opt.as_of, detail, nhistory > 0 ? &job.history : nullptr, scores);
        for (size_t r = 0; r < block.rows; ++r) job.unscored += scores.band[r] == nbands;
      } else {
        scores.rows = 0;
      }
      ScoredBlock view{block, scores, job.batch.rejects, job.index};
      if (nhistory > 0) view.history = &job.history;
      for (size_t s = 0; s < sinks.size(); ++s) sinks[s]->prepare(view, job.scratch[s]);
    });
  };
  // Takes the next queued slot and processes (or skips) it; `lock` is held on entry and exit.
  auto run_queued = [&](std::unique_lock<std::mutex>& lock) {
    const size_t slot = queue[queue_head];
    queue_head = (queue_head + 1) % ring;
    --queued;
    Job& job = jobs[slot];
    job.skipped = job.index >= stop_from;
    if (!job.skipped) {
      lock.unlock();
      process(job);
      lock.lock();
      if (!job.error.empty()) {
        stop_from = std::min(stop_from, job.index + 1);
        settle_cv.notify_all();
      }
    }
    job.state = Job::Done;
  };
  auto worker = [&] {
    std::unique_lock lock(mu);
    for (;;) {
      work_cv.wait(lock, [&] { return closing || queued > 0; });
      if (queued == 0) return;
      run_queued(lock);
      lock.unlock();
      done_cv.notify_all();
      lock.lock();
    }
  };
  std::vector<std::thread> pool;
  // Joins the workers however this function is left; they skip what is still queued.
  struct Joiner {
    std::function<void()> join;
    ~Joiner() { join(); }
  } joiner{[&] {
    {
      std::lock_guard lock(mu);
      closing = true;
      stop_from = 0;
    }
    work_cv.notify_all();
    settle_cv.notify_all();
    for (auto& t : pool) t.join();
  }};

  bool halted = false;  // a sink stopped or failed, or something threw: later blocks are not consumed
  auto halt = [&] {
    halted = true;
    {
      std::lock_guard lock(mu);
      stop_from = 0;
    }
    settle_cv.notify_all();
  };
  if (std::string e = guarded([&] {
        pool.reserve(static_cast<size_t>(std::max(0, workers)));
        for (int t = 0; t < workers; ++t) pool.emplace_back(worker);
      });
      !e.empty()) {
    fail(std::move(e));
    halt();
  }

  uint64_t next_read = 0, next_write = 0;
  // Consumes the job `next_write` once it is done; `wait` says whether to block for it.
  auto write_next = [&](bool wait) {
    Job& job = jobs[next_write % ring];
    {
      std::unique_lock lock(mu);
      while (wait && job.state != Job::Done) {
        if (helping && queued > 0) {  // score a queued block rather than wait
          run_queued(lock);
          continue;
        }
        done_cv.wait(lock, [&] { return job.state == Job::Done || (helping && queued > 0); });
      }
      if (job.state != Job::Done) return false;
    }
    if (!halted && (job.skipped || !job.error.empty())) {
      fail(job.error.empty() ? std::string("a block was skipped") : job.error);
      halt();
    }
    if (!halted) {
      std::string e = guarded([&] {
        const bool owned = job.batch.view == &job.batch.block;
        ScoredBlock view{*job.batch.view, job.scores, job.batch.rejects, next_write, sum.scored,
                         owned ? &job.batch.block : nullptr, &job.scores};
        if (nhistory > 0) view.history = &job.history;
        const uint64_t rows = job.batch.view->rows;
        for (size_t s = 0; s < sinks.size() && !halted; ++s) {
          const SinkStatus st = sinks[s]->consume(view, job.scratch[s]);
          if (st == SinkStatus::Failed) {
            halt();
            sum.sink_failed = true;
            sum.sink_error = sinks[s]->error();
          } else if (st == SinkStatus::Stop) {
            halt();
            sum.stopped = true;
          }
        }
        sum.rejected += job.batch.rejects.size();
        sum.scored += rows;
        sum.unscored += job.unscored;
        if (!halted && opt.on_progress) opt.on_progress(source.bytes_read(), sum.scored + sum.rejected);
      });
      if (!e.empty()) {
        fail(std::move(e));
        halt();
      }
    }
    {
      std::lock_guard lock(mu);
      job.state = Job::Free;
    }
    ++next_write;
    return true;
  };

  while (!halted) {
    if (next_read - next_write == ring) write_next(true);  // every slot in flight: drain one
    if (halted) break;
    Job& job = jobs[next_read % ring];
    job.batch.rejects.clear();
    job.error.clear();
    job.index = next_read;
    bool more = false;
    if (std::string e = guarded([&] { more = source.next(job.batch, opt.block_rows); }); !e.empty()) {
      fail(std::move(e));
      halt();
    }
    if (!more) break;
    {
      std::lock_guard lock(mu);
      job.state = Job::Queued;
      queue[(queue_head + queued++) % ring] = next_read % ring;
    }
    work_cv.notify_one();
    ++next_read;
    while (next_write < next_read && write_next(false)) {
    }
  }
  while (next_write < next_read) write_next(true);
  joiner.join();
  joiner.join = [] {};
  if (sum.error.empty()) sum.error = source.input_error();
  sum.read = sum.scored + sum.rejected;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

}  // namespace

PipelineSummary run_pipeline(const Scorecard& card, Source& source, std::span<Sink* const> sinks,
                             const PipelineOptions& opt) {
  PipelineSummary sum;
  // What the run's own guards do not cover (allocating its buffers, the source's final
  // input_error) still ends as an error: any worker has been joined by then.
  if (std::string e = guarded([&] { sum = run(card, source, sinks, opt); }); !e.empty()) {
    sum = PipelineSummary{};
    sum.error = std::move(e);
    sum.internal = true;
  }
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
