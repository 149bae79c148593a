// Reference evaluator over the scoring IR: an interpreter of its instructions, one account at
// a time, plus the stores of the result instructions. Written for clarity, not speed. The
// language's rules live in the IR (lowering) and in each op's body and declared missing
// policy (ir/ops.h), which codegen reads too.
#include "compiler/eval/evaluator.h"

#include "compiler/ir/conventions.h"
#include "compiler/ir/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace healthc::eval {
namespace {

using ir::Inst;
using ir::Op;

struct Value {
  double v = 0;
  bool ok = false;
};

bool finite(double x) { return std::isfinite(x); }
bool truthy(Value x) { return x.ok && x.v != 0; }

class RowEvaluator {
 public:
  // Constants are the same on every row (a third of a lowered card's instructions): set once.
  RowEvaluator(const ir::Program& p, const ir::BatchColumns& in) : p_(p), in_(in), vals_(p.code.size()) {
    for (size_t i = 0; i < p.code.size(); ++i)
      if (p.code[i].op == Op::Const) vals_[i] = {p.code[i].imm, true};
  }

  void run(uint32_t begin, uint32_t end, int64_t row) {
    for (uint32_t i = begin; i < end; ++i)
      if (p_.code[i].op != Op::Const) vals_[i] = step(p_.code[i], row);
  }
  Value at(uint32_t i) const { return i < vals_.size() ? vals_[i] : Value{}; }  // kNone: missing

 private:
  // The value of an op whose validity its policy decides: a body that sees only values
  // (codegen's bodies perform the same double operations).
  static double body(Op op, double a, double b, double c, double imm) {
    switch (op) {
      case Op::Neg: return -a;
      case Op::Add: return a + b;
      case Op::Sub: return a - b;
      case Op::Mul: return a * b;
      case Op::Div: return a / b;
      case Op::Min: return a < b ? a : b;
      case Op::Max: return a > b ? a : b;
      case Op::Abs: return std::fabs(a);
      case Op::Round: return std::round(a);
      case Op::Log: return std::log(a > 0 ? a : 1.0);
      case Op::Sqrt: return std::sqrt(a >= 0 ? a : 0.0);
      case Op::PctChange: return (a - b) / b;
      case Op::Clamp: {
        const double lo = a < b ? b : a;
        return lo > c ? c : lo;
      }
      case Op::Eq: return double(a == b);
      case Op::Ne: return double(a != b);
      case Op::Lt: return double(a < b);
      case Op::Le: return double(a <= b);
      case Op::Gt: return double(a > b);
      case Op::Ge: return double(a >= b);
      case Op::Not: return double(a == 0);
      case Op::Guard: return b;
      case Op::ClampScore: return a < 0 ? 0.0 : a > 100 ? 100.0 : a;
      case Op::Mean: return a / b;
      case Op::EffectiveWeight: return a * imm / b;
      case Op::RoundScore: return ir::round_score(a);
      default: return 0;
    }
  }
  // The domain check of an IfAnyMissingOrDomain op, on its operands and result.
  static bool in_domain(ir::Domain d, double a, double b, double r) {
    switch (d) {
      case ir::Domain::None: return true;
      case ir::Domain::Finite: return finite(r);
      case ir::Domain::NonZeroDivisor: return b != 0 && finite(r);
      case ir::Domain::PositiveArg: return a > 0 && finite(r);
      case ir::Domain::NonNegativeArg: return a >= 0 && finite(r);
      case ir::Domain::NotNaN: return !std::isnan(a);
      case ir::Domain::PositiveDivisor: return b > 0 && finite(r);
      case ir::Domain::ScoreRange: return r >= 0 && r <= 100;
    }
    return false;
  }

  // The band holding score `x` (bands ascend by `from`), as an index.
  double band_of(double x) const {
    size_t band = 0;
    for (size_t i = 0; i < p_.bands.size(); ++i)
      if (p_.bands[i].from <= x) band = i;
    return static_cast<double>(band);
  }

