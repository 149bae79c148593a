#!/usr/bin/env python3
"""Synthetic accounts for the example cards, with a churn outcome whose causes are known.

Writes CSV with a header: the card's fields in the card's order, then `churned` (0/1).
Deterministic: the same arguments give byte-identical output. Stdlib only.

    python3 scripts/gen_accounts.py --card b2b|lifecycle|fintech --rows N --seed S \
        [--missing-rate 0.05] [--as-of 2026-11-01] [-o FILE]
    python3 scripts/gen_accounts.py --self-check

Cards: b2b -> examples/b2b_saas.health, lifecycle -> examples/lifecycle.health,
fintech -> examples/fintech_platform.health.

How an account is made
----------------------
Each account draws a hidden health h ~ N(0, 1). Most signals lean on h (healthy accounts
adopt more seats, log in more this month than last, open fewer tickets, answer surveys
better), so signals are correlated with each other the way real ones are. Then

    churned ~ Bernoulli(sigmoid(logit)),   logit = intercept + sum of the TRUE DRIVERS below.

h itself is NOT in the logit: churn depends on the account only through the listed drivers,
with the listed coefficients, computed from the account's full values (before
--missing-rate blanks optional cells, so missingness is uninformative). Each card also has
a NULL signal: one the card gives real weight to but that has no effect on churn at all
(it is drawn independently of h and of every driver), so a weight-tuning tool can be tested
for moving weight off it.

Shorthand: clip(x) = min(max(x, -1), 1); trend(now, before) = clip(now / before - 1), 0 when
before is 0 (no previous month); [c] = 1 when c holds, else 0.

TRUE DRIVERS: b2b (examples/b2b_saas.health), about 16% churn
    intercept                                      -0.80
    adoption = min(active_users / seats, 1)        -2.50 * adoption      (0 when seats = 0)
    login trend(logins_30d, logins_prev_30d)       -1.50 * trend
    p1_open                                        +0.35 * min(p1_open, 6)
    nps                                            -0.012 * nps
    tier                                           +0.40 * [smb]  -0.30 * [enterprise]
    NULL: csm_pulse (15% of model default, 25% of model enterprise) has no effect.
    days_live and renewal_date have no effect either.

TRUE DRIVERS: lifecycle (examples/lifecycle.health), about 16% churn
    intercept                                      -0.10
    adoption = min(weekly_active_users / licensed_users, 1)   -2.00 * adoption  (0 when 0 licensed)
    login trend(logins_30d, logins_prev_30d)       -1.20 * trend
    support_tickets_30d                            +0.10 * min(support_tickets_30d, 20)
    csat (1-5)                                     -0.60 * (csat - 3.5)
    exec_sponsor                                   -0.70 * [exec_sponsor]
    features_adopted                               -0.12 * min(features_adopted, 12)
    NULL: last_qbr_date (qbr_recency: 20% of models default and renewal) has no effect.
    plan, days_live and renewal_date have no direct effect.

TRUE DRIVERS: fintech (examples/fintech_platform.health), about 16% churn
    intercept                                      -1.60
    inbound_funds accounts only:
      deposit trend(deposit_volume_30d, deposit_volume_prev_30d)   -1.50 * trend
      funded ratio = funded_accounts / opened_accounts             -2.00 * ratio  (0 when none opened)
      failed deposit rate = failed_deposits_30d / deposits_30d     +15.0 * min(rate, 0.2)
    outbound_payments accounts only:
      payment trend(payment_volume_30d, payment_volume_prev_30d)   -1.50 * trend
      payout failure rate = failed_payouts_30d / payouts_30d       +20.0 * min(rate, 0.2)
      settlement_hours_p50                                         +0.012 * min(hours, 168)
      api error rate = api_errors_30d / api_calls_30d              +12.0 * min(rate, 0.2)
      type offset                                                  -1.40
    every account:
      support_tickets_30d                          +0.07 * min(support_tickets_30d, 20)
      compliance_hold                              +1.20 * [compliance_hold]
      csm_sentiment                                +0.40 * [negative]  -0.30 * [positive]
    NULL: compliance_flags_90d (20% of both account-type models, 40% of default) has no effect.

--missing-rate (default 0.05) is the chance that a cell of an `optional` field is empty.
In the fintech card the other account type's fields are always empty; the rate applies to
the optional fields of the account's own type. Missing cells are drawn from their own
random stream, so changing the rate changes which cells are blank, not the accounts.
"""

