// The IR verifier (verify.h). Each check names the rule and the place, so a hand-broken or
// damaged program says what is wrong. Stops collecting after a bounded number of problems.
// A condition may be any instruction computed before its block ends: `when m.value` reuses
// the measure's own instruction from the measures block.
#include "compiler/ir/verify.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace healthc::ir {
namespace {

constexpr size_t kMaxProblems = 50;
constexpr int kMaxTreeDepth = 256;

class Verifier {
 public:
  explicit Verifier(const Program& p) : p_(p), n_(p.code.size()) {}

  std::vector<std::string> run() {
    fields();
    if (p_.key_field < -1 || p_.key_field >= static_cast<int32_t>(p_.fields.size()))
      bad("key field {} is out of range", p_.key_field);
    blocks();
    if (problems_.empty()) code();  // operand checks index by block
    results();
    measures();
    models();
    segments();
    bands();
    overrides();
    labels();
    history();
    alerts();
    stale_rules();
    rollups();
    return std::move(problems_);
  }

 private:
  template <class... A>
  void bad(fmt::format_string<A...> f, A&&... a) {
    if (problems_.size() < kMaxProblems) problems_.push_back(fmt::format(f, std::forward<A>(a)...));
  }
  bool inside(Block b, uint32_t i) const { return i >= b.begin && i < b.end; }

  void fields() {
    for (size_t i = 0; i < p_.fields.size(); ++i) {
      const Field& f = p_.fields[i];
      if (f.type == FieldType::Enum && f.members.empty()) bad("enum field {} has no members", f.name);
      if (f.type != FieldType::Enum && !f.members.empty()) bad("field {} is not an enum but has members", f.name);
      if (!f.spellings.empty() && f.spellings.size() != f.members.size())
        bad("enum field {} has {} spellings for {} members", f.name, f.spellings.size(), f.members.size());
    }
  }

  // The six blocks cover the code, in order, without gaps: every instruction runs once.
  void blocks() {
    const Block* bs[] = {&p_.measures_block, &p_.account_block, &p_.detail_block, &p_.overrides_block,
                         &p_.labels_block,   &p_.alerts_block};
    uint32_t at = 0;
    bool ok = true;
    for (const Block* b : bs) {
      ok = ok && b->begin == at && b->end >= b->begin;
      at = b->end;
    }
    if (!ok || at != n_) {
      std::string ranges;
      for (const Block* b : bs) ranges += fmt::format(" [{}, {})", b->begin, b->end);
      bad("blocks{} do not cover the {} instructions in order", ranges, n_);
    }
  }

  bool is_field(uint32_t f) const { return f < p_.fields.size(); }
  bool is_text(uint32_t f) const { return is_field(f) && p_.fields[f].type == FieldType::Text; }
  // Whether instruction i loads a text field (its validity only: `is missing`, a guard).
  bool text_load(uint32_t i) const { return i < n_ && p_.code[i].op == Op::Load && is_text(p_.code[i].a); }
  void not_text(uint32_t i, const std::string& what) {
    if (text_load(i)) bad("{} is the text field {}, which has no value", what, p_.fields[p_.code[i].a].name);
  }

