// What the artefact tests share: a scratch file path removed at scope end, and whole-file
// reads and writes (artefacts are patched byte by byte).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace healthc::aot_test {

struct TempPath {
  std::string path;
  explicit TempPath(const std::string& name) {
    path = ::testing::TempDir() + "healthc_aot_" + std::to_string(::getpid()) + "_" + name;
  }
  ~TempPath() { std::remove(path.c_str()); }
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace healthc::aot_test
