// Weight trees: builds each model's tree, applying `extends` (set a weight, merge a group,
// drop a node, add nodes) and reports the spec's model errors.
#include <functional>

#include "compiler/check/checker.h"

namespace healthc::check {
namespace {

WeightNode* find_node(std::vector<WeightNode>& nodes, const std::string& name) {
  for (WeightNode& n : nodes) {
    if (n.name == name) return &n;
    if (WeightNode* c = find_node(n.children, name)) return c;
  }
  return nullptr;
}

bool drop_node(std::vector<WeightNode>& nodes, const std::string& name) {
  for (auto it = nodes.begin(); it != nodes.end(); ++it) {
    if (it->name == name) {
      nodes.erase(it);
      return true;
    }
    if (drop_node(it->children, name)) return true;
  }
  return false;
}

// Every node's name, depth first: the candidates for "did you mean" after `drop`.
std::vector<std::string> node_names(const std::vector<WeightNode>& nodes) {
  std::vector<std::string> out;
  for (const WeightNode& n : nodes) {
    out.push_back(n.name);
    for (std::string& c : node_names(n.children)) out.push_back(std::move(c));
  }
  return out;
}

size_t count_measures(const std::vector<WeightNode>& nodes) {
  size_t n = 0;
  for (const WeightNode& w : nodes) n += w.kind == WeightNode::Measure ? 1 : count_measures(w.children);
  return n;
}

}  // namespace

void Checker::check_models() {
  model_state_.assign(card_.models.size(), State::Todo);
  out_.models.resize(card_.models.size());
  for (size_t i = 0; i < card_.models.size(); ++i) resolve_model(static_cast<int32_t>(i));
  auto it = models_.find("default");
  if (it == models_.end())
    diags_.report(DiagKind::NoDefaultModel, card_.title_range);
  else
    out_.default_model = it->second;
}

void Checker::resolve_model(int32_t i) {
  if (model_state_[i] != State::Todo) return;
  model_state_[i] = State::Active;
  model_stack_.push_back(i);
  ast::Model& model = card_.models[i];
  WeightTree tree;
  tree.name = model.name.text;
  bool extends = false;
  if (model.base) {
    auto it = models_.find(model.base->text);
    if (it == models_.end()) {
      diags_.report(DiagKind::UnknownModel, model.base->range, model.base->text);
      std::vector<std::string> names;
      for (const ast::Model& m : card_.models) names.push_back(m.name.text);
      suggest(model.base->range, model.base->text, names);
    } else if (model_state_[it->second] == State::Active) {
      // The loop from the model named, back to it: `c` -> `a` -> `b` -> `c` (this model is on top
      // of the stack; the base is further down).
      std::string path = "`" + model.name.text + "`";
      auto from = std::find(model_stack_.begin(), model_stack_.end(), it->second);
      for (auto p = from; p + 1 < model_stack_.end(); ++p) path += " -> `" + card_.models[*p].name.text + "`";
      diags_.report(DiagKind::ExtendsCycle, model.base->range, model.name.text, path + " -> `" + model.name.text + "`");
    } else {
      resolve_model(it->second);
      tree.roots = out_.models[it->second].roots;
      extends = true;
    }
  }
  const std::string base_name = model.base ? model.base->text : "";
  // Names this model's own entries mention: a second mention is a mistake.
  std::unordered_map<std::string, SourceRange> mentioned;
  auto mention = [&](const ast::ModelEntry& e) {
    auto [it, inserted] = mentioned.emplace(e.name.text, e.name.range);
    if (inserted) return true;
    diags_.report(DiagKind::MeasureTwiceInModel, e.name.range, e.name.text, model.name.text);
    diags_.note(DiagKind::NoteFirstDefined, it->second);
    return false;
  };

  std::function<void(std::vector<ast::ModelEntry>&, std::vector<WeightNode>&)> apply =
      [&](std::vector<ast::ModelEntry>& entries, std::vector<WeightNode>& level) {
        for (ast::ModelEntry& e : entries) {
          if (e.weight && *e.weight < 0)
            diags_.report(DiagKind::NegativeWeight, e.weight_range, fmt::format("{}", *e.weight));
          // Weights are relative; bounding them keeps every sum and product of weights finite,
          // so no engine can compute a NaN weighted score from them.
          if (e.weight && *e.weight > kMaxWeight)
            diags_.report(DiagKind::WeightTooLarge, e.weight_range, fmt::format("{}", *e.weight),
                          fmt::format("{}", kMaxWeight));
          if (e.kind == ast::ModelEntry::Drop) {
            if (!model.base) {
              diags_.report(DiagKind::DropWithoutBase, e.range);
            } else if (extends && !drop_node(tree.roots, e.name.text)) {
              diags_.report(DiagKind::DropUnknown, e.name.range, e.name.text, base_name);
              suggest(e.name.range, e.name.text, node_names(tree.roots));
            }
            continue;  // not a mention: a dropped node may be added back elsewhere (a move)
          }
          if (!mention(e)) continue;
          WeightNode* existing = extends ? find_node(tree.roots, e.name.text) : nullptr;
          auto mv = values_.find(e.name.text);
          const bool is_measure = mv != values_.end() && mv->second.kind == ast::Resolution::Measure;
          if (e.kind == ast::ModelEntry::Measure) {
            if (existing) {  // sets the weight of an inherited measure or group
              existing->weight = *e.weight;
              existing->weight_range = e.weight_range;
              continue;
            }
            if (!is_measure) {
              diags_.report(DiagKind::UnknownNode, e.name.range, e.name.text);
              std::vector<std::string> measures;
              for (const ast::Measure& m : card_.measures) measures.push_back(m.name.text);
              suggest(e.name.range, e.name.text, measures);
              continue;
            }
            level.push_back(WeightNode{WeightNode::Measure, e.name.text, card_.measures[mv->second.index].title,
                                       mv->second.index, *e.weight, e.name.range, e.weight_range, {}});
            continue;
          }
          // A group.
          if (existing && existing->kind != WeightNode::Group) {
            diags_.report(DiagKind::NodeKindChanged, e.name.range, e.name.text, "measure", base_name, "group");
            continue;
          }
          if (is_measure) {
            diags_.report(DiagKind::GroupIsMeasure, e.name.range, e.name.text);
            continue;
          }
          if (existing) {
            if (e.weight) existing->weight = *e.weight, existing->weight_range = e.weight_range;
            if (!e.title.empty()) existing->title = e.title;
            apply(e.children, existing->children);
            continue;
          }
          if (!e.weight) diags_.report(DiagKind::GroupNeedsWeight, e.name.range, e.name.text);
          WeightNode g{WeightNode::Group, e.name.text, e.title, -1, e.weight.value_or(0), e.name.range,
                       e.weight_range, {}};
          const size_t before = diags_.items().size();
          apply(e.children, g.children);
          if (count_measures(g.children) == 0 && diags_.items().size() == before) diags_.report(DiagKind::EmptyModel, e.name.range, "group", e.name.text);
          level.push_back(std::move(g));
        }
      };
  const size_t before = diags_.items().size();
  apply(model.entries, tree.roots);
  // An empty model is reported only when nothing else explains it.
  if (count_measures(tree.roots) == 0 && (!model.base || extends) && diags_.items().size() == before)
    diags_.report(DiagKind::EmptyModel, model.name.range, "model", model.name.text);
  out_.models[i] = std::move(tree);
  model_stack_.pop_back();
  model_state_[i] = State::Done;
}

}  // namespace healthc::check
