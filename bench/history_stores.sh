#!/usr/bin/env bash
# Issue 14's reading targets, measured: builds a store of 365 weekly snapshots of 1,000 accounts
# (scripts/gen_series.py, `healthc backfill`) and one of two snapshots of 1,000,000 B2B accounts
# (scripts/gen_accounts.py, `healthc score --store`), then runs healthc_history_bench on them and
# times the commands themselves (hyperfine; peak RSS with /usr/bin/time).
#   bash bench/history_stores.sh BUILD_DIR [WORK_DIR]
# BUILD_DIR holds compiler/healthc and bench/healthc_history_bench (-DHEALTHC_BENCH=ON).
set -euo pipefail
build=$(cd "$1" && pwd); work=${2:-$(mktemp -d)}; root=$(cd "$(dirname "$0")/.." && pwd)
healthc="$build/compiler/healthc"; mkdir -p "$work"
if [ ! -f "$work/year.db" ]; then
  python3 "$root/scripts/gen_series.py" --accounts 1000 --weeks 365 --churn 0 --start 2020-01-06 -o "$work/year"
  "$healthc" backfill "$root/tests/history/b2b_series.health" "$work/year" --store "$work/year.db"
fi
if [ ! -f "$work/million.db" ]; then
  python3 "$root/scripts/gen_accounts.py" --card b2b --rows 1000000 --seed 1 -o "$work/m1.csv"
  python3 "$root/scripts/gen_accounts.py" --card b2b --rows 1000000 --seed 2 -o "$work/m2.csv"
  "$healthc" score "$root/examples/b2b_saas.health" "$work/m1.csv" --store "$work/million.db" --as-of 2026-11-01 -o /dev/null
  "$healthc" score "$root/examples/b2b_saas.health" "$work/m2.csv" --store "$work/million.db" --as-of 2026-11-08 -o /dev/null
fi
HEALTHC_HISTORY_STORE="$work/year.db" HEALTHC_CHANGES_STORE="$work/million.db" "$build/bench/healthc_history_bench"
hyperfine -N --warmup 2 --runs 20 "$healthc --version" "$healthc history --store $work/year.db --account acct-0042"
hyperfine -N --warmup 1 --runs 3 "$healthc changes --store $work/million.db --format csv --min-change 100" \
  "$healthc changes --store $work/million.db --format csv"
for cmd in "history --store $work/year.db --account acct-0042" "changes --store $work/million.db --format csv"; do
  /usr/bin/time -f "peak RSS %M KB: healthc $cmd" "$healthc" $cmd > /dev/null
done
