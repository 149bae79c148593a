// Loading an artefact's checked bytes: dlopen of a path already loaded returns the old library
// even when the file there is new, and a file replaced between the checks and dlopen would be
// code nobody checked. So dlopen always gets a private copy of the bytes that passed.
#include "runtime/aot/library.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace healthc::aot {

namespace {

// dlerror() is one process-wide slot: keep the call and the read together.
std::mutex& dl_mutex() {
  static std::mutex m;
  return m;
}

bool write_all(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void* dlopen_checked(const std::string& name, std::string& error) {
  std::lock_guard<std::mutex> lock(dl_mutex());
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    error = why ? why : "unknown reason";
  }
  return handle;
}

// Memfd: unique while the fd stays open, so the name never names another library.
bool open_memfd(std::string_view bytes, Library& lib, std::string& error) {
  const int fd = static_cast<int>(::memfd_create("healthc-artefact", MFD_CLOEXEC));
  if (fd < 0) return false;
  const std::string name = "/proc/self/fd/" + std::to_string(fd);
  if (!write_all(fd, bytes) || ::access(name.c_str(), R_OK) != 0) {
    ::close(fd);
    return false;
  }
  lib.fd = fd;
  lib.handle = dlopen_checked(name, error);
  return true;
}

// A fresh 0700 directory nobody else can write into, a file created in it with O_EXCL, so
// nothing but these bytes can be at that name when dlopen opens it; both removed once loaded
// (the mapping stays). The directory's unique name also keeps dlopen from reusing a library.
bool open_temp(std::string_view bytes, Library& lib, std::string& error) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base && *base ? base : "/tmp") + "/healthc-artefact-XXXXXX";
  if (!::mkdtemp(dir.data())) {
    error = "cannot create a private directory in " + dir.substr(0, dir.rfind('/')) + ": " + std::strerror(errno);
    return false;
  }
  const std::string file = dir + "/card.so";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  bool ok = fd >= 0 && write_all(fd, bytes);
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (!ok) error = "cannot write a private copy in " + dir + ": " + std::strerror(errno);
  else lib.handle = dlopen_checked(file, error);
  ::unlink(file.c_str());
  ::rmdir(dir.c_str());
  return ok;
}

}  // namespace

Library::~Library() {
  if (handle) dlclose(handle);
  if (fd >= 0) ::close(fd);
}

LoadVia default_load_via() {
  const char* test = std::getenv("HEALTHC_AOT_TEST_NO_MEMFD");
  return test && *test ? LoadVia::TempFile : LoadVia::Memfd;
}

std::shared_ptr<Library> open_checked(std::string_view bytes, LoadVia via, std::string& error) {
  auto lib = std::make_shared<Library>();
  error.clear();
  if (via == LoadVia::Memfd && open_memfd(bytes, *lib, error)) return lib->handle ? lib : nullptr;
  if (!open_temp(bytes, *lib, error) || !lib->handle) return nullptr;
  return lib;
}

}  // namespace healthc::aot
