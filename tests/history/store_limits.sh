#!/usr/bin/env bash
# The store's limits and its write lock end to end (issue 14 review): a generated card of 600
# measures (more than one compound SELECT's 500 terms) is recorded and its measure_scores view
# reads every measure; a card past the result table's column limit is refused before scoring,
# naming the limit, the store unchanged; a run waits for another process's write lock
# (HEALTHC_STORE_WAIT) and, when the wait runs out, is a clear error, exit 1, nothing recorded.
# usage: store_limits.sh HEALTHC SOURCE_DIR
set -euo pipefail
HEALTHC=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
exec python3 - "$HEALTHC" "$SRC" "$WORK" <<'PY'
import os, sqlite3, subprocess, sys, threading, time

healthc, src, work = sys.argv[1:4]
env = dict(os.environ, HEALTHC_NO_PROGRESS="1")
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)

def gen(measures):
    card, data = os.path.join(work, f"c{measures}.health"), os.path.join(work, f"d{measures}.csv")
    subprocess.run([sys.executable, os.path.join(src, "scripts", "gen_large_card.py"), "--measures", str(measures),
                    "-o", card, "--data", data, "--rows", "20"], check=True)
    return card, data

def score(card, data, store, as_of="2026-01-05", extra_env=None):
    return subprocess.run([healthc, "score", card, data, "--as-of", as_of, "--store", store, "-o", os.devnull, "-q"],
                          env=dict(env, **(extra_env or {})), capture_output=True, text=True)

def count(store, sql):
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    n = con.execute(sql).fetchone()[0]
    con.close()
    return n

store = os.path.join(work, "h.db")
card, data = gen(600)
r = score(card, data, store)
check(r.returncode == 0, f"a 600-measure card: exit {r.returncode}: {r.stderr}")
check(count(store, "SELECT count(*) FROM measure_scores") == 20 * 600, "measure_scores reads all 600 measures")
check(count(store, "SELECT count(DISTINCT measure) FROM measure_scores") == 600, "600 distinct measures in the view")
print("a 600-measure card is recorded; measure_scores has every measure")

big, big_data = gen(1000)
r = score(big, big_data, store)
check(r.returncode == 1, f"a 1000-measure card: exit {r.returncode}, want 1")
check("at most 993" in r.stderr and "1000 measures" in r.stderr, f"the message names the limit: {r.stderr.strip()}")
check("rows read" not in r.stderr, "refused before scoring")
check(count(store, "SELECT count(*) FROM snapshot") == 1, "the refused card recorded nothing")
print("a 1000-measure card: exit 1, `" + r.stderr.strip() + "`")

# Another process holds the write lock (a BI tool's write, another card's nightly run).
lock = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
lock.execute("BEGIN IMMEDIATE")
t = time.monotonic()
r = score(card, data, store, "2026-01-12", {"HEALTHC_STORE_WAIT": "1"})
waited = time.monotonic() - t
check(r.returncode == 1, f"a run whose wait runs out: exit {r.returncode}, want 1 ({r.stderr.strip()})")
check("held its write lock for 1 s" in r.stderr, f"the timeout is said: {r.stderr.strip()}")
check(waited >= 1, f"it waited {waited:.2f} s")
check(count(store, "SELECT count(*) FROM snapshot") == 1, "a run whose wait ran out recorded nothing")
print("the lock held past HEALTHC_STORE_WAIT=1: exit 1, `" + r.stderr.strip() + "`")

# The lock is released after 2 s; a run with the default wait goes on and records.
threading.Timer(2.0, lambda: lock.execute("COMMIT")).start()
t = time.monotonic()
r = score(card, data, store, "2026-01-12")
waited = time.monotonic() - t
check(r.returncode == 0, f"a run that waits for the lock: exit {r.returncode}: {r.stderr}")
check(waited >= 1.5, f"it waited for the lock ({waited:.2f} s)")
check(count(store, "SELECT count(*) FROM snapshot") == 2, "the run that waited recorded its snapshot")
lock.close()
print(f"the lock released after 2 s: the run waited {waited:.1f} s and recorded")

r = score(card, data, store, "2026-01-19", {"HEALTHC_STORE_WAIT": "soon"})
check(r.returncode == 1 and "HEALTHC_STORE_WAIT" in r.stderr, f"a bad HEALTHC_STORE_WAIT: {r.stderr.strip()}")

if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("store limits and locking: every check passed")
PY
