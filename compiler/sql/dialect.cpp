// The per-dialect spellings (dialect.h).
#include "compiler/sql/dialect.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace healthc::sql {

std::optional<Dialect> parse_dialect(std::string_view name) {
  if (name == "duckdb") return Dialect::DuckDB;
  if (name == "postgres") return Dialect::Postgres;
  if (name == "clickhouse") return Dialect::ClickHouse;
  if (name == "spark") return Dialect::Spark;
  return std::nullopt;
}

std::string_view dialect_name(Dialect d) {
  switch (d) {
    case Dialect::DuckDB: return "duckdb";
    case Dialect::Postgres: return "postgres";
    case Dialect::ClickHouse: return "clickhouse";
    case Dialect::Spark: return "spark";
  }
  return "duckdb";
}

std::string Spelling::number(double v) const {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string t(buf, r.ptr);
  switch (d_) {
    case Dialect::DuckDB: return v < 0 ? fmt::format("CAST({} AS DOUBLE)", t) : t + "::DOUBLE";
    case Dialect::Postgres: return v < 0 ? fmt::format("CAST({} AS DOUBLE PRECISION)", t) : t + "::float8";
    case Dialect::Spark: return v < 0 ? "(" + t + "D)" : t + "D";
    case Dialect::ClickHouse:
      // A literal with a point or an exponent is a Float64 in ClickHouse.
      if (t.find_first_of(".e") == std::string::npos) t += ".0";
      return v < 0 ? "(" + t + ")" : t;
  }
  return t;
}

std::string Spelling::null_number() const {
  switch (d_) {
    case Dialect::DuckDB: return "CAST(NULL AS DOUBLE)";
    case Dialect::Postgres: return "CAST(NULL AS DOUBLE PRECISION)";
    case Dialect::Spark: return "CAST(NULL AS DOUBLE)";
    case Dialect::ClickHouse: return "CAST(NULL AS Nullable(Float64))";
  }
  return "NULL";
}

std::string Spelling::identifier(std::string_view name) const {
  const char q = d_ == Dialect::ClickHouse || d_ == Dialect::Spark ? '`' : '"';
  std::string out(1, q);
  for (char c : name) {
    if (c == q) out.push_back(q);
    out.push_back(c);
  }
  out.push_back(q);
  return out;
}

std::string Spelling::string(std::string_view text) const {
  // ClickHouse and Spark read backslash escapes in string literals; the others do not.
  const bool backslash = d_ == Dialect::ClickHouse || d_ == Dialect::Spark;
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += backslash ? "\\'" : "''";
    else if (c == '\\' && backslash) out += "\\\\";
    else out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string Spelling::bool_to_number(const std::string& cond) const {
  switch (d_) {
    case Dialect::Postgres: return fmt::format("CAST(CAST({} AS INTEGER) AS DOUBLE PRECISION)", cond);
    case Dialect::ClickHouse: return fmt::format("toFloat64({})", cond);
    default: return fmt::format("CAST({} AS DOUBLE)", cond);
  }
}

std::string Spelling::to_double(const std::string& e) const {
  switch (d_) {
    case Dialect::Postgres: return fmt::format("CAST({} AS DOUBLE PRECISION)", e);
    case Dialect::ClickHouse: return fmt::format("toFloat64({})", e);
    default: return fmt::format("CAST({} AS DOUBLE)", e);
  }
}

std::string Spelling::date_days(const std::string& e) const {
  switch (d_) {
    case Dialect::ClickHouse: return fmt::format("toFloat64(toUInt16({}))", e);  // a Date is its day number
    case Dialect::Spark: return fmt::format("CAST(datediff({}, DATE '1970-01-01') AS DOUBLE)", e);
    default: return to_double(fmt::format("({} - DATE '1970-01-01')", e));
  }
}

std::string Spelling::finite(const std::string& x) const {
  switch (d_) {
    case Dialect::Postgres: return x;
    case Dialect::ClickHouse: return fmt::format("nullIf(nullIf({}, inf), -inf)", x);
    case Dialect::DuckDB:
      return fmt::format("NULLIF(NULLIF({}, CAST('inf' AS DOUBLE)), CAST('-inf' AS DOUBLE))", x);
    case Dialect::Spark:
      return fmt::format("NULLIF(NULLIF({}, CAST('Infinity' AS DOUBLE)), CAST('-Infinity' AS DOUBLE))", x);
  }
  return x;
}

std::string Spelling::arith(char op, const std::string& a, const std::string& b) const {
  if (d_ != Dialect::Postgres) {
    if (op == '/') return finite(fmt::format("({} / NULLIF({}, 0))", a, b));
    return finite(fmt::format("({} {} {})", a, op, b));
  }
  // The largest double, and the smallest positive one (a result below half of it rounds to 0);
  // the tests themselves neither overflow nor underflow (|a| * 2 with |a| < 1, TINY over or
  // times a number on the safe side of 1).
  const std::string big = "1.7976931348623157e308::float8", tiny = "4.9406564584124654e-324::float8";
  switch (op) {
    case '+':
      return fmt::format("CASE WHEN ({0} > 0) = ({1} > 0) AND abs({0}) > {2} - abs({1}) THEN NULL ELSE {0} + {1} END", a,
                         b, big);
    case '-':
      return fmt::format("CASE WHEN ({0} > 0) <> ({1} > 0) AND abs({0}) > {2} - abs({1}) THEN NULL ELSE {0} - {1} END", a,
                         b, big);
    case '*':
      return fmt::format(
          "CASE WHEN abs({0}) > 1 AND abs({1}) > 1 AND abs({0}) > {2} / abs({1}) THEN NULL "
          "WHEN {0} <> 0 AND {1} <> 0 AND abs({0}) < 1 AND abs({1}) < 1 AND abs({0}) * 2 < {3} / abs({1}) "
          "THEN 0::float8 ELSE {0} * {1} END",
          a, b, big, tiny);
    default:
      return fmt::format(
          "CASE WHEN {1} = 0 THEN NULL WHEN abs({1}) < 1 AND abs({0}) > {2} * abs({1}) THEN NULL "
          "WHEN {0} <> 0 AND abs({1}) > 1 AND abs({0}) * 2 < {3} * abs({1}) THEN 0::float8 ELSE {0} / {1} END",
          a, b, big, tiny);
  }
}

std::string Spelling::concat(const std::vector<std::string>& parts) const {
  if (parts.size() == 1) return parts[0];  // ClickHouse's concat wants two arguments or more
  std::string out = d_ == Dialect::ClickHouse ? "concat(" : "(";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += d_ == Dialect::ClickHouse ? ", " : " || ";
    out += parts[i];
  }
  return out + ")";
}

