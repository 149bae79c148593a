// `healthc rollup --store DB NAME [--as-of D]`: one roll-up recorded with a snapshot, with each
// group's change since the previous snapshot (spec "Roll-ups"; docs/history.md).
#include <fmt/format.h>

#include <algorithm>

#include "compiler/diag/suggest.h"
#include "compiler/driver/cli.h"
#include "compiler/driver/rollup_report.h"
#include "compiler/driver/store_reading.h"

namespace healthc::driver {

int run_rollup(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("store", po::value<std::string>()->required(), "the history store")
      ("name", po::value<std::string>()->required(), "the roll-up's name (as in `rollup NAME ...`)")
      ("scorecard", po::value<std::string>()->default_value(""), "the scorecard's title (needed when the store holds several)")
      ("title", po::value<std::string>(), "the same as --scorecard")
      ("as-of", po::value<std::string>(), "the snapshot's as-of date (default: the latest)");
  const std::vector<Format> formats{Format::Text, Format::Csv, Format::Json, Format::Markdown};
  add_format_option(opts, formats);
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("rollup",
                     "--store DB NAME [--as-of D] [options]\n\nOne roll-up of a snapshot (default: the latest), each "
                     "group with its score change since the\nprevious snapshot (the latest before it). Text and "
                     "Markdown: worst score first (groups\nwithout a score last). CSV: the roll-up file of `healthc "
                     "score --rollups` with score_change,\nrows in key order. JSON: one object, groups in key order.\n"
                     "Exit 0 on success, 1 when the store, scorecard, date or roll-up is not there, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("rollup", vm, formats, chosen, code)) return code;
  const HistoryFormat format = to_history_format(chosen);
  if (vm.count("as-of") && !is_date(vm["as-of"].as<std::string>()))
    return usage_error("rollup", "--as-of must be a date YYYY-MM-DD");
  std::string scorecard = vm["scorecard"].as<std::string>();
  if (vm.count("title")) {
    if (!scorecard.empty()) return usage_error("rollup", "give --scorecard or --title, not both");
    scorecard = vm["title"].as<std::string>();
  }
  const std::string name = vm["name"].as<std::string>();
  const std::string path = vm["store"].as<std::string>();
  auto store = open_store_for_reading("rollup", path);
  if (!store) return kExitErrors;
  try {
    // One committed state for the snapshot list and both snapshots' roll-ups.
    const auto reading = store->read_transaction();
    const auto title = choose_scorecard("rollup", *store, scorecard);
    if (!title) return kExitErrors;
    const auto snaps = store->snapshots(*title);
    if (snaps.empty()) {
      fmt::print(stderr, "healthc rollup: \"{}\" has no snapshots\n", *title);
      return kExitErrors;
    }
    const std::optional<size_t> at = vm.count("as-of")
                                         ? find_snapshot("rollup", *title, snaps, vm["as-of"].as<std::string>())
                                         : std::optional(snaps.size() - 1);
    if (!at) return kExitErrors;
    std::vector<analysis::RollupTable> tables = store->rollups(snaps[*at].id);
    auto found = std::find_if(tables.begin(), tables.end(), [&](const auto& t) { return t.name == name; });
    if (found == tables.end()) {
      if (tables.empty()) {
        fmt::print(stderr, "healthc rollup: the snapshot of \"{}\" as of {} has no roll-ups (its card has none, or it "
                           "was recorded before the store kept them)\n",
                   *title, snaps[*at].as_of);
        return kExitErrors;
      }
      std::vector<std::string> names;
      std::string list;
      for (const auto& t : tables) {
        names.push_back(t.name);
        list += fmt::format("{}`{}`", list.empty() ? "" : ", ", t.name);
      }
      fmt::print(stderr, "healthc rollup: the snapshot of \"{}\" as of {} has no roll-up `{}`{}; its roll-ups: {}\n",
                 *title, snaps[*at].as_of, name, did_you_mean(name, names), list);
      return kExitErrors;
    }
    if (std::string e = history::rollup_out_of_range(*found); !e.empty()) {
      fmt::print(stderr, "healthc rollup: {}: the snapshot as of {} holds {}\n", path, snaps[*at].as_of, e);
      return kExitErrors;
    }
    RollupView view;
    view.scorecard = *title;
    view.as_of = snaps[*at].as_of;
    view.table = std::move(*found);
    // score_change is the store's (kept current when an earlier date is recorded later, so it
    // is what the rollup_groups view shows); the previous snapshot is read for the heading.
    const analysis::RollupTable* previous = nullptr;
    std::vector<analysis::RollupTable> before;
    if (*at > 0) {
      view.previous_as_of = snaps[*at - 1].as_of;
      before = store->rollups(snaps[*at - 1].id);
      for (const auto& t : before)
        if (t.name == name && t.by == view.table.by) previous = &t;
    }
    view.previous_has_rollup = previous != nullptr;
    std::string out;
    render_rollup(view, format, out);
    write_stdout(out);
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc rollup: {}: {}\n", path, e.what());
    return kExitErrors;
  }
  return kExitOk;
}

}  // namespace healthc::driver
