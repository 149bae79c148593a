#!/bin/bash
# The embedding examples against an installed package: installs the build into a temporary
# prefix, builds examples/embed/ there with find_package(healthc) (and the C example again with
# pkg-config), runs the C program, the Python ctypes script and the event consumer on every
# example card and its sample data, and checks each against `healthc score` (compare.py). The
# same for an ahead-of-time artefact (`healthc compile --emit shared`) when the CLI can make one.
# Usage: run.sh BUILD_DIR SOURCE_DIR (the build already built: it installs it)
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
as_of=2026-11-01
export HEALTHC_CACHE_DIR=$work/cache

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in include/healthc/healthc.h include/healthc/healthc.hpp bin/healthc; do
  [[ -e $prefix/$f ]] || { echo "FAIL: the install has no $f"; exit 1; }
done
libdir=$(dirname "$(find "$prefix" -name 'libhealthc.so.0' | head -1)")
for f in libhealthc.so libhealthc_runtime.so healthc/libhealthc_jit.so cmake/healthc/healthcConfig.cmake cmake/healthc/healthcConfigVersion.cmake \
         pkgconfig/healthc.pc pkgconfig/healthc-runtime.pc; do
  [[ -e $libdir/$f ]] || { echo "FAIL: the install has no $libdir/$f"; exit 1; }
done
healthc=$prefix/bin/healthc  # the installed CLI, as a user has it

cmake -S "$src/examples/embed" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
# pkg-config, as a Makefile would use it.
PKG_CONFIG_PATH=$libdir/pkgconfig cc -std=c11 -Wall -Werror "$src/examples/embed/score_jsonl.c" -o "$work/score_jsonl_pc" \
  $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs healthc) -Wl,-rpath,"$libdir"

status=0
check() { "$@" || status=1; }
compare=$src/tests/embed/compare.py
for card in b2b_saas lifecycle fintech_platform; do
  health=$src/examples/$card.health
  key=$(sed -n 's/^ *\([a-z_0-9]*\) *: *text key.*/\1/p' "$health" | head -1)
  python3 "$compare" to-jsonl "$src/examples/data/${card}_sample.csv" "$work/$card.jsonl"
  "$healthc" score "$health" "$work/$card.jsonl" --as-of $as_of -o "$work/$card.cli.jsonl" 2>/dev/null
  "$work/build/score_jsonl" "$health" "$work/$card.jsonl" $as_of > "$work/$card.c.jsonl"
  check python3 "$compare" scores "$work/$card.cli.jsonl" "$work/$card.c.jsonl" "$key"
  "$work/score_jsonl_pc" "$health" "$work/$card.jsonl" $as_of > "$work/$card.pc.jsonl"
  check python3 "$compare" scores "$work/$card.cli.jsonl" "$work/$card.pc.jsonl" "$key"
  python3 "$src/examples/embed/score_jsonl.py" --lib "$libdir/libhealthc.so.0" "$health" "$work/$card.jsonl" \
    --as-of $as_of > "$work/$card.py.jsonl"
  check python3 "$compare" scores "$work/$card.cli.jsonl" "$work/$card.py.jsonl" "$key"
  # The event consumer: every account, then updates; it must end where healthc score puts
  # each account's final state.
  python3 "$compare" events-from "$work/$card.jsonl" "$work/$card.events.jsonl"
  "$healthc" score "$health" "$work/$card.events.final.jsonl" --as-of $as_of -o "$work/$card.final.cli.jsonl" 2>/dev/null
  "$work/build/event_consumer" "$health" $as_of < "$work/$card.events.jsonl" > "$work/$card.consumer.txt"
  check python3 "$compare" events "$work/$card.final.cli.jsonl" "$work/$card.consumer.txt" "$key"

  # Ahead of time: the artefact through hc_load, in libhealthc.so and in libhealthc_runtime.so.
  if ! "$healthc" compile "$health" --emit shared -o "$work/$card.so" > "$work/$card.aot.log" 2>&1; then
    echo "SKIPPED: the AOT case for $card: \`healthc compile --emit shared\` failed: $(head -c 300 "$work/$card.aot.log")"
    continue
  fi
  "$work/build/score_jsonl" "$work/$card.so" "$work/$card.jsonl" $as_of > "$work/$card.aot.jsonl"
  check python3 "$compare" scores "$work/$card.cli.jsonl" "$work/$card.aot.jsonl" "$key"
  "$work/build/score_jsonl_runtime" "$work/$card.so" "$work/$card.jsonl" $as_of > "$work/$card.aotrt.jsonl"
  check python3 "$compare" scores "$work/$card.cli.jsonl" "$work/$card.aotrt.jsonl" "$key"
  python3 "$src/examples/embed/score_jsonl.py" --lib "$libdir/libhealthc_runtime.so.0" "$work/$card.so" \
    "$work/$card.jsonl" --as-of $as_of > "$work/$card.aotpy.jsonl"
  check python3 "$compare" scores "$work/$card.cli.jsonl" "$work/$card.aotpy.jsonl" "$key"
  "$work/build/event_consumer" "$work/$card.so" $as_of < "$work/$card.events.jsonl" > "$work/$card.aotconsumer.txt"
  check python3 "$compare" events "$work/$card.final.cli.jsonl" "$work/$card.aotconsumer.txt" "$key"
done
# The runtime-only build refuses a source card with its reason (it has no compiler).
if "$work/build/score_jsonl_runtime" "$src/examples/b2b_saas.health" "$work/b2b_saas.jsonl" 2> "$work/rt.err"; then
  echo "FAIL: score_jsonl_runtime scored a .health file"; status=1
fi
grep -q "no compiler" "$work/rt.err" || { echo "FAIL: score_jsonl_runtime did not say why"; status=1; }
[[ $status == 0 ]] && echo "embed examples: all agree with healthc score"
exit $status
