// `healthc changes --store DB [--from D1] [--to D2]`: the accounts that moved between two
// snapshots, each explained by the spec's attribution (runtime/analysis/changes.h).
#include <fmt/format.h>

#include <algorithm>

#include "compiler/driver/cli.h"
#include "compiler/driver/history_report.h"
#include "compiler/driver/store_reading.h"

namespace healthc::driver {
// The two snapshots a run compares, kept to the end of the process (see run_changes). External
// linkage, so the compiler keeps the stores that make them reachable (no LeakSanitizer report).
extern history::Snapshot* g_changes_kept_before;
extern history::Snapshot* g_changes_kept_after;
history::Snapshot* g_changes_kept_before = nullptr;
history::Snapshot* g_changes_kept_after = nullptr;

int run_changes(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("store", po::value<std::string>()->required(), "the history store")
      ("scorecard", po::value<std::string>()->default_value(""), "the scorecard's title (needed when the store holds several)")
      ("from", po::value<std::string>(), "the earlier snapshot's as-of date (default: the one before --to)")
      ("to", po::value<std::string>(), "the later snapshot's as-of date (default: the latest)")
      ("segment", po::value<std::string>()->default_value(""), "only accounts in this segment in either snapshot")
      ("min-change", po::value<int>()->default_value(0), "only accounts whose score moved at least this much")
      ("band-changes", po::bool_switch(), "only accounts whose band changed");
  const std::vector<Format> formats{Format::Text, Format::Csv, Format::Json, Format::Markdown};
  add_format_option(opts, formats);
  po::positional_options_description pos;
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("changes",
                     "--store DB [--from D1] [--to D2] [options]\n\nThe band transitions between two snapshots, then the "
                     "accounts that moved, largest drop first,\neach explained: contribution by score and by weight per "
                     "measure, rounding, override,\nsegment/band/label changes. CSV: one row per account in both "
                     "snapshots.\nExit 0 on success, 1 when the store, scorecard or a date is not there, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("changes", vm, formats, chosen, code)) return code;
  const HistoryFormat format = to_history_format(chosen);
  analysis::ChangesOptions options;
  options.segment = vm["segment"].as<std::string>();
  options.min_change = vm["min-change"].as<int>();
  options.band_changes = vm["band-changes"].as<bool>();
  if (options.min_change < 0 || options.min_change > 100) return usage_error("changes", "--min-change must be from 0 to 100");
  for (const char* opt : {"from", "to"})
    if (vm.count(opt) && !is_date(vm[opt].as<std::string>()))
      return usage_error("changes", fmt::format("--{} must be a date YYYY-MM-DD", opt));
  const std::string path = vm["store"].as<std::string>();
  auto store = open_store_for_reading("changes", path);
  if (!store) return kExitErrors;
  try {
    // One read transaction from the listing on: the second connection's read must see the same store.
    return read_consistently([&]() -> int {
      const auto reading = store->read_transaction();
      const auto title = choose_scorecard("changes", *store, vm["scorecard"].as<std::string>());
      if (!title) return kExitErrors;
      const auto snaps = store->snapshots(*title);
      // Indices into `snaps`, -1 while unknown.
      int64_t to = static_cast<int64_t>(snaps.size()) - 1, from = -1;
      if (vm.count("to")) {
        const auto at = find_snapshot("changes", *title, snaps, vm["to"].as<std::string>());
        if (!at) return kExitErrors;
        to = static_cast<int64_t>(*at);
      }
      if (vm.count("from")) {
        const auto at = find_snapshot("changes", *title, snaps, vm["from"].as<std::string>());
        if (!at) return kExitErrors;
        from = static_cast<int64_t>(*at);
      } else {
        from = to - 1;
      }
      if (to < 0 || from < 0) {
        const bool up_to = vm.count("to") && to >= 0;
        const size_t count = up_to ? static_cast<size_t>(to) + 1 : snaps.size();
        fmt::print(stderr, "healthc changes: \"{}\" has {} snapshot{}{}; changes need two\n", *title, count,
                   count == 1 ? "" : "s", up_to ? " up to " + snaps[to].as_of : std::string());
        return kExitErrors;
      }
      if (from >= to) {
        fmt::print(stderr, "healthc changes: --from {} is not before --to {}\n", snaps[from].as_of, snaps[to].as_of);
        return kExitErrors;
      }
      // Never freed: two million records' arrays cost half a second to free at exit, for nothing.
      // Held by file-scope pointers, so they stay reachable (no leak report under LeakSanitizer).
      if (!g_changes_kept_before) g_changes_kept_before = new history::Snapshot;
      if (!g_changes_kept_after) g_changes_kept_after = new history::Snapshot;
      auto& before = *g_changes_kept_before;
      auto& after = *g_changes_kept_after;
      read_two_snapshots(path, *store, snaps[from].id, snaps[to].id, before, after);
      if (!options.segment.empty()) {
        auto has = [&](const history::CardNames& n) {
          return std::find(n.segments.begin(), n.segments.end(), options.segment) != n.segments.end();
        };
        if (!has(before.names) && !has(after.names)) {
          std::string known;
          for (const auto& seg : after.names.segments) known += (known.empty() ? "" : ", ") + seg;
          fmt::print(stderr, "healthc changes: no segment `{}` in \"{}\" (its segments: {})\n", options.segment, *title,
                     known);
          return kExitErrors;
        }
      }
      const auto result = analysis::compute_changes(before, after, options);
      std::string out;
      render_changes(result, format, out, [](std::string& piece) { write_stdout(piece); });
      write_stdout(out);
      return kExitOk;
    });
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc changes: {}: {}\n", path, e.what());
    return kExitErrors;
  }
}

}  // namespace healthc::driver
