#!/usr/bin/env python3
"""The past in SQL (`--history TABLE`) on a real engine, against what a healthc store holds.

    sql_history.py --engine duckdb|postgres|clickhouse --healthc H --work DIR [--dates N]

For examples/b2b_saas_v2.health and tests/sql/cards/past_forms.health: the weekly series
examples/series/b2b (churned and new accounts, collapses, stale CSM pulses) is backfilled into a
store by `healthc backfill`; the history table is exported from the store with the query of
`healthc compile CARD --emit history-export` (run by Python's sqlite3 on the store, as the
`sqlite3` shell would) and loaded into the engine, every snapshot of the series in it, the later
ones too. Then, for each of the last N dates, that day's accounts are loaded and the card's
query (`--explain --as-of DATE --history history`) run, and every row compared with the store's
snapshot of that date: segment, score, band, label, override (names), each measure's value,
score and weight (values within 1e-9 relative), the alerts active and the alerts that fired
(the `alerts` view); and the reasons and stale lists with `healthc score --store` of that date on
a copy of the store (the store keeps no reasons). The SQL must read the latest snapshot before
the date, never the date's own or a later one. An engine that cannot start is a skip (exit 77).
"""
import argparse
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sql_servers  # noqa: E402
from sql_engines import card_fields, compare, fail, run, skip  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERIES = "examples/series/b2b"
CARDS = ["examples/b2b_saas_v2.health", "tests/sql/cards/past_forms.health"]


def history_table(healthc, card, store, path):
    """Exports the card's history table from the store into the CSV `path`; returns its columns
    as (name, type) from the export query's header comment."""
    query = run([healthc, "compile", card, "--emit", "history-export"])
    columns = [(m.group(1), m.group(2)) for m in re.finditer(r"^--   (\S+)\s+(date|text|number)\b", query, re.M)]
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    cur = db.execute(query)
    names = [d[0] for d in cur.description]
    if names != [c for c, _ in columns]:
        fail(f"{card}: the export returns {names}, its header lists {[c for c, _ in columns]}")
    rows = cur.fetchall()
    db.close()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for r in rows:
            w.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in r])
    return columns, len(rows)


