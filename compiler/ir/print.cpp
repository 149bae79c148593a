// The IR's text form (`healthc compile --emit ir`).
#include <fmt/format.h>

#include "compiler/ir/ir.h"

namespace healthc::ir {

const char* op_name(Op op) {
  static const char* kNames[] = {"const", "missing", "load", "as_of", "account_score", "account_band",
                                 "account_segment", "neg", "add", "sub", "mul", "div", "min", "max", "abs",
                                 "round", "log", "sqrt", "pct_change", "clamp", "coalesce", "eq", "ne", "lt",
                                 "le", "gt", "ge", "text_eq", "and", "or", "not", "is_missing", "select",
                                 "guard", "clamp_score", "or_else"};
  return kNames[static_cast<int>(op)];
}

int op_arity(Op op) {
  switch (op) {
    case Op::Const: case Op::Missing: case Op::Load: case Op::AsOf: case Op::AccountScore:
    case Op::AccountBand: case Op::AccountSegment: case Op::TextEq:
      return 0;
    case Op::Neg: case Op::Abs: case Op::Round: case Op::Log: case Op::Sqrt: case Op::Not:
    case Op::IsMissing: case Op::ClampScore: case Op::OrElse:
      return 1;
    case Op::Clamp: case Op::Select:
      return 3;
    default:
      return 2;
  }
}

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
      default: {
        const int n = op_arity(in.op);
        const uint32_t args[] = {in.a, in.b, in.c};
        for (int k = 0; k < n; ++k) out += fmt::format("{}%{}", k ? ", " : " ", args[k]);
      }
    }
    out += "\n";
  }
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
    out += fmt::format("field {} {} {}{}\n", i, p.fields[i].name, kTypes[static_cast<int>(p.fields[i].type)],
                       p.fields[i].optional ? " optional" : "");
  }
  out += "block measures:\n";
  print_block(out, p, p.measures_block);
  for (const Measure& m : p.measures)
    out += fmt::format("measure {}: value {} score %{}\n", m.name,
                       m.value == kNone ? std::string("none") : fmt::format("%{}", m.value), m.score);
  for (const Segment& s : p.segments)
    out += fmt::format("segment {} when %{} use {}\n", s.name, s.condition, p.models[s.model].name);
  for (const Model& m : p.models) {
    out += fmt::format("model {}{}:\n", m.name, &m == &p.models[p.default_model] ? " (default)" : "");
    print_nodes(out, p, m.roots, 1);
  }
  out += "block overrides:\n";
  print_block(out, p, p.overrides_block);
  static const char* kActions[] = {"score", "cap", "floor", "band"};
  for (const Override& o : p.overrides) {
    out += fmt::format("override {} when %{} => {} {}", o.name, o.condition, kActions[static_cast<int>(o.action)],
                       o.action == ActionKind::Band ? p.bands[o.band].name : fmt::format("{}", o.amount));
    if (!o.segments.empty()) {
      out += " for";
      for (int32_t s : o.segments) out += " " + (s < 0 ? std::string("default") : p.segments[s].name);
    }
    out += "\n";
  }
  for (const Band& b : p.bands) out += fmt::format("band {} {}..{} {}\n", b.name, b.from, b.to, b.color);
  out += "block labels:\n";
  print_block(out, p, p.labels_block);
  for (const Label& l : p.labels)
    out += l.condition == kNone ? fmt::format("label {} otherwise\n", l.name)
                                : fmt::format("label {} when %{}\n", l.name, l.condition);
  return out;
}

}  // namespace healthc::ir
