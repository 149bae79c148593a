// In-memory account blocks for the scoring benchmarks, built once before timing starts.
#pragma once

#include <string>

#include "runtime/io/column_block.h"
#include "runtime/io/schema.h"

namespace healthc::bench {

// The repository root: $HEALTHC_SOURCE_DIR, else the one this binary was configured from.
std::string source_dir();

// `rows` accounts of an example card, made by scripts/gen_accounts.py (`gen_card` is its
// --card name) and read by the runtime's CSV reader, as `healthc score` would read them.
// Returns an error message, or empty on success.
std::string generated_accounts(const rt::Schema& schema, const std::string& gen_card, size_t rows, uint64_t seed,
                               rt::ColumnBlock& block);

// `rows` synthetic accounts for any schema: numbers uniform in [0, 100) with two decimals,
// a random member for enums, dates within a year of `as_of`; every field filled, and about
// 5% of the cells of optional fields left missing.
rt::ColumnBlock synthetic_accounts(const rt::Schema& schema, size_t rows, double as_of, uint64_t seed);

}  // namespace healthc::bench
