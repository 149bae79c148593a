// Output files that never lose data: a file is written under a temporary name beside its
// target and renamed into place only on commit, so a failed run leaves an existing file as it
// was; every write, flush and close is checked. Also the check that no output is an input.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace healthc::rt {

// A path given on the command line with what it is there ("DATA", "-o", "--rejects"), for
// messages.
struct NamedPath {
  std::string role;
  std::string path;
};

// An empty string when no output is the same file as an input or as another output, else why
// (a usage error: nothing may be opened). Existing files are compared by device and inode
// (hard links and symlinks clash), missing ones by normalised absolute path. `-` (standard
// input or output) never clashes, and neither do character devices (/dev/null twice loses
// nothing).
std::string check_distinct(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// One output. A regular file (or a path that does not exist yet) is written to
// `.NAME.healthc-tmp-XXXXXX` in the target's directory (through symlinks, so the link stays a
// link), with the mode a new file gets (0666 less the umask), and renamed over the target by
// commit(). Anything else (/dev/null, /dev/full, a FIFO, `-`) is written directly: there is
// nothing to replace. A path naming an open descriptor through /proc (/dev/stdout, /dev/fd/N)
// is appended to, as the shell's redirection would be. Destroying an OutputFile that was not
// committed abandons it.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Opens `path` for writing (`-` is standard output). An error message naming the path on
  // failure; the target is not touched either way.
  std::string open(const std::string& path);
  bool is_open() const { return stream_ != nullptr; }
  const std::string& path() const { return path_; }

  // The stream to write to. Its write errors are recorded and reported by finish(), with the
  // errno of the first one.
  std::FILE* stream() const { return stream_; }
  // Appends bytes; false after any write error (finish() says which).
  bool write(std::string_view bytes);

  // Flushes, syncs and closes: everything that can go wrong with the bytes. An error message
  // naming the path and the reason, or empty. After an error the temporary file is removed.
  // Calling it again repeats the answer; without a successful open() it is an error.
  std::string finish();
  // finish(), then the rename into place. An error message, or empty.
  std::string commit();
  // Discards what was written: removes the temporary file, the target stays as it was (a
  // direct target keeps what already reached it).
  void abandon();

 private:
  // The stream's write hook (fopencookie): writes through to fd_, keeps the first errno.
  static ssize_t write_hook(void* self, const char* data, size_t size);
  std::string error(const char* what, int err) const;
  void close_all();

  std::string path_;    // as given, for messages
  std::string target_;  // the file commit() replaces; empty when written directly
  std::string temp_;    // the temporary file, while it exists
  std::FILE* stream_ = nullptr;
  int fd_ = -1;
  bool owns_fd_ = false;  // false for `-` (standard output stays open)
  bool finished_ = false;
  std::string finish_error_;  // what finish() said, for a repeated call
  int write_errno_ = 0;  // the first write error, as recorded by write_hook
};

}  // namespace healthc::rt
