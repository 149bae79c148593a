// Printing a data set's rejected rows for the analysis commands.
#include "compiler/driver/dataset.h"

#include "compiler/driver/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace healthc::driver {

int rows_exit_code(const Dataset& data) {
  return rows_exit_code(data.rows + data.rejects.size(), data.rejects.size());
}

int default_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

void print_rejects(const Dataset& data, size_t limit) {
  for (size_t i = 0; i < data.rejects.size() && i < limit; ++i)
    fmt::print(stderr, "{}:{}: rejected: {}\n", data.display_name(), data.rejects[i].line, data.rejects[i].reason);
  if (data.rejects.size() > limit)
    fmt::print(stderr, "{}: ... and {} more rejected rows\n", data.display_name(), data.rejects.size() - limit);
}

}  // namespace healthc::driver
