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
