// The driver's side of the in-memory data set (runtime/pipeline/dataset.h): printing its
// rejected rows, and the default thread count. The analyses themselves live in the library.
#pragma once

#include <cstddef>

#include "runtime/pipeline/dataset.h"

namespace healthc::driver {

using rt::Dataset;
using rt::flatten;
using rt::load_dataset;
using rt::read_outcomes;
using rt::row_keys;
using rt::RowScores;
using rt::score_blocks;
using rt::select_rows;

// Prints up to `limit` rejected rows as `DATA:LINE: rejected: REASON` on stderr.
void print_rejects(const Dataset& data, size_t limit = 10);

// The exit code of an analysis over `data` (cli.h): 3 when some of its rows were rejected,
// 4 when all were.
int rows_exit_code(const Dataset& data);

// `--threads`' default: the machine's cores.
int default_threads();

}  // namespace healthc::driver
