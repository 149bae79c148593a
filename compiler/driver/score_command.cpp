// `healthc score CARD DATA`: every account's score, band, color, segment, label, override
// and reasons, streamed CSV/JSON Lines in, CSV/JSON Lines out.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "compiler/driver/scoring_options.h"
#include "runtime/batch_runner.h"
#include "runtime/io/output_file.h"

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
}  // namespace

int run_score(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines (.jsonl); - for stdin")
      ("output,o", po::value<std::string>()->default_value("-"), "where to write scores; - for stdout")
      ("format", po::value<std::string>(), "output format: `csv` or `jsonl` (default: from -o's extension, else csv)")
      ("input-format", po::value<std::string>(), "input format: `csv` or `jsonl` (default: from DATA's extension)")
      ("explain", po::bool_switch(), "add each measure's value, score and effective weight")
      ("columns", po::value<std::string>(), "output columns by header name, comma-separated, in that order")
      ("threads", po::value<int>()->default_value(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
       "threads to score with (output is identical for any count)")
      ("rejects", po::value<std::string>(), "write every rejected row, whole, to this file")
      ("block-rows", po::value<size_t>()->default_value(16384), "rows per block")
      ("quiet,q", po::bool_switch(), "no summary or progress on stderr");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("score", "CARD DATA [options]\n\nScores every account in DATA with CARD. Exit 0 when every row was "
                              "scored, 3 when some were rejected,\n1 when the card has errors, 2 on usage errors.\n"
                              "-o and --rejects are written under a temporary name and replace their files only when "
                              "the\nrun completes (exit 0 or 3: every row is then in one of them); a failed run leaves "
                              "them\nas they were. An output that is an input or the other output is a usage error.",
                     opts, pos, args, vm, code))
    return code;
  const std::string out_path = vm["output"].as<std::string>();
  rt::OutputFormat format = rt::OutputFormat::Csv;
  const std::string fmt_name = vm.count("format") ? vm["format"].as<std::string>()
                               : rt::format_from_path(out_path) == rt::DataFormat::JsonLines ? "jsonl" : "csv";
  if (fmt_name == "jsonl") format = rt::OutputFormat::JsonLines;
  else if (fmt_name != "csv") return usage_error("score", "--format must be `csv` or `jsonl`");
  const std::string data = vm["data"].as<std::string>();
  rt::DataFormat in_format = rt::format_from_path(data);
  if (vm.count("input-format")) {
    const std::string f = vm["input-format"].as<std::string>();
    if (f == "jsonl") in_format = rt::DataFormat::JsonLines;
    else if (f == "csv") in_format = rt::DataFormat::Csv;
    else return usage_error("score", "--input-format must be `csv` or `jsonl`");
  }
  const int threads = vm["threads"].as<int>();
  if (threads < 1 || threads > 1024) return usage_error("score", "--threads must be from 1 to 1024");
  if (vm["block-rows"].as<size_t>() == 0) return usage_error("score", "--block-rows must be positive");
  double as_of = 0;
  if (!as_of_days(vm, as_of)) return usage_error("score", "--as-of must be a date YYYY-MM-DD");
  std::vector<rt::NamedPath> outputs{{"-o", out_path}};
  if (vm.count("rejects")) outputs.push_back({"--rejects", vm["rejects"].as<std::string>()});
  if (std::string clash = rt::check_distinct({{"CARD", vm["card"].as<std::string>()}, {"DATA", data}}, outputs);
      !clash.empty())
    return usage_error("score", clash);
  // Opened before the card compiles so that an unwritable path fails at once; nothing
  // replaces an existing file before commit().
  rt::OutputFile out, rejects;
  for (size_t i = 0; i < outputs.size(); ++i)
    if (std::string e = (i == 0 ? out : rejects).open(outputs[i].path); !e.empty()) {
      fmt::print(stderr, "healthc score: {}\n", e);
      return kExitErrors;
    }

  // Reasons and measure columns need the detail variant of the native code.
  bool detail = !vm.count("columns");
  if (vm.count("columns"))
    for (const std::string& c : split_commas(vm["columns"].as<std::string>()))
      detail |= c == "reasons" || c.ends_with(".value") || c.ends_with(".score") || c.ends_with(".weight");
  auto card = load_scorecard("score", vm, code, detail);
  if (!card) return code;
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
  auto reader = rt::make_reader(in_format, in, card->schema());
  rt::RunSummary sum = rt::run_batch(*card, *reader, ro);
  if (progress) fmt::print(stderr, "\r{}\r", std::string(60, ' '));
  if (in != stdin) std::fclose(in);
  if (!sum.error.empty()) {
    fmt::print(stderr, "healthc score: {}: {}\n", data_name, sum.error);
    return kExitErrors;  // the outputs are abandoned: existing files stay as they were
  }
  // Rejected rows (exit 3) still leave complete output, every row in the scores or in the
  // rejects, so the run commits. Both files' bytes are checked before either is renamed.
  std::string write_error = out.finish();
  if (write_error.empty() && has_rejects) write_error = rejects.finish();
  if (write_error.empty() && sum.output_failed) write_error = "writing the output failed; nothing was replaced";
  if (write_error.empty()) write_error = out.commit();
  if (write_error.empty() && has_rejects) write_error = rejects.commit();
  if (!write_error.empty()) {
    fmt::print(stderr, "healthc score: {}\n", write_error);
    return kExitErrors;
  }
  if (shown > kShownRejects)
    fmt::print(stderr, "{}: ... and {} more rejected rows{}\n", data_name, shown - kShownRejects,
               has_rejects ? " (all are in the rejects file)" : "");
  if (!quiet) {
    const double secs = sum.seconds;
    fmt::print(stderr, "{} rows read: {} scored ({} unscored), {} rejected in {:.2f} s\n", sum.read, sum.scored,
               sum.unscored, sum.rejected, secs);
  }
  return sum.rejected ? kExitRejects : kExitOk;
}

}  // namespace healthc::driver
