// The index of names: a walk over the checked AST that records each declaration and each use.
#include "compiler/lsp/analysis.h"

#include <algorithm>
#include <unordered_map>

#include "compiler/lint/lint.h"
#include "stdlib/builtins.h"

namespace healthc::lsp {
namespace {

class Indexer {
 public:
  Indexer(const ast::Scorecard& card, const check::CheckedScorecard* checked, std::vector<GroupInfo>& groups,
          std::vector<Occurrence>& out)
      : card_(card), checked_(checked), groups_(groups), out_(out) {
    fill(fields_, card.fields);
    fill(params_, card.params);
    fill(bands_, card.bands);
    fill(measures_, card.measures);
    fill(models_, card.models);
    fill(segments_, card.segments);
  }

  void run() {
    for (size_t i = 0; i < card_.fields.size(); ++i) {
      const ast::Field& f = card_.fields[i];
      def(f.name, {Symbol::Field, idx(i)});
      for (size_t m = 0; m < f.members.size(); ++m) def(f.members[m], {Symbol::EnumMember, idx(i), idx(m)});
    }
    for (size_t i = 0; i < card_.params.size(); ++i) def(card_.params[i].name, {Symbol::Param, idx(i)});
    for (size_t i = 0; i < card_.bands.size(); ++i) def(card_.bands[i].name, {Symbol::Band, idx(i)});
    for (size_t i = 0; i < card_.measures.size(); ++i) measure(i);
    for (size_t i = 0; i < card_.models.size(); ++i) model(i);
    for (size_t i = 0; i < card_.segments.size(); ++i) {
      const ast::Segment& s = card_.segments[i];
      def(s.name, {Symbol::Segment, idx(i)});
      expr(s.condition.get());
      use(s.model, models_, Symbol::Model);
    }
    for (size_t i = 0; i < card_.overrides.size(); ++i) {
      const ast::Override& o = card_.overrides[i];
      def(o.name, {Symbol::Override, idx(i)});
      for (const ast::Name& s : o.segments) use(s, segments_, Symbol::Segment);
      expr(o.condition.get());
      if (o.action == ast::ActionKind::Band) use(o.band, bands_, Symbol::Band);
    }
    for (size_t i = 0; i < card_.labels.size(); ++i) {
      def(card_.labels[i].name, {Symbol::Label, idx(i)});
      expr(card_.labels[i].condition.get());
    }
    for (size_t i = 0; i < card_.alerts.size(); ++i) {
      const ast::Alert& a = card_.alerts[i];
      def(a.name, {Symbol::Alert, idx(i)});
      for (const ast::Name& s : a.segments) use(s, segments_, Symbol::Segment);
      expr(a.condition.get());
    }
    for (size_t i = 0; i < card_.rollups.size(); ++i) {
      const ast::Rollup& r = card_.rollups[i];
      def(r.name, {Symbol::Rollup, idx(i)});
      for (const ast::Name& f : r.by) use(f, fields_, Symbol::Field);
      if (r.weight) use(*r.weight, fields_, Symbol::Field);
    }
  }

 private:
  using Names = std::unordered_map<std::string, int32_t>;
  static int32_t idx(size_t i) { return static_cast<int32_t>(i); }
  template <typename T>
  static void fill(Names& names, const std::vector<T>& v) {
    for (size_t i = 0; i < v.size(); ++i) names.emplace(v[i].name.text, idx(i));
  }
  static bool real(SourceRange r) { return r.end > r.begin; }

  void def(const ast::Name& n, Symbol s) {
    if (real(n.range)) out_.push_back({n.range, s, true});
  }
  void ref(SourceRange r, Symbol s) {
    if (real(r)) out_.push_back({r, s, false});
  }
  void use(const ast::Name& n, const Names& names, Symbol::Kind kind) {
    const auto it = names.find(n.text);
    if (it != names.end()) ref(n.range, {kind, it->second});
  }

