#!/usr/bin/env bash
# The store against an independent computation from the spec (issue 14, "Done when"): a
# generated weekly series of the B2B v2 card (drift, churned and new accounts, CSM opinions
# going stale) is backfilled, then every account of every snapshot is checked from the stored
# values and the input files alone: rows and keys, the weighted score from the stored weights
# and scores, the stale mask and its unscored measure, change(adoption.score, 4 weeks),
# previous.* in labels and overrides, every alert's activity and firing on edges only, and the
# alerts file of a last `score --store` run.
# usage: series_check.sh HEALTHC SOURCE_DIR [SEED]
set -euo pipefail
HEALTHC=$(realpath "$1")
SRC=$(realpath "$2")
SEED=${3:-7}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
exec python3 - "$HEALTHC" "$SRC" "$SEED" "$WORK" <<'PY'
import csv, datetime, math, os, random, sqlite3, subprocess, sys

healthc, src, seed, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
card = os.path.join(src, "examples", "b2b_saas_v2.health")
rng = random.Random(seed)
EPOCH = datetime.date(1970, 1, 1)
def days(s): return (datetime.date.fromisoformat(s) - EPOCH).days
def date(d): return (EPOCH + datetime.timedelta(days=d)).isoformat()

# --- a weekly series ------------------------------------------------------------------------
WEEKS, START = 10, days("2026-09-07")
accounts, next_id = {}, 0
def new_account():
    global next_id
    next_id += 1
    seats = rng.randint(5, 400)
    return {"account_id": f"c{next_id:05d}", "tier": rng.choice(["enterprise", "mid_market", "smb"]),
            "days_live": rng.randint(1, 900), "seats": seats, "active": rng.randint(0, seats),
            "p1_open": rng.randint(0, 6), "nps": rng.choice([None, rng.randint(-100, 100)]),
            "csm_pulse": rng.choice([None, "red", "yellow", "green"]), "logins": rng.randint(0, 3000),
            "csm_date": rng.choice([None, START - rng.randint(0, 150)])}
for _ in range(1500):
    a = new_account(); accounts[a["account_id"]] = a
series = os.path.join(work, "series"); os.mkdir(series)
inputs = {}  # as_of -> {key: row dict as written}
for w in range(WEEKS):
    as_of = START + 7 * w
    if w:
        for k in list(accounts):
            if rng.random() < 0.03: del accounts[k]  # churned
        for _ in range(40):
            a = new_account(); accounts[a["account_id"]] = a
    rows = {}
    with open(os.path.join(series, f"{date(as_of)}.csv"), "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["account_id", "tier", "days_live", "active_users", "seats", "p1_open", "nps", "csm_pulse",
                      "logins_30d", "logins_prev_30d", "renewal_date", "csm_pulse_date"])
        for k, a in accounts.items():
            prev_logins = a["logins"]
            a["logins"] = max(0, int(a["logins"] * rng.uniform(0.6, 1.3)))
            a["active"] = min(a["seats"], max(0, a["active"] + rng.randint(-20, 15)))
            a["p1_open"] = max(0, a["p1_open"] + rng.randint(-2, 2))
            a["days_live"] += 7
            if rng.random() < 0.15: a["csm_date"] = as_of - rng.randint(0, 6)  # the CSM updates
            row = [k, a["tier"], a["days_live"], a["active"], a["seats"], a["p1_open"],
                   "" if a["nps"] is None else a["nps"], a["csm_pulse"] or "", a["logins"], prev_logins or "",
                   "", "" if a["csm_date"] is None else date(a["csm_date"])]
            out.writerow(row)
            rows[k] = {"csm_date": a["csm_date"], "tier": a["tier"]}
    inputs[as_of] = rows

db = os.path.join(work, "h.db")
r = subprocess.run([healthc, "backfill", card, series, "--store", db, "-q"], capture_output=True, text=True,
                   env=dict(os.environ, HEALTHC_NO_PROGRESS="1"))
if r.returncode != 0:
    sys.exit(f"backfill failed: {r.stderr}")
# One more date through `score --store --alerts`, for the alerts file.
last = START + 7 * WEEKS
last_file = os.path.join(work, f"{date(last)}.csv")
with open(os.path.join(series, f"{date(last - 7)}.csv")) as f:
    text = f.read()
