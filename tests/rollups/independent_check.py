#!/usr/bin/env python3
"""An independent computation of every roll-up figure from the spec ("Roll-ups"), against
`healthc score --rollups` on 1 and 2 threads.

Generates a seeded data set (missing `by` values, text with commas, quotes and non-ASCII bytes,
bools spelt `yes`/`1`/`FALSE`, weights missing, negative, zero and over nine orders of
magnitude, accounts with every measure unscored, some given a score by an override, two models so
that measures are outside some accounts' models, and a few rejected rows). Scores it once with
`--explain` (no roll-ups) and derives from that output and the data alone, with exact rational
arithmetic, every group of every roll-up: accounts, scored, unscored, the weighted score rounded
as an account's (floor(x + 0.5 + 1e-9)), its band, min_score and min_account (first in row
order), B_accounts and B_weight per band, M_score per measure (scored and in the account's
model). Then runs `--rollups` on 1 thread and on 2 threads with small blocks, checks the two
are byte for byte the same, and that every cell agrees: counts, scores, bands and weights
exactly (a weight sum is the nearest double to the exact sum), measure means to 1e-14 relative.

    python3 tests/rollups/independent_check.py --healthc build/release/compiler/healthc
"""
import argparse
import csv
import io
import math
import os
import pathlib
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

ROOT = pathlib.Path(__file__).resolve().parents[2]

CARD = """scorecard "Roll-up check"
fields {
  id      : text key
  region  : text optional
  plan    : enum(basic, pro, enterprise)
  paying  : bool optional
  arr     : number optional
  usage   : number optional
  tickets : number optional
  nps     : number optional
}
bands { critical from 0 color red  at_risk from 31 color yellow  healthy from 71 color green }
measure adoption { value = usage  score = linear(value, 0 -> 0, 0.8 -> 100) }
measure support { value = tickets  score = linear(value, 0 -> 100, 7 -> 0) }
measure sentiment { value = nps  score = linear(value, -100 -> 0, 100 -> 100) }
model default { adoption 50  support 30  sentiment 20 }
model lean { adoption 70  support 30 }
segment small "Small" when plan == basic use lean
override vip when plan == enterprise and usage is missing and tickets is missing and nps is missing => score 60
override capped when tickets > 6 => cap 40
rollup by_region "By region" by region weight arr
rollup by_plan_paying by plan, paying
rollup by_paying by paying weight arr
rollup by_region_plan by region, plan weight arr
"""

REGIONS = ["EMEA", "AMER", "APAC", "Asia, Pacific", 'The "North"', "Zürich", "zz", "Øst", "a"]
BOOLS = {"true": ["true", "TRUE", "yes", "1"], "false": ["false", "no", "0", "FALSE"]}


def generate(rng, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "region", "plan", "arr", "paying", "usage", "tickets", "nps"])
    for i in range(rows):
        region = "" if rng.random() < 0.08 else rng.choice(REGIONS)
        plan = rng.choice(["basic", "pro", "enterprise"])
        if i % 97 == 13:
            plan = "gold"  # not a member: rejected
        r = rng.random()
        if r < 0.07:
            arr = ""
        elif r < 0.12:
            arr = repr(-rng.uniform(1, 1000))
        elif r < 0.15:
            arr = "0"
        elif r < 0.2:
            arr = repr(rng.uniform(0.001, 0.1))
        else:
            arr = repr(round(math.exp(rng.uniform(math.log(10), math.log(5e7))), 2))
        paying = "" if rng.random() < 0.1 else rng.choice(BOOLS[rng.choice(["true", "false"])])
        unscored = rng.random() < 0.06
        usage = "" if unscored or rng.random() < 0.1 else repr(rng.uniform(0, 1.2))
        tickets = "" if unscored or rng.random() < 0.1 else str(rng.randint(0, 9))
        nps = "" if unscored or rng.random() < 0.3 else str(rng.randint(-100, 100))
        w.writerow([f"acct-{i:05d}", region, plan, arr, paying, usage, tickets, nps])
    return out.getvalue()


def run(healthc, args, ok=(0, 3)):
    p = subprocess.run([healthc] + args, cwd=ROOT, capture_output=True,
                       env=dict(os.environ, NO_COLOR="1", HEALTHC_NO_PROGRESS="1", TZ="UTC"))
    if p.returncode not in ok:
        sys.exit(f"healthc {' '.join(args)} failed ({p.returncode}):\n{p.stderr.decode()}")
    return p.stdout.decode("utf-8")


def bool_cell(text):
    if text == "":
        return None
    return "true" if text.lower() in ("true", "yes", "1") else "false"