import argparse
import datetime
import math
import os
import random
import re
import sys

B2B_FIELDS = [
    "account_id", "tier", "days_live", "active_users", "seats", "p1_open", "nps",
    "csm_pulse", "logins_30d", "logins_prev_30d", "renewal_date",
]
B2B_OPTIONAL = {"nps", "csm_pulse", "logins_prev_30d", "renewal_date"}

LIFECYCLE_FIELDS = [
    "account_id", "plan", "days_live", "weekly_active_users", "licensed_users",
    "features_adopted", "support_tickets_30d", "csat", "exec_sponsor", "renewal_date",
    "last_qbr_date", "logins_30d", "logins_prev_30d",
]
LIFECYCLE_OPTIONAL = {"csat", "renewal_date", "last_qbr_date", "logins_prev_30d"}

FINTECH_INBOUND = [
    "deposit_volume_30d", "deposit_volume_prev_30d", "deposits_30d", "failed_deposits_30d",
    "opened_accounts", "funded_accounts",
]
FINTECH_OUTBOUND = [
    "payment_volume_30d", "payment_volume_prev_30d", "payouts_30d", "failed_payouts_30d",
    "settlement_hours_p50",
]
FINTECH_FIELDS = (
    ["account_id", "account_type"] + FINTECH_INBOUND + FINTECH_OUTBOUND
    + ["api_calls_30d", "api_errors_30d", "support_tickets_30d", "compliance_flags_90d",
       "compliance_hold", "csm_sentiment"]
)
FINTECH_OPTIONAL = set(FINTECH_INBOUND) | set(FINTECH_OUTBOUND) | {"csm_sentiment"}

OUTCOME = "churned"
DATE_SPAN = 5000  # dates are cached for as-of +/- this many days


def _poisson(rand, mean):
    """Knuth's method: fine for the small means used here."""
    limit = math.exp(-mean)
    k = 0
    p = rand()
    while p > limit:
        k += 1
        p *= rand()
    return k


def _date_table(as_of):
    """ISO strings for as_of + offset, indexed by offset + DATE_SPAN."""
    base = as_of.toordinal()
    fromord = datetime.date.fromordinal
    return [fromord(base + k).isoformat() for k in range(-DATE_SPAN, DATE_SPAN + 1)]


def _trend(now, before):
    if before <= 0:
        return 0.0
    t = now / before - 1.0
    return -1.0 if t < -1.0 else (1.0 if t > 1.0 else t)


def _gen_b2b(n, seed, missing_rate, as_of):
    rng = random.Random("b2b/%d/values" % seed)
    mask = random.Random("b2b/%d/missing" % seed).random
    rand, gauss, exp, log = rng.random, rng.gauss, math.exp, math.log
    dates = _date_table(as_of)
    mr = missing_rate
    for i in range(1, n + 1):
        h = gauss(0.0, 1.0)
        r = rand()
        if r < 0.15:
            tier, seats, p1_scale, tier_effect = "enterprise", exp(gauss(6.0, 0.8)), 2.0, -0.30
        elif r < 0.50:
            tier, seats, p1_scale, tier_effect = "mid_market", exp(gauss(4.3, 0.7)), 1.3, 0.0
        else:
            tier, seats, p1_scale, tier_effect = "smb", exp(gauss(2.3, 0.7)), 0.8, 0.40
        seats = int(seats + 0.5) or 1
        r = rand()
        if r < 0.12:
            days_live = int(r / 0.12 * 90)
        else:
            days_live = min(90 + int(-700.0 * log(1.0 - rand())), 4000)
        ramp = 1.0 if days_live >= 90 else 0.4 + days_live / 150.0
        adopt = ramp / (1.0 + exp(-(0.4 + 1.1 * h + gauss(0.0, 0.5))))
        active = int(seats * adopt + 0.5)
        if rand() < 0.02:  # more users than seats: over-deployed
            active = int(seats * (1.0 + 0.3 * rand()) + 0.5)
        if rand() < 0.002:  # seats not provisioned yet
            seats = 0
        adoption = min(active / seats, 1.0) if seats else 0.0

        base = active * (8.0 + 6.0 * rand())
        t = 0.12 * h + gauss(0.0, 0.18)
        if rand() < 0.03:  # usage collapse
            t = -1.0 + gauss(0.0, 0.3)
        if days_live < 30:
            prev = 0
            logins = int(base * (days_live + 1) / 30.0 + 0.5)
        else:
            prev = int(base + 0.5)
            logins = int(base * exp(t) + 0.5)
            if rand() < 0.01:  # back from a dormant month
                prev = 0
        if rand() < 0.004:  # spike: a migration or a bot
            logins *= 8
        trend = _trend(logins, prev)

        p1 = _poisson(rand, p1_scale * exp(-1.3 - 0.6 * h))
        if rand() < 0.003:  # a major incident
            p1 += 8
        nps = int(round(15.0 + 35.0 * h + gauss(0.0, 30.0)))
        nps = -100 if nps < -100 else (100 if nps > 100 else nps)
        r = rand()  # NULL signal: independent of h and of churn
        csm = "red" if r < 0.2 else ("yellow" if r < 0.5 else "green")
        renewal = dates[DATE_SPAN - 30 + int(rand() * 395)]

        logit = (-0.80 - 2.50 * adoption - 1.50 * trend + 0.35 * min(p1, 6)
                 - 0.012 * nps + tier_effect)
        churned = "1" if rand() < 1.0 / (1.0 + exp(-logit)) else "0"

        nps_s = "" if mask() < mr else str(nps)
        csm_s = "" if mask() < mr else csm
        prev_s = "" if mask() < mr else str(prev)
        ren_s = "" if mask() < mr else renewal
        yield ",".join((
            "acc-%07d" % i, tier, str(days_live), str(active), str(seats), str(p1), nps_s,
            csm_s, str(logins), prev_s, ren_s, churned,
        ))


