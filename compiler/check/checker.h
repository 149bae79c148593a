// Internal to compiler/check/: the Checker's state, shared by the files that check
// declarations (check.cpp), expressions (expr_check.cpp) and weight trees (model_check.cpp).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/check/check.h"

namespace healthc::check {

// Where an expression stands decides which names it may use.
struct ExprScope {
  enum Where : uint8_t { MeasureValue, MeasureScore, Segment, Override, Label, Alert } where = Segment;
  int32_t measure = -1;
};

class Checker {
 public:
  Checker(ast::Scorecard& card, DiagnosticList& diags) : card_(card), diags_(diags) {}
  CheckResult run();

  // expr_check.cpp
  ast::Type check_expr(ast::Expr& e, const ExprScope& scope);
  void check_condition(ast::Expr* e, const ExprScope& scope);
  void check_scoring(ast::Measure& m, int32_t index);

  // model_check.cpp
  void check_models();

 private:
  friend class ExprChecker;
  void collect_names();
  void check_fields();
  void check_spellings(const ast::Field& f);
  void check_bands();
  void check_measures();
  void check_measure(int32_t i);
  void collect_measure_reads(const ast::Expr& e, std::vector<int32_t>& out) const;
  void check_segments_overrides_labels();
  std::vector<int32_t> for_list(const std::vector<ast::Name>& names);

  // time_check.cpp: v2's past, alerts and stale rules.
  ast::Type check_previous(ast::Expr& e, const ExprScope& scope);
  ast::Type check_change(ast::Expr& e, const ExprScope& scope);
  void check_alerts();
  void check_stale_rules();

  // rollup_check.cpp
  void check_rollups();

  ast::Type check_binary(ast::Expr& e, const ExprScope& scope);
  ast::Type check_compare(ast::Expr& e, const ExprScope& scope);
  ast::Type check_in(ast::Expr& e, const ExprScope& scope);
  ast::Type check_call(ast::Expr& e, const ExprScope& scope);
  ast::Type check_name(ast::Expr& e, const ExprScope& scope);
  ast::Type check_measure_ref(ast::Expr& e, const ExprScope& scope);
  // Resolves a bare name as a member of a category type; reports when it is not one.
  bool resolve_member(ast::Expr& e, const ast::Type& category);
  std::vector<std::string> members_of(const ast::Type& t) const;
  std::string category_name(const ast::Type& t) const;
  ast::Type field_type(int32_t field) const;
  void require(ast::Expr& e, ast::Type got, ast::Type::Kind want, const char* op, const char* want_text);

  void resolve_model(int32_t i);
  // "Did you mean": appends the nearest of `candidates` to the last diagnostic (about the unknown
  // `word` at `at`) and adds the fix-it that writes it there.
  void suggest(SourceRange at, const std::string& word, const std::vector<std::string>& candidates);
  // The names an expression may read (fields, params, measures), in declaration order.
  std::vector<std::string> value_names() const;

 public:
  ast::Scorecard& card_;
  DiagnosticList& diags_;
  CheckedScorecard out_;

  // Fields, params and measures share one namespace: the names an expression can read.
  std::unordered_map<std::string, ast::Resolution> values_;
  std::unordered_map<std::string, int32_t> models_, segments_, bands_;
  std::vector<ast::Type> measure_value_type_;
  enum class State : uint8_t { Todo, Active, Done };
  std::vector<State> measure_state_, model_state_;
  std::vector<int32_t> model_stack_;
};

}  // namespace healthc::check
