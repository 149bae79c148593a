// One account's breakdown, node by node: the weight tree with each node's value, score,
// weight, effective weight and points lost, then the weighted score, the override, the score,
// band, label and reasons. Built once as a value, printed as text or JSON.
#include "runtime/analysis/explain.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "compiler/ir/conventions.h"
#include "runtime/output.h"

namespace healthc::analysis {
namespace {

struct Builder {
  const ir::Program& p;
  const BlockScores& s;
  size_t row;
  Explanation& e;

  bool scored(int32_t m) const { return s.m_score_valid[m * s.rows + row] != 0; }
  double mscore(int32_t m) const { return s.m_score[m * s.rows + row]; }

  // A node's score: the same weighted mean the engine computes.
  std::optional<double> node_score(const ir::WeightNode& n) const {
    if (n.measure >= 0) return scored(n.measure) ? std::optional(mscore(n.measure)) : std::nullopt;
    double num = 0, den = 0;
    for (const auto& c : n.children)
      if (auto v = node_score(c)) num = num + c.weight * *v, den = den + c.weight;
    return den > 0 ? std::optional(num / den) : std::nullopt;
  }

  void value_of(const ir::WeightNode& n, ExplainNode& out) const {
    if (n.measure < 0) return;
    const size_t at = n.measure * s.rows + row;
    const ir::Measure& m = p.measures[n.measure];
    if (m.value == ir::kNone) return;
    if (!s.m_value_valid[at]) {
      out.kind = "missing";
    } else if (m.value_kind == ir::ValueKind::Enum) {
      out.kind = "enum";
      out.text = ir::member_spelling(p.fields[m.enum_field], static_cast<size_t>(s.m_value[at]));
    } else if (m.value_kind == ir::ValueKind::Bool) {
      out.kind = "bool";
      out.text = s.m_value[at] != 0 ? "true" : "false";
    } else {
      out.kind = "number";
      out.number = s.m_value[at];
    }
  }

  void nodes(const std::vector<ir::WeightNode>& level, double parent, int depth, const std::string& prefix) {
    double den = 0;
    for (const auto& c : level)
      if (node_score(c)) den += c.weight;
    for (const auto& n : level) {
      ExplainNode x;
      x.name = n.name;
      x.path = prefix + n.name;
      x.depth = depth;
      x.group = n.measure < 0;
      x.weight = n.weight;
      x.score = node_score(n);
      x.effective = x.score && den > 0 ? parent * n.weight / den : 0;
      if (x.score) {
        x.contribution = x.effective * *x.score;
        x.lost = x.effective * (100 - *x.score);
      }
      value_of(n, x);
      e.nodes.push_back(x);
      if (n.measure < 0) nodes(n.children, x.score ? x.effective : 0, depth + 1, x.path + "/");
    }
  }
};

const char* action_name(ir::ActionKind a) {
  switch (a) {
    case ir::ActionKind::Score: return "score";
    case ir::ActionKind::Cap: return "cap";
    case ir::ActionKind::Floor: return "floor";
    case ir::ActionKind::Band: return "band";
  }
  return "score";
}

size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string pad(const std::string& s, size_t w, bool right) {
  const size_t n = width(s) < w ? w - width(s) : 0;
  return right ? std::string(n, ' ') + s : s + std::string(n, ' ');
}

std::string value_text(const ExplainNode& n) {
  if (n.kind == "number") return readable_number(n.number);
  if (n.kind == "missing") return "missing";
  return n.text;
}

nlohmann::ordered_json number_or_null(const std::optional<double>& v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(); }

}  // namespace

std::string readable_number(double v) {
  if (!std::isfinite(v)) return fmt::format("{}", v);
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  const std::string shortest = fmt::format("{}", v);
  size_t digits = 0;
  bool leading = true;
  for (char c : shortest) {
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') continue;
    if (c != '0') leading = false;
    if (!leading) ++digits;
  }
  if (digits <= 6) return shortest;
  // Rounded to 6 significant digits, then printed as the shortest text of that number.
  const double rounded = std::strtod(fmt::format("{:.6g}", v).c_str(), nullptr);
  if (rounded == std::floor(rounded) && std::fabs(rounded) < 1e15) return fmt::format("{:.0f}", rounded);
  return fmt::format("{}", rounded);
}

Explanation explain(const ir::Program& p, const BlockScores& s, size_t row, const std::string& key) {
  Explanation e;
  e.key = key;
  const int32_t seg = s.segment[row];
  e.default_segment = ir::is_default_segment(p, seg);
  if (!e.default_segment) {
    e.segment = p.segments[seg].name;
    e.segment_title = p.segments[seg].title;
    e.model = p.models[p.segments[seg].model].name;
  } else {
    e.segment = "default";
    e.model = p.models[p.default_model].name;
  }
  const ir::Model& model = p.models[ir::model_of_segment(p, seg)];
  Builder b{p, s, row, e};
  b.nodes(model.roots, 1.0, 0, "");
  double num = 0, den = 0;
  for (const auto& r : model.roots)
    if (auto v = b.node_score(r)) num += r.weight * *v, den += r.weight;
  if (den > 0) e.raw_score = num / den;
  if (row < s.weighted_score.size()) {
    if (!ir::is_unscored_score(s.weighted_score[row])) e.weighted_score = s.weighted_score[row];
  } else if (e.raw_score) {
    e.weighted_score = static_cast<int32_t>(ir::round_score(*e.raw_score));
  }
  const int32_t ov = s.override_[row];
  if (ir::has_override(ov)) {
    const ir::Override& o = p.overrides[ov];
    e.has_override = true;
    e.override_name = o.name;
    e.override_title = o.title;
    e.override_action = action_name(o.action);
    if (o.action == ir::ActionKind::Band) e.override_band = p.bands[o.band].name;
    else e.override_amount = o.amount;
  }
  if (!ir::is_unscored_score(s.score[row])) e.score = s.score[row];
  const int32_t band = s.band[row];
  e.band = ir::band_name(p, band);
  e.band_color = ir::band_color(p, band);
  if (ir::has_label(s.label[row])) e.label = std::string(ir::label_name(p, s.label[row]));
  for (const rt::Reason& r : rt::reasons(p, s, row, p.measures.size()))
    e.reasons.push_back({p.measures[r.measure].name, r.points});
  e.reasons_text = rt::reasons_text(p, s, row);
  return e;
}

std::string explain_text(const Explanation& e) {
  std::string out = fmt::format("account {}\n", e.key);
  if (!e.default_segment)
    out += fmt::format("segment: {}{} (the first segment whose condition holds; model `{}`)\n", e.segment,
                       e.segment_title.empty() ? "" : " \"" + e.segment_title + "\"", e.model);
  else
    out += fmt::format("segment: default (no segment's condition holds; model `{}`)\n", e.model);
  // The table, each column as wide as its widest cell: a long value does not push the rest out.
  std::vector<std::vector<std::string>> rows{{"node", "value", "score", "weight", "effective", "lost"}};
  for (const ExplainNode& n : e.nodes)
    rows.push_back({std::string(n.depth * 2, ' ') + n.name + (n.group ? "/" : ""), value_text(n),
                    n.score ? fmt::format("{:.1f}", *n.score) : "unscored", readable_number(n.weight),
                    n.score ? fmt::format("{:.1f}%", n.effective * 100) : "-",
                    n.score ? fmt::format("{:.1f}", n.lost) : "-"});
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) w[c] = std::max(w[c], width(r[c]));
  for (const auto& r : rows) {
    std::string line = "  " + pad(r[0], w[0], false);
    for (size_t c = 1; c < r.size(); ++c) line += "  " + pad(r[c], w[c], true);
    out += line + "\n";
  }
  out += fmt::format("weighted score: {}{}\n", e.weighted_score ? fmt::format("{}", *e.weighted_score) : "unscored",
                     e.raw_score ? fmt::format(" (raw {})", readable_number(*e.raw_score)) : "");
  if (e.has_override)
    out += fmt::format("override: {}{} => {} {}\n", e.override_name,
                       e.override_title.empty() ? "" : " \"" + e.override_title + "\"", e.override_action,
                       e.override_action == "band" ? e.override_band : fmt::format("{}", e.override_amount));
  else
    out += "override: none\n";
  out += fmt::format("score: {}\n", e.score ? fmt::format("{}", *e.score) : "unscored");
  out += fmt::format("band: {} ({})\n", e.band, e.band_color);
  out += fmt::format("label: {}\n", e.label ? *e.label : "none");
  out += fmt::format("reasons: {}\n", e.reasons_text.empty() ? "none" : e.reasons_text);
  return out;
}

