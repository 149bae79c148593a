// `healthc compile CARD --emit ir|llvm|llvm-raw|asm`: shows what each stage made;
// `--emit obj|shared -o FILE`: writes an ahead-of-time artefact (compiler/jit/aot.h);
// `--emit sql --dialect D`: the card as one SQL query (compile_sql.cpp); `--emit history-export`:
// the SQLite query that exports the card's history table from a store (for `--history`).
#include <fmt/format.h>

#include "compiler/driver/scoring_options.h"
#include "compiler/jit/plugin_api.h"
#include "compiler/sql/sql.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {

int run_compile_sql(const po::variables_map& vm, const Scorecard& card);

int run_compile(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("card", po::value<std::string>()->required(), "the scorecard (.health)")
      ("emit", po::value<std::string>()->default_value("ir"),
       "`ir` (scoring IR), `llvm` (optimised LLVM IR), `llvm-raw` (before optimisation), `asm`, or an "
       "ahead-of-time artefact: `obj` (object file) or `shared` (shared object, linked with $CC or cc)")
      ("output,o", po::value<std::string>(), "where --emit obj|shared writes the artefact")
      ("cpu", po::value<std::string>()->default_value(jit::kDefaultAotCpu),
       "the CPU an artefact runs on: `x86-64-v2`, `x86-64-v3` (AVX2), `x86-64-v4` (AVX-512) or `native` (this "
       "machine's); machines without the level's features refuse the artefact")
      ("dialect", po::value<std::string>(), "--emit sql: `duckdb`, `postgres`, `clickhouse` or `spark`")
      ("table", po::value<std::string>()->default_value("accounts"), "--emit sql: the table of accounts the query reads")
      ("explain", po::bool_switch(), "--emit sql: add each measure's value, score and weight columns")
      ("history", po::value<std::string>(),
       "--emit sql: the history table `previous`, `change` and alerts read (one row per snapshot and account; "
       "`--emit history-export` writes the query that exports it from a store)")
      ("dbt", po::value<std::string>(), "--emit sql: write a dbt model (DIR/CARD.sql, reading {{ ref(TABLE) }}) and DIR/schema.yml");
  add_scoring_options(opts);
  po::positional_options_description pos;
  pos.add("card", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("compile",
                     "CARD [--emit ir|llvm|llvm-raw|asm]\n"
                     "       healthc compile CARD --emit sql --dialect duckdb|postgres|clickhouse|spark [--table T]\n"
                     "         [--as-of YYYY-MM-DD] [--explain] [--history TABLE] [--dbt DIR]\n"
                     "       healthc compile CARD --emit history-export   (SQLite over a store: the --history table)\n"
                     "       healthc compile CARD --emit obj|shared -o FILE [--cpu LEVEL] [--param NAME=VALUE]...\n\n"
                     "Prints a stage's output for CARD, or writes an ahead-of-time compiled artefact that\n"
                     "`healthc score FILE DATA` and hc_load read without a compiler.",
                     opts, pos, args, vm, code))
    return code;
  const std::string emit = vm["emit"].as<std::string>();
  const bool artefact = emit == "obj" || emit == "shared";
  const bool sql = emit == "sql";
  const bool history_export = emit == "history-export";
  if (!artefact && !sql && !history_export && emit != "ir" && emit != "llvm" && emit != "llvm-raw" && emit != "asm")
    return usage_error("compile",
                       "--emit must be `ir`, `llvm`, `llvm-raw`, `asm`, `obj`, `shared`, `sql` or `history-export`");
  if (!sql && (vm.count("dialect") || vm.count("dbt") || vm.count("history") || vm["explain"].as<bool>() ||
               !vm["table"].defaulted()))
    return usage_error("compile", "--dialect, --table, --explain, --history and --dbt are for --emit sql");
  if (artefact && !vm.count("output")) return usage_error("compile", "--emit " + emit + " needs -o FILE");
  if (!artefact && vm.count("output")) return usage_error("compile", "-o is for --emit obj|shared");
  const std::string cpu = vm["cpu"].as<std::string>();
  if (!jit::is_aot_cpu(cpu))
    return usage_error("compile", "--cpu must be `native`, `x86-64-v2`, `x86-64-v3` or `x86-64-v4`");
  if (!artefact && !vm["cpu"].defaulted()) return usage_error("compile", "--cpu is for --emit obj|shared");
  // An artefact needs only the program, not the JIT's code for it.
  auto card = load_scorecard("compile", vm, code, false, !artefact && !sql);
  if (!card) return code;
  if (history_export) {
    fmt::print("{}", sql::history_export(card->program()));
    return kExitOk;
  }
  std::string plugin_error;
  const jit::Api* jit = emit == "ir" ? nullptr : jit::api(plugin_error);
  if (emit != "ir" && !jit) {
    fmt::print(stderr, "healthc compile: {}\n", plugin_error);
    return kExitErrors;
  }
  if (artefact) {
    jit::ArtefactOptions options;
    options.kind = emit == "obj" ? jit::ArtefactKind::Object : jit::ArtefactKind::Shared;
    options.cpu = cpu;
    const std::string out = vm["output"].as<std::string>();
    if (out == "-") return usage_error("compile", "an artefact is binary: -o needs a file, not standard output");
    if (std::string clash = rt::check_distinct({{"CARD", vm["card"].as<std::string>()}}, {{"-o", out}});
        !clash.empty())
      return usage_error("compile", clash);
    jit::ArtefactResult r = jit->write_artefact(card->program(), options, out);
    for (const std::string& note : r.notes) fmt::print(stderr, "healthc compile: note: {}\n", note);
    if (!r.error.empty()) {
      fmt::print(stderr, "healthc compile: {}\n", r.error);
      return kExitErrors;
    }
    return kExitOk;
  }
  if (sql) return run_compile_sql(vm, *card);
  if (emit == "ir") fmt::print("{}", ir::print(card->program()));
  else
    fmt::print("{}", jit->emit_text(card->program(), emit == "asm"        ? jit::Emit::Asm
                                                     : emit == "llvm-raw" ? jit::Emit::LlvmUnoptimized
                                                                          : jit::Emit::Llvm,
                                    jit::Variant::Detail));
  return kExitOk;
}

}  // namespace healthc::driver
