// Test helpers that drive both engines directly on a scoring IR program: lower a card's
// text, fill column arrays by hand, run the reference evaluator or a JIT-compiled batch
// function, and compare every output. For tests that change the IR after lowering (values
// the checker would refuse) or that need the JIT's own result (cache hits, notes).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "compiler/eval/evaluator.h"
#include "compiler/frontend.h"
#include "compiler/ir/lower.h"
#include "compiler/jit/jit.h"

namespace healthc::testing {

inline ir::Program lower_text(const std::string& text) {
  FrontendResult front = run_frontend_text("t.health", text);
  EXPECT_TRUE(front.ok()) << (front.diags.items().empty() ? front.read_error : front.diags.items()[0].message);
  if (!front.ok()) return {};
  return ir::lower(front.card, front.checked.checked, ir::default_params(front.card));
}

// Every field's columns for `rows` rows: numbers 0 and valid, text empty and valid; every
// history input's column missing.
struct Columns {
  Columns(const ir::Program& p, size_t rows) : rows_(rows) {
    hist_.assign(p.history.size(), std::vector<double>(rows, 0));
    hist_valid_.assign(p.history.size(), std::vector<uint8_t>(rows, 0));
    for (size_t h = 0; h < p.history.size(); ++h) {
      hist_ptr_.push_back(hist_[h].data());
      hist_valid_ptr_.push_back(hist_valid_[h].data());
    }
    const size_t nf = p.fields.size();
    num_.assign(nf, std::vector<double>(rows, 0));
    valid_.assign(nf, std::vector<uint8_t>(rows, 1));
    text_.assign(nf, std::vector<ir::TextCell>(rows, ir::TextCell{"", 0}));
    for (size_t f = 0; f < nf; ++f) {
      const bool text = p.fields[f].type == ir::FieldType::Text;
      num_ptr_.push_back(text ? nullptr : num_[f].data());
      valid_ptr_.push_back(valid_[f].data());
      text_ptr_.push_back(text ? text_[f].data() : nullptr);
    }
  }
  void set(size_t field, size_t row, double v) { num_[field][row] = v, valid_[field][row] = 1; }
  void missing(size_t field, size_t row) { valid_[field][row] = 0; }
  void set_history(size_t input, size_t row, double v) { hist_[input][row] = v, hist_valid_[input][row] = 1; }
  // A value left in a missing cell, which no engine may read as present.
  void junk_history(size_t input, size_t row, double v) { hist_[input][row] = v, hist_valid_[input][row] = 0; }
  // Whether view() gives the history columns (false: null, as a caller without a store may).
  bool give_history = true;
  ir::BatchColumns view() const {
    const bool h = give_history && !hist_ptr_.empty();
    return {num_ptr_.data(), valid_ptr_.data(), text_ptr_.data(), 20000, static_cast<int64_t>(rows_),
            h ? hist_ptr_.data() : nullptr, h ? hist_valid_ptr_.data() : nullptr};
  }

 private:
  size_t rows_;
  std::vector<std::vector<double>> num_;
  std::vector<std::vector<uint8_t>> valid_;
  std::vector<std::vector<ir::TextCell>> text_;
  std::vector<const double*> num_ptr_;
  std::vector<const uint8_t*> valid_ptr_;
  std::vector<const ir::TextCell*> text_ptr_;
  std::vector<std::vector<double>> hist_;
  std::vector<std::vector<uint8_t>> hist_valid_;
  std::vector<const double*> hist_ptr_;
  std::vector<const uint8_t*> hist_valid_ptr_;
};

// Every output of a batch, prefilled with a pattern no engine writes (so an output an engine
// forgot shows up as a difference).
struct Outputs {
  Outputs(size_t rows, size_t measures, bool detail) {
    for (auto* v : {&segment, &score, &band, &label, &override_}) v->assign(rows, -77);
    const size_t d = detail ? rows * measures : 0;
    for (auto* v : {&m_value, &m_score, &m_weight}) v->assign(d, -77.5);
    for (auto* v : {&m_value_valid, &m_score_valid, &m_weight_valid}) v->assign(d, 77);
    weighted_score.assign(rows, -77);
    alerts_active.assign(rows, kUnwritten);
    stale.assign(rows, kUnwritten);
    detail_ = detail;
  }
  static constexpr uint64_t kUnwritten = 0x7777777777777777;
  // Whether view() asks for the v2 outputs (weighted score, alert and stale masks).
  bool want_v2 = true;
  ir::BatchOutputs view() {
    ir::BatchOutputs o{segment.data(), score.data(), band.data(), label.data(), override_.data(),
                       nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
    if (want_v2) o.weighted_score = weighted_score.data(), o.alerts_active = alerts_active.data(), o.stale = stale.data();
    if (detail_) {
      o.m_value = m_value.data(), o.m_value_valid = m_value_valid.data();
      o.m_score = m_score.data(), o.m_score_valid = m_score_valid.data();
      o.m_weight = m_weight.data(), o.m_weight_valid = m_weight_valid.data();
    }
    return o;
  }
  std::vector<int32_t> segment, score, band, label, override_;
  std::vector<double> m_value, m_score, m_weight;
  std::vector<uint8_t> m_value_valid, m_score_valid, m_weight_valid;
  std::vector<int32_t> weighted_score;
  std::vector<uint64_t> alerts_active, stale;

 private:
  bool detail_ = false;
};

// Bit-for-bit comparison of two engines' outputs (doubles compared as bytes).
inline void expect_same(const Outputs& a, const Outputs& b) {
  EXPECT_EQ(a.segment, b.segment);
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.band, b.band);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.override_, b.override_);
  EXPECT_EQ(a.weighted_score, b.weighted_score);
  EXPECT_EQ(a.alerts_active, b.alerts_active);
  EXPECT_EQ(a.stale, b.stale);
  auto same_bits = [](const std::vector<double>& x, const std::vector<double>& y) {
    return x.size() == y.size() &&
           (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
  };
  EXPECT_TRUE(same_bits(a.m_value, b.m_value));
  EXPECT_TRUE(same_bits(a.m_score, b.m_score));
  EXPECT_TRUE(same_bits(a.m_weight, b.m_weight));
  EXPECT_EQ(a.m_value_valid, b.m_value_valid);
  EXPECT_EQ(a.m_score_valid, b.m_score_valid);
  EXPECT_EQ(a.m_weight_valid, b.m_weight_valid);
}

inline Outputs run_eval(const ir::Program& p, const Columns& cols, size_t rows, bool detail, bool want_v2 = true) {
  Outputs out(rows, p.measures.size(), detail);
  out.want_v2 = want_v2;
  const ir::BatchColumns in = cols.view();
  const ir::BatchOutputs o = out.view();
  eval::evaluate(p, in, o);
  return out;
}

// Compiles (cache off unless `cache` says otherwise) and runs the batch function.
inline Outputs run_jit(const ir::Program& p, const Columns& cols, size_t rows, bool detail,
                       const jit::CacheOptions& cache = {false, ""}, jit::CompileResult* result = nullptr,
                       bool want_v2 = true) {
  Outputs out(rows, p.measures.size(), detail);
  out.want_v2 = want_v2;
  jit::CompileResult r = jit::compile(p, detail ? jit::Variant::Detail : jit::Variant::Basic, cache);
  EXPECT_TRUE(r.scorer) << r.error;
  if (r.scorer) {
    const ir::BatchColumns in = cols.view();
    const ir::BatchOutputs o = out.view();
    r.scorer->function()(&in, &o);
  }
  if (result) *result = std::move(r);
  return out;
}

}  // namespace healthc::testing
