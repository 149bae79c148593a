// Shared option handling for the scoring commands.
#include "compiler/driver/scoring_options.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "runtime/aot/artefact.h"
#include "runtime/io/cell_parse.h"

namespace healthc::driver {

void add_scoring_options(po::options_description& opts) {
  opts.add_options()
      ("param", po::value<std::vector<std::string>>()->composing(), "override a param: NAME=VALUE (repeatable)")
      ("as-of", po::value<std::string>(), "the as-of date for days_since (YYYY-MM-DD; default today, UTC)")
      ("engine", po::value<std::string>()->default_value("jit"), "`jit` (native code) or `eval` (reference evaluator)")
      ("no-cache", po::bool_switch(), "compile afresh, bypassing the compiled-code cache (HEALTHC_CACHE_DIR)");
}

void add_data_options(po::options_description& opts) {
  opts.add_options()
      ("input-format", po::value<std::string>(),
       "input format: `csv` or `jsonl` (default: from DATA's extension; stdin: `{` first means jsonl)")
      ("delimiter", po::value<std::string>(), "CSV cell delimiter: one character, or `tab` (default: tab for .tsv, else `,`)")
      ("null", po::value<std::vector<std::string>>()->composing(),
       "a cell that means missing, as an empty one does: NA, NULL, - (repeatable)");
}

bool data_reading(const std::string& command, const po::variables_map& vm, rt::DataReading& out, int& exit_code) {
  out = rt::DataReading{};
  if (vm.count("input-format")) {
    const std::string f = vm["input-format"].as<std::string>();
    if (f == "jsonl") out.format = rt::DataFormat::JsonLines;
    else if (f == "csv") out.format = rt::DataFormat::Csv;
    else {
      exit_code = usage_error(command, "--input-format must be `csv` or `jsonl`");
      return false;
    }
  }
  if (vm.count("delimiter")) {
    const std::string d = vm["delimiter"].as<std::string>();
    const char c = d == "tab" || d == "\\t" ? '\t' : d.size() == 1 ? d[0] : '\0';
    // A byte past ASCII is part of a UTF-8 character: splitting on it would cut characters.
    if (c == '\0' || c == '"' || c == '\n' || c == '\r' || static_cast<unsigned char>(c) >= 0x80) {
      exit_code = usage_error(command,
                              "--delimiter must be one ASCII character other than a quote or a line break, or `tab`");
      return false;
    }
    out.delimiter = c;
  }
  if (vm.count("null")) {
    out.null_cells = vm["null"].as<std::vector<std::string>>();
    for (const std::string& n : out.null_cells)
      if (n.empty()) {
        exit_code = usage_error(command, "--null takes a non-empty text: an empty cell is missing already");
        return false;
      }
  }
  return true;
}

void add_outcome_options(po::options_description& opts) {
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("data", po::value<std::string>()->required(), "accounts with an outcome column: CSV or JSON Lines")
      ("outcome", po::value<std::string>()->required(), "the 0/1 outcome column (churned, renewed, ...)")
      ("positive", po::value<std::string>()->default_value("low"),
       "where outcome 1 is expected: `low` scores (churned: the default) or `high` scores (renewed)")
      ("positive-value", po::value<std::string>(),
       "the outcome text that means 1 (Churned, Renewed); every other text is 0 (default: the bools "
       "true/false, yes/no, 1/0)");
}

namespace {

// Commands that rewrite or re-read the card's text cannot work from a compiled artefact.
bool needs_source(const std::string& command) { return command == "tune"; }

std::string needs_source_message(const std::string& command, const std::string& path) {
  return fmt::format("`{}` is a compiled scorecard; `healthc {}` needs the card's source: pass the .health file", path,
                     command);
}

// CARD is an ahead-of-time artefact (healthc compile --emit shared): its program and native
// code come from the file; params were fixed when it was compiled.
std::shared_ptr<const Scorecard> load_artefact_card(const std::string& command, const po::variables_map& vm,
                                                    const std::string& path, bool evaluator, int& exit_code) {
  if (needs_source(command)) {
    exit_code = usage_error(command, needs_source_message(command, path));
    return nullptr;
  }
  if (vm.count("param")) {
    exit_code = usage_error(command, fmt::format("`{}` is a compiled scorecard, whose params were fixed when it "
                                                 "was compiled: pass --param to `healthc compile`, or score the "
                                                 ".health file",
                                                 path));
    return nullptr;
  }
  aot::LoadResult r = aot::load_artefact(path);
  if (!r.scorecard) {
    fmt::print(stderr, "healthc {}: {}\n", command, r.error);
    exit_code = kExitErrors;
    return nullptr;
  }
  for (const std::string& note : r.notes) fmt::print(stderr, "healthc {}: note: {}\n", command, note);
  // --engine eval: the artefact's own program, scored by the reference evaluator.
  if (evaluator) return Scorecard::make(r.scorecard->program(), nullptr, Engine::Evaluator, {});
  return std::move(r.scorecard);
}

// Artefacts are recognised by content; a name that says artefact but a content that is not
// one is refused as such (the loader says why) rather than parsed as a card's source.
bool names_artefact(const std::string& path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".so") || ends(".o");
}

}  // namespace

