// `healthc score CARD DATA`: every account's score, band, color, segment, label, override
// and reasons, streamed CSV/JSON Lines in, CSV/JSON Lines out.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "compiler/driver/dataset.h"
#include "compiler/driver/scoring_options.h"
#include "compiler/driver/store_run.h"
#include "runtime/analysis/rollup_sink.h"
#include "runtime/batch_runner.h"
#include "runtime/io/output_file.h"
#include "runtime/pipeline/writer_sink.h"

namespace healthc::driver {

namespace {
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}
// Opens DIR/NAME.csv for each roll-up of the card (creating DIR), after checking that none is
// an input or another output. A usage error for a card without roll-ups.
int open_rollup_files(const ir::Program& p, const std::string& dir, const po::variables_map& vm,
                      const std::vector<rt::NamedPath>& outputs, std::vector<std::unique_ptr<rt::OutputFile>>& files) {
  if (p.rollups.empty()) return usage_error("score", "--rollups: the card declares no roll-up");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "healthc score: cannot create `{}`: {}\n", dir, ec.message());
    return kExitErrors;
  }
  std::vector<rt::NamedPath> all = outputs;
  for (const ir::Rollup& r : p.rollups) all.push_back({"--rollups", (std::filesystem::path(dir) / (r.name + ".csv")).string()});
  if (std::string clash = rt::check_distinct({{"CARD", vm["card"].as<std::string>()}, {"DATA", vm["data"].as<std::string>()}}, all);
      !clash.empty())
    return usage_error("score", clash);
  for (size_t i = outputs.size(); i < all.size(); ++i) {
    files.push_back(std::make_unique<rt::OutputFile>());
    if (std::string e = files.back()->open(all[i].path); !e.empty()) {
      fmt::print(stderr, "healthc score: {}\n", e);
      return kExitErrors;
    }
  }
  return kExitOk;
}

// Writes and finishes every roll-up's file (none is renamed into place here).
std::string write_rollup_files(const std::vector<analysis::RollupTable>& tables, bool with_change,
                               std::vector<std::unique_ptr<rt::OutputFile>>& files) {
  for (size_t i = 0; i < tables.size() && i < files.size(); ++i) {
    files[i]->write(analysis::rollup_csv(tables[i], with_change));
    if (std::string e = files[i]->finish(); !e.empty()) return e;
  }
  return {};
}

}  // namespace

