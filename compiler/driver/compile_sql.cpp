// `healthc compile CARD --emit sql --dialect D [--table T] [--as-of D] [--explain] [--history H] [--dbt DIR]`:
// the card as one SQL query (compiler/sql/), printed, or written as a dbt model and its
// schema.yml. What the dialect cannot compute is reported as diagnostics at the declaration.
#include <fmt/format.h>

#include <filesystem>

#include "compiler/diag/render.h"
#include "compiler/driver/scoring_options.h"
#include "compiler/sql/sql.h"
#include "runtime/io/cell_parse.h"
#include "runtime/io/output_file.h"

namespace healthc::driver {
namespace {

// Where the declaration `kind name` is in the card, for the diagnostic's caret.
SourceRange declaration_range(const ast::Scorecard& card, const sql::Unsupported& u) {
  auto find = [&](const auto& items) -> SourceRange {
    for (const auto& item : items)
      if (item.name.text == u.declaration) return item.name.range;
    return {};
  };
  if (u.declaration_kind == "measure") return find(card.measures);
  if (u.declaration_kind == "override") return find(card.overrides);
  if (u.declaration_kind == "label") return find(card.labels);
  if (u.declaration_kind == "alert") return find(card.alerts);
  return {};
}

bool write_text(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int run_compile_sql(const po::variables_map& vm, const Scorecard& card) {
  if (!vm.count("dialect")) return usage_error("compile", "--emit sql needs --dialect duckdb|postgres|clickhouse|spark");
  std::optional<sql::Dialect> dialect = sql::parse_dialect(vm["dialect"].as<std::string>());
  if (!dialect) return usage_error("compile", "--dialect must be `duckdb`, `postgres`, `clickhouse` or `spark`");
  sql::Options options;
  options.dialect = *dialect;
  options.explain = vm["explain"].as<bool>();
  const std::string table = vm["table"].as<std::string>();
  const bool dbt = vm.count("dbt") > 0;
  options.table = dbt ? fmt::format("{{{{ ref('{}') }}}}", table) : table;
  if (vm.count("history")) {
    const std::string history = vm["history"].as<std::string>();
    if (history.empty()) return usage_error("compile", "--history needs the name of a table");
    options.history = dbt ? fmt::format("{{{{ ref('{}') }}}}", history) : history;
  }
  if (vm.count("as-of")) {
    std::optional<int64_t> d = rt::parse_date(vm["as-of"].as<std::string>());
    if (!d) return usage_error("compile", "--as-of must be a date, YYYY-MM-DD");
    options.as_of_days = *d;
  }
  const ir::Program& program = card.program();
  sql::Result r = sql::emit(program, options);
  if (!r.unsupported.empty()) {
    const FrontendResult* src = card.source();
    const std::string path = vm["card"].as<std::string>();
    DiagnosticList diags;
    for (const sql::Unsupported& u : r.unsupported) {
      const SourceRange range = src ? declaration_range(src->card, u) : SourceRange{};
      if (u.kind == DiagKind::SqlAlertUnsupported) diags.report(u.kind, range, u.args.at(0));
      else diags.report(u.kind, range, u.args.at(0), u.args.at(1));
    }
    for (const Diagnostic& d : diags.items()) {
      if (src && src->file) fmt::print(stderr, "{}", render_text(*src->file, d, RenderOptions{use_color("auto", stderr)}));
      else fmt::print(stderr, "{}: error[{}]: {}\n", path, d.code, d.message);
    }
    fmt::print(stderr, "healthc compile: the card cannot be written as {} SQL ({} error{})\n",
               sql::dialect_name(options.dialect), diags.items().size(), diags.items().size() == 1 ? "" : "s");
    return kExitErrors;
  }
  if (!dbt) {
    fmt::print("{}", r.sql);
    return kExitOk;
  }
  const std::filesystem::path dir = vm["dbt"].as<std::string>();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string model = std::filesystem::path(vm["card"].as<std::string>()).stem().string();
  const std::string sql_path = (dir / (model + ".sql")).string(), yml_path = (dir / "schema.yml").string();
  const std::string header = fmt::format("-- dbt model written by `healthc compile {} --emit sql --dbt`; reads {{{{ ref('{}') }}}}\n",
                                         vm["card"].as<std::string>(), table);
  if (ec || !write_text(sql_path, header + r.sql) ||
      !write_text(yml_path, sql::dbt_schema(program, model, options.explain))) {
    fmt::print(stderr, "healthc compile: cannot write the dbt model into `{}`\n", dir.string());
    return kExitErrors;
  }
  fmt::print(stderr, "healthc compile: wrote {} and {}\n", sql_path, yml_path);
  return kExitOk;
}

}  // namespace healthc::driver