def _gen_lifecycle(n, seed, missing_rate, as_of):
    rng = random.Random("lifecycle/%d/values" % seed)
    mask = random.Random("lifecycle/%d/missing" % seed).random
    rand, gauss, exp, log = rng.random, rng.gauss, math.exp, math.log
    dates = _date_table(as_of)
    mr = missing_rate
    for i in range(1, n + 1):
        h = gauss(0.0, 1.0)
        r = rand()
        if r < 0.45:
            plan, licensed, size, sponsor_bias = "starter", exp(gauss(2.2, 0.6)), 0.6, -0.8
        elif r < 0.85:
            plan, licensed, size, sponsor_bias = "growth", exp(gauss(3.6, 0.7)), 1.0, 0.0
        else:
            plan, licensed, size, sponsor_bias = "enterprise", exp(gauss(5.6, 0.8)), 2.0, 1.0
        licensed = int(licensed + 0.5) or 1
        r = rand()
        if r < 0.15:
            days_live = int(r / 0.15 * 90)
        elif r < 0.45:
            days_live = 90 + int((r - 0.15) / 0.30 * 275)
        else:
            days_live = min(365 + int(-800.0 * log(1.0 - rand())), 3650)
        ramp = 1.0 if days_live >= 120 else 0.35 + days_live / 185.0
        adopt = ramp / (1.0 + exp(-(0.3 + 1.0 * h + gauss(0.0, 0.5))))
        wau = int(licensed * adopt + 0.5)
        if rand() < 0.003:  # licences lapsed, users still active
            licensed = 0
        adoption = min(wau / licensed, 1.0) if licensed else 0.0

        features = int(round(ramp * (5.0 + 2.2 * h + gauss(0.0, 1.5)))) + (plan == "enterprise")
        features = 0 if features < 0 else (12 if features > 12 else features)
        tickets = _poisson(rand, size * exp(0.3 - 0.5 * h))
        if rand() < 0.003:  # an outage week
            tickets += 15 + int(rand() * 20)
        csat = 3.9 + 0.55 * h + gauss(0.0, 0.5)
        csat = round(1.0 if csat < 1.0 else (5.0 if csat > 5.0 else csat), 1)
        sponsor = rand() < 1.0 / (1.0 + exp(-(-0.2 + 0.8 * h + sponsor_bias)))

        to_renewal = 365 - days_live % 365  # annual terms from go-live
        if rand() < 0.04:  # renewal overdue, still being negotiated
            to_renewal = -int(rand() * 21)
        renewal = dates[DATE_SPAN + to_renewal]
        qbr_ago = int(rand() * 270)  # NULL signal: independent of h and of churn
        if qbr_ago > days_live:
            qbr_ago = days_live
        qbr = dates[DATE_SPAN - qbr_ago]

        base = wau * (18.0 + 10.0 * rand())
        t = 0.12 * h + gauss(0.0, 0.2)
        if rand() < 0.03:
            t = -1.0 + gauss(0.0, 0.3)
        if days_live < 30:
            prev = 0
            logins = int(base * (days_live + 1) / 30.0 + 0.5)
        else:
            prev = int(base + 0.5)
            logins = int(base * exp(t) + 0.5)
            if rand() < 0.01:
                prev = 0
        trend = _trend(logins, prev)

        logit = (-0.10 - 2.00 * adoption - 1.20 * trend + 0.10 * min(tickets, 20)
                 - 0.60 * (csat - 3.5) - 0.70 * sponsor - 0.12 * features)
        churned = "1" if rand() < 1.0 / (1.0 + exp(-logit)) else "0"

        csat_s = "" if mask() < mr else "%.1f" % csat
        ren_s = "" if mask() < mr else renewal
        qbr_s = "" if mask() < mr else qbr
        prev_s = "" if mask() < mr else str(prev)
        yield ",".join((
            "acc-%07d" % i, plan, str(days_live), str(wau), str(licensed), str(features),
            str(tickets), csat_s, "true" if sponsor else "false", ren_s, qbr_s, str(logins),
            prev_s, churned,
        ))