  void measure(size_t i) {
    const ast::Measure& m = card_.measures[i];
    def(m.name, {Symbol::Measure, idx(i)});
    if (m.stale) use(m.stale->field, fields_, Symbol::Field);
    expr(m.value.get());
    if (!m.score) return;
    expr(m.score->subject.get());
    // Match arms name members of the subject's enum.
    const ast::Expr* subject = m.score->subject.get();
    const bool on_enum = subject && subject->type.kind == ast::Type::Enum && subject->type.index >= 0;
    for (const ast::MatchArm& arm : m.score->arms) {
      if (!on_enum || arm.kind != ast::MatchArm::Name || arm.member < 0) continue;
      const size_t name_end = arm.range.begin + arm.text.size();
      ref({arm.range.begin, static_cast<uint32_t>(name_end)}, {Symbol::EnumMember, subject->type.index, arm.member});
    }
  }

  void model(size_t i) {
    const ast::Model& m = card_.models[i];
    def(m.name, {Symbol::Model, idx(i)});
    if (m.base) use(*m.base, models_, Symbol::Model);
    for (const ast::ModelEntry& e : m.entries) entry(e, idx(i));
  }

  void entry(const ast::ModelEntry& e, int32_t model) {
    if (e.kind == ast::ModelEntry::Group) {
      auto it = groups_by_name_.find(e.name.text);
      if (it == groups_by_name_.end()) {
        it = groups_by_name_.emplace(e.name.text, idx(groups_.size())).first;
        groups_.push_back({e.name.text, e.title, model, e.range});
        def(e.name, {Symbol::Group, it->second});
      } else {
        ref(e.name.range, {Symbol::Group, it->second});
      }
      for (const ast::ModelEntry& c : e.children) entry(c, model);
      return;
    }
    // A measure, a `drop` of one, or a base model's group reweighted by name.
    if (const auto it = measures_.find(e.name.text); it != measures_.end()) ref(e.name.range, {Symbol::Measure, it->second});
    else if (const auto g = groups_by_name_.find(e.name.text); g != groups_by_name_.end()) ref(e.name.range, {Symbol::Group, g->second});
  }

  void expr(const ast::Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case ast::ExprKind::NameRef: name_ref(*e); break;
      case ast::ExprKind::MeasureRef: {
        const auto it = measures_.find(e->text);
        if (it != measures_.end()) ref(real(e->name_range) ? e->name_range : e->range, {Symbol::Measure, it->second});
        break;
      }
      case ast::ExprKind::Previous:
        if (e->past == ast::PastKind::MeasureScore || e->past == ast::PastKind::MeasureValue)
          if (const auto it = measures_.find(e->text); it != measures_.end()) ref(e->name_range, {Symbol::Measure, it->second});
        break;
      case ast::ExprKind::Call:
        if (const stdlib::BuiltinInfo* b = stdlib::find_builtin(e->text))
          ref(real(e->name_range) ? e->name_range : e->range,
              {Symbol::Builtin, idx(static_cast<size_t>(b - stdlib::builtins().data()))});
        break;
      default: break;
    }
    for (const ast::ExprPtr& a : e->args) expr(a.get());
  }

  void name_ref(const ast::Expr& e) {
    const ast::Resolution& r = e.resolved;
    switch (r.kind) {
      case ast::Resolution::Field: ref(e.range, {Symbol::Field, r.index}); return;
      case ast::Resolution::Param: ref(e.range, {Symbol::Param, r.index}); return;
      case ast::Resolution::Measure: ref(e.range, {Symbol::Measure, r.index}); return;
      case ast::Resolution::Band: ref(e.range, {Symbol::Band, r.index}); return;
      case ast::Resolution::Segment:
        if (r.index >= 0 && static_cast<size_t>(r.index) < card_.segments.size()) ref(e.range, {Symbol::Segment, r.index});
        return;
      case ast::Resolution::Label: ref(e.range, {Symbol::Label, r.index}); return;
      case ast::Resolution::Override:
        if (r.index >= 0) ref(e.range, {Symbol::Override, r.index});
        return;
      case ast::Resolution::EnumMember:
        if (e.type.kind == ast::Type::Enum) ref(e.range, {Symbol::EnumMember, e.type.index, r.index});
        return;
      case ast::Resolution::None: break;
    }
    // Unresolved (the card has errors): still findable by name.
    if (const auto it = fields_.find(e.text); it != fields_.end()) ref(e.range, {Symbol::Field, it->second});
    else if (const auto p = params_.find(e.text); p != params_.end()) ref(e.range, {Symbol::Param, p->second});
  }

