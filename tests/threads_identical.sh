#!/usr/bin/env bash
# Output is identical whatever the thread count and block size, and rows read = scored +
# rejected in the summary.
set -euo pipefail
healthc="$1"; root="$2"; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$root/scripts/gen_accounts.py" --card b2b --rows 20000 --seed 5 -o "$tmp/in.csv"
"$healthc" score "$root/examples/b2b_saas.health" "$tmp/in.csv" --as-of 2026-11-01 --explain --threads 1 -o "$tmp/one.csv" 2>"$tmp/one.err"
"$healthc" score "$root/examples/b2b_saas.health" "$tmp/in.csv" --as-of 2026-11-01 --explain --threads 4 --block-rows 777 -o "$tmp/many.csv" 2>"$tmp/many.err"
cmp "$tmp/one.csv" "$tmp/many.csv"
grep -q "^20000 rows read: 20000 scored" "$tmp/one.err"
echo "identical output with 1 and 4 threads over 20000 rows"