def _gen_fintech(n, seed, missing_rate, as_of):
    rng = random.Random("fintech/%d/values" % seed)
    mask = random.Random("fintech/%d/missing" % seed).random
    rand, gauss, exp = rng.random, rng.gauss, math.exp
    mr = missing_rate
    no_inbound = ("",) * len(FINTECH_INBOUND)
    no_outbound = ("",) * len(FINTECH_OUTBOUND)
    for i in range(1, n + 1):
        h = gauss(0.0, 1.0)
        inbound = rand() < 0.55

        t = 0.12 * h + gauss(0.0, 0.2)
        if rand() < 0.03:  # volume collapse
            t = -1.0 + gauss(0.0, 0.3)
        new = rand() < 0.03  # live for less than a month: no previous volume
        if inbound:
            prev = 0.0 if new else exp(gauss(13.5, 1.5))
            vol = exp(gauss(12.0, 1.5)) if new else prev * exp(t)
            deposits = max(1, int(vol / exp(gauss(6.5, 0.5)) + 0.5))
            fail_rate = exp(gauss(-3.9 - 0.45 * h, 0.5))
            fail_rate = 0.6 if fail_rate > 0.6 else fail_rate
            failed = int(deposits * fail_rate + rand())
            opened = int(exp(gauss(7.0, 1.2)) + 0.5)
            if rand() < 0.003:
                opened = 0
            ratio = 1.0 / (1.0 + exp(-(0.9 * h + gauss(0.0, 0.5))))
            funded = int(opened * ratio + 0.5)
            funded_ratio = funded / opened if opened else 0.0
            logit = (-1.50 * _trend(vol, prev) - 2.00 * funded_ratio
                     + 15.0 * min(failed / deposits, 0.2))
            cells = ["%.2f" % vol, "%.2f" % prev, str(deposits), str(failed), str(opened),
                     str(funded)]
            calls = int(exp(gauss(10.5, 1.4)) + 0.5)
            api_rate = exp(gauss(-4.6 - 0.5 * h, 0.6))
        else:
            prev = 0.0 if new else exp(gauss(14.0, 1.5))
            vol = exp(gauss(12.5, 1.5)) if new else prev * exp(t)
            payouts = max(1, int(vol / exp(gauss(7.0, 0.6)) + 0.5))
            fail_rate = exp(gauss(-4.3 - 0.5 * h, 0.5))
            fail_rate = 0.5 if fail_rate > 0.5 else fail_rate
            if rand() < 0.01:  # a bank-partner outage
                fail_rate = 0.1 + 0.3 * rand()
            failed = int(payouts * fail_rate + rand())
            hours = exp(gauss(3.2 - 0.25 * h, 0.45))
            hours = 0.5 if hours < 0.5 else (400.0 if hours > 400.0 else hours)
            calls = int(exp(gauss(11.5, 1.4)) + 0.5)
            api_rate = exp(gauss(-4.6 - 0.5 * h, 0.6))
            logit = (-1.40 - 1.50 * _trend(vol, prev) + 20.0 * min(failed / payouts, 0.2)
                     + 0.012 * min(hours, 168.0))
            cells = ["%.2f" % vol, "%.2f" % prev, str(payouts), str(failed), "%.1f" % hours]
        if rand() < 0.003:  # integration not live yet
            calls = 0
        api_rate = 0.5 if api_rate > 0.5 else api_rate
        errors = int(calls * api_rate + rand()) if calls else 0
        if not inbound and calls:
            logit += 12.0 * min(errors / calls, 0.2)

        tickets = _poisson(rand, exp(0.8 - 0.45 * h))
        flags = _poisson(rand, 0.5)  # NULL signal: independent of h and of churn
        hold = rand() < 0.015
        s = 0.7 * h + gauss(0.0, 0.8)
        sentiment = "negative" if s < -0.7 else ("positive" if s > 0.5 else "neutral")
        logit += (-1.60 + 0.07 * min(tickets, 20) + 1.20 * hold
                  + (0.40 if s < -0.7 else (-0.30 if s > 0.5 else 0.0)))
        churned = "1" if rand() < 1.0 / (1.0 + exp(-logit)) else "0"

        for k in range(len(cells)):
            if mask() < mr:
                cells[k] = ""
        sent_s = "" if mask() < mr else sentiment
        if inbound:
            flow = (",".join(cells), ",".join(no_outbound))
        else:
            flow = (",".join(no_inbound), ",".join(cells))
        yield ",".join((
            "acc-%07d" % i, "inbound_funds" if inbound else "outbound_payments", flow[0],
            flow[1], str(calls), str(errors), str(tickets), str(flags),
            "true" if hold else "false", sent_s, churned,
        ))


