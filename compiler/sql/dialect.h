// How each SQL dialect spells the few things the emitter needs that differ between engines:
// double literals, casts, identifiers, string literals, a finite check, concatenation, the
// one-decimal formatting of a reason's points and the as-of parameter. Everything else the
// emitter writes is standard CASE/COALESCE/NULLIF, which all four dialects share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/sql/sql.h"

namespace healthc::sql {

class Spelling {
 public:
  explicit Spelling(Dialect d) : d_(d) {}
  Dialect dialect() const { return d_; }
  // A double: the shortest text that reads back to `v`, typed as a double in every dialect
  // (a bare `0.1` is an exact decimal in PostgreSQL and DuckDB, an integer literal divides
  // as an integer).
  std::string number(double v) const;
  std::string null_number() const;
  std::string identifier(std::string_view name) const;
  std::string string(std::string_view text) const;
  // A bool-valued SQL expression as the IR's 0/1 (NULL stays NULL).
  std::string bool_to_number(const std::string& cond) const;
  // A numeric expression (a column) as a double.
  std::string to_double(const std::string& e) const;
  // A DATE expression as days since 1970-01-01, a double.
  std::string date_days(const std::string& e) const;
  // `x`, or NULL where it is infinite (the IR's "a result that is not finite is missing";
  // PostgreSQL raises an error on an overflow instead, so it needs no check).
  std::string finite(const std::string& x) const;
  // `a OP b` for OP in + - * /, missing where the IR's is: not finite, or (/) b == 0.
  // PostgreSQL raises an error where a float8 operation overflows or underflows to 0, so there
  // the operands are tested first (each read several times; the emitter makes them columns).
  std::string arith(char op, const std::string& a, const std::string& b) const;
  std::string concat(const std::vector<std::string>& parts) const;
  std::string substr_from(const std::string& s, int from) const;
  // A positive double with one decimal, as std::to_chars(fixed, 1) prints it.
  std::string one_decimal(const std::string& x) const;
  std::string to_integer(const std::string& x) const;
  std::string as_of_days(std::optional<int64_t> days) const;
  std::string trim(const std::string& s) const;  // surrounding spaces off
  std::string ln(const std::string& x) const;
  // A condition: text `s` holds `name` as one of its `;`-separated items (a list of names).
  std::string contains(const std::string& s, std::string_view name) const;

 private:
  Dialect d_;
};

}  // namespace healthc::sql
