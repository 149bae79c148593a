#!/usr/bin/env python3
"""healthc.dask.score on a distributed LocalCluster (two worker processes): every row and column
identical to `healthc score` on the same generated accounts, for a compiled card and for an
ahead-of-time artefact, each compiled or loaded at most once per worker. Prints the times.
    dask_check.py --healthc BIN --root SRC [--rows N]   (ctest: 100,000 rows; the issue: 1,000,000)"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster

import healthc
import healthc.dask

AS_OF = "2026-11-01"
HEAD = ("segment", "score", "band", "color", "label", "override", "reasons")


def cells(col):
    return ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v) for v in col.astype(object)]


def compare(got, want, key, what):
    bad = 0
    if len(got) != len(want):
        print(f"FAIL: {what}: {len(got)} rows, healthc score gave {len(want)}")
        return 1
    if got["rejected"].notna().any():
        print(f"FAIL: {what}: rows rejected: {got['rejected'].dropna().head().tolist()}")
        bad += 1
    for c in (key, *HEAD):
        g, w = cells(got[c]), list(want[c])
        diff = [i for i in range(len(w)) if g[i] != w[i]]
        if diff:
            print(f"FAIL: {what}: column {c} differs on {len(diff)} rows, first {diff[0]}: {g[diff[0]]!r} vs {w[diff[0]]!r}")
            bad += 1
    if not bad:
        print(f"{what}: {len(want)} rows identical to healthc score in {len(HEAD) + 1} columns")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="healthc-dask-")
    card_path = os.path.join(args.root, "examples", "b2b_saas.health")
    data = os.path.join(tmp, "accounts.csv")
    subprocess.run([sys.executable, os.path.join(args.root, "scripts", "gen_accounts.py"), "--card", "b2b", "--rows",
                    str(args.rows), "--seed", "3", "-o", data], check=True)
    out = os.path.join(tmp, "cli.csv")
    t = time.perf_counter()
    subprocess.run([args.healthc, "score", card_path, data, "--as-of", AS_OF, "-o", out], check=True,
                   stderr=subprocess.DEVNULL)
    cli_s = time.perf_counter() - t
    want = pd.read_csv(out, dtype=str, keep_default_na=False)
    so = os.path.join(tmp, "b2b.so")
    subprocess.run([args.healthc, "compile", card_path, "--emit", "shared", "-o", so], check=True)

    status = 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      local_directory=tmp) as cluster, Client(cluster) as client:
        # Partitions of about 10,000 rows: several per worker, as on a real cluster.
        blocksize = max(1 << 16, os.path.getsize(data) // max(1, args.rows // 10_000))
        for what, card in (("compiled card", healthc.Scorecard.load(card_path)),
                           ("artefact", healthc.Scorecard.load(so))):
            ddf = dd.read_csv(data, blocksize=blocksize, assume_missing=True)
            t = time.perf_counter()
            got = healthc.dask.score(ddf, card, as_of=AS_OF).compute()
            dask_s = time.perf_counter() - t
            print(f"{what}: {ddf.npartitions} partitions on 2 worker processes: {dask_s:.2f} s "
                  f"(read_csv included; healthc score on the CSV: {cli_s:.2f} s)")
            status |= compare(got.reset_index(drop=True), want, card.key_field, what)
        made = client.run(lambda: dict(__import__("healthc").scorecard.made_here))
        print(f"cards made per worker: {made}")
        for worker, counts in made.items():
            if counts["compiled"] > 1 or counts["loaded"] > 1:
                print(f"FAIL: {worker} made the card more than once: {counts}")
                status = 1
        if sum(c["compiled"] for c in made.values()) < 1 or sum(c["loaded"] for c in made.values()) < 1:
            print("FAIL: no worker made the card: the partitions did not run on the workers")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
