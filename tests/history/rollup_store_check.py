#!/usr/bin/env python3
"""Roll-ups in the store against an independent computation from the spec ("Roll-ups").

Scores every examples/series/b2b/ file as of its date WITHOUT a store (`healthc score
--explain`) with tests/history/b2b_series.health plus three roll-ups (by tier weighted by seats;
by tier and csm_pulse weighted by nps, which is missing or negative for some accounts; by
csm_pulse, unweighted), and from those outputs and the data alone computes every roll-up figure
of every group and date: accounts, scored, unscored, the weighted score (exact sums, rounded as
an account's score), its band, min_score and its account, per band the accounts and the weight,
per measure the weighted mean over the accounts where it is scored and in the model, and the
score change against the same group on the previous date. Then it checks, on every group and
date, that

  - `healthc backfill` (which records the roll-ups with each snapshot) and `healthc rollup
    --format csv` give those figures;
  - `healthc score --store --rollups DIR`, date by date with 1 and with 2 threads, writes them
    (score_change included) to DIR/NAME.csv;
  - the store's `rollup_groups` view has the recorded score_change.

    python3 tests/history/rollup_store_check.py --healthc build/release/compiler/healthc
"""
import argparse
import csv
import io
import math
import os
import pathlib
import re
import sqlite3
import subprocess
import sys
import tempfile
from fractions import Fraction

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERIES = ROOT / "examples" / "series" / "b2b"
BASE_CARD = ROOT / "tests" / "history" / "b2b_series.health"
ROLLUPS = [  # name, by fields, weight field (None: every account weighs 1)
    ("tier", ["tier"], "seats"),
    ("tier_pulse", ["tier", "csm_pulse"], "nps"),
    ("pulse", ["csm_pulse"], None),
]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        if len(failures) <= 30:
            print("FAIL:", what)


def run(healthc, args):
    p = subprocess.run([healthc] + args, cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR="1", HEALTHC_NO_PROGRESS="1", TZ="UTC"))
    if p.returncode not in (0, 3):
        sys.exit(f"healthc {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def card_text():
    text = BASE_CARD.read_text()
    for name, by, weight in ROLLUPS:
        text += f"\nrollup {name} by {', '.join(by)}" + (f" weight {weight}" if weight else "")
    return text + "\n"


def bands_of(text):
    """[(name, from)] in band order, from the card's bands block."""
    block = re.search(r"bands \{(.*?)\}", text, re.S).group(1)
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"(\w+)\s+from\s+(\d+)", block)]


def measures_of(text):
    return re.findall(r"^measure (\w+)", text, re.M)


def round_score(x):
    # Spec "The account's score": floor(raw + 0.5 + 1e-9), exactly.
    return math.floor(x + Fraction(1, 2) + Fraction(1, 10**9))


def compute(data_rows, scored_rows, bands, measures, by, weight):
    """The roll-up of one date: {key tuple: figures}, from the data and `score --explain` output."""
    out = {}
    for row_index, d in enumerate(data_rows):
        s = scored_rows[d["account_id"]]
        key = tuple(d[f] if d[f] != "" else None for f in by)
        g = out.setdefault(key, dict(accounts=0, scored=0, unscored=0, sw=Fraction(0), w=Fraction(0), min=None,
                                     min_account="", band_accounts=[0] * len(bands),
                                     band_weight=[Fraction(0)] * len(bands),
                                     m_sw=[Fraction(0)] * len(measures), m_w=[Fraction(0)] * len(measures),
                                     m_n=[0] * len(measures)))
        g["accounts"] += 1
        w = Fraction(1)
        if weight:
            cell = d[weight]
            w = Fraction(float(cell)) if cell != "" and float(cell) >= 0 else Fraction(0)
        score = s["score"]
        if score == "":
            g["unscored"] += 1
        else:
            score = int(score)
            g["scored"] += 1
            g["sw"] += w * score
            g["w"] += w
            if g["min"] is None or score < g["min"]:
                g["min"], g["min_account"] = score, d["account_id"]
        names = [b for b, _ in bands]
        if s["band"] in names:
            b = names.index(s["band"])
            g["band_accounts"][b] += 1
            g["band_weight"][b] += w
        for i, m in enumerate(measures):
            # Scored and in the account's model: the effective weight is printed only then.
            if s[f"{m}.weight"] != "" and s[f"{m}.score"] != "":
                g["m_sw"][i] += w * Fraction(float(s[f"{m}.score"]))
                g["m_w"][i] += w
                g["m_n"][i] += 1
    for g in out.values():
        g["score"] = round_score(g["sw"] / g["w"]) if g["w"] > 0 else None
        if g["score"] is None:
            g["band"] = "unscored"
        else:
            g["band"] = [b for b, lo in bands if lo <= g["score"]][-1]
        g["m_score"] = [float(g["m_sw"][i] / g["m_w"][i]) if g["m_w"][i] > 0 else None for i in range(len(measures))]
    return out


