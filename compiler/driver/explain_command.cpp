// `healthc explain CARD DATA --account KEY`: one account's score, node by node. Reads through
// the pipeline into a sink that stops at the account; the breakdown is runtime/analysis/explain.h.
// A rejected account is reported with the reader's reason and line, not as "no account".
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/driver/scoring_options.h"
#include "runtime/analysis/explain.h"
#include "runtime/io/csv_scan.h"
#include "runtime/io/record_reader.h"
#include "runtime/pipeline/find_sink.h"

namespace healthc::driver {
namespace {

// The cells of one CSV record (header or row); empty when it does not scan.
std::vector<std::string> csv_cells(const std::string& raw, char delim) {
  rt::csv::CellList cells;
  rt::csv::RecordSpan rec;
  std::vector<std::string> out;
  if (rt::csv::scan_record(raw.data(), raw.data() + raw.size(), true, cells, rec, delim) != rt::csv::Scan::Record)
    return out;
  for (const rt::csv::Cell& c : cells) {
    std::string s;
    if (c.escaped) rt::csv::unescape(c, s);
    else s.assign(c.begin, c.end);
    out.push_back(std::move(s));
  }
  return out;
}

// How to read the key out of a rejected record: its key column (CSV) or member (JSON Lines).
// A record too broken to show its key is not matched: no guess at which account it was.
std::function<std::optional<std::string>(const std::string&)> key_reader(const std::string& header, char delim,
                                                                         const std::string& key_name) {
  if (header.empty())
    return [key_name](const std::string& raw) -> std::optional<std::string> {
      const auto j = nlohmann::json::parse(raw, nullptr, false);
      if (!j.is_object() || !j.contains(key_name)) return std::nullopt;
      const auto& v = j[key_name];
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number_integer()) return v.dump();
      return std::nullopt;
    };
  std::string h = header;
  if (h.rfind("\xEF\xBB\xBF", 0) == 0) h.erase(0, 3);  // a byte-order mark
  const std::vector<std::string> names = csv_cells(h, delim);
  size_t column = names.size();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == key_name) column = i;
  if (column == names.size()) return nullptr;
  return [column, delim](const std::string& raw) -> std::optional<std::string> {
    const std::vector<std::string> cells = csv_cells(raw, delim);
    if (column >= cells.size()) return std::nullopt;
    return cells[column];
  };
}

}  // namespace

int run_explain(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts: CSV or JSON Lines; - for stdin")
      ("account", po::value<std::string>()->required(), "the key of the account to explain");
  const std::vector<Format> formats{Format::Text, Format::Json};
  add_format_option(opts, formats, "json: one object, numbers at full precision");
  add_scoring_options(opts);
  add_data_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1).add("data", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("explain",
                     "CARD DATA --account KEY [options]\n\nShows how one account's score comes about: each node's "
                     "value, score, weight, effective weight\nand points lost, the weighted score before any override, "
                     "the override, score, band, label\nand reasons. Exit 0 when the account was found, 1 when it is "
                     "not in DATA or its row was\nrejected (the reason is printed), 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format format;
  if (!read_format("explain", vm, formats, format, code)) return code;
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
  const ir::Program& p = card->program();
  rt::ReaderSource source(*reader, /*split=*/false);
  rt::FindKeySink find(p.key_field, key);
  find.reject_key = key_reader(reader->header_text(),
                               reading.delimiter ? reading.delimiter : rt::delimiter_from_path(data),
                               p.fields[p.key_field].name);
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
  const std::string shown = data == "-" ? "<stdin>" : data;
  if (find.found) {
    const analysis::Explanation e = analysis::explain(p, find.scores, find.row, key);
    fmt::print("{}", format == Format::Json ? analysis::explain_json(e) : analysis::explain_text(e));
    return kExitOk;
  }
  if (find.rejected) {
    if (format == Format::Json)
      fmt::print("{}\n", nlohmann::json{{"account", key},
                                        {"rejected", {{"file", shown}, {"line", find.rejected->line},
                                                      {"reason", find.rejected->reason}}}}
                             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    fmt::print(stderr, "healthc explain: account `{}` was rejected, not scored: {}:{}: {}\n", key, shown,
               find.rejected->line, find.rejected->reason);
    return kExitErrors;
  }
  fmt::print(stderr, "healthc explain: no account `{}` in {}\n", key, data);
  return kExitErrors;
}

}  // namespace healthc::driver
