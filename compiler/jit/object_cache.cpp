// The verified on-disk object cache (see object_cache.h). Entry layout, little-endian:
//   "HLTHCOBJ" | u32 format version | u32 key length | u64 object length | SHA-256(key, object)
//   | key | object
#include "compiler/jit/object_cache.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace healthc::jit {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'T', 'H', 'C', 'O', 'B', 'J'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHashSize = 32;
constexpr size_t kHeaderSize = sizeof kMagic + 4 + 4 + 8 + kHashSize;
constexpr uint64_t kMaxEntry = uint64_t(1) << 31;  // far above any object healthc emits

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

std::string digest(std::string_view key, std::string_view object) {
  sha256_ctx sha;
  sha256_init(&sha);
  sha256_update(&sha, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
  sha256_update(&sha, object.size(), reinterpret_cast<const uint8_t*>(object.data()));
  std::string out(SHA256_DIGEST_SIZE, '\0');
  sha256_digest(&sha, SHA256_DIGEST_SIZE, reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

// mkdir -p, each directory it creates private (0700): the cache holds code we will run.
std::string create_directories(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    const std::string part = dir.substr(0, i);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return std::strerror(errno);
  }
  return {};
}

std::string errno_text() { return std::strerror(errno); }

// Another user could replace what we load (or plant code for us to run).
bool writable_by_others(const struct stat& st) { return st.st_uid != ::geteuid() || (st.st_mode & 022) != 0; }

// Reads a whole regular file owned by us, refusing symlinks and entries others can write.
bool read_entry(const std::string& path, std::string& bytes, bool& absent, std::string& error) {
  absent = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    absent = errno == ENOENT;
    error = errno == ELOOP ? "it is a symbolic link" : errno_text();
    return false;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (!ok) error = errno_text();
  else if (!S_ISREG(st.st_mode)) error = "it is not a regular file", ok = false;
  else if (writable_by_others(st)) error = "it is not owned by you or others can write it", ok = false;
  else if (static_cast<uint64_t>(st.st_size) > kMaxEntry) error = "it is too large", ok = false;
  if (ok) {
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (ok && got < bytes.size()) {
      const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = n < 0 ? errno_text() : "it shrank while being read";
        ok = false;
      } else {
        got += static_cast<size_t>(n);
      }
    }
  }
  ::close(fd);
  return ok;
}

bool write_all(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ObjectCache::ObjectCache(std::string dir, std::string key, std::string_view suffix)
    : dir_(std::move(dir)), key_(std::move(key)), path_(dir_ + "/" + key_ + std::string(suffix)) {}

std::string ObjectCache::encode(std::string_view key, std::string_view object) {
  std::string out(kMagic, sizeof kMagic);
  put_le(out, kFormatVersion, 4);
  put_le(out, key.size(), 4);
  put_le(out, object.size(), 8);
  out += digest(key, object);
  out += key;
  out.append(object.data(), object.size());
  return out;
}

bool ObjectCache::decode(std::string_view bytes, std::string_view key, std::string_view& object, std::string& error) {
  if (bytes.size() < kHeaderSize) return error = "it is truncated", false;
  const char* p = bytes.data();
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0) return error = "it is not a healthc cache entry", false;
  if (get_le(p + 8, 4) != kFormatVersion) return error = "it has another format version", false;
  const uint64_t key_size = get_le(p + 12, 4), object_size = get_le(p + 16, 8);
  if (key_size != key.size() || object_size > kMaxEntry || bytes.size() != kHeaderSize + key_size + object_size)
    return error = "its length is wrong (truncated or damaged)", false;
  const std::string_view stored_key = bytes.substr(kHeaderSize, key_size);
  object = bytes.substr(kHeaderSize + key_size);
  if (stored_key != key) return error = "it belongs to another key", false;
  if (digest(stored_key, object) != bytes.substr(24, kHashSize)) return error = "its checksum does not match", false;
  return true;
}

std::string ObjectCache::check_dir(bool create) const {
  if (create) {
    if (std::string error = create_directories(dir_); !error.empty())
      return "cannot create `" + dir_ + "`: " + error;
  }
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0) return "`" + dir_ + "`: " + errno_text();
  if (!S_ISDIR(st.st_mode)) return "`" + dir_ + "` is not a directory";
  if (writable_by_others(st))
    return "the compiled-code cache `" + dir_ + "` is not owned by you or others can write it: not used";
  return {};
}

ObjectCache::Lookup ObjectCache::load() const {
  Lookup out;
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0) return out;  // no cache yet
  if (std::string bad = check_dir(false); !bad.empty()) {
    out.note = bad;
    return out;
  }
  std::string bytes, error;
  bool absent = false;
  if (!read_entry(path_, bytes, absent, error)) {
    if (!absent) out.note = "compiled-code cache entry `" + path_ + "` not used: " + error;
    return out;
  }
  std::string_view object;
  if (!decode(bytes, key_, object, error)) {
    discard();  // left in place it would fail every later run
    out.note = "discarded compiled-code cache entry `" + path_ + "`: " + error + "; compiled afresh";
    return out;
  }
  out.hit = true;
  out.object = std::string(object);
  return out;
}

std::string ObjectCache::store(std::string_view object) const {
  if (std::string bad = check_dir(true); !bad.empty()) return bad;
  const std::string entry = encode(key_, object);
  std::string tmp = path_ + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());  // 0600, a fresh name: concurrent runs never share it
  if (fd < 0) return "cannot write to `" + dir_ + "`: " + errno_text();
  std::string error;
  if (!write_all(fd, entry)) error = errno_text();
  if (error.empty() && ::fsync(fd) != 0) error = errno_text();
  if (::close(fd) != 0 && error.empty()) error = errno_text();
  if (error.empty()) {  // read it back: only an entry that verifies is renamed into place
    std::string back, why;
    bool absent = false;
    std::string_view obj;
    if (!read_entry(tmp, back, absent, why) || !decode(back, key_, obj, why)) error = "the written entry does not verify: " + why;
  }
  if (error.empty() && ::rename(tmp.c_str(), path_.c_str()) != 0) error = errno_text();
  if (!error.empty()) {
    ::unlink(tmp.c_str());
    return "cannot store compiled code in `" + dir_ + "`: " + error;
  }
  return {};
}

void ObjectCache::discard() const { ::unlink(path_.c_str()); }

}  // namespace healthc::jit
