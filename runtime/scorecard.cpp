// The embedding API: front end, lowering, JIT (or the evaluator), and block scoring.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/eval/evaluator.h"
#include "compiler/ir/lower.h"
#include "compiler/jit/jit.h"
#include "runtime/scorecard.h"

namespace healthc {

void BlockScores::resize(size_t n, size_t measures, bool want_detail) {
  rows = n;
  detail = want_detail;
  for (auto* v : {&segment, &score, &band, &label, &override_}) v->resize(n);
  const size_t d = want_detail ? n * measures : 0;
  for (auto* v : {&m_value, &m_score, &m_weight}) v->resize(d);
  for (auto* v : {&m_value_valid, &m_score_valid, &m_weight_valid}) v->resize(d);
}

ir::BatchOutputs BlockScores::outputs() {
  ir::BatchOutputs o{segment.data(), score.data(), band.data(), label.data(), override_.data(),
                     nullptr,        nullptr,      nullptr,     nullptr,      nullptr,         nullptr};
  if (detail) {
    o.m_value = m_value.data();
    o.m_value_valid = m_value_valid.data();
    o.m_score = m_score.data();
    o.m_score_valid = m_score_valid.data();
    o.m_weight = m_weight.data();
    o.m_weight_valid = m_weight_valid.data();
  }
  return o;
}

rt::Schema Scorecard::schema(std::vector<std::string> extra) const {
  rt::Schema s;
  for (size_t i = 0; i < program_.fields.size(); ++i) {
    const ir::Field& f = program_.fields[i];
    s.fields.push_back(rt::FieldSpec{f.name, static_cast<rt::FieldType>(f.type), f.optional,
                                     static_cast<int32_t>(i) == program_.key_field, f.members});
  }
  s.extra_columns = std::move(extra);
  return s;
}

void Scorecard::score(const rt::ColumnBlock& block, double as_of, bool detail, BlockScores& out) const {
  const size_t nf = program_.fields.size();
  std::vector<const double*> num(nf, nullptr);
  std::vector<const uint8_t*> valid(nf, nullptr);
  std::vector<const ir::TextCell*> text(nf, nullptr);
  for (size_t f = 0; f < nf; ++f) {
    if (f < block.num.size() && !block.num[f].empty()) num[f] = block.num[f].data();
    if (f < block.valid.size()) valid[f] = block.valid[f].data();
    if (f < block.text.size() && !block.text[f].empty())
      text[f] = reinterpret_cast<const ir::TextCell*>(block.text[f].data());
  }
  out.resize(block.rows, program_.measures.size(), detail);
  if (block.rows == 0) return;
  const ir::BatchColumns in{num.data(), valid.data(), text.data(), as_of, static_cast<int64_t>(block.rows)};
  const ir::BatchOutputs o = out.outputs();
  if (engine_ == Engine::Evaluator) {
    eval::evaluate(program_, in, o);
    return;
  }
  if (ir::BatchFn fn = native(detail ? 1 : 0)) {
    fn(&in, &o);
  } else {  // past the compile budget, or code generation failed late: the evaluator agrees
    eval::evaluate(program_, in, o);
  }
}

ir::BatchFn Scorecard::native(int variant) const {
  Native& n = native_[variant];
  std::call_once(n.once, [&] {
    jit::CompileResult r = jit::compile(program_, variant ? jit::Variant::Detail : jit::Variant::Basic,
                                        jit::CacheOptions{use_cache_, cache_dir_});
    n.notes = std::move(r.notes);
    n.use_evaluator = r.use_evaluator;
    if (!r.scorer) {
      n.error = r.error;
      return;
    }
    n.fn = r.scorer->function();
    n.code = std::shared_ptr<jit::NativeScorer>(std::move(r.scorer));
  });
  return n.fn;
}

struct ScorecardBuilder {
  static CompileOutcome build(std::unique_ptr<FrontendResult> front, const CompileOptions& options) {
    CompileOutcome out;
    if (!front->ok()) {
      out.front = std::move(front);
      return out;
    }
    std::vector<double> params = ir::default_params(front->card);
    // A named pair, not a structured binding: clang 14 cannot capture a binding in a lambda.
    for (const auto& param : options.params) {
      const auto& name = param.first;
      auto it = std::find_if(front->card.params.begin(), front->card.params.end(),
                             [&](const ast::Param& p) { return p.name.text == name; });
      if (it == front->card.params.end()) {
        out.error = fmt::format("the scorecard has no param `{}`", name);
        return out;
      }
      params[it - front->card.params.begin()] = param.second;
    }
    auto card = std::make_shared<Scorecard>();
    card->program_ = ir::lower(front->card, front->checked.checked, params);
    card->engine_ = options.engine;
    card->use_cache_ = options.use_cache;
    card->cache_dir_ = options.cache_dir;
    if (options.engine == Engine::Jit) {
      const int variant = options.eager_detail ? 1 : 0;
      const bool compiled = card->native(variant) != nullptr;
      out.notes = card->native_[variant].notes;
      if (!compiled && !card->native_[variant].use_evaluator) {
        out.error = "code generation failed: " + card->native_[variant].error;
        return out;
      }
    }
    card->front_ = std::move(front);
    out.scorecard = std::move(card);
    return out;
  }
};

CompileOutcome compile_scorecard(const std::string& path, const CompileOptions& options) {
  return ScorecardBuilder::build(std::make_unique<FrontendResult>(run_frontend(path)), options);
}

CompileOutcome compile_scorecard_text(const std::string& name, const std::string& text, const CompileOptions& options) {
  return ScorecardBuilder::build(std::make_unique<FrontendResult>(run_frontend_text(name, text)), options);
}

}  // namespace healthc
