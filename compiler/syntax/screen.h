// Internal to compiler/syntax/: what is done to a scorecard's text and tokens before the
// parser runs, so hostile input is reported in place and never reaches ANTLR's recursion:
// invalid UTF-8 neutralised byte for byte, stray characters and unterminated strings
// reported once, malformed backquoted names reported, nesting beyond kMaxNesting refused.
#pragma once

#include <antlr4-runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"

namespace healthc::syntax {

// Replaces every byte of an invalid UTF-8 sequence with 0x1A, one byte for one byte, so byte
// offsets stay those of the file; reports each invalid run once.
std::string sanitize_utf8(const std::string& text, DiagnosticList& diags);

// Maps ANTLR's code-point indices to byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(const std::string& text) {
    bool ascii = true;
    for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii) return;
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) byte_of_.push_back(i);
    byte_of_.push_back(static_cast<uint32_t>(text.size()));
    size_ = static_cast<uint32_t>(text.size());
  }
  uint32_t byte(size_t cp) const {
    if (byte_of_.empty()) return static_cast<uint32_t>(cp);
    return cp < byte_of_.size() ? byte_of_[cp] : size_;
  }

 private:
  std::vector<uint32_t> byte_of_;
  uint32_t size_ = 0;
};


// Whether a token's text is a usable name: any text not in backquotes, and in backquotes a
// non-empty name of letters, digits and `_` that does not start with a digit.
bool quoted_name_ok(const std::string& text);

// Reports stray characters and unterminated strings, hides them from the parser (so it does
// not report them a second time), and refuses nesting the recursive stages cannot take.
// Returns false when the input must not be parsed.
bool screen_tokens(antlr4::CommonTokenStream& tokens, const OffsetMap& map, const std::string& text,
                   DiagnosticList& diags);

}  // namespace healthc::syntax
