// Scorecard test cases as a library function: a case file is accounts (the card's fields) plus
// `expect_*` columns; each row is scored and checked against its expectations (an empty one is
// not checked). `healthc test` renders the results as text or JUnit XML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/io/record_reader.h"
#include "runtime/scorecard.h"

namespace healthc::analysis {

// The columns a case file may carry besides the card's fields.
extern const std::vector<std::string> kExpectColumns;

struct CaseResult {
  std::string file, key, description;  // key: the account's, or "line N" for a row that cannot be read
  uint64_t line = 0;
  std::vector<std::string> failures;  // "band: expected healthy, got at_risk"
  std::string breakdown;              // explain_row, for failing cases
  bool passed() const { return failures.empty(); }
};

// Reads the case file at `path` ("-" for stdin) and appends one result per row, in line order
// (rows that cannot be read are failing cases). False with `error` when the file cannot be used
// at all: unreadable, an unknown expect_* column, or no expect_* column. `how`: the command's
// data options (--input-format, --delimiter, --null).
bool run_case_file(const Scorecard& card, const std::string& path, double as_of, std::vector<CaseResult>& out,
                   std::string& error, const rt::DataReading& how = {});

}  // namespace healthc::analysis
