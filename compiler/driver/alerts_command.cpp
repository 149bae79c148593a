// `healthc alerts --store DB [--as-of D] [--severity S]`: the alerts that fired in a snapshot,
// in the spec's order, with the alerts file's columns (runtime/analysis/fired_alerts.h).
#include <fmt/format.h>

#include "compiler/driver/cli.h"
#include "compiler/driver/history_report.h"
#include "compiler/driver/store_reading.h"

namespace healthc::driver {

int run_alerts(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("store", po::value<std::string>()->required(), "the history store")
      ("scorecard", po::value<std::string>()->default_value(""), "the scorecard's title (needed when the store holds several)")
      ("as-of", po::value<std::string>(), "the snapshot's as-of date (default: the latest)")
      ("severity", po::value<std::string>()->default_value("info"), "only this severity and above: info, low, medium, high, critical");
  const std::vector<Format> formats{Format::Text, Format::Csv, Format::Json};
  add_format_option(opts, formats, "json: JSON Lines, one alert a line");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("alerts",
                     "--store DB [--as-of D] [--severity S] [options]\n\nThe alerts that fired in a snapshot (an alert "
                     "fires when it becomes active), critical first,\nthen in file order, then in row order.\nExit 0 on "
                     "success (fired or not), 1 when the store, scorecard or date is not there, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("alerts", vm, formats, chosen, code)) return code;
  const HistoryFormat format = to_history_format(chosen);
  const auto severity = analysis::parse_severity(vm["severity"].as<std::string>());
  if (!severity) return usage_error("alerts", "--severity must be info, low, medium, high or critical");
  if (vm.count("as-of") && !is_date(vm["as-of"].as<std::string>()))
    return usage_error("alerts", "--as-of must be a date YYYY-MM-DD");
  const std::string path = vm["store"].as<std::string>();
  auto store = open_store_for_reading("alerts", path);
  if (!store) return kExitErrors;
  try {
    const auto title = choose_scorecard("alerts", *store, vm["scorecard"].as<std::string>());
    if (!title) return kExitErrors;
    const auto snaps = store->snapshots(*title);
    std::optional<size_t> at = snaps.empty() ? std::nullopt : std::optional(snaps.size() - 1);
    if (vm.count("as-of") && !(at = find_snapshot("alerts", *title, snaps, vm["as-of"].as<std::string>())))
      return kExitErrors;
    if (!at) {
      fmt::print(stderr, "healthc alerts: \"{}\" has no snapshots\n", *title);
      return kExitErrors;
    }
    const history::Snapshot snapshot = store->read(snaps[*at].id);
    std::optional<history::Snapshot> previous;
    if (*at > 0) previous = store->read(snaps[*at - 1].id);
    const auto fired = analysis::fired_alerts(snapshot, previous ? &*previous : nullptr, *severity);
    std::string out;
    render_alerts(snapshot, previous ? &*previous : nullptr, fired, format, out, *severity);
    write_stdout(out);
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc alerts: {}: {}\n", path, e.what());
    return kExitErrors;
  }
  return kExitOk;
}

}  // namespace healthc::driver
