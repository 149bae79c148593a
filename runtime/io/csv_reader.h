// The CSV (RFC 4180) record reader; make_reader() is the usual way in.
#pragma once

#include <cstdio>
#include <memory>

#include "runtime/io/record_reader.h"

namespace healthc::rt {

std::unique_ptr<RecordReader> make_csv_reader(std::FILE* in, Schema schema,
                                              const ReaderOptions& options);

}  // namespace healthc::rt
