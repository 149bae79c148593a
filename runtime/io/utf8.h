// UTF-8 checks for data text: readers reject text that is not valid UTF-8, and writers of
// JSON use the repair as a last guard so that what they write is always JSON.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace healthc::rt {

// The byte offset of the first byte that does not start a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), or npos when all of
// `s` is valid.
size_t utf8_error_offset(std::string_view s);

// Most data text is ASCII: eight bytes at a time without a high bit settle it, and only text
// with other bytes takes the full check. Inline: it runs on every text cell.
inline bool is_valid_utf8(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  for (; end - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if (word & 0x8080808080808080ULL) return utf8_error_offset(s) == std::string_view::npos;
  }
  for (; p < end; ++p) {
    if (static_cast<unsigned char>(*p) & 0x80) return utf8_error_offset(s) == std::string_view::npos;
  }
  return true;
}

// `s` with every byte that is not part of a well-formed sequence replaced by U+FFFD.
void append_repaired_utf8(std::string& out, std::string_view s);
std::string repaired_utf8(std::string_view s);

}  // namespace healthc::rt
