// `healthc lint FILE... [--data DATA]`: the rule catalogue of compiler/lint/ over scorecards that
// check clean; a card with errors gets its errors, as `healthc check` prints them, and no lint.
// With --data, each card is also compiled (JIT, through the embedding API) and scores DATA block
// by block; the data rules (W6xx) read what that showed, and a summary follows the findings.
// With --store, the store rules (W7xx) read the snapshots the store holds of each card's title.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "compiler/diag/render.h"
#include "compiler/diag/sarif.h"
#include "compiler/driver/cli.h"
#include "compiler/driver/report.h"
#include "compiler/driver/scoring_options.h"
#include "compiler/lint/data_profile.h"
#include "compiler/lint/lint.h"
#include "runtime/history/store.h"
#include "runtime/io/cell_parse.h"

namespace healthc::driver {
namespace {

// Keep in step with `healthc --version` (main.cpp).
constexpr const char* kVersion = "0.1.0";
// Where SARIF viewers send a reader; each rule's help is a section of docs/lint.md there.
constexpr const char* kInformationUri = "https://github.com/healthc/healthc";
constexpr const char* kLintDocsUri = "https://github.com/healthc/healthc/blob/main/docs/lint.md";
// Rejected data rows shown on stderr, per card; the summary counts all of them.
constexpr size_t kShownRejects = 10;

SarifTool sarif_tool() {
  SarifTool tool{"healthc", kVersion, kInformationUri, {}};
  for (const lint::Rule& r : lint::rules()) {
    const DiagKindInfo& k = info(r.kind);
    tool.rules.push_back(SarifRule{std::string(k.code), std::string(r.name), std::string(r.summary),
                                   std::string(r.rationale), fmt::format("{}#{}", kLintDocsUri, r.anchor),
                                   k.severity});
  }
  return tool;
}

std::string plural(size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); }

// Prints `shown` for a card, or the card's read error.
void print_findings(const FrontendResult& front, const DiagnosticList& shown, const std::string& path,
                    DiagFormat format, bool color) {
  if (!front.file) {
    print_diagnostics(front, path, format, color);
    return;
  }
  for (const Diagnostic& d : shown.items()) {
    if (format == DiagFormat::Json) fmt::print("{}\n", render_json(*front.file, d));
    else fmt::print(stderr, "{}", render_text(*front.file, d, RenderOptions{color}));
  }
}

double ratio(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : NAN;
}

// What --data gave a card: the profile and where it came from.
struct DataRun {
  std::string data_name;  // as shown ("<stdin>" for -)
  double as_of = 0;
  rt::DataReading reading;  // --input-format, --delimiter, --null
};

// The text summary: accounts, then a table each for segments, measures, bands and overrides.
std::string summary_text(const ir::Program& p, const lint::DataProfile& d, const std::string& card,
                         const DataRun& run) {
  std::string o = fmt::format("{} on {}, as of {}\n", card, run.data_name, rt::date_text(static_cast<int64_t>(run.as_of)));
  o += fmt::format("  accounts: {} read, {} scored, {} unscored, {} rejected\n", d.read(), d.scored, d.unscored(),
                   d.rejected);
  if (d.accepted < lint::kMinAccounts)
    o += fmt::format("  too few accounts for the data rules: they need at least {}\n", lint::kMinAccounts);

  o += heading("Segments", ReportFormat::Text);
  Table seg{{"segment", "accounts", "share"}, {}, ""};
  for (size_t i = 0; i < d.segments.size(); ++i)
    seg.rows.push_back({i < p.segments.size() ? p.segments[i].name : "default", fmt::format("{}", d.segments[i]),
                        fmt_pct(ratio(d.segments[i], d.accepted))});
  o += render_table(seg, ReportFormat::Text);

  o += heading("Measures (accounts whose model uses the measure; scores of those it scores)", ReportFormat::Text);
  Table ms{{"measure", "accounts", "unscored", "min", "mean", "max"}, {}, ""};
  for (size_t i = 0; i < d.measures.size(); ++i) {
    const lint::MeasureProfile& m = d.measures[i];
    const bool any = m.scored > 0;
    ms.rows.push_back({p.measures[i].name, m.in_some_model ? fmt::format("{}", m.in_model) : "in no model",
                       fmt_pct(ratio(m.unscored(), m.in_model)), any ? fmt_fixed(m.min, 1) : "-",
                       fmt_fixed(m.mean(), 1), any ? fmt_fixed(m.max, 1) : "-"});
  }
  o += render_table(ms, ReportFormat::Text);

  o += heading("Bands", ReportFormat::Text);
  Table bands{{"band", "scores", "accounts", "share"}, {}, "lrrr"};
  for (size_t i = 0; i < d.bands.size(); ++i) {
    const bool unscored = i == p.bands.size();
    if (unscored && d.bands[i] == 0) continue;
    bands.rows.push_back({unscored ? "unscored" : p.bands[i].name,
                          unscored ? "-" : fmt::format("{}-{}", p.bands[i].from, p.bands[i].to),
                          fmt::format("{}", d.bands[i]), fmt_pct(ratio(d.bands[i], d.accepted))});
  }
  o += render_table(bands, ReportFormat::Text);

  if (!d.overrides.empty()) {
    o += heading("Overrides (fired: the first override that held; share of the accounts it can apply to)",
                 ReportFormat::Text);
    Table ov{{"override", "can apply", "fired", "share"}, {}, ""};
    for (size_t i = 0; i < d.overrides.size(); ++i)
      ov.rows.push_back({p.overrides[i].name, fmt::format("{}", d.overrides[i].eligible),
                         fmt::format("{}", d.overrides[i].fired),
                         fmt_pct(ratio(d.overrides[i].fired, d.overrides[i].eligible))});
    o += render_table(ov, ReportFormat::Text);
  }

  if (!d.rollups.empty()) {
    o += heading("Roll-ups (groups of the accounts; the weight field's missing share)", ReportFormat::Text);
    Table ru{{"rollup", "groups", "largest", "weight", "missing"}, {}, "lrrlr"};
    for (size_t i = 0; i < d.rollups.size() && i < p.rollups.size(); ++i) {
      const lint::RollupProfile& r = d.rollups[i];
      const bool weighted = p.rollups[i].weight >= 0;
      ru.rows.push_back({p.rollups[i].name, fmt::format("{}", r.groups), fmt::format("{}", r.largest_group),
                         weighted ? p.fields[static_cast<size_t>(p.rollups[i].weight)].name : "-",
                         weighted ? fmt_pct(ratio(r.weight_missing, r.accounts)) : "-"});
    }
    o += render_table(ru, ReportFormat::Text);
  }
  return o;
}

// The JSON summary: one object `{"summary": {...}}` on a line.
std::string summary_json(const ir::Program& p, const lint::DataProfile& d, const std::string& card,
                         const DataRun& run) {
  using nlohmann::json;
  auto share = [](uint64_t part, uint64_t whole) -> json {
    if (!whole) return nullptr;
    return static_cast<double>(part) / static_cast<double>(whole);
  };
  json s;
  s["file"] = card;
  s["data"] = run.data_name;
  s["as_of"] = rt::date_text(static_cast<int64_t>(run.as_of));
  s["accounts"] = {{"read", d.read()}, {"scored", d.scored}, {"unscored", d.unscored()}, {"rejected", d.rejected}};
  json segs = json::array();
  for (size_t i = 0; i < d.segments.size(); ++i)
    segs.push_back({{"name", i < p.segments.size() ? p.segments[i].name : "default"},
                    {"accounts", d.segments[i]},
                    {"share", share(d.segments[i], d.accepted)}});
  s["segments"] = std::move(segs);
  json ms = json::array();
  for (size_t i = 0; i < d.measures.size(); ++i) {
    const lint::MeasureProfile& m = d.measures[i];
    const bool any = m.scored > 0;
    ms.push_back({{"name", p.measures[i].name},
                  {"in_some_model", m.in_some_model},
                  {"accounts", m.in_model},
                  {"unscored", m.unscored()},
                  {"unscored_share", share(m.unscored(), m.in_model)},
                  {"min", any ? json(m.min) : json(nullptr)},
                  {"mean", any ? json(m.mean()) : json(nullptr)},
                  {"max", any ? json(m.max) : json(nullptr)}});
  }
  s["measures"] = std::move(ms);
  json bands = json::array();
  for (size_t i = 0; i < d.bands.size(); ++i)
    bands.push_back({{"name", i < p.bands.size() ? p.bands[i].name : "unscored"},
                     {"accounts", d.bands[i]},
                     {"share", share(d.bands[i], d.accepted)}});
  s["bands"] = std::move(bands);
  json ov = json::array();
  for (size_t i = 0; i < d.overrides.size(); ++i)
    ov.push_back({{"name", p.overrides[i].name},
                  {"eligible", d.overrides[i].eligible},
                  {"fired", d.overrides[i].fired},
                  {"share", share(d.overrides[i].fired, d.overrides[i].eligible)}});
  s["overrides"] = std::move(ov);
  if (!d.rollups.empty()) {
    json ru = json::array();
    for (size_t i = 0; i < d.rollups.size() && i < p.rollups.size(); ++i) {
      const lint::RollupProfile& r = d.rollups[i];
      const bool weighted = p.rollups[i].weight >= 0;
      ru.push_back({{"name", p.rollups[i].name},
                    {"groups", r.groups},
                    {"largest_group", r.largest_group},
                    {"weight", weighted ? json(p.fields[static_cast<size_t>(p.rollups[i].weight)].name) : json(nullptr)},
                    {"weight_missing", r.weight_missing},
                    {"weight_missing_share", weighted ? share(r.weight_missing, r.accounts) : json(nullptr)}});
    }
    s["rollups"] = std::move(ru);
  }
  return json{{"summary", std::move(s)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Scores DATA with `card` into `profile`, printing rejected rows. False (with the reason
// printed) when the data cannot be read.
bool profile_card(const Scorecard& card, const std::string& data, const DataRun& run, lint::DataProfile& profile) {
  std::string err;
  std::FILE* in = open_input(data, err);
  if (!in) {
    fmt::print(stderr, "healthc lint: {}\n", err);
    return false;
  }
  auto reader = rt::open_data_reader(run.reading, data, in, card.schema());
  lint::ProfileOptions po;
  po.as_of = run.as_of;
  size_t shown = 0;
  po.on_reject = [&](const rt::Reject& r) {
    if (shown++ < kShownRejects) fmt::print(stderr, "{}:{}: rejected: {}\n", run.data_name, r.line, r.reason);
  };
  const bool ok = lint::profile_data(card, *reader, po, profile, err);
  if (in != stdin) std::fclose(in);
  if (!ok) {
    fmt::print(stderr, "healthc lint: {}: {}\n", run.data_name, err);
    return false;
  }
  if (shown > kShownRejects)
    fmt::print(stderr, "{}: ... and {} more rejected rows\n", run.data_name, shown - kShownRejects);
  return true;
}

// The snapshots `store` holds of the card's title, for the store rules; false (a message printed)
// when the store cannot be read. A store without the title is no error: the rules find nothing.
bool profile_store(const std::string& store, const std::string& title, double as_of, lint::StoreProfile& out) {
  try {
    const auto db = history::Store::open(store, history::Store::Mode::ReadOnly);
    out.title = title;
    out.as_of = static_cast<int32_t>(as_of);
    for (const history::SnapshotInfo& s : db->snapshots(title)) out.snapshot_days.push_back(s.as_of_days);
    if (out.snapshot_days.empty())
      fmt::print(stderr, "healthc lint: note: {} has no snapshot of \"{}\": the store rules (W7xx) have nothing to read\n",
                 store, title);
    return true;
  } catch (const history::StoreError& e) {
    fmt::print(stderr, "healthc lint: {}: {}\n", store, e.what());
    return false;
  }
}

}  // namespace

int run_lint(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("files", po::value<std::vector<std::string>>()->required(), "scorecard files (.health); - for stdin")
      ("data", po::value<std::string>(),
       "score this data file (CSV or JSON Lines; - for stdin) with each card, add the data rules (W6xx) and "
       "a summary")
      ("store", po::value<std::string>(),
       "a history store (healthc score --store): add the store rules (W7xx), which compare the card's "
       "`change` windows with the snapshots it holds of the card's title")
      ("as-of", po::value<std::string>(),
       "with --data or --store: the as-of date of the run (YYYY-MM-DD; default today, UTC)")
      ("werror", po::bool_switch(), "exit 1 when there are warnings, not only errors")
      ("color", po::value<std::string>()->default_value("auto"), "`auto`, `always` or `never`")
      ("quiet,q", po::bool_switch(), "no `N files linted` line (a --data summary still prints)");
  add_data_options(opts);
  const std::vector<Format> formats{Format::Text, Format::Json, Format::Sarif};
  add_format_option(opts, formats, "text on stderr; json (one object a line) and sarif (SARIF 2.1.0) on stdout");
  po::positional_options_description pos;
  pos.add("files", -1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("lint",
                     "FILE... [--data DATA] [--store DB] [--as-of DATE] [options]\n\nFinds mistakes that are not errors "
                     "(docs/lint.md lists the rules). With --data, also scores DATA\nwith each card and reports "
                     "what the accounts show (W6xx), then a summary; with --store, checks its `change`\nwindows against the snapshots the store holds (W7xx). A comment\n`# healthc-lint: "
                     "disable=W101,W204` on a finding's line or the line before silences those codes\nthere. "
                     "Exit 0 when clean, 1 on errors (or warnings with --werror), 2 on usage errors.",
                     opts, pos, args, vm, code))
    return code;
  Format chosen;
  if (!read_format("lint", vm, formats, chosen, code)) return code;
  const bool sarif = chosen == Format::Sarif;
  const DiagFormat format = chosen == Format::Json ? DiagFormat::Json : DiagFormat::Text;
  const std::string color_when = vm["color"].as<std::string>();
  if (color_when != "auto" && color_when != "always" && color_when != "never")
    return usage_error("lint", "--color must be `auto`, `always` or `never`");
  const bool color = use_color(color_when, stderr);
  const auto& files = vm["files"].as<std::vector<std::string>>();

  const std::optional<std::string> data =
      vm.count("data") ? std::optional<std::string>(vm["data"].as<std::string>()) : std::nullopt;
  DataRun run;
  const std::optional<std::string> store =
      vm.count("store") ? std::optional<std::string>(vm["store"].as<std::string>()) : std::nullopt;
  if (!data && !store && vm.count("as-of")) return usage_error("lint", "--as-of needs --data or --store");
  for (const char* option : {"input-format", "delimiter", "null"})  // they say how to read DATA
    if (!data && vm.count(option)) return usage_error("lint", fmt::format("--{} needs --data", option));
  if ((data || store) && !as_of_days(vm, run.as_of)) return usage_error("lint", "--as-of must be a date YYYY-MM-DD");
  if (data) {
    if (*data == "-" && (files.size() > 1 || files[0] == "-"))
      return usage_error("lint", "--data - (stdin) takes one FILE, and not one read from stdin");
    run.data_name = *data == "-" ? "<stdin>" : *data;
    if (!data_reading("lint", vm, run.reading, code)) return code;
  }
  CompileOptions compile_options;
  compile_options.eager_detail = true;  // the profile reads every measure's score
  compile_options.use_cache = std::getenv("HEALTHC_NO_CACHE") == nullptr;

  size_t errors = 0, warnings = 0, notes = 0;
  std::vector<std::unique_ptr<FrontendResult>> kept;  // the files SARIF results point into
  std::vector<std::shared_ptr<const Scorecard>> kept_cards;
  std::vector<SarifFile> sarif_files;
  for (const std::string& path : files) {
    if (refuse_compiled_card("lint", path)) {  // an artefact has no source to lint
      ++errors;
      continue;
    }
    std::unique_ptr<FrontendResult> owned;
    std::shared_ptr<const Scorecard> card;
    if (data) {
      CompileOutcome c = compile_scorecard(path, compile_options);
      if (!c.error.empty()) {  // not the card's fault: the JIT failed
        fmt::print(stderr, "healthc lint: {}: {}\n", path, c.error);
        ++errors;
        continue;
      }
      for (const std::string& note : c.notes) fmt::print(stderr, "healthc lint: note: {}\n", note);
      card = std::move(c.scorecard);
      owned = std::move(c.front);
    } else {
      owned = std::make_unique<FrontendResult>(run_frontend(path));
    }
    const FrontendResult& front = card ? *card->source() : *owned;

    std::optional<lint::DataProfile> profile;
    DiagnosticList shown;
    if (front.ok()) {
      if (card) {
        note_past_missing("lint", path, card->program());
        profile.emplace(card->program());
        if (!profile_card(*card, *data, run, *profile)) {
          profile.reset();
          ++errors;
        }
      }
      std::optional<lint::StoreProfile> past;
      if (store) {
        past.emplace();
        if (!profile_store(*store, front.card.title, run.as_of, *past)) {
          past.reset();
          ++errors;
        }
      }
      shown = lint::lint(front.card, front.checked.checked, *front.file, profile ? &*profile : nullptr,
                         past ? &*past : nullptr);
      for (const Diagnostic& d : front.diags.items()) shown.add(d);  // the front end's own warnings
      shown.sort_by_position();
    } else {
      shown = front.diags;
    }
    errors += front.file ? shown.count(Severity::Error) : 1;
    warnings += shown.count(Severity::Warning);
    notes += shown.count(Severity::Note);
    if (sarif) {
      sarif_files.push_back(SarifFile{path, front.file.get(), front.read_error, shown.items()});
      kept.push_back(std::move(owned));
      kept_cards.push_back(std::move(card));
      continue;
    }
    print_findings(front, shown, path, format, color);
    if (profile) {
      if (format == DiagFormat::Json) fmt::print("{}\n", summary_json(card->program(), *profile, path, run));
      else fmt::print("{}", summary_text(card->program(), *profile, path, run));
      std::fflush(stdout);
    }
  }
  if (sarif) fmt::print("{}", render_sarif(sarif_tool(), sarif_files));
  if (!sarif && format == DiagFormat::Text && !vm["quiet"].as<bool>()) {
    std::vector<std::string> parts;
    if (errors) parts.push_back(plural(errors, "error"));
    if (warnings) parts.push_back(plural(warnings, "warning"));
    if (notes) parts.push_back(plural(notes, "note"));
    fmt::print(stderr, "{} linted: {}\n", plural(files.size(), "file"),
               parts.empty() ? "no findings" : fmt::format("{}", fmt::join(parts, ", ")));
  }
  if (errors) return kExitErrors;
  if (warnings && vm["werror"].as<bool>()) return kExitErrors;
  return kExitOk;
}

}  // namespace healthc::driver
