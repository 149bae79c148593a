// Reference evaluator over the scoring IR. Written for clarity, not speed: every rule of the
// language's "Missing values" and "The account's score" sections is visible here.
#include "compiler/eval/evaluator.h"

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

struct AccountState {
  Value score;
  double band = 0, segment = 0;
};

bool finite(double x) { return std::isfinite(x); }
bool truthy(Value x) { return x.ok && x.v != 0; }

class RowEvaluator {
 public:
  RowEvaluator(const ir::Program& p, const ir::BatchColumns& in) : p_(p), in_(in), vals_(p.code.size()) {}

  void run_block(ir::Block b, int64_t row, const AccountState& acc) {
    for (uint32_t i = b.begin; i < b.end; ++i) vals_[i] = step(p_.code[i], row, acc);
  }
  Value at(uint32_t i) const { return vals_[i]; }

 private:
  Value arith(double r, bool ok) const { return {r, ok && finite(r)}; }

  Value step(const Inst& in, int64_t row, const AccountState& acc) const {
    const Value a = in.a < vals_.size() ? vals_[in.a] : Value{};
    const Value b = in.b < vals_.size() ? vals_[in.b] : Value{};
    const Value c = in.c < vals_.size() ? vals_[in.c] : Value{};
    switch (in.op) {
      case Op::Const: return {in.imm, true};
      case Op::Missing: return {0, false};
      case Op::Load: {
        const bool ok = in_.valid[in.a][row] != 0;
        return {ok && in_.num[in.a] ? in_.num[in.a][row] : 0.0, ok};
      }
      case Op::AsOf: return {in_.as_of, true};
      case Op::AccountScore: return acc.score;
      case Op::AccountBand: return {acc.band, true};
      case Op::AccountSegment: return {acc.segment, true};
      case Op::Neg: return {-a.v, a.ok};
      case Op::Add: return arith(a.v + b.v, a.ok && b.ok);
      case Op::Sub: return arith(a.v - b.v, a.ok && b.ok);
      case Op::Mul: return arith(a.v * b.v, a.ok && b.ok);
      case Op::Div: return arith(b.v != 0 ? a.v / b.v : 0.0, a.ok && b.ok && b.v != 0);
      case Op::Min: return {a.v < b.v ? a.v : b.v, a.ok && b.ok};
      case Op::Max: return {a.v > b.v ? a.v : b.v, a.ok && b.ok};
      case Op::Abs: return {std::fabs(a.v), a.ok};
      case Op::Round: return {std::round(a.v), a.ok};
      case Op::Log: return arith(a.v > 0 ? std::log(a.v) : 0.0, a.ok && a.v > 0);
      case Op::Sqrt: return arith(a.v >= 0 ? std::sqrt(a.v) : 0.0, a.ok && a.v >= 0);
      case Op::PctChange: return arith(b.v != 0 ? (a.v - b.v) / b.v : 0.0, a.ok && b.ok && b.v != 0);
      case Op::Clamp: {
        const double lo = a.v < b.v ? b.v : a.v;
        return {lo > c.v ? c.v : lo, a.ok && b.ok && c.ok};
      }
      case Op::Coalesce: return a.ok ? a : b;
      case Op::Eq: return {double(a.v == b.v), a.ok && b.ok};
      case Op::Ne: return {double(a.v != b.v), a.ok && b.ok};
      case Op::Lt: return {double(a.v < b.v), a.ok && b.ok};
      case Op::Le: return {double(a.v <= b.v), a.ok && b.ok};
      case Op::Gt: return {double(a.v > b.v), a.ok && b.ok};
      case Op::Ge: return {double(a.v >= b.v), a.ok && b.ok};
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
      case Op::Not: return {double(a.v == 0), a.ok};
      case Op::IsMissing: return {double(!a.ok), true};
      case Op::Select: return truthy(a) ? b : c;
      case Op::Guard: return {b.v, a.ok && b.ok};
      case Op::ClampScore: {
        if (!a.ok || std::isnan(a.v)) return {0, false};
        return {a.v < 0 ? 0.0 : a.v > 100 ? 100.0 : a.v, true};
      }
      case Op::OrElse: return a.ok ? a : Value{in.imm, true};
    }
    return {};
  }

  const ir::Program& p_;
  const ir::BatchColumns& in_;
  std::vector<Value> vals_;
};

// A weight tree node's score; fills effective weights of scored measures.
Value node_score(const std::vector<ir::WeightNode>& nodes, const RowEvaluator& r, const ir::Program& p,
                 double parent_weight, std::vector<double>* ew, std::vector<uint8_t>* ew_ok) {
  std::vector<Value> scores(nodes.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::WeightNode& n = nodes[i];
    scores[i] = n.measure >= 0 ? r.at(p.measures[n.measure].score) : node_score(n.children, r, p, 0, nullptr, nullptr);
    if (scores[i].ok) {
      num = num + n.weight * scores[i].v;
      den = den + n.weight;
    }
  }
  // A weighted mean that is not finite (weights so large that the sums overflow) is
  // unscored, like a level with no scored child: it must never reach a band or an int.
  const double mean = den > 0 ? num / den : 0.0;
  if (!(den > 0) || !finite(mean)) return {0, false};
  if (ew) {  // second pass with this level's normalisation known
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!scores[i].ok) continue;
      const ir::WeightNode& n = nodes[i];
      const double w = parent_weight * n.weight / den;
      if (n.measure >= 0) {
        (*ew)[n.measure] = w;
        (*ew_ok)[n.measure] = 1;
      } else {
        node_score(n.children, r, p, w, ew, ew_ok);
      }
    }
  }
  return {mean, true};
}

