// `healthc report --store DB [--title T] [--as-of D] [-o report.html] [--outcome FILE COL]`: the
// morning report, one self-contained HTML page (or its figures as JSON). Reads the latest and the
// previous snapshot whole and only aggregates of the others (runtime/history/report_queries.h).
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>

#include "compiler/driver/cli.h"
#include "compiler/driver/history_report.h"
#include "compiler/driver/report_html.h"
#include "compiler/driver/store_reading.h"
#include "runtime/analysis/report_model.h"
#include "runtime/history/report_queries.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/csv_scan.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {
namespace {

// --outcome FILE COL: a CSV with the card's key column and a 0/1 (true/false, yes/no) column.
// An empty cell is no outcome; any other cell, a repeated key or a missing column is an error
// naming the line.
bool read_outcomes(const std::string& path, const std::string& key_field, const std::string& column,
                   std::unordered_map<std::string, bool>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const char* p = text.data();
  const char* end = p + text.size();
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) p += 3;  // a spreadsheet's BOM
  rt::csv::CellList cells;
  rt::csv::RecordSpan rec;
  std::string cell;
  int64_t line = 1, key_at = -1, col_at = -1;
  bool header = true;
  std::unordered_map<std::string, int64_t> first_line;
  while (true) {
    const auto scan = rt::csv::scan_record(p, end, true, cells, rec);
    if (scan == rt::csv::Scan::End || scan == rt::csv::Scan::NeedMore) break;
    const int64_t at = line;
    line += 1 + static_cast<int64_t>(rec.newlines);
    p = rec.next;
    if (scan == rt::csv::Scan::Blank) continue;
    if (rec.problem != rt::csv::Problem::None) {
      error = fmt::format("{}:{}: a quoted cell is not closed properly", path, at);
      return false;
    }
    auto cell_at = [&](int64_t i) -> const std::string& {
      cell.clear();
      if (i < static_cast<int64_t>(cells.size())) rt::csv::unescape(cells[static_cast<size_t>(i)], cell);
      return cell;
    };
    if (header) {
      for (size_t i = 0; i < cells.size(); ++i) {
        const std::string& name = cell_at(static_cast<int64_t>(i));
        if (name == key_field) key_at = static_cast<int64_t>(i);
        if (name == column) col_at = static_cast<int64_t>(i);
      }
      if (key_at < 0 || col_at < 0) {
        error = fmt::format("{}:1: no column `{}` (the outcome file needs the key column `{}` and the outcome column)",
                            path, key_at < 0 ? key_field : column, key_field);
        return false;
      }
      header = false;
      continue;
    }
    const std::string key = cell_at(key_at);
    if (key.empty()) {
      error = fmt::format("{}:{}: the key `{}` is empty", path, at, key_field);
      return false;
    }
    const std::string value = cell_at(col_at);
    if (value.empty()) continue;
    const auto b = rt::parse_bool(value);
    if (!b) {
      error = fmt::format("{}:{}: the outcome `{}` is `{}`, not 0/1, true/false or yes/no", path, at, column, value);
      return false;
    }
    const auto [it, fresh] = first_line.emplace(key, at);
    if (!fresh) {
      error = fmt::format("{}:{}: duplicate key `{}` (first on line {})", path, at, key, it->second);
      return false;
    }
    out.emplace(key, *b);
  }
  if (header) {
    error = fmt::format("{}: the outcome file is empty (it needs a header line)", path);
    return false;
  }
  return true;
}

}  // namespace