def expected_rows(groups, previous, bands, measures, by):
    """The CSV rows the spec lays out, keyed by the group's key tuple, with score_change."""
    rows = {}
    for key, g in groups.items():
        change = None
        if previous is not None and key in previous and g["score"] is not None and previous[key]["score"] is not None:
            change = g["score"] - previous[key]["score"]
        rows[key] = dict(accounts=g["accounts"], scored=g["scored"], unscored=g["unscored"], score=g["score"],
                         band=g["band"], min_score=g["min"], min_account=g["min_account"] if g["min"] is not None else "",
                         bands=[(g["band_accounts"][i], float(g["band_weight"][i])) for i in range(len(bands))],
                         measures=g["m_score"], score_change=change)
    return rows


def sort_key(key):
    # UTF-8 bytes field by field, missing first.
    return [(0, b"") if c is None else (1, c.encode()) for c in key]


def compare_csv(text, want, by, bands, measures, what):
    rows = list(csv.DictReader(io.StringIO(text)))
    keys = [tuple(r[f] if r[f] != "" else None for f in by) for r in rows]
    check(keys == sorted(want, key=sort_key), f"{what}: groups {keys} != {sorted(want, key=sort_key)}")
    check(len(rows) == len(want), f"{what}: {len(rows)} groups, expected {len(want)}")

    def same_num(cell, v):
        if v is None:
            return cell == ""
        return cell != "" and abs(float(cell) - v) <= 1e-9 * max(1.0, abs(v))

    for r, key in zip(rows, keys):
        e = want.get(key)
        if e is None:
            continue
        for col in ("accounts", "scored", "unscored", "score", "min_score", "score_change"):
            check(same_num(r[col], e[col]), f"{what} {key}: {col} {r[col]!r}, expected {e[col]}")
        check(r["band"] == e["band"], f"{what} {key}: band {r['band']}, expected {e['band']}")
        check(r["min_account"] == e["min_account"], f"{what} {key}: min_account {r['min_account']}, expected {e['min_account']}")
        for (b, _), (n, w) in zip(bands, e["bands"]):
            check(same_num(r[f"{b}_accounts"], n), f"{what} {key}: {b}_accounts {r[f'{b}_accounts']}, expected {n}")
            check(same_num(r[f"{b}_weight"], w), f"{what} {key}: {b}_weight {r[f'{b}_weight']}, expected {w}")
        for m, v in zip(measures, e["measures"]):
            check(same_num(r[f"{m}_score"], v), f"{what} {key}: {m}_score {r[f'{m}_score']}, expected {v}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    healthc = ap.parse_args().healthc
    files = sorted(SERIES.glob("*.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        text = card_text()
        card = tmp / "card.health"
        card.write_text(text)
        bands, measures = bands_of(text), measures_of(text)

        # The independent computation, date by date.
        expected = {}  # (date, rollup) -> rows
        previous = {name: None for name, _, _ in ROLLUPS}
        for f in files:
            date = f.stem
            data_rows = list(csv.DictReader(f.open()))
            scored = {r["account_id"]: r for r in csv.DictReader(io.StringIO(
                run(healthc, ["score", str(card), str(f), "--as-of", date, "--explain", "-q"])))}
            for name, by, weight in ROLLUPS:
                groups = compute(data_rows, scored, bands, measures, by, weight)
                expected[(date, name)] = expected_rows(groups, previous[name], bands, measures, by)
                previous[name] = groups

        # Recorded by backfill, read back by `healthc rollup`.
        store = tmp / "backfill.db"
        series = tmp / "series"
        series.mkdir()
        for f in files:
            (series / f.name).write_bytes(f.read_bytes())
        run(healthc, ["backfill", str(card), str(series), "--store", str(store), "-q"])
        for f in files:
            for name, by, _ in ROLLUPS:
                out = run(healthc, ["rollup", "--store", str(store), name, "--as-of", f.stem, "--format", "csv"])
                compare_csv(out, expected[(f.stem, name)], by, bands, measures, f"rollup {name} {f.stem}")
        with sqlite3.connect(store) as db:
            for (date, name), rows in expected.items():
                got = {}
                for r in db.execute("SELECT key1, key2, score_change FROM rollup_groups WHERE as_of = ? AND rollup = ?",
                                    (date, name)):
                    by = [b for n, b, _ in ROLLUPS if n == name][0]
                    got[tuple(r[:len(by)])] = r[2]
                want = {k: v["score_change"] for k, v in rows.items()}
                check(got == want, f"rollup_groups {name} {date}: score_change {got} != {want}")

        # Written by score --store --rollups, date by date, with 1 and 2 threads.
        for threads in (1, 2):
            store = tmp / f"score{threads}.db"
            for f in files:
                out_dir = tmp / f"r{threads}_{f.stem}"
                run(healthc, ["score", str(card), str(f), "--as-of", f.stem, "--store", str(store), "--rollups",
                              str(out_dir), "--threads", str(threads), "--block-rows", "37", "-q", "-o", os.devnull])
                for name, by, _ in ROLLUPS:
                    compare_csv((out_dir / f"{name}.csv").read_text(), expected[(f.stem, name)], by, bands, measures,
                                f"score --rollups {name} {f.stem} threads={threads}")

    groups = sum(len(v) for v in expected.values())
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"{len(files)} dates x {len(ROLLUPS)} roll-ups ({groups} groups): every figure and change agrees with the "
          "independent computation (backfill + healthc rollup, the rollup_groups view, score --store --rollups with 1 "
          "and 2 threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
