// Opens the checked bytes of an artefact as a library (never the file they were read from, which
// may have changed since), and closes it when the last card using its code goes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace healthc::aot {

// The artefact's library handle; closed when the last Scorecard using its code goes.
struct Library {
  void* handle = nullptr;
  int fd = -1;  // the in-memory copy it was loaded from, kept open while it is loaded
  ~Library();
};

enum class LoadVia {
  Memfd,     // an anonymous in-memory file, opened by its /proc/self/fd name
  TempFile,  // a file created with O_EXCL in a fresh private (0700) directory, unlinked once loaded
};

// How load_artefact loads: Memfd, or TempFile when memfd_create or /proc is not available here
// (or when HEALTHC_AOT_TEST_NO_MEMFD is set, which only tests do, to reach that path).
LoadVia default_load_via();

// dlopens `bytes` (RTLD_NOW | RTLD_LOCAL). Null with `error` (dlerror's or the system's words)
// when it cannot. `via` Memfd falls back to TempFile when memfd cannot be used.
std::shared_ptr<Library> open_checked(std::string_view bytes, LoadVia via, std::string& error);

}  // namespace healthc::aot
