// Picking a reader: by the caller's format, or by the file name when the caller has only that.
#include "runtime/io/record_reader.h"

#include <algorithm>
#include <string_view>

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

std::unique_ptr<RecordReader> open_data_reader(const DataReading& how, const std::string& path, std::FILE* in,
                                               Schema schema) {
  ReaderOptions options;
  DataFormat format = how.format.value_or(format_from_path(path));
  // Stdin has no name to go by: its first bytes tell JSON Lines from CSV.
  if (!how.format && path == "-") format = sniff_format(in, options.prefix);
  options.delimiter = how.delimiter ? how.delimiter : delimiter_from_path(path);
  schema.null_cells = how.null_cells;
  return make_reader(format, in, std::move(schema), options);
}

namespace {

// A file name's extension, lower-cased and without its dot ("" for none, or a dot in a folder).
std::string extension_of(const std::string& path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.find_last_of("/\\");
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return ext;
}

}  // namespace

DataFormat format_from_path(const std::string& path) {
  const std::string ext = extension_of(path);
  return ext == "jsonl" || ext == "ndjson" || ext == "json" ? DataFormat::JsonLines : DataFormat::Csv;
}

char delimiter_from_path(const std::string& path) {
  const std::string ext = extension_of(path);
  return ext == "tsv" || ext == "tab" ? '\t' : ',';
}

DataFormat sniff_format(std::FILE* in, std::string& prefix, size_t limit) {
  prefix.clear();
  while (prefix.size() < limit) {
    const int c = std::fgetc(in);
    if (c == EOF) break;
    prefix.push_back(static_cast<char>(c));
    const bool bom = prefix.size() <= 3 && std::string_view("\xEF\xBB\xBF").substr(0, prefix.size()) == prefix;
    if (bom || c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? DataFormat::JsonLines : DataFormat::Csv;
  }
  return DataFormat::Csv;
}

}  // namespace healthc::rt