  Value step(const Inst& in, int64_t row) const {
    const ir::OpInfo& info = ir::op_info(in.op);
    const Value a = in.a < vals_.size() ? vals_[in.a] : Value{};
    const Value b = in.b < vals_.size() ? vals_[in.b] : Value{};
    const Value c = in.c < vals_.size() ? vals_[in.c] : Value{};
    if (ir::policy_decides_validity(info)) {
      // Missing if any operand is missing (and, for IfAnyMissingOrDomain, outside the domain).
      const Value ops[] = {a, b, c};
      bool ok = true;
      for (int k = 0; k < info.arity; ++k) ok = ok && ops[k].ok;
      const double r = body(in.op, a.v, b.v, c.v, in.imm);
      return {r, ok && in_domain(info.domain, a.v, b.v, r)};
    }
    switch (in.op) {  // the ops that decide their own validity
      case Op::Const: return {in.imm, true};
      case Op::Missing: return {0, false};
      case Op::Load: {
        const bool ok = in_.valid[in.a][row] != 0;
        return {ok && in_.num[in.a] ? in_.num[in.a][row] : 0.0, ok};
      }
      case Op::AsOf: return {in_.as_of, true};
      case Op::History: {  // no columns at all (a caller without history): every value missing
        if (!in_.history || !in_.history_valid) return {0, false};
        const bool ok = in_.history_valid[in.a][row] != 0;
        return {ok ? in_.history[in.a][row] : 0.0, ok};
      }
      case Op::Coalesce: return a.ok ? a : b;
      case Op::TextEq: {
        const bool la = in_.valid[in.a][row] != 0;
        const ir::TextCell x = in_.text[in.a][row];
        if (in.aux) {
          const std::string& s = p_.strings[in.b];
          return {double(la && x.size == s.size() && std::memcmp(x.data, s.data(), s.size()) == 0), la};
        }
        const bool lb = in_.valid[in.b][row] != 0;
        const ir::TextCell y = in_.text[in.b][row];
        return {double(la && lb && x.size == y.size && std::memcmp(x.data, y.data, x.size) == 0), la && lb};
      }
      case Op::And: {  // false wins over unknown
        const bool a_false = a.ok && a.v == 0, b_false = b.ok && b.v == 0;
        if (a_false || b_false) return {0, true};
        return {1, a.ok && b.ok};
      }
      case Op::Or: {  // true wins over unknown
        if (truthy(a) || truthy(b)) return {1, true};
        return {0, a.ok && b.ok};
      }
      case Op::IsMissing: return {double(!a.ok), true};
      case Op::Select: return truthy(a) ? b : c;
      case Op::OrElse: return a.ok ? a : Value{in.imm, true};
      case Op::WeightedSum: return {b.ok ? a.v + in.imm * b.v : a.v, a.ok};
      case Op::WeightSum: return {b.ok ? a.v + in.imm : a.v, a.ok};
      case Op::BandOf: return {a.ok ? band_of(a.v) : static_cast<double>(ir::unscored_band(p_)), true};
      default: return {};
    }
  }

  const ir::Program& p_;
  const ir::BatchColumns& in_;
  std::vector<Value> vals_;
};

// Bit i set where item i's instruction holds (valid and non-zero): alerts, stale rules.
template <class Items, class Inst>
uint64_t mask_of(const RowEvaluator& r, const Items& items, Inst inst) {
  uint64_t bits = 0;
  for (size_t i = 0; i < items.size() && i < 64; ++i)
    if (truthy(r.at(inst(items[i])))) bits |= uint64_t{1} << i;
  return bits;
}

}  // namespace

void evaluate(const ir::Program& p, const ir::BatchColumns& in, const ir::BatchOutputs& out) {
  RowEvaluator r(p, in);
  const ir::Results& res = p.results;
  const ir::Block detail = p.detail_block;
  const ir::Block alerts = p.alerts_block;
  const bool want_detail = out.m_value != nullptr;
  const size_t nm = p.measures.size();
  auto index = [&](uint32_t i) { return static_cast<int32_t>(r.at(i).v); };  // always valid
  for (int64_t row = 0; row < in.rows; ++row) {
    r.run(0, detail.begin, row);
    if (want_detail) r.run(detail.begin, detail.end, row);
    r.run(detail.end, p.labels_block.end, row);
    r.run(alerts.begin, alerts.end, row);
    const Value score = r.at(res.score);
    out.segment[row] = index(res.segment);
    out.score[row] = score.ok ? static_cast<int32_t>(score.v) : ir::kUnscoredScore;
    out.band[row] = index(res.band);
    out.label[row] = index(res.label);
    out.override_[row] = index(res.override_);
    if (out.weighted_score) {
      const Value w = res.weighted_score == ir::kNone ? Value{} : r.at(res.weighted_score);
      out.weighted_score[row] = w.ok ? static_cast<int32_t>(w.v) : ir::kUnscoredScore;
    }
    if (out.alerts_active) out.alerts_active[row] = mask_of(r, p.alerts, [](const ir::Alert& a) { return a.condition; });
    if (out.stale) out.stale[row] = mask_of(r, p.stale_rules, [](const ir::StaleRule& s) { return s.stale; });
    if (!want_detail) continue;
    for (size_t m = 0; m < nm; ++m) {
      const ir::Measure& meas = p.measures[m];
      const Value v = meas.value == ir::kNone ? Value{} : r.at(meas.value);
      const Value s = r.at(meas.score);
      const Value w = meas.weight == ir::kNone ? Value{} : r.at(meas.weight);
      const size_t at = m * static_cast<size_t>(in.rows) + static_cast<size_t>(row);
      out.m_value[at] = v.ok ? v.v : 0.0;
      out.m_value_valid[at] = v.ok;
      out.m_score[at] = s.ok ? s.v : 0.0;
      out.m_score_valid[at] = s.ok;
      out.m_weight[at] = w.ok ? w.v : 0.0;
      out.m_weight_valid[at] = w.ok;
    }
  }
}

}  // namespace healthc::eval
