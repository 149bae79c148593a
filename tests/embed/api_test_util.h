// Helpers for the C API's tests: the examples' data as rows, JSON objects made from them, and
// running the `healthc` binary to compare the API with the CLI.
#pragma once

#include <healthc/healthc.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace api_test {

inline const std::string kRoot = HEALTHC_SOURCE_DIR;
inline const std::string kHealthc = HEALTHC_BIN;
inline const char* const kAsOf = "2026-11-01";
inline const std::vector<std::string> kCards = {"b2b_saas", "lifecycle", "fintech_platform"};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a shell command; its stdout, and its exit status in `status`.
inline std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = pclose(p);
  if (status) *status = rc;
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// The examples' CSV files have no quoted cells: a plain split is enough.
inline Table read_csv(const std::string& path) {
  Table t;
  std::ifstream in(path);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::stringstream s(line);
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.push_back("");
    if (first) t.header = cells, first = false;
    else t.rows.push_back(cells);
  }
  return t;
}

// A row as a JSON Lines object: every cell a string (the readers' cell grammar reads it), an
// empty cell null.
inline std::string row_json(const Table& t, size_t r) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t c = 0; c < t.header.size(); ++c) {
    const std::string& v = c < t.rows[r].size() ? t.rows[r][c] : std::string();
    if (v.empty()) j[t.header[c]] = nullptr;
    else j[t.header[c]] = v;
  }
  return j.dump();
}

inline std::string card_path(const std::string& card) { return kRoot + "/examples/" + card + ".health"; }
inline std::string data_path(const std::string& card) { return kRoot + "/examples/data/" + card + "_sample.csv"; }

struct CardDeleter {
  void operator()(hc_card* c) const { hc_card_free(c); }
};
using CardPtr = std::unique_ptr<hc_card, CardDeleter>;

inline CardPtr compile_file(const std::string& path, const hc_options* opts = nullptr) {
  const std::string text = read_file(path);
  hc_diagnostics* d = nullptr;
  hc_card* c = hc_compile(text.data(), text.size(), path.c_str(), opts, &d);
  hc_diagnostics_free(d);
  return CardPtr(c);
}

}  // namespace api_test
