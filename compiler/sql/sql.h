// The SQL backend: a scoring IR program as one readable SQL query (one CTE a stage) over a
// table of the card's fields, returning what `healthc score` prints. Reads only the IR; the
// semantics (missing values, redistribution, the pinned rounding) are the IR's instructions,
// translated one by one with SQL NULL standing for "missing".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace healthc::sql {

enum class Dialect { DuckDB, Postgres, ClickHouse, Spark };

std::optional<Dialect> parse_dialect(std::string_view name);
std::string_view dialect_name(Dialect d);

struct Options {
  Dialect dialect = Dialect::DuckDB;
  // The table read, as written into the FROM clause: a name (`accounts`, `db.accounts`) or,
  // for dbt, `{{ ref('accounts') }}`.
  std::string table = "accounts";
  // The as-of date in days since 1970-01-01; none: the dialect's parameter (docs/scale-out.md).
  std::optional<int64_t> as_of_days;
  bool explain = false;  // add M.value, M.score, M.weight for every measure
  // The history table the past is read from (`previous.*`, `change(...)`, alerts; one row per
  // snapshot and account, docs/scale-out.md "Reading the past"), as written into the FROM
  // clause; empty: none, and a card that reads the past is refused (E1000, E1001).
  std::string history;
};

// Something of the card the SQL cannot compute: the diagnostic's kind, the declaration it
// belongs to (`alert`, `measure`, `override`, `label`), its name, and the message's arguments.
struct Unsupported {
  DiagKind kind;
  std::string declaration_kind, declaration;
  std::vector<std::string> args;
};

struct Result {
  std::string sql;                       // empty when `unsupported` is not
  std::vector<Unsupported> unsupported;  // in file order of the declarations
};

Result emit(const ir::Program& program, const Options& options);

// A dbt schema.yml for the model `model` (the columns `emit` returns, described from the
// card's titles).
std::string dbt_schema(const ir::Program& program, const std::string& model, bool explain);

// The SQLite query over a healthc store's views (docs/store.md) that returns the card's history
// table (Options::history): every snapshot of the card's title, one row per account.
std::string history_export(const ir::Program& program);

}  // namespace healthc::sql
