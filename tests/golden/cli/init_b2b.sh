# RUN: bash %s %healthc
# `healthc init --example b2b` (into the current folder): the spec's B2B card, its sample data
# and cases, which check and test cleanly.
set -u
h=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$h" init --example b2b; echo "init: $?"
ls
"$h" check b2b_saas.health; echo "check: $?"
"$h" test b2b_saas.health b2b_saas_cases.csv --as-of 2026-11-01; echo "test: $?"
"$h" score -q b2b_saas.health b2b_saas_sample.csv --as-of 2026-11-01 | wc -l | sed 's/^/score rows: /'
