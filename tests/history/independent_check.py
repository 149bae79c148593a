#!/usr/bin/env python3
"""An independent computation from the spec over the weekly series, against the store.

Scores every examples/series/b2b/ file as of its date WITHOUT a store (`healthc score
--explain`), and from those outputs alone derives, per account and date: the snapshot record
(score, band, segment, label, override, measure scores), `previous` (the latest earlier date),
the score change, and the attribution of each change (spec "Why a score changed", computed here
from the printed effective weights and measure scores). Then scores the same series INTO a store
and checks, on every account and date, that

  - `healthc history --format csv` gives the derived record and change;
  - `healthc changes --format csv` between every pair of consecutive dates has exactly the
    accounts present in both, the derived scores, bands, segments, contributions (by score, by
    weight), rounding and override effects (to 1e-9), and that the contributions sum exactly
    (1e-9) to each account's score change: score2 - score1 = sum(contributions) + rounding2 -
    rounding1 + override2 - override1.

Then the history-reading card (examples/b2b_saas_v2.health) is scored into a second store, oldest
first, and from its per-date outputs and the data alone this derives and compares, on every
account and date: `previous_score` and `score_change`, the weighted score, `change(adoption.score,
4 weeks)`, the stale CSM pulse (`stale` column, unscored measure), the `slipping` label and
`recovering` override that read `previous.*`, and the alerts: active by the card's conditions,
fired only on edges, in the spec's order, against both the run's `--alerts` file and `healthc
alerts`; the readers' checks above run on this store too.

    python3 tests/history/independent_check.py --healthc build/release/compiler/healthc
"""
import argparse
import csv
import datetime
import io
import math
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERIES = ROOT / "examples" / "series" / "b2b"
TOL = 1e-9


