#!/usr/bin/env python3
"""`healthc report --format json` against an independent reading of the store (ctest `report_figures`).

Backfills the examples' weekly series (scored with the example card and its two roll-ups),
writes the report's figures for every date, and derives the same
figures from the store's SQL views (`account_scores`, `alerts`, `rollup_groups`; Python's sqlite3),
from `healthc changes --format json` (the attribution), `healthc rollup --format csv` and the
outcome file: the accounts per band of every snapshot, the headline and its change, the seats per
band, the histogram, the alerts fired per alert and severity, the top movers each way and their
lines adding up to the change, the stale accounts, every roll-up group shown (worst first, score,
accounts, change, weight, its score in every snapshot), the outcome rate and lift per band.
"""
import argparse
import csv
import json
import pathlib
import sqlite3
import subprocess
import sys
import tempfile

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    root = pathlib.Path(a.root)
    failures = []

    def same(got, want, what):
        if got != want:
            failures.append(what)
            print(f"FAIL: {what}: report {got!r}, independent {want!r}")

    with tempfile.TemporaryDirectory(prefix="healthc-report-figures-") as d:
        store = pathlib.Path(d) / "h.db"
        card = pathlib.Path(d) / "card.health"  # the example card with two roll-ups
        card.write_text((root / "examples/b2b_saas_v2.health").read_text())
        subprocess.run([a.healthc, "backfill", str(card), str(root / "examples/series/b2b"), "--store", str(store)],
                       check=True, capture_output=True)
        outcome_file = root / "tests/golden/report/b2b_outcome.csv"
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        dates = [r[0] for r in db.execute("SELECT as_of FROM snapshots ORDER BY as_of")]
        bands = [r[0] for r in db.execute("SELECT name FROM card_name WHERE kind = 'band' ORDER BY idx")][:4]
        for i, date in enumerate(dates):
            j = json.loads(subprocess.run([a.healthc, "report", "--store", str(store), "--format", "json", "--as-of", date,
                                           "--outcome", str(outcome_file), "churned"],
                                          check=True, capture_output=True).stdout)
            rows = db.execute("SELECT account, score, band, segment FROM account_scores WHERE as_of = ?", (date,)).fetchall()
            prev = (db.execute("SELECT account, score, band FROM account_scores WHERE as_of = ?", (dates[i - 1],)).fetchall()
                    if i else None)
            # Bands over time: every snapshot up to this one.
            for k, snap in enumerate(j["over_time"]["snapshots"]):
                counts = dict(db.execute("SELECT band, count(*) FROM account_scores WHERE as_of = ? GROUP BY band",
                                         (dates[k],)).fetchall())
                same(snap["accounts"], [counts.get(b, 0) for b in j["over_time"]["bands"]], f"{date}: bands of {dates[k]}")
            same(len(j["over_time"]["snapshots"]), i + 1, f"{date}: snapshots up to the as-of date")
            # Headline.
            h = j["headline"]
            same(h["accounts"], len(rows), f"{date}: accounts")
            for b in h["bands"]:
                same(b["accounts"], sum(1 for r in rows if r[2] == b["band"]), f"{date}: accounts in {b['band']}")
                same(b["previous_accounts"], None if prev is None else sum(1 for r in prev if r[2] == b["band"]),
                     f"{date}: previous accounts in {b['band']}")
            if prev is not None:
                now_keys, prev_keys = {r[0] for r in rows}, {r[0] for r in prev}
                same(h["new"], len(now_keys - prev_keys), f"{date}: new accounts")
                same(h["gone"], len(prev_keys - now_keys), f"{date}: gone accounts")
            scored = [r[1] for r in rows if r[1] is not None]
            mean = sum(scored) / len(scored)  # the report rounds to 2 decimals
            if abs(h["mean_score"] - mean) > 0.005 + 1e-9:
                failures.append(f"{date}: mean score {h['mean_score']}, independent {mean}")
            # Histogram.
            same(j["histogram"]["now"], [sum(1 for s in scored if min(s // 10, 9) == b) for b in range(10)], f"{date}: histogram")
            # Alerts fired.
            fired = db.execute("SELECT alert, severity FROM alerts WHERE as_of = ? AND fired = 1", (date,)).fetchall()
            same(j["alerts"]["total"], len(fired), f"{date}: alerts fired")
            for c in j["alerts"]["by_alert"]:
                same(c["fired"], sum(1 for f in fired if f[0] == c["alert"]), f"{date}: {c['alert']} fired")
            for k, sev in enumerate(SEVERITIES):
                same(j["alerts"]["by_severity"][sev], sum(1 for f in fired if f[1] == sev), f"{date}: {sev} fired")
            # Movers against `healthc changes`.
            if prev is not None:
                ch = json.loads(subprocess.run([a.healthc, "changes", "--store", str(store), "--from", dates[i - 1], "--to",
                                                date, "--format", "json"], check=True, capture_output=True).stdout)
                moved = [x for x in ch["accounts"] if x["change"] is not None]
                down = [x["key"] for x in moved if x["change"] < 0][:10]
                up = sorted((x for x in moved if x["change"] > 0), key=lambda x: -x["change"])[:10]
                same([m["account"] for m in j["movers"]["down"]], down, f"{date}: movers down")
                same([m["after"] - m["before"] for m in j["movers"]["up"]], [x["change"] for x in up], f"{date}: movers up")
                for m in j["movers"]["down"] + j["movers"]["up"]:
                    if m["attribution"]:
                        total = sum(l["change"] for l in m["attribution"])
                        if abs(total - (m["after"] - m["before"])) > 0.05 * len(m["attribution"]):
                            failures.append(f"{date}: {m['account']} lines add up to {total}")
            # Stale inputs, from the result table's masks.
            stale = db.execute("SELECT count(*) FROM result r JOIN snapshot s ON s.id = r.id >> 32 "
                               "WHERE s.as_of = ? AND r.stale != 0", (date,)).fetchone()[0]
            same(j["stale"]["stale_accounts"], stale, f"{date}: stale accounts")
            # Outcome rate and lift per band.
            outcome = {}
            with open(outcome_file) as f:
                for r in csv.DictReader(f):
                    if r["churned"] != "":
                        outcome[r["account_id"]] = r["churned"] == "1"
            matched = [(r, outcome[r[0]]) for r in rows if r[0] in outcome]
            base = [o for r, o in matched if r[1] is not None]
            base_rate = sum(base) / len(base)
            for b in j["outcome"]["bands"]:
                group = [o for r, o in matched if r[2] == b["band"]]
                same(b["rate"]["accounts"], len(group), f"{date}: outcome accounts in {b['band']}")
                same(b["rate"]["positives"], sum(group), f"{date}: outcome positives in {b['band']}")
                want = sum(group) / len(group) / base_rate if group and base_rate else None
                if (b["lift"] is None) != (want is None) or (want is not None and abs(b["lift"] - want) > 0.005 + 1e-9):
                    failures.append(f"{date}: lift of {b['band']}: report {b['lift']}, independent {want}")
            # Roll-ups against `healthc rollup --format csv` and the rollup_groups view.
            same([r["name"] for r in j["rollups"]], ["tiers", "tier_pulse"], f"{date}: roll-ups")
            for r in j["rollups"]:
                out = subprocess.run([a.healthc, "rollup", "--store", str(store), r["name"], "--as-of", date, "--format",
                                      "csv"], check=True, capture_output=True, text=True).stdout
                groups = list(csv.DictReader(out.splitlines()))
                nby = len(r["by"])
                def label(g):
                    return " / ".join(g[f] if g[f] != "" else "(missing)" for f in r["by"])
                def score(g):
                    return int(g["score"]) if g["score"] != "" else None
                worst = sorted(groups, key=lambda g: (score(g) is None, score(g) if score(g) is not None else 0))
                same(r["groups_total"], len(groups), f"{date}: {r['name']} groups")
                same([g["group"] for g in r["shown"]], [label(g) for g in worst[:25]], f"{date}: {r['name']} worst first")
                for g, want in zip(r["shown"], worst):
                    same(g["score"], score(want), f"{date}: {r['name']} {g['group']} score")
                    same(g["accounts"], int(want["accounts"]), f"{date}: {r['name']} {g['group']} accounts")
                    same(g["change"], int(want["score_change"]) if want.get("score_change") else None,
                         f"{date}: {r['name']} {g['group']} change")
                    if r["weight"]:
                        weight = sum(float(want[f"{b}_weight"]) for b in bands[:3])
                        same(g["weight"], round(weight, 2), f"{date}: {r['name']} {g['group']} weight")
                    # Its score in every snapshot up to this one, from the view.
                    trend = []
                    for k in range(i + 1):
                        cond = " AND ".join(f"key{n + 1} IS ?" for n in range(nby))
                        cells = [None if want[f] == "" else want[f] for f in r["by"]]
                        row = db.execute(f"SELECT score FROM rollup_groups WHERE as_of = ? AND rollup = ? AND {cond}",
                                         [dates[k], r["name"]] + cells).fetchone()
                        trend.append(-1 if row is None or row[0] is None else row[0])
                    same(g["trend"], trend, f"{date}: {r['name']} {g['group']} trend")
            tier = list(csv.DictReader(subprocess.run([a.healthc, "rollup", "--store", str(store), "tiers", "--as-of", date,
                                                       "--format", "csv"], check=True, capture_output=True,
                                                      text=True).stdout.splitlines()))
            same(h["weight"], "seats", f"{date}: the headline's weight")
            for b in h["bands"][:3]:
                same(b["weight"], round(sum(float(g[f"{b['band']}_weight"]) for g in tier), 2), f"{date}: seats in {b['band']}")
        print(f"report_figures: {len(dates)} dates checked")
    if failures:
        print(f"report_figures: {len(failures)} checks failed")
        return 1
    print("report_figures: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
