#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz/ under ASan + UBSan (the asan preset, clang-14).
#   scripts/fuzz.sh                   every target, 60 s each
#   scripts/fuzz.sh TARGET [SECONDS]  one target (frontend, csv, jsonl, eval_jit, or all)
# Builds what is missing first. New corpus entries go to build/asan/fuzz/corpus/TARGET (the
# checked-in seeds in tests/fuzz/corpus/TARGET are only read); a crash, leak, sanitizer report,
# timeout or out-of-memory saves its input under build/asan/fuzz/artifacts/TARGET/ and makes
# the script exit 1 after the remaining targets have run. docs/testing.md has the long run.
# Environment: HEALTHC_FUZZ_BUILD (build dir, default build/asan), HEALTHC_FUZZ_ARGS (more
# libFuzzer flags, e.g. "-runs=10000000"), HEALTHC_FUZZ_JOBS (targets run at once, default
# the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
all_targets=(frontend csv jsonl eval_jit)
target="${1:-all}"
seconds="${2:-60}"
build="${HEALTHC_FUZZ_BUILD:-build/asan}"

if [ "$target" = all ]; then
  targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " == *" $target "* ]]; then
  targets=("$target")
else
  echo "fuzz.sh: unknown target \`$target\` (one of: ${all_targets[*]}, all)" >&2
  exit 2
fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: SECONDS must be a positive whole number, not \`$seconds\`" >&2
  exit 2
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
  if [ "$build" = build/asan ]; then
    cmake --preset asan "${launcher[@]}" >/dev/null
  else
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEALTHC_SANITIZE=ON -DHEALTHC_FUZZ=ON \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" >/dev/null
  fi
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Leaks are findings too; UBSan stops at the first report (the build also says so).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export HEALTHC_NO_CACHE=1

# One target's run; its summary line goes to $build/fuzz/$t.result.
fuzz_one() {
  local t="$1"
  local corpus="$build/fuzz/corpus/$t" artifacts="$build/fuzz/artifacts/$t/" log="$build/fuzz/$t.log"
  mkdir -p "$corpus" "$artifacts"
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
  echo "== fuzz_$t for $seconds s (log: $log)"
  set +e
  # A frequency threshold of 16 (not 255) keeps libFuzzer's list of rare features short: with the
  # front end's ~30,000 features, searching that list took 45% of the run (docs/testing.md).
  # shellcheck disable=SC2086  # HEALTHC_FUZZ_ARGS is a list of flags
  "$build/tests/fuzz/fuzz_$t" "$corpus" "tests/fuzz/corpus/$t" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
    -entropic_feature_frequency_threshold=16 \
    -artifact_prefix="$artifacts" ${HEALTHC_FUZZ_ARGS:-} >"$log" 2>&1
  local rc=$?
  set -e
  local runs rate rss result crash
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    result="ok"
  else
    crash=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
    result="FAILED (exit $rc${crash:+, input saved as $crash})"
  fi
  printf '%-9s %8s runs %6s exec/s %6s MB peak  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${rss:-?}" "$result" \
    >"$build/fuzz/$t.result"
  echo "   done: $(cat "$build/fuzz/$t.result")"
}

# Targets run side by side, one a core (HEALTHC_FUZZ_JOBS, default the cores there are): each
# gets its full time, and the summary is in target order whatever finished first.
jobs="${HEALTHC_FUZZ_JOBS:-$(nproc)}"
mkdir -p "$build/fuzz"
for t in "${targets[@]}"; do
  rm -f "$build/fuzz/$t.result"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait || true
# Failures are read from the result files (a target that wrote none failed too).
status=0
summary=()
for t in "${targets[@]}"; do
  line=$(cat "$build/fuzz/$t.result" 2>/dev/null || echo "$t: no result")
  summary+=("$line")
  if [[ "$line" == *FAILED* || "$line" == *"no result" ]]; then
    status=1
    grep -E "ERROR: |runtime error: |fuzz invariant broken|SUMMARY: " "$build/fuzz/$t.log" | head -5 || true
  fi
done

echo
echo "fuzzing summary ($seconds s a target, $build):"
printf '  %s\n' "${summary[@]}"
if [ "$status" -ne 0 ]; then
  echo "a fuzz target failed: reproduce with $build/tests/fuzz/fuzz_TARGET INPUT (docs/testing.md)" >&2
fi
exit "$status"