with open(last_file, "w") as f:
    f.write(text)
inputs[last] = inputs[last - 7]
alerts_file = os.path.join(work, "alerts.csv")
r = subprocess.run([healthc, "score", card, last_file, "--as-of", date(last), "--store", db, "--alerts", alerts_file,
                    "-o", os.devnull, "-q"], capture_output=True, text=True)
if r.returncode != 0:
    sys.exit(f"score --store failed: {r.stderr}")

# --- the store, read back -------------------------------------------------------------------
con = sqlite3.connect(db)
title = "B2B SaaS health v2"
snaps = con.execute("SELECT s.id, s.as_of_days, s.card_version_id FROM snapshot s JOIN scorecard c ON c.id = "
                    "s.scorecard_id WHERE c.title = ? ORDER BY s.as_of_days", (title,)).fetchall()
version = snaps[0][2]
names = {}
for kind, idx, name, extra in con.execute("SELECT kind, idx, name, extra FROM card_name WHERE card_version_id = ?",
                                          (version,)):
    names.setdefault(kind, {})[idx] = (name, extra)
measure = {n: i for i, (n, _) in names["measure"].items()}
alert_bit = {n: i for i, (n, _) in names["alert"].items()}
weights = {}
for ws, m, w in con.execute("SELECT weight_set_id, measure, weight FROM weight"):
    weights.setdefault(ws, {})[m] = w
M = len(measure)
cols = ", ".join(f"m{i}_value, m{i}_score" for i in range(M))
store = {}  # as_of -> {key: record}
for sid, as_of, _ in snaps:
    recs = {}
    for row in con.execute(f"SELECT a.key, r.row, r.segment, r.weighted, r.score, r.band, r.label, r.override, "
                           f"r.alerts_active, r.alerts_fired, r.stale, r.weight_set_id, {cols} FROM result r JOIN "
                           f"account a ON a.id = r.id & 4294967295 WHERE r.id >> 32 = ?", (sid,)):
        key, rowno, seg, weighted, score, band, label, override, active, fired, stale, ws = row[:12]
        vals = row[12:]
        recs[key] = dict(row=rowno, segment=names["segment"][seg][0], weighted=weighted, score=score,
                         band=names["band"][band][0], label=None if label is None else names["label"][label][0],
                         override=None if override is None else names["override"][override][0], active=active,
                         fired=fired, stale=stale, weights=weights.get(ws, {}),
                         value=[vals[2 * i] for i in range(M)], mscore=[vals[2 * i + 1] for i in range(M)])
    store[as_of] = recs
dates = sorted(store)

failures = []
def check(cond, what):
    if not cond:
        failures.append(what)
        if len(failures) <= 20: print("FAIL:", what, file=sys.stderr)

def latest(at_most, before):
    c = [d for d in dates if d <= at_most and d < before]
    return store[c[-1]] if c else {}

checked = 0
seen = {}  # how often each checked condition held, so a check that never bites shows
def count(name, cond):
    if cond: seen[name] = seen.get(name, 0) + 1
