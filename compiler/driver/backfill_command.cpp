// `healthc backfill CARD DIR --store DB`: every DIR/YYYY-MM-DD.csv|tsv|jsonl scored as of its
// date, oldest first, each recorded as a snapshot, so `previous`, `change` and alerts work
// through time. Dates already stored with the same card text are skipped unless --force.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "compiler/driver/dataset.h"
#include "compiler/driver/scoring_options.h"
#include "compiler/driver/store_run.h"
#include "runtime/io/cell_parse.h"
#include "runtime/pipeline/writer_sink.h"

namespace healthc::driver {

namespace {

struct DatedFile {
  int32_t days = 0;
  std::string date, path;
  rt::DataFormat format = rt::DataFormat::Csv;
};

// The data files of DIR named by date; a usage error message when two name the same date.
std::string dated_files(const std::string& dir, std::vector<DatedFile>& out) {
  std::error_code ec;
  std::map<int32_t, DatedFile> by_date;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string name = entry.path().filename().string();
    const std::string ext = entry.path().extension().string();
    if (ext != ".csv" && ext != ".tsv" && ext != ".jsonl") continue;  // a .tsv is read with tabs
    const std::string stem = entry.path().stem().string();
    if (stem.size() != 10) continue;
    const std::optional<int64_t> d = rt::parse_date(stem);
    if (!d) continue;
    DatedFile f{static_cast<int32_t>(*d), stem, entry.path().string(),
                ext == ".jsonl" ? rt::DataFormat::JsonLines : rt::DataFormat::Csv};
    auto [it, fresh] = by_date.emplace(f.days, f);
    if (!fresh) return fmt::format("two files for {} in `{}`: `{}` and `{}`", stem, dir, it->second.path, f.path);
  }
  if (ec) return fmt::format("cannot read the directory `{}`: {}", dir, ec.message());
  for (auto& [d, f] : by_date) out.push_back(std::move(f));
  return {};
}

}  // namespace

int run_backfill(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("dir", po::value<std::string>()->required(), "a folder of YYYY-MM-DD.csv, .tsv or .jsonl files")
      ("store", po::value<std::string>()->required(), "the history store (SQLite; created when absent)")
      ("force", po::bool_switch(), "score again dates already stored with the same card text")
      ("threads", po::value<int>()->default_value(default_threads(), "all cores"),
       "threads to score with")
      ("quiet,q", po::bool_switch(), "no progress or summary on stderr");
  add_scoring_options(opts);
  add_data_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("dir", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("backfill", "CARD DIR --store DB [options]\n\nScores every DIR/YYYY-MM-DD.csv|tsv|jsonl as of its "
                                 "date, oldest first, into the store.\nEach date is one snapshot, committed when "
                                 "its file has been scored; a failure leaves the\ndates before it recorded and "
                                 "its own as it was (run again to go on). Exit 0, 3 when some\nrows were "
                                 "rejected, 4 when all were, 1 on errors, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  if (vm.count("as-of")) return usage_error("backfill", "--as-of: each file is scored as of the date in its name");
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("backfill", "--threads must be from 1 to 1024");
  rt::DataReading reading;
  if (!data_reading("backfill", vm, reading, code)) return code;
  const std::string dir = vm["dir"].as<std::string>();
  const std::string store_path = vm["store"].as<std::string>();
  std::vector<DatedFile> files;
  if (std::string e = dated_files(dir, files); !e.empty()) {
    fmt::print(stderr, "healthc backfill: {}\n", e);
    return kExitErrors;
  }
  if (files.empty()) {
    fmt::print(stderr, "healthc backfill: `{}` has no YYYY-MM-DD.csv, .tsv or .jsonl files\n", dir);
    return kExitErrors;
  }
  auto card = load_scorecard("backfill", vm, code, true);
  if (!card) return code;
  if (!card->source()) return usage_error("backfill", "the store records the card's text: pass the .health file");
  const std::string text = card->source()->file->text();
  const std::string hash = history::card_hash(text);
  const std::string& title = card->program().title;
  std::unique_ptr<history::Store> store;
  std::map<std::string, std::string> stored;  // as_of -> card hash
  try {
    store = history::Store::open(store_path, history::Store::Mode::ReadWrite);
    for (const auto& s : store->snapshots(title)) stored[s.as_of] = s.card_hash;
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc backfill: {}\n", e.what());
    return kExitErrors;
  }
  const std::string params = params_json(vm);
  const bool quiet = vm["quiet"].as<bool>();
  const bool force = vm["force"].as<bool>();
  const bool progress = !quiet && stream_is_terminal(stderr) && std::getenv("HEALTHC_NO_PROGRESS") == nullptr;
  size_t scored = 0, skipped = 0;
  uint64_t rows = 0, rejected = 0, fired = 0;
  double seconds = 0;
  uint64_t read = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const DatedFile& f = files[i];
    auto it = stored.find(f.date);
    if (!force && it != stored.end() && it->second == hash) {
      ++skipped;
      continue;
    }
    if (progress) fmt::print(stderr, "\r[{}/{}] {} ", i + 1, files.size(), f.date);
    std::string err;
    std::FILE* in = open_input(f.path, err);
    if (!in) {
      if (progress) fmt::print(stderr, "\n");
      fmt::print(stderr, "healthc backfill: {}\n", err);
      return kExitErrors;
    }
    // A file's format is its name's (.csv, .tsv or .jsonl) unless --input-format says otherwise.
    rt::DataReading how = reading;
    if (!how.format) how.format = f.format;
    auto reader = rt::open_data_reader(how, f.path, in, card->schema());
    rt::ReaderSource source(*reader);
    uint64_t shown = 0;
    rt::RejectCallbackSink rejects([&](const rt::Reject& r) {
      if (shown++ < 10 && !quiet) fmt::print(stderr, "{}{}:{}: rejected: {}\n", progress ? "\n" : "", f.path, r.line, r.reason);
    });
    RecordOptions rec;
    rec.as_of_days = f.days;
    rec.card_text = text;
    rec.params_json = params;
    rec.command = "backfill";
    rec.sinks = {&rejects};
    rec.pipeline.threads = threads;
    RecordResult r = record_run(*card, store.get(), source, rec);
    std::fclose(in);
    if (!r.error.empty()) {
      if (progress) fmt::print(stderr, "\n");
      fmt::print(stderr, "healthc backfill: {}: {}\n", f.path, r.error);
      fmt::print(stderr, "healthc backfill: {} dates recorded before the failure; {} was not\n", scored, f.date);
      return kExitErrors;
    }
    if (!r.recorded) {
      // Recording it would make an empty snapshot the previous one (docs/store.md).
      if (progress) fmt::print(stderr, "\n");
      fmt::print(stderr, "healthc backfill: {}: no row was scored: no snapshot recorded for {}\n", f.path, f.date);
    } else {
      ++scored;
    }
    rows += r.summary.scored;
    read += r.summary.read;
    rejected += r.summary.rejected;
    fired += r.fired;
    seconds += r.summary.seconds;
  }
  if (progress) fmt::print(stderr, "\r{}\r", std::string(40, ' '));
  if (!quiet)
    fmt::print(stderr, "backfill of \"{}\" into {}: {} dates scored, {} skipped (already stored with this card); {} rows "
                       "scored, {} rejected, {} alerts fired in {:.2f} s\n",
               title, store_path, scored, skipped, rows, rejected, fired, seconds);
  return rows_exit_code(read, rejected);
}

}  // namespace healthc::driver
