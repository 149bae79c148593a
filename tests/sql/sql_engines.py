#!/usr/bin/env python3
"""The SQL of `healthc compile --emit sql` run on a real engine against `healthc score`.

    sql_engines.py --engine duckdb|postgres|clickhouse --healthc H --cards-tool T --work DIR
                   [--random N] [--rows R] [--seed S]

For the example cards with their sample data, acceptance-style cards of the test suite, and N
random cards of the differential generator (written by T, tests/sql/sql_cards.cpp): the data is
loaded into the engine (ClickHouse: split over two shards, queried through a Distributed table),
the card's query (`--explain`) run, and every row compared with `healthc score --explain`:
keys, segments, scores, bands, colors, labels, overrides, stale lists identical; measure values,
scores and weights within 1e-9 relative; reasons identical, except that a reason's points may
print one tenth apart where the exact points lie within 1e-9 of a tie of the one-decimal
rounding (docs/scale-out.md). The engine is started by the test in a temporary directory; where
it cannot be, the test says why and exits 77 (ctest's skip), never passing silently.
"""
import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sql_servers  # noqa: E402

AS_OF = "2026-11-01"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (card, data): the examples and acceptance-style cards of the suite (v1 forms: the past is read
# from a history table, which sql_history.py tests against a store).
FIXED_CASES = [
    ("examples/b2b_saas.health", "examples/data/b2b_saas_sample.csv"),
    ("examples/fintech_platform.health", "examples/data/fintech_platform_sample.csv"),
    ("examples/lifecycle.health", "examples/data/lifecycle_sample.csv"),
    ("tests/golden/score/telecom_names.health", "tests/golden/score/telecom.csv"),
    ("tests/golden/tune/keyword_names.health", "tests/golden/validate/telecom_churn.csv"),
    ("tests/golden/tune/cards/b2b_csm_heavy.health", "examples/data/b2b_saas_sample.csv"),
    ("tests/golden/diff/cards/b2b_reweighted.health", "examples/data/b2b_saas_sample.csv"),
    ("tests/sql/cards/edge_forms.health", "tests/sql/cards/edge_forms.csv"),
]


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(77)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def run(cmd, ok=(0,), **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode not in ok:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout


def card_fields(healthc, card):
    """[(name, type)] from the IR listing's `field N NAME TYPE [optional]` lines."""
    out = run([healthc, "compile", card, "--emit", "ir"])
    fields = []
    for line in out.splitlines():
        m = re.match(r"^field \d+ (\S+) (number|bool|text|date|enum)", line)
        if m:
            fields.append((m.group(1), m.group(2)))
    return fields


def expected_rows(healthc, card, data):
    out = run([healthc, "score", card, data, "--explain", "--as-of", AS_OF, "--format", "jsonl", "--threads", "1"],
              ok=(0, 3))  # 3: some rows rejected (the SQL leaves the same rows out)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = (("true" if v else "false") if isinstance(v, bool) else v for v in (a, b))  # JSON's true: SQL's 'true'
    try:  # psql prints numbers as text; an enum or bool value is text in both
        a, b = float(a), float(b)
    except ValueError:
        return str(a) == str(b)
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def tie_tolerant_reasons(exp, got, row):
    """Reasons equal by parts: names in order identical, points identical or one tenth apart
    where the exact points (weight x (100 - score) from the explain columns) are within 1e-9
    of a tie of the one-decimal rounding."""
    e = [r.rsplit(" -", 1) for r in exp.split("; ")] if exp else []
    g = [r.rsplit(" -", 1) for r in got.split("; ")] if got else []
    if [x[0] for x in e] != [x[0] for x in g]:
        return False
    for (name, ep), (_, gp) in zip(e, g):
        if ep == gp:
            continue
        w, s = row.get(name + ".weight"), row.get(name + ".score")
        if w is None or s is None or abs(float(ep) - float(gp)) > 0.1 + 1e-12:
            return False
        exact = float(w) * (100 - float(s)) * 10
        if abs(exact - (int(exact) + 0.5)) > 1e-9 * max(1.0, abs(exact)):
            return False
    return True


def compare(what, expected, got):
    if len(expected) != len(got):
        fail(f"{what}: healthc score gave {len(expected)} rows, SQL {len(got)}")
    key = next(iter(expected[0])) if expected else None
    by_key = {str(r[key]): r for r in got}
    for exp in expected:
        row = by_key.get(str(exp[key]))
        if row is None:
            fail(f"{what}: key {exp[key]} missing from the SQL output")
        for col, ev in exp.items():
            gv = row.get(col)
            if col in ("label", "override", "stale", "reasons") and gv is None:
                gv = ""
            if ev is None and col in ("label", "override", "stale", "reasons"):
                ev = ""
            if col == "reasons":
                ok = ev == gv or tie_tolerant_reasons(ev, gv, exp)
            elif col in ("score",):
                ok = (ev is None and gv in (None, "")) or (ev is not None and gv not in (None, "") and int(ev) == int(float(gv)))
            elif col.endswith((".value", ".score", ".weight")):
                ok = close(ev, gv if gv != "" else None)
            else:
                ok = str(ev) == str(gv)
            if not ok:
                fail(f"{what}: key {exp[key]}: {col} is {ev!r} in healthc score, {gv!r} in SQL")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True, choices=["duckdb", "postgres", "clickhouse"])
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--cards-tool", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--random", type=int, default=20)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1700)
    args = ap.parse_args()
    os.chdir(ROOT)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    rand_dir = os.path.join(args.work, "random")
    os.makedirs(rand_dir)
    run([args.cards_tool, rand_dir, str(args.random), str(args.seed), str(args.rows)])
    cases = list(FIXED_CASES) + [(os.path.join(rand_dir, f"card_{i}.health"), os.path.join(rand_dir, f"card_{i}.csv"))
                                 for i in range(args.random)]
    server = sql_servers.start(args.engine, args.work)
    if isinstance(server, str):
        skip(server)
    try:
        for card, data in cases:
            fields = card_fields(args.healthc, card)
            query = run([args.healthc, "compile", card, "--emit", "sql", "--dialect", args.engine, "--explain",
                         "--as-of", AS_OF])
            got = server.score(fields, data, query)
            compare(f"{args.engine} {card}", expected_rows(args.healthc, card, data), got)
        print(f"ok: {len(cases)} cards on {args.engine} ({server.describe()}): every row as `healthc score`")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
