#!/usr/bin/env python3
"""What the history store adds to a run, for scripts/bench.sh (issue 14's target: writing the
snapshot of 1,000,000 B2B accounts adds at most 2 s to `healthc score`).

    python3 bench/store_write.py --healthc H --card C --data FILE --work DIR [--reps 5] [--threads 2]

The store starts with two dates (the second one is the steady state: every account known, the
weight sets stored); then each round runs `healthc score` without a store, with `--store` on a
new date, and with `--store` on that date again (the snapshot replaced), alternately, so a burst
of load hits all three alike. Prints the medians and ranges of wall and CPU time, the store's
growth per account, and the wall time the store adds (the medians' difference) against 2 s.
"""

import argparse
import datetime
import os
import shutil
import statistics
import sys

from run_e2e import run_timed  # (wall s, CPU s, peak MB) of one run under GNU time

TARGET_S = 2.0


def spread(values):
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--card", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True, help="a directory for the store (emptied)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    store = os.path.join(args.work, "history.db")
    with open(args.data, "rb") as f:
        accounts = sum(1 for _ in f) - 1
    base = [args.healthc, "score", args.card, args.data, "-q", "-o", "/dev/null", "--threads", str(args.threads)]
    day = datetime.date(2026, 1, 1)

    def with_store(d):
        return base + ["--store", store, "--as-of", d.isoformat()]

    for _ in range(2):
        run_timed(with_store(day))
        day += datetime.timedelta(days=1)
    times = {"none": [], "new": [], "replace": []}
    growth = []
    for i in range(args.reps):
        times["none"].append(run_timed(base))
        before = os.path.getsize(store)
        times["new"].append(run_timed(with_store(day)))
        growth.append((os.path.getsize(store) - before) / accounts)
        times["replace"].append(run_timed(with_store(day)))
        day += datetime.timedelta(days=1)
        print(f"  round {i + 1}/{args.reps}: " + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in times.items()),
              file=sys.stderr)

    names = {"none": "without a store", "new": "--store, a new date", "replace": "--store, that date replaced"}
    print(f"{accounts:,} accounts, {args.threads} threads, {args.reps} rounds (medians, ranges):")
    print(f"  {'run':30} {'wall':>22} {'CPU (user+sys)':>22}")
    for k, name in names.items():
        print(f"  {name:30} {spread([t[0] for t in times[k]]):>22} {spread([t[1] for t in times[k]]):>22}")
    added = statistics.median(t[0] for t in times["new"]) - statistics.median(t[0] for t in times["none"])
    verdict = ("met" if added <= TARGET_S else "NOT met") if accounts >= 1_000_000 else "the target is for 1,000,000"
    print(f"  the store adds {added:.2f} s of wall time to a new date's run (target at most {TARGET_S:.0f} s "
          f"at 1,000,000 accounts): {verdict}")
    print(f"  the file grows {statistics.median(growth):.1f} bytes an account a snapshot (target at most 120)")
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
