// The types of scorecard expressions.
#pragma once

#include <cstdint>
#include <string>

namespace healthc::ast {

struct Type {
  enum Kind : uint8_t {
    Error,    // a piece that failed to check: compatible with anything, so errors don't cascade
    Number,
    Bool,
    Text,
    Date,
    Enum,     // `index` is the field whose enum it is
    BandSet,  // the account's band: members are the band names plus `unscored`
    SegmentSet,  // the account's segment: members are the segment names plus `default`
    LabelSet,    // a label (`previous.label`, `label` in alerts): members are the label names
    OverrideSet, // `previous.override`: members are the override names plus `none`
  } kind = Error;
  int32_t index = -1;

  static Type error() { return {Error, -1}; }
  static Type number() { return {Number, -1}; }
  static Type boolean() { return {Bool, -1}; }
  static Type text() { return {Text, -1}; }
  static Type date() { return {Date, -1}; }
  static Type enumeration(int32_t field) { return {Enum, field}; }
  bool operator==(const Type&) const = default;
  bool is_error() const { return kind == Error; }
  bool is_category() const {
    return kind == Enum || kind == BandSet || kind == SegmentSet || kind == LabelSet || kind == OverrideSet;
  }
};

}  // namespace healthc::ast
