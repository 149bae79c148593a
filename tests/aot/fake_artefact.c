/* A fake ahead-of-time artefact for tests/aot/run.sh: the symbols of runtime/aot/layout.h with
   values chosen by -D flags, to check that stale and damaged artefacts are refused. It has no
   batch functions: if the loader ever accepted one, scoring would not run its code. */
#include <stdint.h>

#ifndef ABI
#error "build with -DABI=N"
#endif
#ifndef CPU
#define CPU "x86-64-v2"
#endif
#ifndef FEATURES
#define FEATURES "sse3,ssse3,sse4.1,sse4.2,popcnt"
#endif
#ifndef IR
#define IR {0x48, 0x43, 0x49, 0x52, 0x01, 0x02, 0x03}
#endif
#ifndef CHECKSUM
#define CHECKSUM 0
#endif
#ifndef IR_SIZE
#define IR_SIZE sizeof healthc_aot_ir
#endif
#ifndef CPU_SIZE /* -DCPU_SIZE=3 with a 3-character CPU: a string without its NUL */
#define CPU_SIZE
#endif

const uint32_t healthc_aot_abi_version = ABI;
const char healthc_aot_healthc_version[] = "0.0.9";
const char healthc_aot_codegen_version[] = "fake";
const char healthc_aot_cpu[CPU_SIZE] = CPU;
const char healthc_aot_cpu_features[] = FEATURES;
const unsigned char healthc_aot_ir[] = IR;
const uint64_t healthc_aot_ir_size = IR_SIZE;
const uint64_t healthc_aot_ir_checksum = CHECKSUM;

/* Code that the dynamic loader would run while loading the file, before the caller could look
   at it: each prints the marker tests/aot/run.sh looks for, so a loader that dlopened the file
   before refusing it would be caught. */
#if defined(CTOR) || defined(DTOR) || defined(IFUNC) || defined(IRELATIVE)
#if !defined(__x86_64__)
#include <unistd.h>
#endif
/* A raw write(2) system call: an IFUNC resolver runs while the file is being relocated, before
   its calls into libc (through the PLT) are bound. */
static void say(int fd) {
  static const char marker[] = "HOSTILE-CODE-RAN\n";
#if defined(__x86_64__)
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(1L), "D"((long)fd), "S"(marker), "d"(sizeof marker - 1)
                   : "rcx", "r11", "memory");
  (void)ret;
#else
  (void)write(fd, marker, sizeof marker - 1);
#endif
}
static void ran(void) {
  say(1);
  say(2);
}
#endif
/* (ld refuses .preinit_array in a shared object; tests/unit/aot/ patches a DT_PREINIT_ARRAY in.) */
#ifdef CTOR /* .init_array (and DT_INIT too, when linked with the start files) */
__attribute__((constructor)) static void at_load(void) { ran(); }
#endif
#ifdef DTOR /* .fini_array */
__attribute__((destructor)) static void at_unload(void) { ran(); }
#endif
#if defined(IFUNC) || defined(IRELATIVE)
static int real_answer(void) { return 42; }
static int (*resolve_answer(void))(void) {
  ran();
  return real_answer;
}
#endif
#ifdef IFUNC /* an exported STT_GNU_IFUNC symbol */
int healthc_answer(void) __attribute__((ifunc("resolve_answer")));
/* A call through the PLT, bound when the file is loaded (RTLD_NOW): the resolver runs then. */
int healthc_answer_twice(void) { return 2 * healthc_answer(); }
#endif
#ifdef IRELATIVE /* a local IFUNC whose address is taken: an R_X86_64_IRELATIVE relocation */
static int local_answer(void) __attribute__((ifunc("resolve_answer")));
int (*const healthc_answer_ptr)(void) = local_answer;
#endif
