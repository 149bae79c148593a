// A test's own temporary directory with a history store in it and a card compiled for the
// evaluator (no cache), for the history unit tests; or only the directory and the store's path.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "compiler/api/compile.h"
#include "runtime/history/store.h"

namespace healthc::history {

class StoreFixture : public ::testing::Test {
 protected:
  // Compiles `card_text` and opens (creates) the store `path_`, in a directory named after the
  // test (`prefix`, the process and the test's name), so tests may run in parallel.
  void open(const std::string& prefix, const char* file_name, const char* card_text) {
    make_dir(prefix);
    CompileOptions o;
    o.engine = Engine::Evaluator;
    o.use_cache = false;
    CompileOutcome c = compile_scorecard_text(file_name, card_text, o);
    ASSERT_TRUE(c.scorecard) << c.error;
    card_ = c.scorecard;
    store_ = Store::open(path_, Store::Mode::ReadWrite);
  }
  // Only the directory, and path_ in it (no store opened yet).
  void make_dir(const std::string& prefix) {
    dir_ = std::filesystem::temp_directory_path() /
           (prefix + "_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "h.db").string();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::string path_;
  std::shared_ptr<const Scorecard> card_;
  std::unique_ptr<Store> store_;
};

}  // namespace healthc::history
