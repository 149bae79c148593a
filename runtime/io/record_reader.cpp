// Picking a reader: by the caller's format, or by the file name when the caller has only that.
#include "runtime/io/record_reader.h"

#include <algorithm>

#include "runtime/io/csv_reader.h"
#include "runtime/io/jsonl_reader.h"

namespace healthc::rt {

std::unique_ptr<RecordReader> make_reader(DataFormat format, std::FILE* in, Schema schema) {
  return make_reader(format, in, std::move(schema), ReaderOptions{});
}

std::unique_ptr<RecordReader> make_reader(DataFormat format, std::FILE* in, Schema schema,
                                          const ReaderOptions& options) {
  switch (format) {
    case DataFormat::JsonLines:
      return make_jsonl_reader(in, std::move(schema), options);
    case DataFormat::Csv:
      break;
  }
  return make_csv_reader(in, std::move(schema), options);
}

DataFormat format_from_path(const std::string& path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.find_last_of("/\\");
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return DataFormat::Csv;
  }
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (ext == "jsonl" || ext == "ndjson" || ext == "json") return DataFormat::JsonLines;
  return DataFormat::Csv;
}

}  // namespace healthc::rt
