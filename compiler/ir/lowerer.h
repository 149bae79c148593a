// Internal to compiler/ir/: the lowering pass's state, shared by the files that lower the
// account pipeline (lower.cpp) and v2's reads of the past, alerts and stale rules
// (lower_past.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/ir/lower.h"

namespace healthc::ir {

class Lowerer {
 public:
  Lowerer(const ast::Scorecard& card, const check::CheckedScorecard& checked, const std::vector<double>& params)
      : card_(card), checked_(checked), params_(params) {}

  Program run();

 private:
  uint32_t pos() const { return static_cast<uint32_t>(p_.code.size()); }
  uint32_t emit(Op op, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0, double imm = 0, uint32_t aux = 0) {
    p_.code.push_back(Inst{op, a, b, c, imm, aux});
    return pos() - 1;
  }
  uint32_t constant(double v) { return emit(Op::Const, 0, 0, 0, v); }

  // One level of a weight tree as lowered: its running weight, its mean, and each node's
  // score instruction (a measure's own, a group's mean) and level (groups only).
  struct Level {
    uint32_t den = kNone, mean = kNone;
    std::vector<uint32_t> score;
    std::vector<Level> kids;
  };

  // lower.cpp: measures, scoring forms, expressions and the account pipeline.
  std::vector<WeightNode> nodes(const std::vector<check::WeightNode>& in);
  void lower_measure(int32_t i);
  uint32_t scoring(const ast::Scoring& s);
  uint32_t string_id(const std::string& s);
  static int32_t text_field(const ast::Expr& e);
  uint32_t text_eq(const ast::Expr& subject, uint32_t string);
  uint32_t text_compare(const ast::Expr& l, const ast::Expr& r);
  uint32_t expr(const ast::Expr& e);
  uint32_t binary(const ast::Expr& e);
  uint32_t call(const ast::Expr& e);
  Level level(const std::vector<WeightNode>& nodes);
  void account();
  void node_weights(const Level& l, const std::vector<WeightNode>& nodes, uint32_t level_w, std::vector<uint32_t>& ew);
  void effective_weights();
  void override_chain();
  void label_chain();

  // lower_past.cpp: v2.
  uint32_t stale_rule(int32_t measure, int32_t field, int32_t days, uint32_t score);
  uint32_t history(HistoryKind kind, int32_t measure, int32_t days_back);
  uint32_t previous(const ast::Expr& e);
  uint32_t change(const ast::Expr& e);
  void alerts();
  void rollups();
  uint32_t segment_in(const std::vector<int32_t>& segments);

  const ast::Scorecard& card_;
  const check::CheckedScorecard& checked_;
  const std::vector<double>& params_;
  Program p_;
  int32_t current_ = -1;
  uint32_t score_ = kNone, band_ = kNone;  // what `score` and `band` read where they may
  HistoryKind score_kind_ = HistoryKind::FinalScore;  // what `change(score, N)` reads then
  std::map<std::tuple<uint8_t, int32_t, int32_t>, uint32_t> history_index_;  // into p_.history
  uint32_t weighted_band_ = kNone;
  std::vector<Level> levels_;       // each model's tree, as lowered
  std::vector<uint32_t> is_model_;  // whether the account's model is k (several models only)
};

}  // namespace healthc::ir