std::string Spelling::substr_from(const std::string& s, int from) const {
  if (d_ == Dialect::ClickHouse) return fmt::format("substring({}, {}, 100000)", s, from);
  return fmt::format("SUBSTR({}, {})", s, from);
}

std::string Spelling::one_decimal(const std::string& x) const {
  switch (d_) {
    // Both format through the C library's %.1f: the exact binary value, ties to even, as
    // std::to_chars does.
    case Dialect::DuckDB: return fmt::format("printf('%.1f', {})", x);
    case Dialect::Postgres: return fmt::format("to_char({}, 'FM9999999990.0')", x);
    case Dialect::ClickHouse: {
      // No printf in ClickHouse 18.16: tenths rounded half to even, then the digits.
      const std::string t = fmt::format("(({}) * 10)", x);
      const std::string tenths =
          fmt::format("toInt64(CASE WHEN {0} - floor({0}) > 0.5 THEN floor({0}) + 1 WHEN {0} - floor({0}) < 0.5 "
                      "THEN floor({0}) WHEN toInt64(floor({0})) % 2 = 0 THEN floor({0}) ELSE floor({0}) + 1 END)",
                      t);
      return fmt::format("concat(toString(intDiv({0}, 10)), '.', toString({0} % 10))", tenths);
    }
    case Dialect::Spark: return fmt::format("format_string('%.1f', {})", x);
  }
  return x;
}

std::string Spelling::to_integer(const std::string& x) const {
  switch (d_) {
    case Dialect::ClickHouse: return fmt::format("toInt32({})", x);
    default: return fmt::format("CAST({} AS INTEGER)", x);
  }
}

std::string Spelling::as_of_days(std::optional<int64_t> days) const {
  if (days) return number(static_cast<double>(*days));
  switch (d_) {
    case Dialect::DuckDB: return date_days("CAST($as_of AS DATE)");
    case Dialect::Postgres: return date_days("CAST($1 AS DATE)");
    case Dialect::ClickHouse: return date_days("today()");
    case Dialect::Spark: return date_days("CAST('${as_of}' AS DATE)");
  }
  return "";
}

std::string Spelling::trim(const std::string& s) const {
  // ClickHouse 18.16 has no trim function.
  if (d_ == Dialect::ClickHouse) return fmt::format("replaceRegexpAll({}, '^ +| +$', '')", s);
  return fmt::format("TRIM({})", s);
}

std::string Spelling::ln(const std::string& x) const {
  return d_ == Dialect::ClickHouse ? fmt::format("log({})", x) : fmt::format("LN({})", x);
}

std::string Spelling::contains(const std::string& s, std::string_view name) const {
  const std::string list = concat({string(";"), s, string(";")});
  const std::string item = string(fmt::format(";{};", name));
  switch (d_) {
    case Dialect::ClickHouse: return fmt::format("position({}, {}) > 0", list, item);
    case Dialect::Spark: return fmt::format("instr({}, {}) > 0", list, item);
    default: return fmt::format("strpos({}, {}) > 0", list, item);
  }
}

}  // namespace healthc::sql
