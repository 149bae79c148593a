#!/usr/bin/env bash
# Issue 15's report target, measured: a store of 50,000 accounts x 52 weekly snapshots
# (scripts/gen_series.py --churn 0: every snapshot holds every account; `healthc backfill`), then `healthc report` on it (time, peak RSS, page
# size) and headless Chromium rendering the page (against the same Chromium on an empty page, so
# the process start can be told apart from the rendering).
#   bash bench/report_store.sh BUILD_DIR [WORK_DIR] [ACCOUNTS] [WEEKS]
# Targets: report under 5 s, the page under 2 MB, Chromium renders it under 2 s.
set -euo pipefail
build=$(cd "$1" && pwd); work=${2:-$(mktemp -d)}; accounts=${3:-50000}; weeks=${4:-52}
root=$(cd "$(dirname "$0")/.." && pwd); healthc="$build/compiler/healthc"; mkdir -p "$work"
db="$work/report-$accounts-$weeks-steady.db"
series="$work/series-$accounts-$weeks-steady"
if [ ! -f "$series/.complete" ]; then
  python3 "$root/scripts/gen_series.py" --accounts "$accounts" --weeks "$weeks" --seed 15 --churn 0 -o "$series"
  touch "$series/.complete"
fi
if [ ! -f "$db" ]; then
  /usr/bin/time -f "backfill: %e s" "$healthc" backfill "$root/examples/b2b_saas_v2.health" "$series" --store "$db.part"
  mv "$db.part" "$db"
fi
ls -l "$db"
for run in 1 2 3; do
  /usr/bin/time -f "healthc report: %e s wall, %U s user, peak RSS %M KB" "$healthc" report --store "$db" -o "$work/report.html"
done
ls -l "$work/report.html"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "no chromium: rendering not measured"; exit 0; fi
echo '<!DOCTYPE html><html><body><p>empty</p></body></html>' > "$work/empty.html"
shoot() {  # $1: page; prints the wall time of a headless screenshot of it
  local profile; profile=$(mktemp -d)
  local start end; start=$(date +%s.%N)
  "$browser" --headless --disable-gpu --no-sandbox --user-data-dir="$profile" --host-resolver-rules="MAP * ~NOTFOUND" \
    --window-size=1100,4000 --screenshot="$work/shot.png" "file://$1" > /dev/null 2>&1
  end=$(date +%s.%N); rm -rf "$profile"
  echo "$end - $start" | bc
}
for run in 1 2 3; do
  echo "chromium screenshot: empty page $(shoot "$work/empty.html") s, report $(shoot "$work/report.html") s"
done
