// Source edits for new weights: in place where the card writes the weight, else added to the
// model's body (or to the body of the model's own entry for an inherited group).
#include "compiler/driver/card_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "compiler/syntax/parse.h"
#include "runtime/output.h"

namespace healthc::driver {

void flatten_weights(const std::vector<ir::WeightNode>& nodes, std::vector<std::pair<std::string, double>>& out) {
  for (const auto& n : nodes) {
    out.emplace_back(n.name, n.weight);
    flatten_weights(n.children, out);
  }
}

bool same_weights(const std::vector<ir::WeightNode>& a, const std::vector<ir::WeightNode>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].weight != b[i].weight || !same_weights(a[i].children, b[i].children))
      return false;
  return true;
}

std::string format_weight(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  std::string s;
  rt::append_number(s, v);
  return s;
}

namespace {

struct Edit {
  uint32_t begin, end;
  std::string text;
};

// Edits for one model that extends another.
class InheritedWeights {
 public:
  InheritedWeights(const std::string& text, const ast::Model& model, const std::map<std::string, double>& base,
                   std::vector<Edit>& edits)
      : text_(text), base_(base), edits_(edits) {
    collect(model.entries);
  }

  // Visits one level of the wanted tree; what cannot be edited in place is added before
  // `close` (the `}` of the body it belongs in), indented by `indent`.
  void level(const std::vector<ir::WeightNode>& nodes, uint32_t close, const std::string& indent) {
    std::string add;
    const size_t width = name_width(nodes);
    for (const ir::WeightNode& n : nodes) {
      auto own = own_.find(n.name);
      if (own != own_.end()) {
        const ast::ModelEntry& e = *own->second;
        // A weight written here was edited in place already; a group merged without one gets
        // it in its header.
        if (!e.weight && differs(n)) {
          const size_t brace = text_.find('{', e.name.range.end);
          if (brace != std::string::npos && brace < e.range.end)
            edits_.push_back({static_cast<uint32_t>(brace), static_cast<uint32_t>(brace), format_weight(n.weight) + " "});
        }
        if (n.measure < 0 && e.kind == ast::ModelEntry::Group)
          level(n.children, closing_brace(e.range), line_indent(e.range.begin) + "  ");
        else if (n.measure < 0)
          level(n.children, close, indent);  // `NAME W` entry on an inherited group: its children go alongside
        continue;
      }
      add += subtree(n, indent, width);
    }
    if (!add.empty()) insert(close, add);
  }

  uint32_t closing_brace(SourceRange r) const {
    uint32_t at = r.end;
    while (at > r.begin && text_[at - 1] != '}') --at;
    return at > r.begin ? at - 1 : r.end;
  }

 private:
  void collect(const std::vector<ast::ModelEntry>& entries) {
    for (const ast::ModelEntry& e : entries) {
      if (e.kind == ast::ModelEntry::Drop) continue;
      own_[e.name.text] = &e;
      collect(e.children);
    }
  }

  bool differs(const ir::WeightNode& n) const {
    auto it = base_.find(n.name);
    return it != base_.end() && it->second != n.weight;
  }

  static size_t name_width(const std::vector<ir::WeightNode>& nodes) {
    size_t w = 0;
    for (const auto& n : nodes)
      if (n.measure >= 0) w = std::max(w, syntax::written_name(n.name).size());
    return w;
  }

