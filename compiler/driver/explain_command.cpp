// `healthc explain CARD DATA --account KEY`: one account's score, node by node. Reads through
// the pipeline into a sink that stops at the account; the breakdown is runtime/analysis/explain.h.
#include <fmt/format.h>

#include "compiler/driver/scoring_options.h"
#include "runtime/analysis/explain.h"
#include "runtime/io/record_reader.h"
#include "runtime/pipeline/find_sink.h"

namespace healthc::driver {

int run_explain(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines; - for stdin")
      ("account", po::value<std::string>()->required(), "the key of the account to explain");
  add_scoring_options(opts);
  add_data_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("explain", "CARD DATA --account KEY [options]\n\nShows how one account's score comes about.", opts,
                     pos, args, vm, code))
    return code;
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("explain", "--as-of must be a date YYYY-MM-DD");
  rt::DataReading reading;
  if (!data_reading("explain", vm, reading, code)) return code;
  auto card = load_scorecard("explain", vm, code, true);
  if (!card) return code;
  note_past_missing("explain", vm["card"].as<std::string>(), card->program());
  const std::string data = vm["data"].as<std::string>();
  std::string err;
  std::FILE* in = open_input(data, err);
  if (!in) {
    fmt::print(stderr, "healthc explain: {}\n", err);
    return kExitErrors;
  }
  const std::string key = vm["account"].as<std::string>();
  auto reader = rt::open_data_reader(reading, data, in, card->schema());
  // Opened here so that a bad header is an error; a read error later only ends the search
  // (the pipeline opens the reader again, which gives the same answer).
  if (std::string e = reader->open(); !e.empty()) {
    if (in != stdin) std::fclose(in);
    fmt::print(stderr, "healthc explain: {}: {}\n", data, e);
    return kExitErrors;
  }
  rt::ReaderSource source(*reader, /*split=*/false);
  rt::FindKeySink find(card->program().key_field, key);
  rt::Sink* sinks[] = {&find};
  rt::PipelineOptions po;
  po.as_of = as_of;
  po.scoring = rt::Scoring::Detail;
  po.block_rows = 4096;
  const rt::PipelineSummary sum = rt::run_pipeline(*card, source, sinks, po);
  if (in != stdin) std::fclose(in);
  // A read error only ends the search, but a run that failed (it threw) did not search.
  if (sum.internal) {
    fmt::print(stderr, "healthc explain: {}: {}\n", data, sum.error);
    return kExitErrors;
  }
  if (find.found) {
    fmt::print("{}", analysis::explain_row(card->program(), find.scores, find.row, key));
    return kExitOk;
  }
  fmt::print(stderr, "healthc explain: no account `{}` in {}\n", key, data);
  return kExitErrors;
}

}  // namespace healthc::driver
