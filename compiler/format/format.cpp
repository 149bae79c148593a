// Placeholder of the session's contract: returns the text as given. Replaced by the formatter.
#include "compiler/format/format.h"

namespace healthc::format {

FormatResult format_card(std::string path, std::string_view text) {
  (void)path;
  FormatResult r;
  r.ok = true;
  r.text = std::string(text);
  return r;
}

}  // namespace healthc::format