def run(healthc, args):
    p = subprocess.run([healthc] + args, cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR="1", HEALTHC_NO_PROGRESS="1", TZ="UTC"))
    if p.returncode not in (0, 3):
        sys.exit(f"healthc {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def num(cell):
    return None if cell == "" else float(cell)


class Record:
    """One account in one snapshot, from `healthc score --explain` output."""

    def __init__(self, row, measures, index):
        self.row = index
        self.score = None if row["score"] == "" else int(row["score"])
        self.band, self.segment, self.label, self.override = row["band"], row["segment"], row["label"], row["override"]
        self.m_score = {m: num(row[f"{m}.score"]) for m in measures}
        self.m_weight = {m: num(row[f"{m}.weight"]) for m in measures}
        # w, s = 0 where the measure is unscored or not in the account's model.
        self.ws = {m: (0.0, 0.0) if self.m_weight[m] is None or self.m_score[m] is None
                   else (self.m_weight[m], self.m_score[m]) for m in measures}
        self.raw = sum(w * s for w, s in self.ws.values())
        # No effective weight anywhere: every measure unscored, so no weighted score (spec 3).
        scored = any(self.m_weight[m] is not None for m in measures)
        self.weighted = math.floor(self.raw + 0.5 + 1e-9) if scored else None
        if self.weighted is not None and not self.override:
            assert self.weighted == self.score, (self.weighted, self.score)


def score_dates(healthc, card, dates, tmp):
    out = {}
    for d in dates:
        text = run(healthc, ["score", str(card), str(SERIES / f"{d}.csv"), "--as-of", d, "--explain", "-o", "-"])
        rows = list(csv.DictReader(io.StringIO(text)))
        key = next(iter(rows[0])) if rows else "account_id"
        measures = [c[:-6] for c in rows[0] if c.endswith(".value")] if rows else []
        out[d] = ({r[key]: Record(r, measures, i) for i, r in enumerate(rows)}, measures)
    return out


class Checker:
    def __init__(self):
        self.failures = 0
        self.checks = 0

    def eq(self, what, got, want):
        self.checks += 1
        ok = (got is None and want is None) or (got is not None and want is not None and
                                                 (abs(got - want) <= TOL if isinstance(want, float) else got == want))
        if not ok:
            self.failures += 1
            if self.failures <= 30:
                print(f"MISMATCH {what}: store says {got!r}, independent {want!r}")


def check_history(healthc, store, by_date, dates, c):
    keys = sorted({k for recs, _ in by_date.values() for k in recs})
    for key in keys:
        rows = list(csv.DictReader(io.StringIO(run(healthc, ["history", "--store", str(store), "--account", key,
                                                             "--format", "csv"]))))
        present = [d for d in dates if key in by_date[d][0]]
        c.eq(f"{key} snapshot dates", [r["as_of"] for r in rows], present)
        for r in rows:
            rec = by_date[r["as_of"]][0][key]
            # The spec's score_change: against the previous snapshot (by date), where the account
            # was present there.
            i = dates.index(r["as_of"])
            before = by_date[dates[i - 1]][0].get(key) if i > 0 else None
            have_prev, prev_score = before is not None, before.score if before is not None else None
            for f in ("band", "label", "override"):
                c.eq(f"{key} {r['as_of']} {f}", r[f], getattr(rec, f))
            c.eq(f"{key} {r['as_of']} score", None if r["score"] == "" else int(r["score"]), rec.score)
            want_change = rec.score - prev_score if have_prev and prev_score is not None and rec.score is not None else None
            c.eq(f"{key} {r['as_of']} change", None if r["change"] == "" else int(r["change"]), want_change)
            for m, s in rec.m_score.items():
                c.eq(f"{key} {r['as_of']} {m}.score", num(r[f"{m}.score"]), s)


def check_changes(healthc, store, by_date, dates, c):
    for d1, d2 in zip(dates, dates[1:]):
        (r1, m1), (r2, m2) = by_date[d1], by_date[d2]
        text = run(healthc, ["changes", "--store", str(store), "--from", d1, "--to", d2, "--format", "csv"])
        rows = list(csv.DictReader(io.StringIO(text)))
        key = next(iter(rows[0])) if rows else "account_id"
        c.eq(f"{d1}->{d2} accounts", sorted(r[key] for r in rows), sorted(set(r1) & set(r2)))
        measures = m2 + [m for m in m1 if m not in m2]
        for row in rows:
            k = row[key]
            a, b = r1[k], r2[k]
            tag = f"{d1}->{d2} {k}"
            c.eq(f"{tag} score1", None if row["score1"] == "" else int(row["score1"]), a.score)
            c.eq(f"{tag} score2", None if row["score2"] == "" else int(row["score2"]), b.score)
            for f in ("band", "segment"):
                c.eq(f"{tag} {f}1", row[f"{f}1"], getattr(a, f))
                c.eq(f"{tag} {f}2", row[f"{f}2"], getattr(b, f))
            c.eq(f"{tag} override_name1", row["override_name1"], a.override)
            c.eq(f"{tag} override_name2", row["override_name2"], b.override)
            attributed = a.weighted is not None and b.weighted is not None
            total = 0.0
            for m in measures:
                w1, s1 = a.ws.get(m, (0.0, 0.0))
                w2, s2 = b.ws.get(m, (0.0, 0.0))
                want = (w2 * s2 - w1 * s1, w1 * (s2 - s1), (w2 - w1) * s2) if attributed else (None, None, None)
                got = tuple(num(row[f"{m}.{p}"]) for p in ("contribution", "by_score", "by_weight"))
                for p, g, w in zip(("contribution", "by_score", "by_weight"), got, want):
                    c.eq(f"{tag} {m}.{p}", g, w)
                if attributed and got[0] is not None:
                    total += got[0]
            for side, rec in (("1", a), ("2", b)):
                c.eq(f"{tag} rounding{side}", num(row[f"rounding{side}"]),
                     None if rec.weighted is None else float(rec.weighted - rec.raw))
                c.eq(f"{tag} override{side}", num(row[f"override{side}"]),
                     None if rec.weighted is None else float(rec.score - rec.weighted))
            if attributed:
                # The identity, on the store's own numbers.
                c.eq(f"{tag} sum identity", float(int(row["score2"]) - int(row["score1"])),
                     total + num(row["rounding2"]) - num(row["rounding1"]) + num(row["override2"]) - num(row["override1"]))


SEVERITY = {"went_critical": 4, "dropped_at_risk": 3, "fell_fast": 3, "enterprise_action": 2, "csm_stale": 1}
ALERT_ORDER = ["went_critical", "dropped_at_risk", "fell_fast", "enterprise_action", "csm_stale"]


def days(d):
    return datetime.date.fromisoformat(d).toordinal()


def latest_at_or_before(dates, limit, before):
    """The spec's `change(X, N days)` snapshot: latest date <= limit and < before."""
    best = None
    for d in dates:
        if days(d) <= limit and days(d) < days(before):
            best = d
    return best


def check_v2(healthc, card, dates, tmp, c):
    """The history-reading card through the store, against what the outputs and data imply."""
    header = run(healthc, ["score", card, str(SERIES / f"{dates[0]}.csv"), "--as-of", dates[0], "--explain",
                           "-o", "-"]).split("\n", 1)[0].split(",")
    columns = header + [x for x in ("previous_score", "score_change", "weighted", "stale") if x not in header]
    store = tmp / "v2.db"
    outs, data, alerts_files = {}, {}, {}
    for d in dates:
        out, alerts = tmp / f"v2_{d}.csv", tmp / f"alerts_{d}.csv"
        run(healthc, ["score", card, str(SERIES / f"{d}.csv"), "--store", str(store), "--as-of", d, "--alerts",
                      str(alerts), "--columns", ",".join(columns), "-o", str(out)])
        outs[d] = {r["account_id"]: r for r in csv.DictReader(open(out))}
        data[d] = {r["account_id"]: r for r in csv.DictReader(open(SERIES / f"{d}.csv"))}
        alerts_files[d] = alerts.read_text()
    measures = [h[:-6] for h in header if h.endswith(".value")]
    active = {}
    for i, d in enumerate(dates):
        prev = outs[dates[i - 1]] if i else {}
        month = latest_at_or_before(dates, days(d) - 28, d)
        week = latest_at_or_before(dates, days(d) - 7, d)
        active[d] = {}
        rows = list(outs[d].values())
        for row in rows:
            k = row["account_id"]
            p = prev.get(k)
            tag = f"v2 {d} {k}"
            score = None if row["score"] == "" else int(row["score"])
            pscore = None if p is None or p["score"] == "" else int(p["score"])
            c.eq(f"{tag} previous_score", None if row["previous_score"] == "" else int(row["previous_score"]), pscore)
            c.eq(f"{tag} score_change", None if row["score_change"] == "" else int(row["score_change"]),
                 None if score is None or pscore is None else score - pscore)
            rec = Record(row, measures, 0)
            c.eq(f"{tag} weighted", None if row["weighted"] == "" else int(row["weighted"]), rec.weighted)
            # change(adoption.score, 4 weeks): now minus the latest snapshot 28+ days back.
            then = outs[month].get(k) if month else None
            want = None
            if then is not None and then["adoption.score"] != "" and row["adoption.score"] != "":
                want = float(row["adoption.score"]) - float(then["adoption.score"])
            c.eq(f"{tag} adoption_trend.value", num(row["adoption_trend.value"]), want)
            # stale after 90 days of csm_pulse_date: unscored, listed in `stale`.
            pulse_date = data[d][k]["csm_pulse_date"]
            stale = pulse_date == "" or days(d) - days(pulse_date) > 90
            c.eq(f"{tag} stale", row["stale"], "csm" if stale else "")
            if stale:
                c.eq(f"{tag} csm.score when stale", row["csm.score"], "")
            # previous.* in a label and an override.
            plabel = p["label"] if p is not None else None
            c.eq(f"{tag} slipping label", row["label"] == "slipping", plabel == "expand" and score is not None and score < 80)
            if row["override"] in ("", "recovering"):
                c.eq(f"{tag} recovering override", row["override"] == "recovering",
                     p is not None and p["band"] == "critical" and rec.weighted is not None and rec.weighted >= 71)
            # The alerts' conditions, from the outputs and the data.
            wscore = outs[week].get(k) if week else None
            wscore = None if wscore is None or wscore["score"] == "" else int(wscore["score"])
            on = set()
            if row["band"] == "critical":
                on.add("went_critical")
            if row["band"] == "at_risk" and p is not None and p["band"] == "healthy":
                on.add("dropped_at_risk")
            if score is not None and wscore is not None and score - wscore <= -15:
                on.add("fell_fast")
            if row["segment"] == "enterprise" and row["label"] == "action":
                on.add("enterprise_action")
            if stale:
                on.add("csm_stale")
            active[d][k] = on
        # Fired: active now and not in the previous snapshot (absent: nothing was active).
        was = active[dates[i - 1]] if i else {}
        order = {k: n for n, k in enumerate(outs[d])}
        want = sorted(((a, k) for k, on in active[d].items() for a in on - was.get(k, set())),
                      key=lambda x: (-SEVERITY[x[0]], ALERT_ORDER.index(x[0]), order[x[1]]))
        got = [(r["alert"], r["account_id"]) for r in csv.DictReader(io.StringIO(alerts_files[d]))]
        c.eq(f"v2 {d} alerts file (fired, in order)", got, want)
        listed = run(healthc, ["alerts", "--store", str(store), "--as-of", d, "--format", "csv"])
        c.eq(f"v2 {d} healthc alerts = the run's alerts file", listed, alerts_files[d])
        for r in csv.DictReader(io.StringIO(alerts_files[d])):
            p = prev.get(r["account_id"])
            c.eq(f"v2 {d} {r['account_id']} alert previous_band", r["previous_band"], p["band"] if p else "")
    by_date = {d: ({k: Record(r, measures, n) for n, (k, r) in enumerate(outs[d].items())}, measures) for d in dates}
    check_history(healthc, store, by_date, dates, c)
    check_changes(healthc, store, by_date, dates, c)
    return sum(max(0, len(a.splitlines()) - 1) for a in alerts_files.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--card", default=str(ROOT / "tests" / "history" / "b2b_series.health"))
    ap.add_argument("--v2-card", default=str(ROOT / "examples" / "b2b_saas_v2.health"))
    a = ap.parse_args()
    healthc = str(pathlib.Path(a.healthc).resolve())
    dates = sorted(p.stem for p in SERIES.glob("*.csv"))
    c = Checker()
    with tempfile.TemporaryDirectory(prefix="healthc-independent-") as t:
        tmp = pathlib.Path(t)
        by_date = score_dates(healthc, a.card, dates, tmp)
        store = tmp / "series.db"
        # Recorded newest first: `previous` and the readers go by as-of date, not by order of recording.
        for d in reversed(dates):
            run(healthc, ["score", a.card, str(SERIES / f"{d}.csv"), "--store", str(store), "--as-of", d, "-o", os.devnull])
        check_history(healthc, store, by_date, dates, c)
        check_changes(healthc, store, by_date, dates, c)
        v1_checks = c.checks
        fired = check_v2(healthc, a.v2_card, dates, tmp, c)
    accounts = len({k for recs, _ in by_date.values() for k in recs})
    print(f"{c.checks} checks ({v1_checks} on the v1 card, {c.checks - v1_checks} on the v2 card) over {accounts} "
          f"accounts and {len(dates)} dates, {fired} alerts fired: {c.failures} mismatches")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