int run_report(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("store", po::value<std::string>()->required(), "the history store")
      ("title", po::value<std::string>()->default_value(""), "the scorecard's title (needed when the store holds several)")
      ("scorecard", po::value<std::string>()->default_value(""), "the same as --title")
      ("as-of", po::value<std::string>(), "the snapshot to report on (default: the latest)")
      ("output,o", po::value<std::string>()->default_value("-"), "the page's file (default: standard output)")
      ("outcome", po::value<std::vector<std::string>>()->multitoken(), "FILE COL: outcome rate and lift per band");
  const std::vector<Format> formats{Format::Html, Format::Json};
  add_format_option(opts, formats, "html: the page, json: its figures");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("report",
                     "--store DB [--title T] [--as-of D] [-o report.html] [--outcome FILE COL]\n\nThe morning report: "
                     "one self-contained HTML page (no script, nothing loaded from the network,\nprintable on A4) with "
                     "the headline per band, bands over time and per segment, the score\ndistribution, the alerts that "
                     "fired, the top movers with their attribution, the roll-ups,\nstale subjective inputs and, with "
                     "--outcome, the outcome rate and lift per band.\nExit 0 on success, 1 when the store, scorecard, "
                     "date or outcome file is not right, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("report", vm, formats, chosen, code)) return code;
  const std::string format = format_name(chosen);
  if (vm.count("as-of") && !is_date(vm["as-of"].as<std::string>()))
    return usage_error("report", "--as-of must be a date YYYY-MM-DD");
  std::string title = vm["title"].as<std::string>();
  if (title.empty()) title = vm["scorecard"].as<std::string>();
  std::vector<std::string> outcome_args;
  if (vm.count("outcome")) {
    outcome_args = vm["outcome"].as<std::vector<std::string>>();
    if (outcome_args.size() != 2) return usage_error("report", "--outcome takes two values: FILE COL");
  }
  const std::string path = vm["store"].as<std::string>();
  const std::string output = vm["output"].as<std::string>();
  std::vector<rt::NamedPath> inputs = {{"--store", path}};
  if (!outcome_args.empty()) inputs.push_back({"--outcome", outcome_args[0]});
  if (const std::string clash = rt::check_distinct(inputs, {{"-o", output}}); !clash.empty())
    return usage_error("report", clash);
  auto store = open_store_for_reading("report", path);
  if (!store) return kExitErrors;
  try {
    // One read transaction from the listing on; the other connections' reads must see the same store.
    const std::optional<std::string> page = read_consistently([&]() -> std::optional<std::string> {
      const auto reading = store->read_transaction();
      const int64_t generation = store->generation();
      const auto chosen = choose_scorecard("report", *store, title);
      if (!chosen) return std::optional<std::string>();
      auto snaps = store->snapshots(*chosen);
      if (snaps.empty()) {
        fmt::print(stderr, "healthc report: \"{}\" has no snapshots\n", *chosen);
        return std::optional<std::string>();
      }
      size_t at = snaps.size() - 1;
      if (vm.count("as-of")) {
        const auto found = find_snapshot("report", *chosen, snaps, vm["as-of"].as<std::string>());
        if (!found) return std::optional<std::string>();
        at = *found;
      }
      snaps.resize(at + 1);  // the report is as of that date: later snapshots are not its history
      // The band counts of every snapshot (its own connection) beside the two snapshots' reads:
      // together they are nearly all of the report's time.
      auto over_time = std::async(std::launch::async, [&] { return history::band_counts(path, snaps, generation); });
      history::Snapshot latest, previous;
      if (at > 0) read_two_snapshots(path, *store, snaps[at - 1].id, snaps[at].id, previous, latest);
      else latest = store->read(snaps[at].id);
      analysis::ReportInputs in;
      in.latest = &latest;
      in.previous = at > 0 ? &previous : nullptr;
      in.over_time = over_time.get();
      // Whole roll-ups for the latest and previous snapshots; for the trends only the shown groups'
      // scores of each snapshot (a roll-up by parent account may hold a group per parent).
      in.rollups.assign(snaps.size(), {});
      in.rollups[at] = store->rollups(snaps[at].id);
      if (at > 0) in.rollups[at - 1] = store->rollups(snaps[at - 1].id);
      std::vector<int64_t> ids;
      for (const auto& s : snaps) ids.push_back(s.id);
      in.trends = [&path, ids, generation](const analysis::RollupTable& table, const std::vector<size_t>& groups) {
        std::vector<std::vector<std::optional<std::string>>> keys;
        for (size_t g : groups) keys.push_back(table.groups[g].key);
        return history::rollup_group_scores(path, ids, table.name, keys, generation);
      };
      in.reasons = record_reasons;
      if (!outcome_args.empty()) {
        std::unordered_map<std::string, bool> outcomes;
        std::string error;
        const std::string& key = latest.names.key_field.empty() ? std::string("key") : latest.names.key_field;
        if (!read_outcomes(outcome_args[0], key, outcome_args[1], outcomes, error)) {
          fmt::print(stderr, "healthc report: {}\n", error);
          return std::optional<std::string>();
        }
        in.outcome = std::move(outcomes);
        in.outcome_file = outcome_args[0];
        in.outcome_column = outcome_args[1];
      }
      const auto model = analysis::build_report(in);
      return std::optional<std::string>(format == "json" ? render_report_json(model) : render_report_html(model));
    });
    if (!page) return kExitErrors;
    rt::OutputFile out;
    if (std::string err = out.open(output); !err.empty()) {
      fmt::print(stderr, "healthc report: {}\n", err);
      return kExitErrors;
    }
    out.write(*page);
    if (std::string err = out.commit(); !err.empty()) {
      fmt::print(stderr, "healthc report: {}\n", err);
      return kExitErrors;
    }
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc report: {}: {}\n", path, e.what());
    return kExitErrors;
  }
  return kExitOk;
}

}  // namespace healthc::driver
