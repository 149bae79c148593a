#!/usr/bin/env python3
"""Checks an embedding client's output against `healthc score`'s, row by row.

    compare.py scores CLI.jsonl API.jsonl KEY_FIELD     segment, score, band, label, override
    compare.py events CLI.jsonl CONSUMER.txt KEY_FIELD  the consumer's last band and score per
                                                        account against the CLI's on the final state
    compare.py to-jsonl DATA.csv OUT.jsonl              a CSV file as JSON Lines (cells as strings)
    compare.py events-from DATA.jsonl OUT.jsonl         events: every account, then partial updates
"""
import csv
import json
import re
import sys

FIELDS = ("segment", "score", "band", "label", "override")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scores(cli_path, api_path, key):
    cli, api = read_jsonl(cli_path), read_jsonl(api_path)
    if len(cli) != len(api):
        print(f"FAIL: {len(cli)} rows from healthc score, {len(api)} from the client")
        return 1
    bad = 0
    for i, (c, a) in enumerate(zip(cli, api)):
        if "rejected" in a:
            print(f"FAIL: row {i + 1} rejected: {a['rejected']}")
            bad += 1
            continue
        diffs = [f for f in FIELDS if c.get(f) != a.get(f)]
        if c.get(key) != a.get("key"):
            diffs.append("key")
        if diffs:
            bad += 1
            if bad <= 5:
                print(f"FAIL: row {i + 1} ({c.get(key)}) differs in {', '.join(diffs)}: cli {c} api {a}")
    print(f"{api_path}: {len(cli) - bad} of {len(cli)} rows agree")
    return 1 if bad else 0


def events(cli_path, consumer_path, key):
    want = {row[key]: (row["band"], row["score"]) for row in read_jsonl(cli_path)}
    got = {}
    first = re.compile(r"^(\S+): (\S+) \(score (\S+)\)$")
    change = re.compile(r"^(\S+): (\S+) -> (\S+) \(score (\S+) -> (\S+)\)$")
    with open(consumer_path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = first.match(line)
            if m:
                if m.group(1) in got:
                    print(f"FAIL: a second first score for {m.group(1)}")
                    return 1
                got[m.group(1)] = (m.group(2), m.group(3))
                continue
            m = change.match(line)
            if not m:
                print(f"FAIL: unexpected consumer line {line!r}")
                return 1
            if got.get(m.group(1), (None,))[0] != m.group(2):
                print(f"FAIL: {line!r} does not start from the last band printed")
                return 1
            got[m.group(1)] = (m.group(3), m.group(5))
    bad = 0
    for k, (band, score) in want.items():
        score_text = "unscored" if score is None else str(score)
        if k not in got or got[k][0] != band:
            bad += 1
            print(f"FAIL: {k}: consumer ends at {got.get(k)}, healthc score says {band} ({score_text})")
    changes = sum(1 for line in open(consumer_path) if "->" in line)
    print(f"{consumer_path}: {len(want) - bad} of {len(want)} accounts end in healthc score's band "
          f"({changes} band changes printed)")
    return 1 if bad else 0


def to_jsonl(csv_path, out_path):
    with open(csv_path, newline="", encoding="utf-8") as f, open(out_path, "w", encoding="utf-8") as out:
        for row in csv.DictReader(f):
            out.write(json.dumps({k: (v if v != "" else None) for k, v in row.items()}) + "\n")
    return 0


def events_from(data_path, out_path):
    """Every account as it is, then updates that move numbers: a consumer sees band changes.
    The final state of each account (for healthc score) goes to OUT.final.jsonl."""
    rows = read_jsonl(data_path)
    key = next(iter(rows[0]))
    state = {r[key]: dict(r) for r in rows}
    evs = [dict(r) for r in rows]
    for i, r in enumerate(rows):
        numeric = [k for k, v in r.items() if k != key and isinstance(v, str) and re.fullmatch(r"-?\d+(\.\d+)?", v)]
        if not numeric or i % 3:
            continue
        field = numeric[i % len(numeric)]
        for factor in (0.2, 3.0):
            v = float(r[field]) * factor
            text = str(int(v)) if r[field].lstrip("-").isdigit() else f"{v:.2f}"
            evs.append({key: r[key], field: text})
            state[r[key]][field] = text
    with open(out_path, "w", encoding="utf-8") as out:
        for e in evs:
            out.write(json.dumps(e) + "\n")
    with open(out_path.replace(".jsonl", ".final.jsonl"), "w", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps(state[r[key]]) + "\n")
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    sys.exit({"scores": scores, "events": events, "to-jsonl": to_jsonl, "events-from": events_from}[cmd](*args))