def store_snapshot(store, title, as_of):
    """{account: {column: value}} of the store's snapshot `as_of`, from its views."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    out = {}
    for acc, seg, score, band, label, ovr in db.execute(
            "SELECT account, segment, score, band, label, override FROM account_scores WHERE title = ? AND as_of = ?",
            (title, as_of)):
        out[acc] = {"segment": seg, "score": score, "band": band, "label": label or "", "override": ovr or "",
                    "active": [], "fired": []}
    for acc, measure, value, name, score, weight in db.execute(
            "SELECT account, measure, value, value_name, score, weight FROM measure_scores WHERE title = ? AND as_of = ?",
            (title, as_of)):
        out[acc][measure] = (name if name is not None else value, score, weight)
    for acc, alert, fired in db.execute("SELECT account, alert, fired FROM alerts WHERE title = ? AND as_of = ?",
                                        (title, as_of)):
        out[acc]["active"].append(alert)
        if fired:
            out[acc]["fired"].append(alert)
    db.close()
    return out


def card_alerts(healthc, card):
    """The card's alert names in file order (from the dbt schema's description would do too:
    the IR listing names them)."""
    out = run([healthc, "compile", card, "--emit", "ir"])
    return re.findall(r"^alert (\S+)", out, re.M)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True, choices=["duckdb", "postgres", "clickhouse"])
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--dates", type=int, default=3)
    args = ap.parse_args()
    os.chdir(ROOT)
    healthc = os.path.abspath(args.healthc)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    dates = sorted(f[:-4] for f in os.listdir(SERIES) if f.endswith(".csv"))
    server = sql_servers.start(args.engine, args.work)
    if isinstance(server, str):
        skip(server)
    checked = 0
    try:
        for card in CARDS:
            name = os.path.splitext(os.path.basename(card))[0]
            store = os.path.join(args.work, name + ".db")
            run([healthc, "backfill", card, SERIES, "--store", store, "-q"], ok=(0, 3))
            title = re.search(r'^scorecard "(.*)"', open(card).read(), re.M).group(1)
            hist_csv = os.path.join(args.work, name + "_history.csv")
            columns, n = history_table(healthc, card, store, hist_csv)
            server.load_table("history", columns, hist_csv)
            fields = card_fields(healthc, card)
            alerts = card_alerts(healthc, card)
            for as_of in dates[-args.dates:]:
                data = os.path.join(SERIES, as_of + ".csv")
                query = run([healthc, "compile", card, "--emit", "sql", "--dialect", args.engine, "--explain",
                             "--as-of", as_of, "--history", "history"])
                got = server.score(fields, data, query)
                what = f"{args.engine} {card} as of {as_of}"
                # The store's snapshot of the date, as backfill recorded it.
                snap = store_snapshot(store, title, as_of)
                key = next(iter(got[0])) if got else None  # the query's first column is the key
                if len(got) != len(snap):
                    fail(f"{what}: the store holds {len(snap)} accounts, SQL gave {len(got)} rows")
                for row in got:
                    acc = str(row[key])
                    s = snap.get(acc)
                    if s is None:
                        fail(f"{what}: account {acc} is not in the store's snapshot")
                    for col in ("segment", "band", "label", "override"):
                        if str(s[col]) != str(row.get(col) or ""):
                            fail(f"{what}: {acc}: {col} is {s[col]!r} in the store, {row.get(col)!r} in SQL")
                    gs = row.get("score")
                    if (s["score"] is None) != (gs in (None, "")) or (s["score"] is not None and int(s["score"]) != int(float(gs))):
                        fail(f"{what}: {acc}: score is {s['score']!r} in the store, {gs!r} in SQL")
                    for col, want in (("alerts_active", s["active"]), ("alerts_fired", s["fired"])):
                        want = [a for a in alerts if a in want]  # the card's order
                        have = [a for a in (row.get(col) or "").split(";") if a]
                        if have != want:
                            fail(f"{what}: {acc}: {col} is {';'.join(want)!r} in the store, {';'.join(have)!r} in SQL")
                    for measure in (k for k in s if isinstance(s[k], tuple)):
                        for part, want in zip(("value", "score", "weight"), s[measure]):
                            have = row.get(f"{measure}.{part}")
                            if part == "value" and isinstance(want, (int, float)) and have in ("true", "false"):
                                have = 1 if have == "true" else 0
                            if not sql_engines_close(want, have):
                                fail(f"{what}: {acc}: {measure}.{part} is {want!r} in the store, {have!r} in SQL")
                # Reasons and stale lists: `healthc score --store` of the date on a copy of the
                # store (replacing the date's snapshot reads the same previous one).
                copy = os.path.join(args.work, "copy.db")
                shutil.copyfile(store, copy)
                out = run([healthc, "score", card, data, "--store", copy, "--explain", "--as-of", as_of, "--format",
                           "jsonl", "--threads", "1", "-q"], ok=(0, 3))
                expected = [json.loads(line) for line in out.splitlines() if line.strip()]
                for r in got:
                    r.pop("alerts_active", None), r.pop("alerts_fired", None)
                compare(what, expected, got)
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(copy + suffix):
                        os.remove(copy + suffix)
                checked += len(got)
            print(f"{card}: history of {n} rows; the SQL of the last {args.dates} dates as the store holds them")
        print(f"ok: {checked} account rows on {args.engine} ({server.describe()}): previous, change and alerts "
              f"from the history table as the store holds them")
    finally:
        server.stop()


def sql_engines_close(a, b):
    if b == "":
        b = None
    if a is None or b is None:
        return a is None and b is None
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


if __name__ == "__main__":
    main()
