# RUN: bash %s %healthc
# tune --format json: the report and the diff in one object on stdout, at full precision (the
# search's times are left out here: they vary run to run).
"$1" tune examples/b2b_saas.health tests/golden/validate/b2b_accounts.csv --outcome churned --as-of 2026-11-01 \
  --seed 3 --format json |
  python3 -c 'import json, sys
j = json.load(sys.stdin)
for k in ("seconds", "compile_seconds", "score_seconds"):
    j["search"].pop(k)
print(json.dumps(j, indent=2))'
exit "${PIPESTATUS[0]}"
