// Output files written beside their target and renamed into place on success, and the check
// that no output of a run is one of its inputs or another of its outputs.
#include "runtime/io/output_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace healthc::rt {

namespace {
namespace fs = std::filesystem;

// What a path is, for telling whether two paths name the same file.
struct Identity {
  bool exists = false;
  bool char_device = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string normal;  // normalised absolute path, for a file that does not exist (yet)
};

Identity identify(const std::string& path) {
  Identity id;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.char_device = S_ISCHR(st.st_mode);
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    return id;
  }
  // Resolves the part that exists (symlinked folders included), normalises the rest.
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  id.normal = p.string();
  return id;
}

bool same_file(const Identity& a, const Identity& b) {
  if (a.exists != b.exists) return false;
  if (a.exists) return !a.char_device && !b.char_device && a.dev == b.dev && a.ino == b.ino;
  return a.normal == b.normal;
}

bool skipped(const std::string& path) { return path == "-" || path.empty(); }

// Inside /proc a "file" is an open descriptor (/dev/stdout -> /proc/self/fd/1): a stream
// that the shell set up, not a file to replace.
bool in_proc(const fs::path& dir) {
  std::error_code ec;
  const std::string c = fs::weakly_canonical(dir.empty() ? fs::path(".") : dir, ec).string();
  return !ec && (c == "/proc" || c.starts_with("/proc/"));
}

// Follows symlinks from `path` to the file they name, so that replacing it keeps the links.
// `descriptor` when the way goes through /proc, or never ends.
struct Resolved {
  fs::path path;
  bool descriptor = false;
};
Resolved resolve_links(const std::string& path) {
  fs::path p = path;
  for (int hop = 0; hop < 40; ++hop) {
    if (in_proc(p.parent_path())) return {p, true};
    struct stat st{};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return {p, false};
    std::error_code ec;
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) return {p, false};
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  return {path, true};  // a loop: opening it directly reports ELOOP
}

// Unique enough for O_EXCL retries: a clock, the pid and a counter through splitmix64.
std::string random_suffix() {
  static std::atomic<uint64_t> counter{0};
  uint64_t x = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (static_cast<uint64_t>(::getpid()) << 32) ^ (++counter * 0x9E3779B97F4A7C15ull);
  x ^= x >> 30, x *= 0xBF58476D1CE4E5B9ull, x ^= x >> 27, x *= 0x94D049BB133111EBull, x ^= x >> 31;
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s;
  for (int i = 0; i < 6; ++i, x /= 62) s += kChars[x % 62];
  return s;
}

int open_retrying(const char* path, int flags, mode_t mode) {
  int fd;
  do fd = ::open(path, flags, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}
}  // namespace

std::string check_distinct(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  std::vector<Identity> in_ids, out_ids;
  for (const NamedPath& p : inputs) in_ids.push_back(skipped(p.path) ? Identity{} : identify(p.path));
  for (const NamedPath& p : outputs) out_ids.push_back(skipped(p.path) ? Identity{} : identify(p.path));
  for (size_t o = 0; o < outputs.size(); ++o) {
    if (skipped(outputs[o].path)) continue;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!skipped(inputs[i].path) && same_file(out_ids[o], in_ids[i]))
        return fmt::format("{} `{}` is the same file as {} `{}`; writing it would destroy the input", outputs[o].role,
                           outputs[o].path, inputs[i].role, inputs[i].path);
    for (size_t k = 0; k < o; ++k)
      if (!skipped(outputs[k].path) && same_file(out_ids[o], out_ids[k]))
        return fmt::format("{} `{}` and {} `{}` are the same file; give each output its own", outputs[k].role,
                           outputs[k].path, outputs[o].role, outputs[o].path);
  }
  return "";
}

OutputFile::~OutputFile() { abandon(); }

