// A unified diff of two texts, line by line, as `diff -u` and `git apply` read it: what
// `healthc tune` prints so a person reviews the changed card before committing it.
#pragma once

#include <string>

namespace healthc::driver {

// Empty when the texts are equal. `old_name`/`new_name` go on the `---`/`+++` lines.
std::string unified_diff(const std::string& old_text, const std::string& new_text, const std::string& old_name,
                         const std::string& new_name, size_t context = 3);

}  // namespace healthc::driver
