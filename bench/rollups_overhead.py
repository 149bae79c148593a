#!/usr/bin/env python3
"""Issue 15's roll-up target, measured: what two roll-ups add to `healthc score` on 1,000,000
B2B accounts (scripts/gen_accounts.py), in alternating runs so that a shared machine's load
falls on both sides alike. Pairs:

  default columns    the default output (its `reasons` column already needs the detail variant),
                     without and with --rollups: the cost of the roll-up sink's accumulation
  basic columns      --columns account_id,score,band (the basic variant) without, and with
                     --rollups (which makes the run score with detail): detail + accumulation

    python3 bench/rollups_overhead.py --healthc build/release/compiler/healthc [--runs 7] [--work DIR]
"""
import argparse
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROLLUPS = '\nrollup tiers "By tier" by tier weight seats\nrollup tier_pulse by tier, csm_pulse\n'


def timed(cmd):
    """Wall seconds and CPU seconds (user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", help="keeps the generated data here between runs")
    args = ap.parse_args()
    work = pathlib.Path(args.work or tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"b2b_{args.rows}.csv"
    if not data.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts/gen_accounts.py"), "--card", "b2b", "--rows",
                        str(args.rows), "--seed", "1", "-o", str(data)], check=True)
    card = work / "b2b_rollups.health"
    card.write_text((ROOT / "examples/b2b_saas.health").read_text() + ROLLUPS)
    base = [args.healthc, "score", str(card), str(data), "--as-of", "2026-11-01", "-q", "-o", "/dev/null",
            "--threads", str(args.threads)]
    rollups = ["--rollups", str(work / "rollups")]
    basic = ["--columns", "account_id,score,band"]
    pairs = {"default columns": (base, base + rollups), "basic columns": (base + basic, base + basic + rollups)}
    for cmd in [c for pair in pairs.values() for c in pair]:
        timed(cmd)  # warm the page cache and the compiled-code cache
    times = {name: ([], []) for name in pairs}
    for _ in range(args.runs):
        for name, (without, with_) in pairs.items():
            times[name][0].append(timed(without))
            times[name][1].append(timed(with_))
    print(f"{args.rows} accounts, {args.threads} threads, {args.runs} alternating runs each: median (min) wall "
          f"seconds, median CPU seconds")
    for name, (without, with_) in times.items():
        w0, w1 = (statistics.median(t[0] for t in x) for x in (without, with_))
        m0, m1 = (min(t[0] for t in x) for x in (without, with_))
        c0, c1 = (statistics.median(t[1] for t in x) for x in (without, with_))
        print(f"  {name:16} without {w0:.3f} ({m0:.3f}) cpu {c0:.3f}   with --rollups {w1:.3f} ({m1:.3f}) cpu {c1:.3f}"
              f"   ratio wall {w1 / w0:.3f} (min {m1 / m0:.3f}) cpu {c1 / c0:.3f}")


if __name__ == "__main__":
    main()
