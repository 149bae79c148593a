#!/usr/bin/env python3
"""A dated weekly series of B2B accounts, for the history store (`healthc backfill`).

Writes DIR/YYYY-MM-DD.csv, one file per week: the fields of examples/b2b_saas_v2.health (the
B2B card's fields plus `csm_pulse_date`, the day the CSM last entered the pulse). Deterministic:
the same arguments give byte-identical files. Stdlib only.

    python3 scripts/gen_series.py [--accounts 200] [--weeks 8] [--start 2026-10-05] [--seed 14] \
        [--churn 0.02] [-o examples/series/b2b]

What moves from week to week
----------------------------
- Drift: active users, logins and open P1 tickets follow small random walks; each account
  has its own trend, so some improve steadily and some decline.
- Collapses: a few accounts lose most of their logins in one week (usage_trend falls below
  -50%: the `collapse_red` override and the card's alerts fire on that edge).
- Churned and new accounts: each week about 2% (--churn) of accounts leave (absent from later
  files) and new ones join (none with --churn 0) (new keys, days_live from 0, so they start in the onboarding segment).
- Stale CSM inputs: the CSM re-enters the pulse at a rate that depends on the account; some
  pulses are never refreshed and go stale (older than the card's `stale after` window), and
  some accounts have no pulse at all. The pulse's date only moves when the pulse is entered.
- Surveys: NPS is re-answered now and then, and is missing for some accounts.
"""

import argparse
import datetime
import os
import random

FIELDS = ["account_id", "tier", "days_live", "active_users", "seats", "p1_open", "nps", "csm_pulse",
          "csm_pulse_date", "logins_30d", "logins_prev_30d", "renewal_date"]


class Account:
    def __init__(self, rng, n, start, new):
        self.key = f"acct-{n:04d}"
        self.tier = rng.choices(["enterprise", "mid_market", "smb"], [2, 3, 5])[0]
        self.seats = {"enterprise": rng.randint(200, 2000), "mid_market": rng.randint(40, 300),
                      "smb": rng.randint(5, 60)}[self.tier]
        self.days_live = rng.randint(0, 30) if new else rng.randint(30, 1500)
        self.adoption = rng.uniform(0.15, 0.95)
        self.drift = rng.gauss(0, 0.02)  # per week, on adoption
        self.logins = max(1.0, self.seats * self.adoption * rng.uniform(5, 20))
        self.prev_logins = None if new else self.logins * rng.uniform(0.8, 1.2)
        self.p1 = rng.choices([0, 1, 2, 3, 5], [50, 20, 15, 10, 5])[0]
        self.nps = None if rng.random() < 0.15 else rng.randint(-60, 80)
        # The CSM's habits: how often the pulse is re-entered (0: never again).
        self.pulse_every = rng.choices([0, 2, 4, 8, 16], [1, 3, 3, 2, 2])[0]
        if rng.random() < 0.1:
            self.pulse, self.pulse_date = None, None
        else:
            self.pulse = self.pulse_for(rng)
            self.pulse_date = start - datetime.timedelta(days=rng.randint(0, 7 if new else 150))
        self.renewal = start + datetime.timedelta(days=rng.randint(20, 700))

    def pulse_for(self, rng):
        a = self.adoption + rng.gauss(0, 0.15)
        return "green" if a > 0.6 else "yellow" if a > 0.3 else "red"

    def week(self, rng, date):
        self.days_live += 7
        self.adoption = min(1.0, max(0.02, self.adoption + self.drift + rng.gauss(0, 0.03)))
        self.prev_logins = self.logins
        target = self.seats * self.adoption * rng.uniform(8, 14)
        self.logins = max(0.0, 0.5 * self.logins + 0.5 * target)
        if rng.random() < 0.03:  # a collapse: most users stop logging in
            self.logins *= rng.uniform(0.1, 0.4)
            self.adoption *= 0.5
        self.p1 = max(0, self.p1 + rng.choices([-1, 0, 0, 0, 1, 2], [3, 8, 8, 8, 3, 1])[0])
        if rng.random() < 0.1:
            self.nps = None if rng.random() < 0.1 else max(-100, min(100, int(self.adoption * 120 - 30 + rng.gauss(0, 20))))
        if self.pulse_every and rng.random() < 1.0 / self.pulse_every:
            self.pulse, self.pulse_date = self.pulse_for(rng), date - datetime.timedelta(days=rng.randint(0, 6))

    def row(self):
        def cell(v):
            return "" if v is None else str(v)
        return [self.key, self.tier, str(self.days_live), str(round(self.seats * self.adoption)), str(self.seats),
                str(self.p1), cell(self.nps), cell(self.pulse),
                self.pulse_date.isoformat() if self.pulse_date else "", str(round(self.logins)),
                "" if self.prev_logins is None else str(round(self.prev_logins)), self.renewal.isoformat()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--start", default="2026-10-05")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--churn", type=float, default=0.02, help="share of accounts that leave each week")
    ap.add_argument("-o", "--out", default="examples/series/b2b")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = datetime.date.fromisoformat(a.start)
    accounts = [Account(rng, n, start, False) for n in range(a.accounts)]
    next_key = a.accounts
    os.makedirs(a.out, exist_ok=True)
    for w in range(a.weeks):
        date = start + datetime.timedelta(days=7 * w)
        if w:
            for acc in accounts:
                acc.week(rng, date)
            if a.churn > 0:
                for _ in range(max(1, round(len(accounts) * a.churn))):
                    accounts.pop(rng.randrange(len(accounts)))
                for _ in range(rng.randint(2, 5)):
                    accounts.append(Account(rng, next_key, date, True))
                    next_key += 1
        path = os.path.join(a.out, f"{date.isoformat()}.csv")
        with open(path, "w", newline="") as f:
            f.write(",".join(FIELDS) + "\n")
            for acc in accounts:
                f.write(",".join(acc.row()) + "\n")


if __name__ == "__main__":
    main()
