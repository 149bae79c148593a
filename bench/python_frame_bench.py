#!/usr/bin/env python3
"""score_frame on N accounts against `healthc score` on the same CSV (issue 17's target: within
2x), runs alternated, medians printed. Not part of the tests (docs/python.md has the figures).
    PYTHONPATH=python HEALTHC_LIBRARY=build/release/compiler/libhealthc.so.0 /usr/bin/python3 \\
        bench/python_frame_bench.py --healthc build/release/compiler/healthc [--rows 1000000] [--runs 5]"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pandas as pd

import healthc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--card", default="b2b_saas")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    card_path = os.path.join(root, "examples", f"{args.card}.health")
    gen = {"b2b_saas": "b2b", "lifecycle": "lifecycle", "fintech_platform": "fintech"}[args.card]
    tmp = tempfile.mkdtemp(prefix="healthc-bench-")
    data = os.path.join(tmp, "accounts.csv")
    subprocess.run([sys.executable, os.path.join(root, "scripts", "gen_accounts.py"), "--card", gen, "--rows",
                    str(args.rows), "--seed", "1", "-o", data], check=True)
    card = healthc.Scorecard.load(card_path)
    frame = pd.read_csv(data)
    times = {"healthc score (CSV in, CSV out)": [], "score_frame (DataFrame in memory)": [],
             "read_csv + score_frame": []}
    for _ in range(args.runs):
        t = time.perf_counter()
        subprocess.run([args.healthc, "score", card_path, data, "--as-of", "2026-11-01", "-o",
                        os.path.join(tmp, "out.csv")], check=True, stderr=subprocess.DEVNULL)
        times["healthc score (CSV in, CSV out)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        card.score_frame(frame, as_of="2026-11-01")
        times["score_frame (DataFrame in memory)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        card.score_frame(pd.read_csv(data), as_of="2026-11-01")
        times["read_csv + score_frame"].append(time.perf_counter() - t)
    base = statistics.median(times["healthc score (CSV in, CSV out)"])
    print(f"{args.rows} rows of {args.card}, {args.runs} runs alternated, load average {os.getloadavg()[0]:.1f}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:36s} median {m:6.2f} s  ({m / base:.2f}x)  runs {' '.join(f'{x:.2f}' for x in ts)}")


if __name__ == "__main__":
    main()