  void code() {
    for (uint32_t i = 0; i < n_; ++i) {
      const Inst& in = p_.code[i];
      if (static_cast<int>(in.op) >= kOpCount) {
        bad("%{}: unknown op {}", i, static_cast<int>(in.op));
        continue;
      }
      const char* name = op_name(in.op);
      const uint32_t args[] = {in.a, in.b, in.c};
      for (int k = 0; k < op_arity(in.op); ++k) {
        if (args[k] >= i) {
          bad("%{} = {}: operand {} is %{}, not an earlier instruction", i, name, k, args[k]);
        } else if (inside(p_.detail_block, args[k]) && !inside(p_.detail_block, i)) {
          // The basic variant skips the detail block: nothing else may read it.
          bad("%{} = {}: reads %{} of the detail block", i, name, args[k]);
        } else if (text_load(args[k]) && !((in.op == Op::IsMissing || in.op == Op::Guard) && k == 0)) {
          // A text field's Load has no value, only validity: its text is compared by TextEq.
          bad("%{} = {}: reads the value of text field {} (only text_eq compares text)", i, name,
              p_.fields[p_.code[args[k]].a].name);
        }
      }
      switch (in.op) {
        case Op::Load:
          if (!is_field(in.a)) bad("%{} = load: field {} is out of range", i, in.a);
          break;
        case Op::TextEq:
          if (!is_text(in.a)) bad("%{} = text_eq: field {} is not a text field", i, in.a);
          if (in.aux == 0 && !is_text(in.b)) bad("%{} = text_eq: field {} is not a text field", i, in.b);
          if (in.aux == 1 && in.b >= p_.strings.size()) bad("%{} = text_eq: string {} is out of range", i, in.b);
          if (in.aux > 1) bad("%{} = text_eq: aux {} is neither 0 (field) nor 1 (string)", i, in.aux);
          break;
        case Op::History:
          if (in.a >= p_.history.size()) bad("%{} = history: input {} is out of range", i, in.a);
          break;
        case Op::WeightedSum: case Op::WeightSum: case Op::EffectiveWeight:
          if (!std::isfinite(in.imm) || in.imm < 0) bad("%{} = {}: weight {}", i, name, in.imm);
          break;
        default: break;
      }
    }
  }

  // The results are computed by the basic variant (not in the detail block) and have values.
  void results() {
    const Results& r = p_.results;
    const std::pair<const char*, uint32_t> named[] = {{"segment", r.segment}, {"weighted_score", r.weighted_score},
                                                      {"score", r.score},     {"band", r.band},
                                                      {"label", r.label},     {"override", r.override_}};
    for (auto [what, i] : named) {
      if (i >= p_.labels_block.end || inside(p_.detail_block, i)) bad("result {} is %{}, not a basic instruction", what, i);
      else not_text(i, fmt::format("result {}", what));
    }
  }

  void measures() {
    for (const Measure& m : p_.measures) {
      if (m.weight != kNone && !inside(p_.detail_block, m.weight))
        bad("measure {}: weight %{} is not in the detail block", m.name, m.weight);
      not_text(m.value, "measure " + m.name + "'s value");
      not_text(m.score, "measure " + m.name + "'s score");
      if (m.value != kNone && !inside(p_.measures_block, m.value))
        bad("measure {}: value %{} is not in the measures block", m.name, m.value);
      if (!inside(p_.measures_block, m.score)) bad("measure {}: score %{} is not in the measures block", m.name, m.score);
      if (static_cast<int>(m.value_kind) > static_cast<int>(ValueKind::None)) bad("measure {}: bad value kind", m.name);
      if ((m.value == kNone) != (m.value_kind == ValueKind::None))
        bad("measure {}: value kind and value disagree", m.name);
      if (m.value_kind == ValueKind::Enum) {
        if (m.enum_field < 0 || !is_field(m.enum_field) || p_.fields[m.enum_field].type != FieldType::Enum)
          bad("measure {}: enum field {} is not an enum field", m.name, m.enum_field);
      } else if (m.enum_field != -1) {
        bad("measure {}: enum field {} on a value that is not an enum", m.name, m.enum_field);
      }
    }
  }

  void nodes(const Model& model, const std::vector<WeightNode>& ns, int depth) {
    if (depth > kMaxTreeDepth) {
      bad("model {}: weight tree deeper than {}", model.name, kMaxTreeDepth);
      return;
    }
    if (ns.empty()) bad("model {}: a level of the weight tree has no node", model.name);
    for (const WeightNode& n : ns) {
      // The checker allows weight 0 (a measure shown but not counted); negatives and
      // non-finite weights would break the weighted means.
      if (!std::isfinite(n.weight) || n.weight < 0) bad("model {}: node {} has weight {}", model.name, n.name, n.weight);
      if (n.measure >= 0) {
        if (static_cast<size_t>(n.measure) >= p_.measures.size())
          bad("model {}: node {} names measure {}, out of range", model.name, n.name, n.measure);
        if (!n.children.empty()) bad("model {}: measure node {} has children", model.name, n.name);
      } else if (n.measure != -1) {
        bad("model {}: node {} has measure index {}", model.name, n.name, n.measure);
      } else {
        nodes(model, n.children, depth + 1);
      }
    }
  }

