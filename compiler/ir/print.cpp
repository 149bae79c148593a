// The IR's text form (`healthc compile --emit ir`).
#include <fmt/format.h>

#include <iterator>

#include "compiler/ir/conventions.h"
#include "compiler/ir/ir.h"

namespace healthc::ir {

namespace {
void print_block(std::string& out, const Program& p, Block b) {
  for (uint32_t i = b.begin; i < b.end; ++i) {
    const Inst& in = p.code[i];
    out += fmt::format("  %{} = {}", i, op_name(in.op));
    switch (in.op) {
      case Op::Const: out += fmt::format(" {}", in.imm); break;
      case Op::Load: out += fmt::format(" {}", p.fields[in.a].name); break;
      case Op::TextEq:
        out += in.aux ? fmt::format(" {}, \"{}\"", p.fields[in.a].name, p.strings[in.b])
                      : fmt::format(" {}, {}", p.fields[in.a].name, p.fields[in.b].name);
        break;
      case Op::OrElse: out += fmt::format(" %{}, {}", in.a, in.imm); break;
      case Op::History: out += fmt::format(" {}", in.a); break;
      // The weights read as the spec writes them: a sum of weight x score over scored children.
      case Op::WeightedSum: out += fmt::format(" %{} + {} * %{}", in.a, in.imm, in.b); break;
      case Op::WeightSum: out += fmt::format(" %{} + {} if %{}", in.a, in.imm, in.b); break;
      case Op::EffectiveWeight: out += fmt::format(" %{} * {} / %{} if %{}", in.a, in.imm, in.b, in.c); break;
      default: {
        const int n = op_arity(in.op);
        const uint32_t args[] = {in.a, in.b, in.c};
        for (int k = 0; k < n; ++k) out += fmt::format("{}%{}", k ? ", " : " ", args[k]);
      }
    }
    out += "\n";
  }
}

std::string history_text(const Program& p, const HistoryInput& h) {
  static const char* kKinds[] = {"final_score", "weighted_score", "segment", "band",
                                 "label",       "override",       "measure_score", "measure_value"};
  const size_t k = static_cast<size_t>(h.kind);
  std::string out = k < std::size(kKinds) ? kKinds[k] : "?";
  if (h.kind == HistoryKind::MeasureScore || h.kind == HistoryKind::MeasureValue)
    out += fmt::format(" {}", h.measure >= 0 && static_cast<size_t>(h.measure) < p.measures.size()
                                  ? p.measures[h.measure].name
                                  : fmt::format("#{}", h.measure));
  out += h.days_back < 0 ? std::string(" previous") : fmt::format(" {} days back", h.days_back);
  return out;
}

void print_nodes(std::string& out, const Program& p, const std::vector<WeightNode>& nodes, int depth) {
  for (const WeightNode& n : nodes) {
    out += fmt::format("{}{} {} {}\n", std::string(depth * 2, ' '), n.measure >= 0 ? "measure" : "group", n.name,
                       n.weight);
    if (n.measure < 0) print_nodes(out, p, n.children, depth + 1);
  }
}
}  // namespace

std::string print(const Program& p) {
  std::string out = fmt::format("program \"{}\"\n", p.title);
  for (size_t i = 0; i < p.fields.size(); ++i)
  {
    static const char* kTypes[] = {"number", "bool", "text", "date", "enum"};
    // Spellings only where the card gives them, so a v1 card's listing is unchanged.
    std::string spelled;
    for (size_t m = 0; m < p.fields[i].spellings.size() && m < p.fields[i].members.size(); ++m)
      spelled += fmt::format("{}{} = \"{}\"", m ? ", " : " (", p.fields[i].members[m], p.fields[i].spellings[m]);
    if (!spelled.empty()) spelled += ")";
    out += fmt::format("field {} {} {}{}{}\n", i, p.fields[i].name, kTypes[static_cast<int>(p.fields[i].type)],
                       spelled, p.fields[i].optional ? " optional" : "");
  }
  auto inst = [](uint32_t i) { return i == kNone ? std::string("none") : fmt::format("%{}", i); };
  for (size_t i = 0; i < p.history.size(); ++i) out += fmt::format("history {}: {}\n", i, history_text(p, p.history[i]));
  out += "block measures:\n";
  print_block(out, p, p.measures_block);
  for (const Measure& m : p.measures)
    out += fmt::format("measure {}: value {} score %{} weight {}\n", m.name, inst(m.value), m.score, inst(m.weight));
  for (const StaleRule& s : p.stale_rules)
    out += fmt::format("stale {}: {} missing or over {} days old => %{}\n", p.measures[s.measure].name,
                       p.fields[s.date_field].name, s.days, s.stale);
  for (const Segment& s : p.segments)
    out += fmt::format("segment {} when %{} use {}\n", s.name, s.condition, p.models[s.model].name);
  for (const Model& m : p.models) {
    out += fmt::format("model {}{}:\n", m.name, &m == &p.models[p.default_model] ? " (default)" : "");
    print_nodes(out, p, m.roots, 1);
  }
  for (const Band& b : p.bands) out += fmt::format("band {} {}..{} {}\n", b.name, b.from, b.to, b.color);
  out += "block account:\n";
  print_block(out, p, p.account_block);
  out += "block detail:\n";
  print_block(out, p, p.detail_block);
  out += "block overrides:\n";
  print_block(out, p, p.overrides_block);
  static const char* kActions[] = {"score", "cap", "floor", "band"};
  for (const Override& o : p.overrides) {
    out += fmt::format("override {} when %{} => {} {}", o.name, o.condition, kActions[static_cast<int>(o.action)],
                       o.action == ActionKind::Band ? p.bands[o.band].name : fmt::format("{}", o.amount));
    if (!o.segments.empty()) {
      out += " for";
      for (int32_t s : o.segments) out += fmt::format(" {}", segment_name(p, for_list_segment(p, s)));
    }
    out += "\n";
  }
  out += "block labels:\n";
  print_block(out, p, p.labels_block);
  for (const Label& l : p.labels)
    out += l.condition == kNone ? fmt::format("label {} otherwise\n", l.name)
                                : fmt::format("label {} when %{}\n", l.name, l.condition);
  // v1 programs have no alerts: their listing stays as it was.
  if (!p.alerts.empty() || p.alerts_block.end > p.alerts_block.begin) {
    out += "block alerts:\n";
    print_block(out, p, p.alerts_block);
    for (const Alert& a : p.alerts) {
      out += fmt::format("alert {} when %{} severity {}", a.name, a.condition, severity_name(a.severity));
      if (!a.segments.empty()) {
        out += " for";
        for (int32_t s : a.segments) out += fmt::format(" {}", segment_name(p, for_list_segment(p, s)));
      }
      out += "\n";
    }
  }
  for (const Rollup& r : p.rollups) {
    out += fmt::format("rollup {}{} by", r.name, r.title.empty() ? std::string() : fmt::format(" \"{}\"", r.title));
    for (size_t i = 0; i < r.by.size(); ++i) out += fmt::format("{} {}", i ? "," : "", p.fields[r.by[i]].name);
    out += r.weight >= 0 ? fmt::format(" weight {}\n", p.fields[r.weight].name) : std::string("\n");
  }
  const Results& r = p.results;
  out += fmt::format("results: segment {} weighted_score {} score {} band {} label {} override {}\n", inst(r.segment),
                     inst(r.weighted_score), inst(r.score), inst(r.band), inst(r.label), inst(r.override_));
  return out;
}

}  // namespace healthc::ir