  // Text that sets `n` and its descendants where they differ from the base; empty if none.
  std::string subtree(const ir::WeightNode& n, const std::string& indent, size_t width) {
    if (n.measure >= 0)
      return differs(n) ? fmt::format("{}{:<{}} {}\n", indent, syntax::written_name(n.name), width, format_weight(n.weight)) : "";
    std::string body;
    const size_t w = name_width(n.children);
    for (const ir::WeightNode& c : n.children) {
      auto own = own_.find(c.name);
      if (own == own_.end()) body += subtree(c, indent + "  ", w);
      else if (c.measure < 0 && own->second->kind == ast::ModelEntry::Group)
        level(c.children, closing_brace(own->second->range), line_indent(own->second->range.begin) + "  ");
    }
    if (body.empty())
      return differs(n) ? fmt::format("{}{:<{}} {}\n", indent, syntax::written_name(n.name), width, format_weight(n.weight)) : "";
    const std::string weight = differs(n) ? format_weight(n.weight) : "";
    return fmt::format("{}group {}{}{} {{\n{}{}}}\n", indent, syntax::written_name(n.name), weight.empty() ? "" : " ", weight, body, indent);
  }

  std::string line_indent(uint32_t at) const {
    uint32_t start = at;
    while (start > 0 && text_[start - 1] != '\n') --start;
    uint32_t end = start;
    while (end < text_.size() && (text_[end] == ' ' || text_[end] == '\t')) ++end;
    return text_.substr(start, end - start);
  }

  // Before the `}` at `close`: on lines of their own when the brace is alone on its line,
  // else inline.
  void insert(uint32_t close, const std::string& lines) {
    uint32_t line_start = close;
    while (line_start > 0 && (text_[line_start - 1] == ' ' || text_[line_start - 1] == '\t')) --line_start;
    if (line_start == 0 || text_[line_start - 1] == '\n') {
      edits_.push_back({line_start, line_start, lines});
      return;
    }
    std::string flat;
    for (char c : lines) flat += c == '\n' ? ' ' : c;
    flat.erase(0, flat.find_first_not_of(' '));
    edits_.push_back({close, close, " " + flat});
  }

  const std::string& text_;
  const std::map<std::string, double>& base_;
  std::vector<Edit>& edits_;
  std::map<std::string, const ast::ModelEntry*> own_;
};

}  // namespace

std::string CardWriter::write(const std::vector<ir::Model>& target, const std::vector<int32_t>& band_from) const {
  std::vector<Edit> edits;
  const std::string& text = front_.file->text();
  auto find = [&](const std::string& name) -> const ir::Model* {
    for (const auto& m : target)
      if (m.name == name) return &m;
    return nullptr;
  };
  for (const ast::Model& am : front_.card.models) {
    const ir::Model* tm = find(am.name.text);
    if (!tm) continue;
    std::vector<std::pair<std::string, double>> want_list;
    flatten_weights(tm->roots, want_list);
    const std::map<std::string, double> want(want_list.begin(), want_list.end());
    // Weights written in this model: edited in place.
    auto walk = [&](auto&& self, const std::vector<ast::ModelEntry>& entries) -> void {
      for (const ast::ModelEntry& e : entries) {
        if (e.kind == ast::ModelEntry::Drop) continue;
        if (auto it = want.find(e.name.text); e.weight && it != want.end() && it->second != *e.weight)
          edits.push_back({e.weight_range.begin, e.weight_range.end, format_weight(it->second)});
        self(self, e.children);
      }
    };
    walk(walk, am.entries);
    if (!am.base) continue;
    const ir::Model* bm = find(am.base->text);
    if (!bm) continue;
    std::vector<std::pair<std::string, double>> base_list;
    flatten_weights(bm->roots, base_list);
    const std::map<std::string, double> base(base_list.begin(), base_list.end());
    InheritedWeights inherited(text, am, base, edits);
    inherited.level(tm->roots, inherited.closing_brace(am.range), "  ");
  }
  for (size_t b = 0; b < front_.card.bands.size() && b < band_from.size(); ++b) {
    const ast::Band& band = front_.card.bands[b];
    if (band.from != band_from[b])
      edits.push_back({band.from_range.begin, band.from_range.end, fmt::format("{}", band_from[b])});
  }
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  std::string out = text;
  for (const Edit& e : edits) out.replace(e.begin, e.end - e.begin, e.text);
  return out;
}

}  // namespace healthc::driver