for as_of in dates:
    now, inp = store[as_of], inputs[as_of]
    prev = latest(as_of - 1, as_of)
    week = latest(as_of - 7, as_of)
    month = latest(as_of - 28, as_of)
    check(set(now) == set(inp), f"{date(as_of)}: the stored accounts are the input's")
    check(sorted(r["row"] for r in now.values()) == list(range(len(now))), f"{date(as_of)}: rows 0..n-1")
    for key, a in now.items():
        checked += 1
        where = f"{date(as_of)} {key}"
        # The weighted score: floor(sum(w * s) + 0.5 + 1e-9) over the measures that weigh.
        ws = [(a["weights"][m], a["mscore"][m]) for m in a["weights"]]
        if ws and all(s is not None for _, s in ws):
            check(abs(sum(w for w, _ in ws) - 1) < 1e-9, f"{where}: the effective weights sum to 1")
            check(a["weighted"] == math.floor(sum(w * s for w, s in ws) + 0.5 + 1e-9), f"{where}: weighted score")
        if a["override"] is None:
            check(a["score"] == a["weighted"], f"{where}: no override, score == weighted")
        # Stale: the CSM date missing or more than 90 days old; the measure is then unscored.
        d = inp[key]["csm_date"]
        stale = d is None or as_of - d > 90
        check(bool(a["stale"] & 1) == stale, f"{where}: stale mask")
        if stale:
            check(a["mscore"][measure["csm"]] is None, f"{where}: a stale measure is unscored")
            check(measure["csm"] not in a["weights"], f"{where}: a stale measure has no weight")
        # change(adoption.score, 4 weeks): now minus the latest snapshot at or before as_of - 28.
        i = measure["adoption"]
        then = month.get(key)
        want = None
        if then and then["mscore"][i] is not None and a["mscore"][i] is not None:
            want = a["mscore"][i] - then["mscore"][i]
        got = a["value"][measure["adoption_trend"]]
        check((want is None and got is None) or (want is not None and got is not None and abs(got - want) < 1e-9),
              f"{where}: change(adoption.score, 4 weeks) is {got}, want {want}")
        p = prev.get(key)
        # previous.* in labels and overrides.
        if a["label"] == "slipping":
            check(p is not None and p["label"] == "expand" and a["score"] < 80, f"{where}: slipping")
        if a["label"] not in ("expand", "slipping") and p and p["label"] == "expand" and a["score"] is not None:
            check(a["score"] >= 80, f"{where}: previously expand and under 80 must be slipping")
        if a["override"] == "recovering":
            check(p is not None and p["band"] == "critical" and a["band"] == "at_risk", f"{where}: recovering")
        # Every alert's condition, from the spec.
        w = week.get(key)
        expect = {
            "went_critical": a["band"] == "critical",
            "dropped_at_risk": a["band"] == "at_risk" and p is not None and p["band"] == "healthy",
            "fell_fast": w is not None and w["score"] is not None and a["score"] is not None
                         and a["score"] - w["score"] <= -15,
            "enterprise_action": a["segment"] == "enterprise" and a["label"] == "action",
            "csm_stale": d is None or as_of - d > 90,
        }
        count("stale", stale)
        count("change(4 weeks) present", want is not None)
        count("slipping", a["label"] == "slipping")
        count("recovering", a["override"] == "recovering")
        count("fired", a["fired"] != 0)
        count("active, not fired", a["active"] & ~a["fired"] != 0)
        for name, on in expect.items():
            count(name, on)
            check(bool(a["active"] >> alert_bit[name] & 1) == on, f"{where}: alert {name} active should be {on}")
        # Fired: active now, not active in the previous snapshot (absent: nothing was active).
        check(a["fired"] == a["active"] & ~(p["active"] if p else 0), f"{where}: fired alerts are the edges")

# The alerts file of the last run: the fired alerts, severity first, then card order, then rows.
sev = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
sev_of = {n: e for n, e in names["alert"].values()}
now, prev = store[last], latest(last - 1, last)
want = []
for key, a in now.items():
    for name, bit in alert_bit.items():
        if a["fired"] >> bit & 1:
            want.append((sev[sev_of[name]], bit, a["row"], key, name))
want.sort()
with open(alerts_file) as f:
    got = [(row["account_id"], row["alert"], row["previous_score"]) for row in csv.DictReader(f)]
check([(k, n) for *_, k, n in want] == [(k, n) for k, n, _ in got], "the alerts file: the fired alerts in order")
for k, n, ps in got:
    p = prev.get(k)
    check(ps == ("" if p is None or p["score"] is None else str(p["score"])), f"alerts file {k}: previous_score")

print(f"series check: {len(dates)} snapshots, {checked} account records, {len(got)} fired alerts in the file")
print("conditions met:", ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
for k in ("stale", "change(4 weeks) present", "fired", "active, not fired", "went_critical", "dropped_at_risk",
          "fell_fast", "enterprise_action", "csm_stale"):
    check(seen.get(k, 0) > 0, f"the series never meets `{k}`: that check cannot fail")
if failures:
    sys.exit(f"{len(failures)} failures")
print("every account and date agrees with the independent computation")
PY
