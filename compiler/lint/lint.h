// `healthc lint`'s rule catalogue: mistakes in a scorecard that checks clean but will not score
// the way its author meant. A rule is a code (its kind in diagnostic_kinds.def), a name, the
// anchor of its rationale in docs/lint.md, and the function that finds it.
#pragma once

#include <span>
#include <string_view>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"

namespace healthc::lint {

class DataProfile;  // data_profile.h: what scoring a data file with the card showed

// What a rule reads, and where it reports.
struct LintContext {
  const ast::Scorecard& card;
  const check::CheckedScorecard& checked;
  DiagnosticList& out;
  // With `--data`: the profile the data rules (W6xx) read. They do nothing when it is null.
  const DataProfile* data;
};

struct Rule {
  DiagKind kind;               // the code, severity and message format
  std::string_view name;       // kebab-case, stable
  std::string_view anchor;     // docs/lint.md#anchor
  std::string_view summary;    // what it finds, one line
  std::string_view rationale;  // why that matters, one or two sentences (docs/lint.md has more)
  void (*run)(const LintContext&);
};

std::span<const Rule> rules();
// The rule with this code ("W101"), or nullptr.
const Rule* find_rule(std::string_view code);

// Runs every rule over a card that checked clean: the static rules always, the data rules
// (W6xx) when `data` profiles a data file scored with the card. The findings come sorted by
// position, with the ones a `# healthc-lint: disable=...` comment suppresses left out.
DiagnosticList lint(const ast::Scorecard& card, const check::CheckedScorecard& checked, const SourceFile& file,
                    const DataProfile* data = nullptr);

}  // namespace healthc::lint
