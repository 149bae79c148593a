#!/usr/bin/env bash
# Issue 13's cold-start target, measured with hyperfine: a fresh process that loads an
# ahead-of-time artefact and scores one account (bench/cold_start.c linked against
# libhealthc_runtime.so only) vs a fresh process that compiles the same card with the JIT, on-disk
# cache off (the same program linked against libhealthc.so). Targets: the artefact under 5 ms and
# at least 10x faster. Both must print the same result. Never part of the test run.
#
#   bench/aot_cold_start.sh BUILD_DIR [CARD.health ...]     (BUILD_DIR configured with -DHEALTHC_BENCH=ON)
#
# Prints one table row a card: the medians, the ratio, and whether the targets are met.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$1; shift
cards=("$@")
[ ${#cards[@]} -eq 0 ] && cards=("$root/examples/b2b_saas.health" "$root/examples/lifecycle.health"
                                 "$root/examples/fintech_platform.health")
command -v hyperfine >/dev/null || { echo "aot_cold_start.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
runs=${AOT_BENCH_RUNS:-40}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HEALTHC_CACHE_DIR=$tmp/cache  # the JIT side runs with the cache off; this keeps ~/.cache out of it

printf '%-22s %12s %12s %8s  %s\n' "card" "aot median" "jit median" "ratio" "targets (< 5 ms, >= 10x)"
for card in "${cards[@]}"; do
  name=$(basename "$card" .health)
  sample="$root/examples/data/${name}_sample.csv"
  "$build/compiler/healthc" compile "$card" --emit shared -o "$tmp/$name.so"
  # The sample's first account as a JSON object, numbers as numbers, empty cells as null.
  python3 - "$sample" "$tmp/$name.json" <<'EOF'
import csv, json, sys
row = next(csv.DictReader(open(sys.argv[1])))
def cell(v):
    if v == "":
        return None
    for parse in (int, float):
        try:
            return parse(v)
        except ValueError:
            pass
    return v
json.dump({k: cell(v) for k, v in row.items()}, open(sys.argv[2], "w"))
EOF
  aot=("$build/bench/cold_start_aot" "$tmp/$name.so" "$tmp/$name.json")
  jit=("$build/bench/cold_start_jit" "$card" "$tmp/$name.json")
  "${aot[@]}" >"$tmp/aot.out"
  "${jit[@]}" >"$tmp/jit.out"
  cmp -s "$tmp/aot.out" "$tmp/jit.out" || { echo "$name: the artefact and the JIT disagree" >&2; exit 1; }
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/$name-aot.json" "${aot[*]}" >/dev/null
  hyperfine -N --warmup 1 --runs "$((runs / 4 > 5 ? runs / 4 : 5))" --export-json "$tmp/$name-jit.json" "${jit[*]}" >/dev/null
  python3 - "$name" "$tmp/$name-aot.json" "$tmp/$name-jit.json" <<'EOF'
import json, sys
name, a, j = sys.argv[1], *(json.load(open(p))["results"][0]["median"] for p in sys.argv[2:4])
ok = "met" if a < 0.005 and j / a >= 10 else "NOT met"
print(f"{name:<22} {a * 1e3:9.2f} ms {j * 1e3:9.2f} ms {j / a:7.1f}x  {ok}")
EOF
done
