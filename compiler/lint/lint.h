// `healthc lint`'s rule catalogue: mistakes in a scorecard that checks clean but will not score
// the way its author meant. A rule is a code (its kind in diagnostic_kinds.def), a name, the
// anchor of its rationale in docs/lint.md, and the function that finds it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/check/check.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/diag/source.h"

namespace healthc::lint {

class DataProfile;  // data_profile.h: what scoring a data file with the card showed

// With `--store`: the snapshots a history store holds of the card's title, which the store rules
// (W7xx) read. (The lint library reads no store itself: the driver fills this in.)
struct StoreProfile {
  std::string title;
  std::vector<int32_t> snapshot_days;  // as-of dates, days since 1970-01-01, oldest first
  int32_t as_of = 0;                   // the as-of date of the next run
};

// What a rule reads, and where it reports.
struct LintContext {
  const ast::Scorecard& card;
  const check::CheckedScorecard& checked;
  DiagnosticList& out;
  // With `--data`: the profile the data rules (W6xx) read. They do nothing when it is null.
  const DataProfile* data;
  // With `--store`: the store rules (W7xx) read it. They do nothing when it is null.
  const StoreProfile* store = nullptr;
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
// (W6xx) when `data` profiles a data file scored with the card, the store rules (W7xx) when
// `store` lists the snapshots of its title. The findings come sorted by
// position, with the ones a `# healthc-lint: disable=...` comment suppresses left out.
DiagnosticList lint(const ast::Scorecard& card, const check::CheckedScorecard& checked, const SourceFile& file,
                    const DataProfile* data = nullptr, const StoreProfile* store = nullptr);

}  // namespace healthc::lint