std::shared_ptr<const Scorecard> load_scorecard(const std::string& command, const po::variables_map& vm,
                                                int& exit_code, bool eager_detail, bool native, std::string* card_text) {
  CompileOptions options;
  options.eager_detail = eager_detail;
  options.use_cache = !vm["no-cache"].as<bool>() && std::getenv("HEALTHC_NO_CACHE") == nullptr;
  const std::string engine = vm["engine"].as<std::string>();
  if (engine != "jit" && engine != "eval") {
    exit_code = usage_error(command, "--engine must be `jit` or `eval`");
    return nullptr;
  }
  if (engine == "eval" || !native) options.engine = Engine::Evaluator;
  if (vm.count("param")) {
    for (const std::string& p : vm["param"].as<std::vector<std::string>>()) {
      const auto eq = p.find('=');
      std::optional<double> v = eq == std::string::npos ? std::nullopt : rt::parse_number(p.substr(eq + 1));
      if (!v) {
        exit_code = usage_error(command, fmt::format("--param `{}` is not NAME=NUMBER", p));
        return nullptr;
      }
      options.params.emplace_back(p.substr(0, eq), *v);
    }
  }
  const std::string card = vm["card"].as<std::string>();
  if (aot::is_artefact(card) || names_artefact(card))
    return load_artefact_card(command, vm, card, engine == "eval", exit_code);
  if (card_text) card_text->clear();
  CompileOutcome out = card_text ? compile_scorecard_cached(card, options, *card_text) : compile_scorecard(card, options);
  if (!out.error.empty()) {
    exit_code = out.error.rfind("the scorecard has no param", 0) == 0 ? usage_error(command, out.error) : kExitErrors;
    if (exit_code == kExitErrors) fmt::print(stderr, "healthc {}: {}\n", command, out.error);
    return nullptr;
  }
  if (!out.scorecard) {
    print_diagnostics(*out.front, card, DiagFormat::Text, use_color("auto", stderr));
    fmt::print(stderr, "healthc {}: `{}` has errors; nothing was scored\n", command, card);
    exit_code = kExitErrors;
    return nullptr;
  }
  for (const std::string& note : out.notes) fmt::print(stderr, "healthc {}: note: {}\n", command, note);
  return out.scorecard;
}

void note_past_missing(const std::string& command, const std::string& card_path, const ir::Program& program) {
  if (program.history.empty()) return;
  fmt::print(stderr, "healthc {}: note: `{}` reads the past (previous, change) but the run has no --store: those "
                     "values are missing\n",
             command, card_path);
}

bool refuse_compiled_card(const std::string& command, const std::string& path) {
  if (!aot::is_artefact(path)) return false;
  fmt::print(stderr, "healthc {}: {}\n", command, needs_source_message(command, path));
  return true;
}

bool as_of_days(const po::variables_map& vm, double& days) {
  if (!vm.count("as-of")) {
    const auto now = std::chrono::system_clock::now();
    days = static_cast<double>(std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count());
    return true;
  }
  std::optional<int64_t> d = rt::parse_date(vm["as-of"].as<std::string>());
  if (!d) return false;
  days = static_cast<double>(*d);
  return true;
}

std::string params_json(const po::variables_map& vm) {
  nlohmann::json j = nlohmann::json::object();
  if (vm.count("param"))
    for (const std::string& p : vm["param"].as<std::vector<std::string>>()) {
      const auto eq = p.find('=');
      if (eq == std::string::npos) continue;
      if (std::optional<double> v = rt::parse_number(p.substr(eq + 1))) j[p.substr(0, eq)] = *v;
    }
  return j.dump();
}

std::FILE* open_input(const std::string& path, std::string& error) {
  if (path == "-") return stdin;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
  return f;
}

}  // namespace healthc::driver
