// One open document's analysis: the front end and lint over its text, and an index of every
// name in it (where each symbol is declared and where it is used), which hover, definition,
// references, symbols and completion read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/frontend.h"
#include "compiler/lsp/positions.h"

namespace healthc::lsp {

// What a name denotes. `a` is the index into the scorecard's vector of that kind (the builtin
// table for Builtin, Analysis::groups for Group); `b` the member index of an EnumMember.
struct Symbol {
  enum Kind : uint8_t {
    Field, EnumMember, Param, Band, Measure, Group, Model, Segment, Override, Label, Alert, Rollup, Builtin
  } kind = Field;
  int32_t a = -1;
  int32_t b = -1;
  bool operator==(const Symbol&) const = default;
};

struct Occurrence {
  SourceRange range;
  Symbol symbol;
  bool declaration = false;
};

// A group of a model's weight tree (groups are named per card: a model that extends another
// reweights the base's group by its name).
struct GroupInfo {
  std::string name;
  std::string title;
  int32_t model = -1;  // the model that declares it
  SourceRange range;   // the declaring entry
};

struct Analysis {
  std::string text;
  FrontendResult front;
  DiagnosticList lint;  // empty unless the card checked clean
  std::vector<GroupInfo> groups;
  std::vector<Occurrence> occurrences;  // in source order
  LineIndex lines;

  explicit Analysis(std::string path, std::string text_in);
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  // The occurrence whose range holds `offset` (or ends at it: the cursor just after a name).
  const Occurrence* at(uint32_t offset) const;
  // Where `s` is declared, when the card declares it (builtins are not).
  std::optional<SourceRange> declaration(const Symbol& s) const;
  std::vector<SourceRange> references(const Symbol& s, bool include_declaration) const;
  // The declared name of `s` ("adoption", "tier.enterprise" for a member, "min" for a builtin).
  std::string name(const Symbol& s) const;
};

}  // namespace healthc::lsp
