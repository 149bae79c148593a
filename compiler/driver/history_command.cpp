// `healthc history --store DB --account KEY`: every snapshot of one account, oldest first, with
// a sparkline of its score (rendering: history_report.h).
#include <fmt/format.h>

#include "compiler/driver/cli.h"
#include "compiler/driver/history_report.h"
#include "compiler/driver/store_reading.h"

namespace healthc::driver {

int run_history(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("store", po::value<std::string>()->required(), "the history store (written by `healthc score --store`)")
      ("account", po::value<std::string>()->required(), "the key of the account")
      ("scorecard", po::value<std::string>()->default_value(""), "the scorecard's title (needed when the store holds several)");
  const std::vector<Format> formats{Format::Text, Format::Csv, Format::Json};
  add_format_option(opts, formats, "text: a table and a sparkline");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("history",
                     "--store DB --account KEY [options]\n\nEvery snapshot of one account: date, score, change, band, "
                     "label, override and each measure's score.\nExit 0 on success, 1 when the store, scorecard or "
                     "account is not there, 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("history", vm, formats, chosen, code)) return code;
  const HistoryFormat format = to_history_format(chosen);
  auto store = open_store_for_reading("history", vm["store"].as<std::string>());
  if (!store) return kExitErrors;
  try {
    const auto title = choose_scorecard("history", *store, vm["scorecard"].as<std::string>());
    if (!title) return kExitErrors;
    const std::string key = vm["account"].as<std::string>();
    const history::AccountHistory h = store->account_history(*title, key);
    if (h.entries.empty()) {
      fmt::print(stderr, "healthc history: no account `{}` in any snapshot of \"{}\"\n", key, *title);
      return kExitErrors;
    }
    std::vector<std::string> dates;
    for (const auto& info : store->snapshots(*title)) dates.push_back(info.as_of);
    write_stdout(render_history(h, *title, key, format, dates));
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc history: {}: {}\n", vm["store"].as<std::string>(), e.what());
    return kExitErrors;
  }
  return kExitOk;
}

}  // namespace healthc::driver
