// The cache's place (jit::cache_dir) and key (cache_key.h): libnettle's SHA-256 over what the compiled code depends on.
#include "compiler/jit/cache_key.h"

#include <nettle/sha2.h>

#include <cstdlib>
#include <fstream>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "compiler/ir/serialize.h"

#ifndef HEALTHC_LLVM_VERSION
#error "HEALTHC_LLVM_VERSION is set by compiler/CMakeLists.txt"
#endif

namespace healthc::jit {

namespace {

void append_u32(std::string& out, unsigned v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string host_signature() {
  std::string out;
#if defined(__x86_64__)
  out = "x86_64";
  unsigned a = 0, b = 0, c = 0, d = 0;
  auto leaf = [&](unsigned n, unsigned sub) {
    __cpuid_count(n, sub, a, b, c, d);
    append_u32(out, n);
    append_u32(out, sub);
  };
  leaf(0, 0);
  const unsigned max = a;
  append_u32(out, b), append_u32(out, d), append_u32(out, c);  // the vendor
  if (max >= 1) {
    leaf(1, 0);
    const bool osxsave = (c >> 27) & 1;
    append_u32(out, a), append_u32(out, b & 0xffff), append_u32(out, c), append_u32(out, d);  // no APIC id
    if (osxsave) {
      unsigned lo = 0, hi = 0;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      append_u32(out, lo), append_u32(out, hi);
    }
  }
  for (unsigned sub : {0u, 1u})
    if (max >= 7) leaf(7, sub), append_u32(out, a), append_u32(out, b), append_u32(out, c), append_u32(out, d);
  if (max >= 0xd) leaf(0xd, 1), append_u32(out, a);
  if (max >= 0x14) leaf(0x14, 0), append_u32(out, b);
  if (max >= 0x19) leaf(0x19, 0), append_u32(out, b);
  leaf(0x80000000u, 0);
  const unsigned ext = a;
  if (ext >= 0x80000001u) leaf(0x80000001u, 0), append_u32(out, c), append_u32(out, d);
  if (ext >= 0x80000008u) leaf(0x80000008u, 0), append_u32(out, b);
#else
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.find("MHz") == std::string::npos && line.find("BogoMIPS") == std::string::npos) out += line + '\n';
#endif
  return out;
}

std::string cache_dir(const CacheOptions& cache) {
  if (!cache.dir.empty()) return cache.dir;
  if (const char* d = std::getenv("HEALTHC_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/healthc";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/healthc";
  return {};
}

void KeyHasher::update(std::string_view part) {
  uint8_t framed[8];
  for (int i = 0; i < 8; ++i) framed[i] = static_cast<uint8_t>(uint64_t(part.size()) >> (8 * i));
  sha256_update(&sha_, sizeof framed, framed);
  sha256_update(&sha_, part.size(), reinterpret_cast<const uint8_t*>(part.data()));
}

std::string KeyHasher::hex() {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&sha_, SHA256_DIGEST_SIZE, digest);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) out += digits[byte >> 4], out += digits[byte & 15];
  return out;
}

std::string cache_key(const ir::Program& program, Variant variant) {
  KeyHasher key;
  const auto update = [&](std::string_view part) { key.update(part); };
  update(kCodegenVersion);
  update(variant == Variant::Basic ? "basic" : "detail");
  update(HEALTHC_LLVM_VERSION);
  static const std::string host = host_signature();
  update(host);
  // The binary form: exact (doubles bit for bit) and much cheaper than the text listing.
  update(ir::serialize(program));
  return key.hex();
}

}  // namespace healthc::jit