  void models() {
    if (p_.models.empty()) bad("the program has no model");
    if (p_.default_model < 0 || static_cast<size_t>(p_.default_model) >= p_.models.size())
      bad("default model {} is out of range", p_.default_model);
    for (const Model& m : p_.models) nodes(m, m.roots, 0);
  }

  void segments() {
    for (const Segment& s : p_.segments) {
      not_text(s.condition, "segment " + s.name + "'s condition");
      if (s.condition >= p_.measures_block.end)
        bad("segment {}: condition %{} is not computed by the end of the measures block", s.name, s.condition);
      if (s.model < 0 || static_cast<size_t>(s.model) >= p_.models.size())
        bad("segment {}: model {} is out of range", s.name, s.model);
    }
  }

  // Bands ascend from 0 and tile 0..100: each ends one below the next one's start.
  void bands() {
    if (p_.bands.empty()) bad("the program has no band");
    for (size_t i = 0; i < p_.bands.size(); ++i) {
      const Band& b = p_.bands[i];
      if (i == 0 && b.from != 0) bad("band {} is the first but starts at {}, not 0", b.name, b.from);
      const int32_t to = i + 1 < p_.bands.size() ? p_.bands[i + 1].from - 1 : 100;
      if (b.from > b.to || b.to != to || b.from < 0 || b.to > 100)
        bad("band {}: range {}..{} does not tile 0..100 in ascending order", b.name, b.from, b.to);
    }
  }

  void overrides() {
    const int32_t nseg = static_cast<int32_t>(p_.segments.size());
    for (const Override& o : p_.overrides) {
      not_text(o.condition, "override " + o.name + "'s condition");
      if (o.condition >= p_.overrides_block.end)
        bad("override {}: condition %{} is not computed by the end of the overrides block", o.name, o.condition);
      for (int32_t s : o.segments)
        if (s < -1 || s >= nseg) bad("override {}: segment {} is out of range", o.name, s);
      if (static_cast<int>(o.action) > static_cast<int>(ActionKind::Band)) bad("override {}: bad action", o.name);
      if (o.action == ActionKind::Band && (o.band < 0 || static_cast<size_t>(o.band) >= p_.bands.size()))
        bad("override {}: band {} is out of range", o.name, o.band);
    }
  }

  void labels() {
    for (const Label& l : p_.labels) {
      not_text(l.condition, "label " + l.name + "'s condition");
      if (l.condition != kNone && l.condition >= p_.labels_block.end)
        bad("label {}: condition %{} is not computed by the end of the labels block", l.name, l.condition);
    }
  }

  bool is_measure(int32_t m) const { return m >= 0 && static_cast<size_t>(m) < p_.measures.size(); }

  // Distinct inputs; a measure's for the measure kinds only; a window of -1 or 0 and up.
  void history() {
    std::map<std::tuple<int, int32_t, int32_t>, size_t> seen;
    for (size_t i = 0; i < p_.history.size(); ++i) {
      const HistoryInput& h = p_.history[i];
      const bool measure_kind = h.kind == HistoryKind::MeasureScore || h.kind == HistoryKind::MeasureValue;
      if (static_cast<int>(h.kind) > static_cast<int>(HistoryKind::MeasureValue)) bad("history {}: bad kind", i);
      if (measure_kind && !is_measure(h.measure)) bad("history {}: measure {} is out of range", i, h.measure);
      if (!measure_kind && h.measure != -1) bad("history {}: measure {} on an input that reads none", i, h.measure);
      if (h.kind == HistoryKind::MeasureValue && is_measure(h.measure) &&
          p_.measures[h.measure].value_kind == ValueKind::None)
        bad("history {}: measure {} has no value", i, p_.measures[h.measure].name);
      if (h.days_back < -1) bad("history {}: days back {} is below -1", i, h.days_back);
      auto [it, added] = seen.emplace(std::make_tuple(static_cast<int>(h.kind), h.measure, h.days_back), i);
      if (!added) bad("history {} repeats history {}", i, it->second);
    }
  }

