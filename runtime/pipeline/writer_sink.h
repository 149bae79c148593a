// The sinks of `healthc score`: scored rows as CSV / JSON Lines text (formatted on the workers,
// written in order), rejected rows whole into a rejects file, and rejects to a callback.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "runtime/output.h"
#include "runtime/pipeline/pipeline.h"

namespace healthc::rt {

// Writes the header on begin, then each block's rows. A write error (a full disk, a closed
// pipe) fails the run: scoring on would only make rows that cannot be written. The stream's
// error indicator and errno say why; its owner reports it.
class ScoresWriterSink final : public Sink {
 public:
  ScoresWriterSink(const ir::Program& program, std::vector<OutputColumn> columns, OutputFormat format, std::FILE* out)
      : program_(program), columns_(std::move(columns)), format_(format), out_(out) {}
  std::string begin(const Source&) override;
  void prepare(const ScoredBlock& block, std::string& scratch) const override;
  SinkStatus consume(ScoredBlock& block, std::string& scratch) override;
  bool consume_reads_scores() const override { return false; }  // the text is made in prepare
  std::string error() const override { return "writing the output failed"; }

 private:
  const ir::Program& program_;
  std::vector<OutputColumn> columns_;
  OutputFormat format_;
  std::FILE* out_;
};

// Every rejected record, whole, after the CSV header, so the file reads back.
class RejectsWriterSink final : public Sink {
 public:
  explicit RejectsWriterSink(std::FILE* out) : out_(out) {}
  std::string begin(const Source& source) override;
  SinkStatus consume(ScoredBlock& block, std::string& scratch) override;
  bool consume_reads_scores() const override { return false; }  // rejects only
  std::string error() const override { return "writing the rejects failed"; }

 private:
  std::FILE* out_;
};

// Each rejected row to a callback, in input order (a command prints the first few).
class RejectCallbackSink final : public Sink {
 public:
  explicit RejectCallbackSink(std::function<void(const Reject&)> on_reject) : on_reject_(std::move(on_reject)) {}
  SinkStatus consume(ScoredBlock& block, std::string&) override {
    for (const Reject& r : block.rejects) on_reject_(r);
    return SinkStatus::Continue;
  }
  bool consume_reads_scores() const override { return false; }  // rejects only

 private:
  std::function<void(const Reject&)> on_reject_;
};

}  // namespace healthc::rt
