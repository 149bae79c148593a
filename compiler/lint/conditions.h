// The abstract domain the reachability rules reason in: what a condition says about each
// variable (an interval of numbers or a set of members, and whether it may be missing), as a
// union of conjunctions. It answers two questions soundly: "can this condition never hold?"
// and "does this condition hold wherever that one does?"; where it cannot tell, the answer is no.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "compiler/ast/ast.h"

namespace healthc::lint {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A set of numbers: one interval whose ends may be open or closed (an infinite end is open).
// `integral` intervals hold whole numbers only (the account's score) and keep closed whole ends.
struct Interval {
  double lo = -kInfinity, hi = kInfinity;
  bool lo_open = true, hi_open = true;
  bool integral = false;

  static Interval all(bool integral = false);
  static Interval closed(double lo, double hi, bool integral = false);
  bool empty() const;
  Interval meet(const Interval& other) const;
  bool contains(const Interval& other) const;
  Interval normalised() const;
};

// What a condition may leave one variable: its present values, and whether it may be missing.
struct VarSet {
  bool numeric = true;
  Interval range;             // numeric variables
  std::vector<bool> members;  // category variables: members in declaration order
  bool missing = false;

  bool present_empty() const;
  bool empty() const { return present_empty() && !missing; }
  VarSet meet(const VarSet& other) const;
  bool contains(const VarSet& other) const;
};

// A variable a condition can constrain.
struct Var {
  enum Kind : uint8_t { Field, MeasureValue, MeasureScore, Score, Band, Segment } kind = Field;
  int32_t index = -1;  // field or measure index; -1 for the account's score, band and segment
  auto operator<=>(const Var&) const = default;
};

// A conjunction; a variable it does not list may hold anything in its universe.
using Box = std::map<Var, VarSet>;

// A union of boxes. Exact: the union is exactly where the condition is true. Otherwise it
// only contains that place (a part the domain cannot read widens to "anything"). Boxes that
// differ in one variable whose values join into one set are kept merged, so `x < 5 or x >= 5`
// is one box.
struct Region {
  std::vector<Box> boxes;
  bool exact = true;
  static Region anything(bool exact) { return Region{{Box{}}, exact}; }
  static Region nothing() { return Region{{}, true}; }
};

class ConditionDomain {
 public:
  explicit ConditionDomain(const ast::Scorecard& card) : card_(card) {}

  // Where the condition is true, and where it is false (unknown is neither: a condition that
  // ends unknown does not match).
  Region when_true(const ast::Expr& condition) const;
  Region when_false(const ast::Expr& condition) const;
  // The accounts whose segment is one of `segments` (segment indexes; -1 is `default`).
  Region segment_in(const std::vector<int32_t>& segments) const;

  Region meet(const Region& a, const Region& b) const;
  Region join(Region a, const Region& b) const;
  // True only when the region is certainly empty.
  bool never_true(const Region& r) const { return r.boxes.empty(); }
  // True only when every account in `narrow` is certainly in `wide`.
  bool covers(const Region& wide, const Region& narrow) const;

  // Every value a variable can take, by its type and whether it may be missing.
  VarSet universe(const Var& v) const;

  // Beyond this many boxes a region is widened to "anything", so `or`-heavy conditions stay cheap.
  static constexpr size_t kMaxBoxes = 64;

 private:
  struct Both {
    Region when_true, when_false;
  };
  Both analyse(const ast::Expr& e, int depth) const;
  Both compare(const ast::Expr& e) const;
  Both membership(const ast::Expr& e) const;
  bool as_var(const ast::Expr& e, Var& v) const;
  Region restrict(const Var& v, VarSet s) const;
  bool box_within(const Box& narrow, const Box& wide) const;
  bool merge_into(Box& into, const Box& other) const;
  Region simplified(Region r) const;

  const ast::Scorecard& card_;
};

}  // namespace healthc::lint