// The root's mean rounded half up. Only a value in 0..100 is a score: the range check also
// keeps NaN and out-of-range values away from the int conversions below (codegen agrees).
Value weighted_score(Value root) {
  const double r = root.ok ? std::floor(root.v + 0.5) : 0.0;
  const bool ok = root.ok && r >= 0 && r <= 100;
  return {ok ? r : 0.0, ok};
}

int32_t band_of(const ir::Program& p, int32_t score) {
  int32_t band = 0;
  for (size_t i = 0; i < p.bands.size(); ++i)
    if (p.bands[i].from <= score) band = static_cast<int32_t>(i);
  return band;
}

}  // namespace

void evaluate(const ir::Program& p, const ir::BatchColumns& in, const ir::BatchOutputs& out) {
  RowEvaluator r(p, in);
  const int32_t nseg = static_cast<int32_t>(p.segments.size());
  const int32_t nbands = static_cast<int32_t>(p.bands.size());
  const size_t nm = p.measures.size();
  std::vector<double> ew(nm);
  std::vector<uint8_t> ew_ok(nm);
  for (int64_t row = 0; row < in.rows; ++row) {
    AccountState acc;
    r.run_block(p.measures_block, row, acc);
    // 1. Segment: the first whose condition holds; else `default`.
    int32_t seg = nseg;
    for (int32_t s = 0; s < nseg; ++s)
      if (truthy(r.at(p.segments[s].condition))) {
        seg = s;
        break;
      }
    const int32_t model = seg < nseg ? p.segments[seg].model : p.default_model;
    // 2-3. The weighted score of the model's tree, rounded half up.
    std::fill(ew.begin(), ew.end(), 0.0);
    std::fill(ew_ok.begin(), ew_ok.end(), 0);
    const Value root = node_score(p.models[model].roots, r, p, 1.0, &ew, &ew_ok);
    Value score = weighted_score(root);
    // 4. The first matching override.
    acc.score = score;
    acc.band = score.ok ? band_of(p, static_cast<int32_t>(score.v)) : nbands;
    acc.segment = seg;
    r.run_block(p.overrides_block, row, acc);
    int32_t applied = -1;
    for (size_t o = 0; o < p.overrides.size(); ++o) {
      const ir::Override& ov = p.overrides[o];
      if (!truthy(r.at(ov.condition))) continue;
      if (!ov.segments.empty() &&
          std::none_of(ov.segments.begin(), ov.segments.end(), [&](int32_t s) { return (s < 0 ? nseg : s) == seg; }))
        continue;
      applied = static_cast<int32_t>(o);
      switch (ov.action) {
        case ir::ActionKind::Score: score = {double(ov.amount), true}; break;
        case ir::ActionKind::Cap: score.v = score.v > ov.amount ? ov.amount : score.v; break;
        case ir::ActionKind::Floor: score.v = score.v < ov.amount ? ov.amount : score.v; break;
        case ir::ActionKind::Band: {
          const ir::Band& b = p.bands[ov.band];
          score.v = score.v < b.from ? b.from : score.v > b.to ? b.to : score.v;
          break;
        }
      }
      score.v = score.v < 0 ? 0 : score.v > 100 ? 100 : score.v;
      break;
    }
    // 5. Band and color.
    const int32_t final_score = score.ok ? static_cast<int32_t>(score.v) : -1;
    const int32_t band = score.ok ? band_of(p, final_score) : nbands;
    // 6. The first matching label.
    acc.score = score;
    acc.band = band;
    r.run_block(p.labels_block, row, acc);
    int32_t label = -1;
    for (size_t l = 0; l < p.labels.size(); ++l)
      if (p.labels[l].condition == ir::kNone || truthy(r.at(p.labels[l].condition))) {
        label = static_cast<int32_t>(l);
        break;
      }
    out.segment[row] = seg;
    out.score[row] = final_score;
    out.band[row] = band;
    out.label[row] = label;
    out.override_[row] = applied;
    if (out.m_value) {
      for (size_t m = 0; m < nm; ++m) {
        const ir::Measure& meas = p.measures[m];
        const Value v = meas.value == ir::kNone ? Value{} : r.at(meas.value);
        const Value s = r.at(meas.score);
        const size_t at = m * static_cast<size_t>(in.rows) + static_cast<size_t>(row);
        out.m_value[at] = v.ok ? v.v : 0.0;
        out.m_value_valid[at] = v.ok;
        out.m_score[at] = s.ok ? s.v : 0.0;
        out.m_score_valid[at] = s.ok;
        out.m_weight[at] = ew_ok[m] ? ew[m] : 0.0;
        out.m_weight_valid[at] = ew_ok[m];
      }
    }
  }
}

}  // namespace healthc::eval