  void alerts() {
    if (p_.alerts.size() > kMaxAlerts) bad("{} alerts, more than {}", p_.alerts.size(), kMaxAlerts);
    const int32_t nseg = static_cast<int32_t>(p_.segments.size());
    for (const Alert& a : p_.alerts) {
      if (!inside(p_.alerts_block, a.condition))
        bad("alert {}: condition %{} is not in the alerts block", a.name, a.condition);
      else
        not_text(a.condition, "alert " + a.name + "'s condition");
      for (int32_t s : a.segments)
        if (s < -1 || s >= nseg) bad("alert {}: segment {} is out of range", a.name, s);
      if (static_cast<int>(a.severity) > static_cast<int>(Severity::Critical)) bad("alert {}: bad severity", a.name);
    }
  }

  // Each rule unscores one measure, at most once, by an instruction of the measures block
  // computed before the measure's score; file order of the measures.
  void stale_rules() {
    if (p_.stale_rules.size() > kMaxStaleRules)
      bad("{} stale rules, more than {}", p_.stale_rules.size(), kMaxStaleRules);
    for (size_t i = 0; i < p_.stale_rules.size(); ++i) {
      const StaleRule& s = p_.stale_rules[i];
      if (!is_measure(s.measure)) {
        bad("stale rule {}: measure {} is out of range", i, s.measure);
        continue;
      }
      const Measure& m = p_.measures[s.measure];
      if (i > 0 && s.measure <= p_.stale_rules[i - 1].measure)
        bad("stale rule {}: measure {} is not after the previous rule's in file order", i, m.name);
      if (!is_field(static_cast<uint32_t>(s.date_field)) || p_.fields[s.date_field].type != FieldType::Date)
        bad("stale rule {}: field {} is not a date field", i, s.date_field);
      if (s.days < 0) bad("stale rule {}: {} days", i, s.days);
      if (!inside(p_.measures_block, s.stale))
        bad("stale rule {}: %{} is not in the measures block", i, s.stale);
      else if (s.stale >= m.score)
        bad("stale rule {}: %{} is not computed before measure {}'s score %{}", i, s.stale, m.name, m.score);
    }
  }

  // Distinct names; at least one `by` field, each a text, enum or bool field once; a number
  // field or none as the weight.
  void rollups() {
    if (p_.rollups.size() > kMaxRollups) bad("{} roll-ups, more than {}", p_.rollups.size(), kMaxRollups);
    std::set<std::string> names;
    for (const Rollup& r : p_.rollups) {
      if (r.name.empty() || !names.insert(r.name).second) bad("roll-up `{}`: empty or repeated name", r.name);
      if (r.by.empty()) bad("roll-up {}: no `by` field", r.name);
      std::set<int32_t> seen;
      for (int32_t f : r.by) {
        const bool groups = is_field(static_cast<uint32_t>(f)) &&
                            (p_.fields[f].type == FieldType::Text || p_.fields[f].type == FieldType::Enum ||
                             p_.fields[f].type == FieldType::Bool);
        if (!groups) bad("roll-up {}: `by` field {} is not a text, enum or bool field", r.name, f);
        if (!seen.insert(f).second) bad("roll-up {}: `by` field {} is named twice", r.name, f);
      }
      if (r.weight != -1 &&
          (!is_field(static_cast<uint32_t>(r.weight)) || p_.fields[r.weight].type != FieldType::Number))
        bad("roll-up {}: weight field {} is not a number field", r.name, r.weight);
    }
  }

  const Program& p_;
  const uint32_t n_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> verify(const Program& p) { return Verifier(p).run(); }

}  // namespace healthc::ir
