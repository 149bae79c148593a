// Block scoring for a compiled scorecard: native code made on first use (or given by an
// artefact), the reference evaluator otherwise. No front end, no LLVM here.
#include "runtime/scorecard.h"

#include "compiler/ir/conventions.h"
#include "compiler/eval/evaluator.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

namespace healthc {

void BlockScores::resize(size_t n, size_t measures, bool want_detail) {
  rows = n;
  detail = want_detail;
  for (auto* v : {&segment, &score, &band, &label, &override_}) v->resize(n);
  const size_t d = want_detail ? n * measures : 0;
  for (auto* v : {&m_value, &m_score, &m_weight}) v->resize(d);
  for (auto* v : {&m_value_valid, &m_score_valid, &m_weight_valid}) v->resize(d);
  weighted_score.resize(n);
  alerts_active.resize(n);
  stale.resize(n);
}

ir::BatchOutputs BlockScores::outputs() {
  ir::BatchOutputs o{segment.data(), score.data(), band.data(), label.data(), override_.data(),
                     nullptr,        nullptr,      nullptr,     nullptr,      nullptr,         nullptr,
                     weighted_score.data(), alerts_active.data(), stale.data()};
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
    // The readers match enum cells against the members as the data spells them.
    // A member spelled as its own name reads as an unspelled one (trimmed).
    std::vector<std::string> spelled;
    std::vector<uint8_t> exact;
    for (size_t m = 0; m < f.members.size(); ++m) {
      spelled.emplace_back(ir::member_spelling(f, m));
      if (!f.spellings.empty()) exact.push_back(spelled.back() != f.members[m] ? 1 : 0);
    }
    const bool any_exact = std::find(exact.begin(), exact.end(), uint8_t{1}) != exact.end();
    if (!any_exact) exact.clear();
    s.fields.push_back(rt::FieldSpec{f.name, static_cast<rt::FieldType>(f.type), f.optional,
                                     static_cast<int32_t>(i) == program_.key_field, std::move(spelled),
                                     any_exact, std::move(exact)});
  }
  s.extra_columns = std::move(extra);
  return s;
}

std::shared_ptr<Scorecard> Scorecard::make(ir::Program program, std::shared_ptr<const FrontendResult> source,
                                           Engine engine, NativeCompiler compiler) {
  auto card = std::make_shared<Scorecard>();
  card->program_ = std::move(program);
  card->front_ = std::move(source);
  card->engine_ = compiler ? engine : Engine::Evaluator;
  card->compiler_ = std::move(compiler);
  return card;
}

std::shared_ptr<const Scorecard> Scorecard::make_native(ir::Program program, ir::BatchFn basic, ir::BatchFn detail,
                                                        std::shared_ptr<void> owner) {
  auto card = std::make_shared<Scorecard>();
  card->program_ = std::move(program);
  card->engine_ = Engine::Jit;
  const ir::BatchFn fns[2] = {basic, detail};
  for (int v = 0; v < 2; ++v) {
    Native& n = card->native_[v];
    std::call_once(n.once, [&] {
      n.code.fn = fns[v];
      n.code.owner = owner;
      if (!fns[v]) n.code.error = "the artefact has no code for this variant";
    });
  }
  return card;
}

namespace {

// All-missing history columns of `rows` rows for every input (one shared zeroed column).
struct MissingHistory {
  std::vector<double> values;
  std::vector<uint8_t> valid;
  std::vector<const double*> value_ptrs;
  std::vector<const uint8_t*> valid_ptrs;
  MissingHistory(size_t inputs, size_t rows)
      : values(rows, 0.0), valid(rows, 0), value_ptrs(inputs, values.data()), valid_ptrs(inputs, valid.data()) {}
};

}  // namespace

void Scorecard::score(const rt::ColumnBlock& block, double as_of, bool detail, BlockScores& out) const {
  score(block, as_of, detail, nullptr, out);
}

void Scorecard::score(const rt::ColumnBlock& block, double as_of, bool detail, const HistoryColumns* history,
                      BlockScores& out) const {
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
  ir::BatchColumns in{num.data(), valid.data(), text.data(), as_of, static_cast<int64_t>(block.rows), nullptr, nullptr};
  const size_t nh = program_.history.size();
  std::vector<const double*> hist(nh, nullptr);
  std::vector<const uint8_t*> hist_valid(nh, nullptr);
  if (nh > 0 && history && !history->values.empty()) {
    if (history->values.size() != nh || history->valid.size() != nh)
      throw std::invalid_argument("history columns for " + std::to_string(history->values.size()) +
                                  " inputs, and the card reads " + std::to_string(nh));
    for (size_t h = 0; h < nh; ++h) {
      if (history->values[h].size() != block.rows || history->valid[h].size() != block.rows)
        throw std::invalid_argument("history column " + std::to_string(h) + " does not have the block's " +
                                    std::to_string(block.rows) + " rows");
      hist[h] = history->values[h].data();
      hist_valid[h] = history->valid[h].data();
    }
    in.history = hist.data();
    in.history_valid = hist_valid.data();
  }
  ir::BatchOutputs o = out.outputs();
  if (program_.alerts.empty() && program_.stale_rules.empty()) {
    if (out.masks_written) {
      std::fill(out.alerts_active.begin(), out.alerts_active.end(), 0);
      std::fill(out.stale.begin(), out.stale.end(), 0);
      out.masks_written = false;
    }
    o.alerts_active = o.stale = nullptr;
  } else {
    out.masks_written = true;
  }
  score(in, detail, o);  // no history columns: the overload below supplies missing ones
}

void Scorecard::score(const ir::BatchColumns& given, bool detail, const ir::BatchOutputs& out) const {
  if (given.rows <= 0) return;
  // The engines read every history input's column: a caller without a store gives none.
  std::optional<MissingHistory> missing;
  ir::BatchColumns in = given;
  if (!program_.history.empty() && (!in.history || !in.history_valid)) {
    missing.emplace(program_.history.size(), static_cast<size_t>(in.rows));
    in.history = missing->value_ptrs.data();
    in.history_valid = missing->valid_ptrs.data();
  }
  if (engine_ == Engine::Evaluator) {
    eval::evaluate(program_, in, out);
    return;
  }
  if (ir::BatchFn fn = prepare(detail ? 1 : 0).fn) {
    fn(&in, &out);
  } else {  // past the compile budget, or code generation failed late: the evaluator agrees
    eval::evaluate(program_, in, out);
  }
}

const NativeCode& Scorecard::prepare(int variant) const {
  Native& n = native_[variant];
  std::call_once(n.once, [&] {
    if (compiler_) n.code = compiler_(program_, variant);
  });
  return n.code;
}

}  // namespace healthc