std::string explain_json(const Explanation& e) {
  using json = nlohmann::ordered_json;
  json j;
  j["account"] = e.key;
  j["segment"] = {{"name", e.segment}, {"title", e.segment_title}, {"default", e.default_segment}, {"model", e.model}};
  json nodes = json::array();
  for (const ExplainNode& n : e.nodes) {
    json x{{"path", n.path}, {"name", n.name}, {"depth", n.depth}, {"kind", n.group ? "group" : "measure"}};
    if (!n.group) {
      x["value_kind"] = n.kind;
      if (n.kind == "number") x["value"] = n.number;
      else if (n.kind == "bool") x["value"] = n.text == "true";
      else if (n.kind == "enum") x["value"] = n.text;
      else x["value"] = nullptr;
    }
    x["score"] = number_or_null(n.score);
    x["weight"] = n.weight;
    x["effective_weight"] = n.effective;
    x["contribution"] = n.contribution;
    x["points_lost"] = n.lost;
    nodes.push_back(x);
  }
  j["nodes"] = nodes;
  j["raw_score"] = number_or_null(e.raw_score);
  j["weighted_score"] = e.weighted_score ? json(*e.weighted_score) : json();
  if (e.has_override) {
    json o{{"name", e.override_name}, {"title", e.override_title}, {"action", e.override_action}};
    if (e.override_action == "band") o["band"] = e.override_band;
    else o["amount"] = e.override_amount;
    j["override"] = o;
  } else {
    j["override"] = nullptr;
  }
  j["score"] = e.score ? json(*e.score) : json();
  j["band"] = {{"name", e.band}, {"color", e.band_color}};
  j["label"] = e.label ? json(*e.label) : json();
  json reasons = json::array();
  for (const auto& r : e.reasons) reasons.push_back({{"measure", r.measure}, {"points_lost", r.points}});
  j["reasons"] = reasons;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string explain_row(const ir::Program& p, const BlockScores& s, size_t row, const std::string& key) {
  return explain_text(explain(p, s, row, key));
}

}  // namespace healthc::analysis