  const ast::Scorecard& card_;
  [[maybe_unused]] const check::CheckedScorecard* checked_;
  std::vector<GroupInfo>& groups_;
  std::vector<Occurrence>& out_;
  Names fields_, params_, bands_, measures_, models_, segments_, groups_by_name_;
};

bool valid(const Symbol& s, const Analysis& a) {
  const ast::Scorecard& c = a.front.card;
  auto in = [&](size_t n) { return s.a >= 0 && static_cast<size_t>(s.a) < n; };
  switch (s.kind) {
    case Symbol::Field: return in(c.fields.size());
    case Symbol::EnumMember:
      return in(c.fields.size()) && s.b >= 0 && static_cast<size_t>(s.b) < c.fields[static_cast<size_t>(s.a)].members.size();
    case Symbol::Param: return in(c.params.size());
    case Symbol::Band: return in(c.bands.size());
    case Symbol::Measure: return in(c.measures.size());
    case Symbol::Group: return in(a.groups.size());
    case Symbol::Model: return in(c.models.size());
    case Symbol::Segment: return in(c.segments.size());
    case Symbol::Override: return in(c.overrides.size());
    case Symbol::Label: return in(c.labels.size());
    case Symbol::Alert: return in(c.alerts.size());
    case Symbol::Rollup: return in(c.rollups.size());
    case Symbol::Builtin: return in(stdlib::builtins().size());
  }
  return false;
}

}  // namespace

Analysis::Analysis(std::string path, std::string text_in)
    : text(std::move(text_in)), front(run_frontend_text(std::move(path), text)), lines(text) {
  if (front.ok()) lint = lint::lint(front.card, front.checked.checked, *front.file);
  Indexer(front.card, front.file ? &front.checked.checked : nullptr, groups, occurrences).run();
  // Drop what the checker resolved to an index out of range (a card with errors), so no feature
  // indexes past a vector.
  std::erase_if(occurrences, [&](const Occurrence& o) { return !valid(o.symbol, *this) || o.range.end > text.size(); });
  std::stable_sort(occurrences.begin(), occurrences.end(),
                   [](const Occurrence& x, const Occurrence& y) { return x.range.begin < y.range.begin; });
}

const Occurrence* Analysis::at(uint32_t offset) const {
  const Occurrence* best = nullptr;
  for (const Occurrence& o : occurrences) {
    if (o.range.begin > offset) break;
    if (offset < o.range.end) return &o;
    if (offset == o.range.end) best = &o;
  }
  return best;
}

std::optional<SourceRange> Analysis::declaration(const Symbol& s) const {
  for (const Occurrence& o : occurrences)
    if (o.declaration && o.symbol == s) return o.range;
  return std::nullopt;
}

std::vector<SourceRange> Analysis::references(const Symbol& s, bool include_declaration) const {
  std::vector<SourceRange> out;
  for (const Occurrence& o : occurrences)
    if (o.symbol == s && (include_declaration || !o.declaration)) out.push_back(o.range);
  return out;
}

std::string Analysis::name(const Symbol& s) const {
  const ast::Scorecard& c = front.card;
  const auto a = static_cast<size_t>(s.a);
  switch (s.kind) {
    case Symbol::Field: return c.fields[a].name.text;
    case Symbol::EnumMember: return c.fields[a].name.text + "." + c.fields[a].members[static_cast<size_t>(s.b)].text;
    case Symbol::Param: return c.params[a].name.text;
    case Symbol::Band: return c.bands[a].name.text;
    case Symbol::Measure: return c.measures[a].name.text;
    case Symbol::Group: return groups[a].name;
    case Symbol::Model: return c.models[a].name.text;
    case Symbol::Segment: return c.segments[a].name.text;
    case Symbol::Override: return c.overrides[a].name.text;
    case Symbol::Label: return c.labels[a].name.text;
    case Symbol::Alert: return c.alerts[a].name.text;
    case Symbol::Rollup: return c.rollups[a].name.text;
    case Symbol::Builtin: return std::string(stdlib::builtins()[a].name);
  }
  return {};
}

}  // namespace healthc::lsp
