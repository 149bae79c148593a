// The on-disk cache of compiled objects. An entry is never trusted by its name alone: it
// carries a header (magic, format version, key, object length, SHA-256 of key and object)
// that is verified before the object is handed to the JIT, and it is only read from a
// directory that no one else can write. Library code: problems come back as notes. No LLVM
// types here, so tests can use it directly.
#pragma once

#include <string>
#include <string_view>

namespace healthc::jit {

class ObjectCache {
 public:
  // `dir` is the cache directory, `key` the entry's content key (hex), `suffix` the file's
  // ending (".o" for objects; the program cache's entries are ".ir").
  ObjectCache(std::string dir, std::string key, std::string_view suffix = ".o");

  struct Lookup {
    bool hit = false;
    std::string object;  // the object file's bytes, when hit
    std::string note;    // why an entry was not used, if worth saying
  };
  // The verified object for the key. A corrupt entry is deleted (it would fail every run).
  Lookup load() const;
  // Writes the entry aside, flushes and checks it, and renames it into place. A cache that
  // cannot be written is not an error: the note says why, for callers that want it.
  std::string store(std::string_view object) const;
  // Deletes the entry (the JIT could not load it even though it verified).
  void discard() const;
  const std::string& path() const { return path_; }

  // The serialised form of an entry (exposed for tests).
  static std::string encode(std::string_view key, std::string_view object);
  // The object inside `bytes` when it is a whole, intact entry for `key`; else why not.
  static bool decode(std::string_view bytes, std::string_view key, std::string_view& object, std::string& error);

 private:
  // Creates the directory 0700 if needed; an empty string when it is safe to use.
  std::string check_dir(bool create) const;

  std::string dir_, key_, path_;
};

}  // namespace healthc::jit
