// Shared by the analysis tests: compile a card from text, load a data set from bytes.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "compiler/api/compile.h"
#include "runtime/pipeline/dataset.h"

namespace healthc::analysis::test_util {

inline std::shared_ptr<const Scorecard> compile(const std::string& text) {
  CompileOptions opts;
  opts.engine = Engine::Evaluator;
  opts.use_cache = false;
  CompileOutcome c = compile_scorecard_text("t.health", text, opts);
  EXPECT_TRUE(c.scorecard) << c.error;
  return c.scorecard;
}

inline rt::Dataset load(const Scorecard& card, const std::string& csv, std::vector<std::string> extra = {}) {
  std::FILE* f = std::tmpfile();
  std::fwrite(csv.data(), 1, csv.size(), f);
  std::rewind(f);
  rt::Dataset data;
  std::string error;
  EXPECT_TRUE(rt::load_dataset(card, f, rt::DataFormat::Csv, "data.csv", std::move(extra), data, error)) << error;
  std::fclose(f);
  return data;
}

}  // namespace healthc::analysis::test_util