std::string OutputFile::open(const std::string& path) {
  abandon();
  path_ = path;
  finished_ = false;
  finish_error_.clear();
  write_errno_ = 0;
  if (path == "-") {
    std::fflush(stdout);  // what was printed before comes before this file's bytes
    fd_ = STDOUT_FILENO;
    owns_fd_ = false;
  } else {
    const Resolved r = resolve_links(path);
    struct stat st{};
    const bool exists = ::stat(r.path.c_str(), &st) == 0;
    if (!r.descriptor && (!exists || S_ISREG(st.st_mode))) {
      // A read-only file says "do not overwrite": renaming over it would ignore that.
      if (exists && ::access(r.path.c_str(), W_OK) != 0) return error("cannot write", errno);
      const fs::path dir = r.path.parent_path();
      std::string name = r.path.filename().string();
      if (name.size() > 200) name.resize(200);  // room for the affixes within NAME_MAX
      for (int attempt = 0; fd_ < 0; ++attempt) {
        const fs::path temp = dir / ("." + name + ".healthc-tmp-" + random_suffix());
        // 0666 less the umask: the mode a new file gets, unlike mkstemp's 0600.
        fd_ = open_retrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ >= 0) temp_ = temp.string();
        else if (errno != EEXIST || attempt == 100) return error("cannot write", errno);
      }
      target_ = r.path.string();
    } else {
      // Devices and FIFOs have nothing to truncate; a descriptor named through /proc is
      // appended to, as a `>>` redirection expects and a `>` one already emptied.
      const int flags = O_WRONLY | O_CLOEXEC | (r.descriptor ? O_APPEND : 0);
      fd_ = open_retrying(path.c_str(), flags, 0666);
      if (fd_ < 0) return error("cannot write", errno);
    }
    owns_fd_ = true;
  }
  const cookie_io_functions_t io{nullptr, &OutputFile::write_hook, nullptr, nullptr};
  stream_ = ::fopencookie(this, "w", io);
  if (!stream_) {
    const int err = errno;
    close_all();
    return error("cannot write", err);
  }
  std::setvbuf(stream_, nullptr, _IOFBF, 1 << 16);
  return "";
}

ssize_t OutputFile::write_hook(void* self_ptr, const char* data, size_t size) {
  auto* self = static_cast<OutputFile*>(self_ptr);
  if (self->write_errno_) return 0;
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(self->fd_, data + done, size - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      self->write_errno_ = n < 0 ? errno : EIO;
      break;
    }
  }
  // Fewer bytes than asked sets the stream's error flag.
  return static_cast<ssize_t>(done);
}

bool OutputFile::write(std::string_view bytes) {
  if (!stream_) return false;
  return std::fwrite(bytes.data(), 1, bytes.size(), stream_) == bytes.size() && write_errno_ == 0;
}

std::string OutputFile::error(const char* what, int err) const {
  const std::string name = path_ == "-" ? "standard output" : fmt::format("`{}`", path_);
  return fmt::format("{} {}: {}", what, name, std::strerror(err));
}

std::string OutputFile::finish() {
  if (finished_) return finish_error_;
  finished_ = true;
  if (!stream_) return finish_error_ = "no output file is open";
  int err = 0;
  if (std::fflush(stream_) != 0 || std::ferror(stream_) || write_errno_) err = write_errno_ ? write_errno_ : EIO;
  // The bytes reach the disk before the name does: a crash after the rename must not leave
  // an empty or partial file where the old one was.
  if (!err && !temp_.empty() && ::fsync(fd_) != 0) err = errno;
  std::fclose(stream_);  // the cookie has no close hook: the descriptor is closed below
  stream_ = nullptr;
  if (owns_fd_ && ::close(fd_) != 0 && !err && errno != EINTR) err = errno;
  fd_ = -1;
  if (err) {
    finish_error_ = error("cannot write", err);
    abandon();
  }
  return finish_error_;
}

std::string OutputFile::commit() {
  if (std::string e = finish(); !e.empty()) return e;
  if (temp_.empty()) return "";
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    abandon();
    return error("cannot replace", err);
  }
  temp_.clear();
  // Makes the rename itself durable; a folder that cannot be synced is no reason to fail.
  const std::string dir = fs::path(target_).parent_path().string();
  const int dfd = open_retrying(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return "";
}

void OutputFile::close_all() {
  if (stream_) std::fclose(stream_);
  stream_ = nullptr;
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void OutputFile::abandon() {
  // Nothing more goes to the temporary file: its buffered bytes would only be deleted.
  if (!temp_.empty()) write_errno_ = write_errno_ ? write_errno_ : ECANCELED;
  close_all();
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

}  // namespace healthc::rt
