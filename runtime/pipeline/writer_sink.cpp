// The writer sinks: formatting runs on the workers, writing in input order.
#include "runtime/pipeline/writer_sink.h"

namespace healthc::rt {

std::string ScoresWriterSink::begin(const Source&) {
  const std::string header = format_header(columns_, format_);
  std::fwrite(header.data(), 1, header.size(), out_);
  return std::ferror(out_) ? error() : std::string();
}

void ScoresWriterSink::prepare(const ScoredBlock& b, std::string& scratch) const {
  scratch.clear();
  format_rows(program_, columns_, b.block, b.scores, format_, scratch);
}

SinkStatus ScoresWriterSink::consume(ScoredBlock&, std::string& scratch) {
  std::fwrite(scratch.data(), 1, scratch.size(), out_);
  return std::ferror(out_) ? SinkStatus::Failed : SinkStatus::Continue;
}

std::string RejectsWriterSink::begin(const Source& source) {
  const std::string h = source.header_text();
  if (!h.empty()) std::fprintf(out_, "%s\n", h.c_str());
  return {};
}

SinkStatus RejectsWriterSink::consume(ScoredBlock& b, std::string&) {
  for (const Reject& r : b.rejects) {
    std::fwrite(r.raw.data(), 1, r.raw.size(), out_);
    std::fputc('\n', out_);
  }
  return std::ferror(out_) ? SinkStatus::Failed : SinkStatus::Continue;
}

}  // namespace healthc::rt