def expected_tables(data_text, scores_text):
    """Every roll-up's rows, derived from the data and the --explain output."""
    measures = ["adoption", "support", "sentiment"]
    bands = ["critical", "at_risk", "healthy"]
    data = {r["id"]: r for r in csv.DictReader(io.StringIO(data_text))}
    accounts = []  # in row order, rejected rows left out (they are not in the scores)
    for row in csv.DictReader(io.StringIO(scores_text)):
        d = data[row["id"]]
        arr = d["arr"]
        weight = Fraction(float(arr)) if arr != "" and float(arr) > 0 else Fraction(0)
        ms = {}
        for m in measures:
            s, wt = row[f"{m}.score"], row[f"{m}.weight"]
            # M counts where it is scored and in the account's model (its weight is printed).
            ms[m] = Fraction(float(s)) if s != "" and wt != "" else None
        accounts.append({
            "id": row["id"], "score": None if row["score"] == "" else int(row["score"]), "band": row["band"],
            "weight": weight, "m": ms,
            "by": {"region": d["region"] or None, "plan": d["plan"], "paying": bool_cell(d["paying"])},
        })
    rollups = [("by_region", ["region"], True), ("by_plan_paying", ["plan", "paying"], False),
               ("by_paying", ["paying"], True), ("by_region_plan", ["region", "plan"], True)]
    tables = {}
    for name, by, weighted in rollups:
        groups = {}
        for a in accounts:
            key = tuple(a["by"][f] for f in by)
            groups.setdefault(key, []).append(a)
        rows = []
        for key in sorted(groups, key=lambda k: tuple((0, b"") if v is None else (1, v.encode()) for v in k)):
            g = groups[key]
            w = lambda a: a["weight"] if weighted else Fraction(1)
            scored = [a for a in g if a["score"] is not None]
            total_w = sum((w(a) for a in scored), Fraction(0))
            if total_w > 0:
                mean = sum((w(a) * a["score"] for a in scored), Fraction(0)) / total_w
                score = math.floor(mean + Fraction(1, 2) + Fraction(1, 10**9))
                band = bands[0] if score < 31 else bands[1] if score < 71 else bands[2]
            else:
                score, band = None, "unscored"
            low = min(scored, key=lambda a: a["score"]) if scored else None  # min keeps the first
            row = {"accounts": len(g), "scored": len(scored), "unscored": len(g) - len(scored),
                   "score": score, "band": band,
                   "min_score": low["score"] if low else None, "min_account": low["id"] if low else ""}
            for b in bands:
                members = [a for a in g if a["band"] == b]
                row[f"{b}_accounts"] = len(members)
                row[f"{b}_weight"] = float(sum((w(a) for a in members), Fraction(0)))
            for m in measures:
                q = [a for a in g if a["m"][m] is not None]
                den = sum((w(a) for a in q), Fraction(0))
                row[f"{m}_score"] = float(sum((w(a) * a["m"][m] for a in q), Fraction(0)) / den) if den else None
            rows.append((key, row))
        header = by + ["accounts", "scored", "unscored", "score", "band", "min_score", "min_account"]
        for b in bands:
            header += [f"{b}_accounts", f"{b}_weight"]
        header += [f"{m}_score" for m in measures]
        tables[name] = (header, rows)
    return tables, len(accounts)


def compare(name, text, header, rows):
    got = list(csv.reader(io.StringIO(text)))
    problems = []
    if got[0] != header:
        return [f"{name}: header {got[0]} is not {header}"]
    if len(got) - 1 != len(rows):
        return [f"{name}: {len(got) - 1} groups, expected {len(rows)}"]
    for line, (cells, (key, want)) in enumerate(zip(got[1:], rows), start=2):
        nby = len(key)
        got_key = tuple(c if c != "" else None for c in cells[:nby])
        if got_key != key:
            problems.append(f"{name}:{line}: group {got_key}, expected {key}")
            continue
        cell = dict(zip(header[nby:], cells[nby:]))
        for col, value in want.items():
            c = cell[col]
            if col.endswith("_score") and col != "min_score":
                ok = (value is None and c == "") or (
                    value is not None and c != "" and math.isclose(float(c), value, rel_tol=1e-14, abs_tol=1e-12))
            elif col.endswith("_weight"):
                ok = c != "" and float(c) == value
            elif value is None:
                ok = c == ""
            else:
                ok = c == str(value)
            if not ok:
                problems.append(f"{name}:{line} {key} {col}: {c!r}, expected {value!r}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    healthc = str(pathlib.Path(args.healthc).resolve())
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        card, data = tmp / "card.health", tmp / "data.csv"
        card.write_text(CARD)
        data_text = generate(rng, args.rows)
        data.write_text(data_text)
        scores = run(healthc, ["score", str(card), str(data), "--as-of", "2026-11-01", "--explain", "-q", "-o", "-"])
        tables, scored_rows = expected_tables(data_text, scores)
        outputs = {}
        for threads, block in ((1, 16384), (2, 7)):
            d = tmp / f"r{threads}"
            run(healthc, ["score", str(card), str(data), "--as-of", "2026-11-01", "-q", "-o", "/dev/null",
                          "--threads", str(threads), "--block-rows", str(block), "--rollups", str(d)])
            outputs[threads] = {n: (d / f"{n}.csv").read_text(encoding="utf-8") for n in tables}
        problems = [f"{n}: 1 and 2 threads differ" for n in tables if outputs[1][n] != outputs[2][n]]
        groups = 0
        for n, (header, rows) in tables.items():
            problems += compare(n, outputs[1][n], header, rows)
            groups += len(rows)
        if problems:
            print("\n".join(problems[:40]))
            sys.exit(f"{len(problems)} roll-up figures disagree with the spec")
        print(f"{len(tables)} roll-ups, {groups} groups over {scored_rows} accounts: every figure agrees with the "
              f"spec, identical on 1 and 2 threads")


if __name__ == "__main__":
    main()