int run_score(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines (.jsonl); - for stdin")
      ("output,o", po::value<std::string>()->default_value("-"), "where to write scores; - for stdout")
      ("explain", po::bool_switch(), "add each measure's value, score and effective weight")
      ("columns", po::value<std::string>(), "output columns by header name, comma-separated, in that order")
      ("threads", po::value<int>()->default_value(default_threads(), "all cores"),
       "threads to score with (output is identical for any count)")
      ("rejects", po::value<std::string>(), "write every rejected row, whole, to this file")
      ("block-rows", po::value<size_t>()->default_value(16384), "rows per block")
      ("store", po::value<std::string>(), "record the run as a snapshot in this history store (SQLite; created when absent)")
      ("alerts", po::value<std::string>(), "write the alerts that fired to this file (CSV, or JSON Lines by extension; needs --store)")
      ("rollups", po::value<std::string>(), "write each of the card's roll-ups to DIR/NAME.csv (DIR is created when absent)")
      ("quiet,q", po::bool_switch(), "no summary or progress on stderr");
  // Scores are data, not a report: no text format.
  const std::vector<Format> formats{Format::Csv, Format::Jsonl};
  add_format_option(opts, formats, "default: from -o's extension, else csv", /*has_default=*/false);
  add_scoring_options(opts);
  add_data_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("score", "CARD DATA [options]\n\nScores every account in DATA with CARD. Exit 0 when every row was "
                              "scored, 3 when some were rejected, 4 when all\nwere, 1 when the card has errors, 2 on usage errors (docs/cli.md).\n"
                              "-o and --rejects are written under a temporary name and replace their files only when "
                              "the\nrun completes (exit 0, 3 or 4: every row is then in one of them); a failed run leaves "
                              "them\nas they were. An output that is an input or the other output is a usage error.",
                     opts, pos, args, vm, code))
    return code;
  const std::string out_path = vm["output"].as<std::string>();
  Format chosen = rt::format_from_path(out_path) == rt::DataFormat::JsonLines ? Format::Jsonl : Format::Csv;
  if (vm.count("format") && !read_format("score", vm, formats, chosen, code)) return code;
  const rt::OutputFormat format = chosen == Format::Jsonl ? rt::OutputFormat::JsonLines : rt::OutputFormat::Csv;
  const std::string data = vm["data"].as<std::string>();
  rt::DataReading reading;
  if (!data_reading("score", vm, reading, code)) return code;
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("score", "--threads must be from 1 to 1024");
  if (vm["block-rows"].as<size_t>() == 0) return usage_error("score", "--block-rows must be positive");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("score", "--as-of must be a date YYYY-MM-DD");
  std::vector<rt::NamedPath> outputs{{"-o", out_path}};
  if (vm.count("rejects")) outputs.push_back({"--rejects", vm["rejects"].as<std::string>()});
  const std::string store_path = vm.count("store") ? vm["store"].as<std::string>() : std::string();
  const std::string alerts_path = vm.count("alerts") ? vm["alerts"].as<std::string>() : std::string();
  if (!alerts_path.empty() && store_path.empty())
    return usage_error("score", "--alerts needs --store: an alert fires against the previous snapshot");
  if (!store_path.empty()) outputs.push_back({"--store", store_path});
  if (!alerts_path.empty()) outputs.push_back({"--alerts", alerts_path});
  if (std::string clash = rt::check_distinct({{"CARD", vm["card"].as<std::string>()}, {"DATA", data}}, outputs);
      !clash.empty())
    return usage_error("score", clash);
  // Opened before the card compiles so that an unwritable path fails at once; nothing
  // replaces an existing file before commit().
  rt::OutputFile out, rejects;
  for (size_t i = 0; i < outputs.size(); ++i) {
    rt::OutputFile* file = outputs[i].role == "-o" ? &out : outputs[i].role == "--rejects" ? &rejects : nullptr;
    if (!file) continue;  // the store and the alerts file are opened by the run
    if (std::string e = file->open(outputs[i].path); !e.empty()) {
      fmt::print(stderr, "healthc score: {}\n", e);
      return kExitErrors;
    }
  }

  // Reasons and measure columns need the detail variant of the native code.
  bool detail = !vm.count("columns");
  if (vm.count("columns"))
    for (const std::string& c : split_commas(vm["columns"].as<std::string>()))
      detail |= c == "reasons" || c.ends_with(".value") || c.ends_with(".score") || c.ends_with(".weight");
  const std::string rollups_dir = vm.count("rollups") ? vm["rollups"].as<std::string>() : std::string();
  const auto compile_start = std::chrono::steady_clock::now();
  std::string card_text;  // the card's bytes (empty for an artefact), kept by --store
  auto card = load_scorecard("score", vm, code, detail || !store_path.empty() || !rollups_dir.empty(), true, &card_text);
  const double compile_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - compile_start).count();
  if (!card) return code;
  // Each roll-up's file, opened (under its temporary name) before the run, so that a directory
  // that cannot be written fails at once; replaced only when the run succeeds.
  std::vector<std::unique_ptr<rt::OutputFile>> rollup_files;
  if (!rollups_dir.empty()) {
    if (int e = open_rollup_files(card->program(), rollups_dir, vm, outputs, rollup_files); e != kExitOk) return e;
  }
  // The store keeps the card's text (any past snapshot can be reproduced): an artefact has none.
  if (!store_path.empty() && card_text.empty())
    return usage_error("score", "--store records the card's text: pass the .health file, not a compiled artefact");
  std::unique_ptr<history::Store> store;
  if (!store_path.empty()) {
    try {
      store = history::Store::open(store_path, history::Store::Mode::ReadWrite);
      lock_store(*store, "score");  // before the past is read; held until the snapshot commits
    } catch (const history::StoreError& e) {
      fmt::print(stderr, "healthc score: {}\n", e.what());
      return kExitErrors;
    }
  } else {
    note_past_missing("score", vm["card"].as<std::string>(), card->program());
  }
  rt::RunOptions ro;
  ro.as_of = as_of;
  ro.threads = threads;
  ro.block_rows = vm["block-rows"].as<size_t>();
  ro.format = format;
  if (vm.count("columns")) {
    std::string unknown;
    if (!rt::select_columns(card->program(), split_commas(vm["columns"].as<std::string>()), ro.columns, unknown))
      return usage_error("score", fmt::format("--columns: no output column `{}`", unknown));
  } else {
    ro.columns = rt::default_columns(card->program(), vm["explain"].as<bool>());
  }

  // The previous snapshot, read before this run's snapshot is begun; the previous_score and
  // score_change columns read it.
  std::unique_ptr<history::PastSnapshots> past;
  try {
    past = std::make_unique<history::PastSnapshots>(store.get(), card->program().title, static_cast<int32_t>(as_of),
                                                    card->program(), rt::reads_previous(ro.columns));
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc score: {}\n", e.what());
    return kExitErrors;
  }
  for (rt::OutputColumn& c : ro.columns) c.previous = past.get();

  std::string err;
  std::FILE* in = open_input(data, err);
  if (!in) {
    fmt::print(stderr, "healthc score: {}\n", err);
    return kExitErrors;
  }
  const bool quiet = vm["quiet"].as<bool>();
  // Rejected rows: each with its line and reason, up to a limit (all of them go to --rejects).
  constexpr uint64_t kShownRejects = 100;
  uint64_t shown = 0;
  const std::string data_name = data == "-" ? "<stdin>" : data;
  const bool has_rejects = rejects.is_open();
  ro.out = out.stream();
  ro.rejects = has_rejects ? rejects.stream() : nullptr;
  ro.on_reject = [&](const rt::Reject& r) {
    if (shown++ < kShownRejects) fmt::print(stderr, "{}:{}: rejected: {}\n", data_name, r.line, r.reason);
  };
  struct stat st{};
  const uint64_t total = data != "-" && ::stat(data.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  const bool progress = !quiet && stream_is_terminal(stderr) && std::getenv("HEALTHC_NO_PROGRESS") == nullptr;
  auto last = std::chrono::steady_clock::now();
  if (progress)
    ro.on_progress = [&](uint64_t bytes, uint64_t rows) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(200)) return;
      last = now;
      if (total) {
        const int pct = static_cast<int>(100.0 * static_cast<double>(bytes) / static_cast<double>(total));
        const int filled = pct * 30 / 100;
        fmt::print(stderr, "\r[{}{}] {:>3}%  {} rows", std::string(filled, '#'), std::string(30 - filled, '.'), pct, rows);
      } else {
        fmt::print(stderr, "\r{} rows", rows);
      }
    };
  // Block buffers are reused run-long; keep glibc from handing large ones back to the OS
  // (munmap) and faulting them in again for every block.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  auto reader = rt::open_data_reader(reading, data, in, card->schema());
  rt::ReaderSource source(*reader);
  rt::RejectCallbackSink callback(ro.on_reject);
  rt::RejectsWriterSink rejects_sink(ro.rejects);
  rt::ScoresWriterSink scores_sink(card->program(), ro.columns, ro.format, ro.out);
  RecordOptions rec;
  rec.as_of_days = static_cast<int32_t>(as_of);
  rec.past = past.get();
  rec.card_text = card_text;
  rec.params_json = params_json(vm);
  // Rejects first: each block's rejected rows are reported before its scores are written.
  rec.sinks = {&callback};
  if (has_rejects) rec.sinks.push_back(&rejects_sink);
  rec.sinks.push_back(&scores_sink);
  rec.pipeline.scoring = rt::needs_detail(ro.columns) ? rt::Scoring::Detail : rt::Scoring::Basic;
  // Roll-ups read every measure's score and whether it counts in the account's model.
  std::unique_ptr<analysis::RollupSink> rollup_sink;
  std::vector<analysis::RollupTable> rollup_tables;  // filled by record_run before before_commit
  rec.rollup_tables = &rollup_tables;
  if (!rollup_files.empty()) {
    rollup_sink = std::make_unique<analysis::RollupSink>(card->program());
    rec.sinks.push_back(rollup_sink.get());
    rec.rollup_sink = rollup_sink.get();
    rec.pipeline.scoring = rt::Scoring::Detail;
  }
  rec.pipeline.threads = ro.threads;
  rec.pipeline.block_rows = ro.block_rows;
  rec.pipeline.on_progress = ro.on_progress;
  rec.alerts_path = alerts_path;
  rec.alerts_format = rt::format_from_path(alerts_path) == rt::DataFormat::JsonLines ? rt::OutputFormat::JsonLines
                                                                                     : rt::OutputFormat::Csv;
  // Rejected rows (exit 3) still leave complete output, every row in the scores or in the
  // rejects, so the run commits. Both files' bytes are checked before either is renamed, and
  // both are renamed before the snapshot commits: a run whose output failed records nothing.
  rec.before_commit = [&] {
    std::string e = out.finish();
    if (e.empty() && has_rejects) e = rejects.finish();
    // With a store, the tables carry each group's change since the previous snapshot.
    if (e.empty() && rollup_sink) e = write_rollup_files(rollup_tables, store != nullptr, rollup_files);
    if (e.empty()) e = out.commit();
    if (e.empty() && has_rejects) e = rejects.commit();
    for (size_t i = 0; e.empty() && i < rollup_files.size(); ++i) e = rollup_files[i]->commit();
    return e;
  };
  RecordResult recorded = record_run(*card, store.get(), source, rec);
  const rt::PipelineSummary& sum = recorded.summary;
  if (progress) fmt::print(stderr, "\r{}\r", std::string(60, ' '));
  if (in != stdin) std::fclose(in);
  if (!sum.error.empty()) {
    fmt::print(stderr, "healthc score: {}: {}\n", data_name, sum.error);
    return kExitErrors;  // the outputs are abandoned: existing files stay as they were
  }
  // A failed sink (the output, or the store) or a failed output: nothing was replaced or
  // recorded. The output's own reason comes first when it was the output that failed. Only
  // the store's own commit can fail after the outputs are in place: say so.
  std::string write_error;
  if (!recorded.error.empty() && recorded.outputs_done) {
    write_error = fmt::format("{}; the output files were replaced but the snapshot was not recorded", recorded.error);
  } else if (!recorded.error.empty()) {
    if (sum.sink_failed) {
      write_error = out.finish();
      if (write_error.empty() && has_rejects) write_error = rejects.finish();
    }
    if (write_error.empty()) write_error = recorded.error;
    if (write_error == "writing the output failed") write_error += "; nothing was replaced";
  }
  if (!write_error.empty()) {
    fmt::print(stderr, "healthc score: {}\n", write_error);
    return kExitErrors;
  }
  if (shown > kShownRejects)
    fmt::print(stderr, "{}: ... and {} more rejected rows{}\n", data_name, shown - kShownRejects,
               has_rejects ? " (all are in the rejects file)" : "");
  if (store && !recorded.recorded)
    fmt::print(stderr, "healthc score: no row was scored: no snapshot recorded (an empty one would become the previous "
                       "snapshot)\n");
  if (!quiet) {
    const double secs = sum.seconds;
    fmt::print(stderr, "{} rows read: {} scored ({} unscored), {} rejected; compiled in {:.2f} s, scored in {:.2f} s\n",
               sum.read, sum.scored, sum.unscored, sum.rejected, compile_secs, secs);
    if (store && recorded.recorded)
      fmt::print(stderr, "snapshot {} of \"{}\" recorded in {}{}; {} alerts fired\n", history::date_text(rec.as_of_days),
                 card->program().title, store_path, recorded.had_previous ? "" : " (the first: nothing to compare with)",
                 recorded.fired);
  }
  return rows_exit_code(sum.read, sum.rejected);
}

}  // namespace healthc::driver