CARDS = {
    "b2b": (B2B_FIELDS, B2B_OPTIONAL, _gen_b2b, "examples/b2b_saas.health"),
    "lifecycle": (LIFECYCLE_FIELDS, LIFECYCLE_OPTIONAL, _gen_lifecycle, "examples/lifecycle.health"),
    "fintech": (FINTECH_FIELDS, FINTECH_OPTIONAL, _gen_fintech, "examples/fintech_platform.health"),
}


def generate(card, rows, seed, missing_rate, as_of):
    """Yields the header line, then one line per account (no line endings)."""
    fields, _, gen, _ = CARDS[card]
    yield ",".join(fields + [OUTCOME])
    yield from gen(rows, seed, missing_rate, as_of)


def write(lines, out):
    chunk = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == 65536:
            chunk.append("")
            out.write("\n".join(chunk))
            chunk = []
    if chunk:
        chunk.append("")
        out.write("\n".join(chunk))


# ---------------------------------------------------------------------------------------
# --self-check


def _card_fields(path):
    """The field names of a .health file's `fields { ... }` block, in order."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"(#|//)[^\n]*", "", f.read())
    block = re.search(r"\bfields\s*\{(.*?)\}", text, re.S).group(1)
    return re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*:", block)


def _num(s):
    return float(s) if s else None


def _rate(rows, pick):
    """Churn rate among rows where pick(row) is true, and how many there were."""
    sel = [r["churned"] for r in rows if pick(r)]
    return (sum(1 for c in sel if c == "1") / len(sel) if sel else float("nan")), len(sel)


def _ratio(a, b):
    a, b = _num(a), _num(b)
    return None if a is None or not b else a / b


def _trend_obs(now, before):
    now, before = _num(now), _num(before)
    return None if now is None or not before else now / before - 1.0


def _days_since(d, as_of):
    return None if not d else (as_of - datetime.date.fromisoformat(d)).days


def _lt(value, x):
    """Rows whose value (None where missing) is below x."""
    return lambda r: (lambda v: v is not None and v < x)(value(r))


def _ge(value, x):
    """Rows whose value (None where missing) is at least x."""
    return lambda r: (lambda v: v is not None and v >= x)(value(r))


# Each check: (what, "worse" rows, "better" rows); the worse rows must churn more.
# A NULL check adds a fourth item, None: the two churn rates must be close.
def _checks(card, as_of):
    if card == "b2b":
        adopt = lambda r: _ratio(r["active_users"], r["seats"])
        trend = lambda r: _trend_obs(r["logins_30d"], r["logins_prev_30d"])
        nps = lambda r: _num(r["nps"])
        p1 = lambda r: _num(r["p1_open"])
        return [
            ("adoption < 30% vs >= 60%", _lt(adopt, 0.3), _ge(adopt, 0.6)),
            ("login trend < -20% vs >= +10%", _lt(trend, -0.2), _ge(trend, 0.1)),
            ("p1_open >= 2 vs 0", _ge(p1, 2), _lt(p1, 1)),
            ("nps < 0 vs >= 50", _lt(nps, 0), _ge(nps, 50)),
            ("tier smb vs enterprise", lambda r: r["tier"] == "smb",
             lambda r: r["tier"] == "enterprise"),
            ("NULL csm_pulse red vs green", lambda r: r["csm_pulse"] == "red",
             lambda r: r["csm_pulse"] == "green", None),
        ]
    if card == "lifecycle":
        adopt = lambda r: _ratio(r["weekly_active_users"], r["licensed_users"])
        trend = lambda r: _trend_obs(r["logins_30d"], r["logins_prev_30d"])
        tickets = lambda r: _num(r["support_tickets_30d"])
        csat = lambda r: _num(r["csat"])
        features = lambda r: _num(r["features_adopted"])
        # Among mature accounts only: a young account's last QBR cannot predate go-live.
        qbr = lambda r: _days_since(r["last_qbr_date"], as_of) if int(r["days_live"]) >= 365 else None
        return [
            ("adoption < 30% vs >= 60%", _lt(adopt, 0.3), _ge(adopt, 0.6)),
            ("login trend < -20% vs >= +10%", _lt(trend, -0.2), _ge(trend, 0.1)),
            ("support tickets >= 6 vs < 2", _ge(tickets, 6), _lt(tickets, 2)),
            ("csat < 3 vs >= 4.3", _lt(csat, 3.0), _ge(csat, 4.3)),
            ("no exec sponsor vs sponsor", lambda r: r["exec_sponsor"] == "false",
             lambda r: r["exec_sponsor"] == "true"),
            ("features < 4 vs >= 7", _lt(features, 4), _ge(features, 7)),
            ("NULL last QBR >= 180 vs < 90 days ago (mature accounts)", _ge(qbr, 180),
             _lt(qbr, 90), None),
        ]
    dep_trend = lambda r: _trend_obs(r["deposit_volume_30d"], r["deposit_volume_prev_30d"])
    pay_trend = lambda r: _trend_obs(r["payment_volume_30d"], r["payment_volume_prev_30d"])
    funded = lambda r: _ratio(r["funded_accounts"], r["opened_accounts"])
    dep_fail = lambda r: _ratio(r["failed_deposits_30d"], r["deposits_30d"])
    pay_fail = lambda r: _ratio(r["failed_payouts_30d"], r["payouts_30d"])
    hours = lambda r: _num(r["settlement_hours_p50"])
    api = lambda r: (_ratio(r["api_errors_30d"], r["api_calls_30d"])
                     if r["account_type"] == "outbound_payments" else None)
    tickets = lambda r: _num(r["support_tickets_30d"])
    flags = lambda r: _num(r["compliance_flags_90d"])
    return [
        ("deposit trend < -20% vs >= +10%", _lt(dep_trend, -0.2), _ge(dep_trend, 0.1)),
        ("funded ratio < 35% vs >= 60%", _lt(funded, 0.35), _ge(funded, 0.6)),
        ("failed deposits >= 4% vs < 1.5%", _ge(dep_fail, 0.04), _lt(dep_fail, 0.015)),
        ("payment trend < -20% vs >= +10%", _lt(pay_trend, -0.2), _ge(pay_trend, 0.1)),
        ("payout failures >= 3% vs < 1%", _ge(pay_fail, 0.03), _lt(pay_fail, 0.01)),
        ("settlement >= 48h vs < 24h", _ge(hours, 48), _lt(hours, 24)),
        ("API errors >= 2% vs < 0.5% (outbound)", _ge(api, 0.02), _lt(api, 0.005)),
        ("support tickets >= 5 vs < 2", _ge(tickets, 5), _lt(tickets, 2)),
        ("compliance hold vs none", lambda r: r["compliance_hold"] == "true",
         lambda r: r["compliance_hold"] == "false"),
        ("sentiment negative vs positive", lambda r: r["csm_sentiment"] == "negative",
         lambda r: r["csm_sentiment"] == "positive"),
        ("NULL compliance flags >= 2 vs 0", _ge(flags, 2), _lt(flags, 1), None),
    ]


def self_check(as_of, rows=20000, seed=7, missing_rate=0.05):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    failures = []

    def check(ok, what):
        print("  %s %s" % ("ok  " if ok else "FAIL", what))
        if not ok:
            failures.append(what)

    for card, (fields, optional, _, card_path) in CARDS.items():
        print("%s (%d rows, seed %d, missing rate %.2f)" % (card, rows, seed, missing_rate))
        lines = list(generate(card, rows, seed, missing_rate, as_of))
        again = list(generate(card, rows, seed, missing_rate, as_of))
        check(lines == again, "deterministic: two runs are identical")
        other = list(generate(card, rows, seed + 1, missing_rate, as_of))
        check(lines != other, "another seed gives other rows")

        path = os.path.join(here, card_path)
        if os.path.exists(path):
            check(_card_fields(path) == fields, "header follows the field order of " + card_path)
        header = lines[0].split(",")
        check(header == fields + [OUTCOME], "header is the fields then `%s`" % OUTCOME)
        recs = [dict(zip(header, line.split(","))) for line in lines[1:]]
        check(all(len(r) == len(header) for r in recs), "every row has %d cells" % len(header))

        required = [f for f in fields if f not in optional]
        check(all(r[f] != "" for r in recs for f in required), "required cells are never empty")
        if card == "fintech":
            own = lambda r: FINTECH_INBOUND if r["account_type"] == "inbound_funds" else FINTECH_OUTBOUND
            theirs = lambda r: FINTECH_OUTBOUND if r["account_type"] == "inbound_funds" else FINTECH_INBOUND
            check(all(r[f] == "" for r in recs for f in theirs(r)),
                  "the other account type's fields are empty")
            cells = [r[f] for r in recs for f in own(r) + ["csm_sentiment"]]
        else:
            cells = [r[f] for r in recs for f in optional]
        rate = sum(1 for c in cells if c == "") / len(cells)
        check(abs(rate - missing_rate) < 0.01,
              "missing rate %.4f close to %.2f (over %d optional cells)" % (rate, missing_rate, len(cells)))

        churn = sum(1 for r in recs if r["churned"] == "1") / len(recs)
        check(0.05 <= churn <= 0.40, "churn rate %.3f in [0.05, 0.40]" % churn)

        for c in _checks(card, as_of):
            worse, nw = _rate(recs, c[1])
            better, nb = _rate(recs, c[2])
            if len(c) == 4:
                check(nw >= 200 and nb >= 200 and abs(worse - better) < 0.03,
                      "%s: %.3f (n=%d) ~ %.3f (n=%d), no effect" % (c[0], worse, nw, better, nb))
            else:
                check(nw >= 100 and nb >= 100 and worse > better,
                      "%s: churn %.3f (n=%d) > %.3f (n=%d)" % (c[0], worse, nw, better, nb))

    if failures:
        print("self-check FAILED: %d check(s)" % len(failures))
        return 1
    print("self-check passed")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--card", choices=sorted(CARDS))
    p.add_argument("--rows", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--missing-rate", type=float, default=0.05,
                   help="chance that an optional cell is empty (default 0.05)")
    p.add_argument("--as-of", default="2026-11-01",
                   help="the date the data describes, YYYY-MM-DD (default 2026-11-01)")
    p.add_argument("-o", "--output", help="CSV file to write (default: standard output)")
    p.add_argument("--self-check", action="store_true",
                   help="generate 20,000 rows per card in memory and check them")
    args = p.parse_args(argv)

    try:
        as_of = datetime.date.fromisoformat(args.as_of)
    except ValueError:
        p.error("--as-of must be YYYY-MM-DD, got %r" % args.as_of)
    if not 0.0 <= args.missing_rate <= 1.0:
        p.error("--missing-rate must be between 0 and 1")
    if args.self_check:
        return self_check(as_of)
    if args.card is None or args.rows is None or args.seed is None:
        p.error("--card, --rows and --seed are required (or --self-check)")
    if args.rows < 0:
        p.error("--rows must not be negative")

    lines = generate(args.card, args.rows, args.seed, args.missing_rate, as_of)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            write(lines, out)
    else:
        write(lines, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
