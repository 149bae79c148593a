#!/usr/bin/env python3
"""A version-1 store written by the build before roll-ups were stored
(tests/history/fixtures/v1_store.db, made by fixtures/make_v1_store.sh) and a version-2 store
written by the build before result was keyed by one rowid (v2_store.db, make_v2_store.sh) are
read as they are by the read-only commands (no prior write) and migrated to this build's schema
by a read-write open; both times their snapshots read the same: `healthc history`, `changes`
and `alerts` print what the older build printed (fixtures/v<N>_*.expected), and the BI views
(docs/store.md) have the same columns and rows after the migration as before.

    python3 tests/history/migration_check.py --healthc build/release/compiler/healthc
"""
import argparse
import difflib
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "history" / "fixtures"
TITLE = "B2B SaaS health v2"
SCHEMA_VERSION = 3
VIEWS = ("snapshots", "account_scores", "measure_scores", "alerts")

PROBE_CARD = """scorecard "Migration probe"
fields {
  id : text key
  x  : number
}
bands {
  low  from 0  color red
  high from 50 color green
}
measure m { value = x  score = clamp(value, 0, 100) }
model default { m 1 }
"""

READS = {
    "history": ["history", "--scorecard", TITLE, "--account", "acct-0001"],
    "changes": ["changes", "--scorecard", TITLE, "--format", "csv"],
    "changes_text": ["changes", "--scorecard", TITLE, "--from", "2026-10-05", "--to", "2026-10-19"],
    "alerts": ["alerts", "--scorecard", TITLE, "--as-of", "2026-10-19", "--format", "csv"],
}

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def compare_reads(healthc, store, v, when):
    for name, args in READS.items():
        r = subprocess.run([healthc, args[0], "--store", str(store)] + args[1:], capture_output=True, text=True)
        want = (FIX / f"v{v}_{name}.expected").read_text()
        check(r.returncode == 0, f"v{v} {name} {when}: exit {r.returncode}, {r.stderr.strip()}")
        if r.stdout != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), r.stdout.splitlines(True),
                                                f"version-{v} build", "this build"))
            check(False, f"v{v} {name} {when} differs from the version-{v} build:\n{diff[:4000]}")


def views(store):
    """Each BI view's column names and its rows of TITLE, in a fixed order (read-only)."""
    out = {}
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        for view in VIEWS:
            cur = db.execute(f"SELECT * FROM {view} WHERE title = ?", (TITLE,))
            out[view] = ([d[0] for d in cur.description], sorted(map(repr, cur.fetchall())))
    return out


def check_version(healthc, tmp, v):
    store = tmp / f"v{v}.db"
    shutil.copy(FIX / f"v{v}_store.db", store)
    with sqlite3.connect(store) as db:
        check(db.execute("PRAGMA user_version").fetchone()[0] == v, f"the fixture is not a version-{v} store")

    # Read-only opens read the older store as it is (without a prior write), print what the
    # older build printed, and leave the file untouched; a version-1 store has no roll-ups.
    before = store.read_bytes()
    views_before = views(store)
    check(all(rows for _, rows in views_before.values()), f"v{v}: a BI view of the fixture is empty")
    compare_reads(healthc, store, v, "before migration")
    rollup = [healthc, "rollup", "--store", str(store), "--scorecard", TITLE, "region" if v == 1 else "tiers"]
    r = subprocess.run(rollup, capture_output=True, text=True)
    if v == 1:
        check(r.returncode == 1 and "has no roll-ups" in r.stderr and r.stdout == "",
              f"rollup on the version-1 store: exit {r.returncode}, {r.stderr.strip()}")
    else:
        check(r.returncode == 0 and r.stdout, f"rollup on the version-{v} store: exit {r.returncode}, {r.stderr.strip()}")
    rollup_before = r.stdout
    check(store.read_bytes() == before, f"a read-only reader changed the version-{v} store")

    # A run of another card sharing the store opens it read-write: the migration.
    (tmp / "probe.health").write_text(PROBE_CARD)
    (tmp / "probe.csv").write_text("id,x\na,10\nb,90\n")
    r = subprocess.run([healthc, "score", str(tmp / "probe.health"), str(tmp / "probe.csv"), "--store", str(store),
                        "--as-of", "2026-10-19", "-q", "-o", "/dev/null"], capture_output=True, text=True)
    check(r.returncode == 0, f"score --store on the version-{v} store: exit {r.returncode}, {r.stderr.strip()}")
    with sqlite3.connect(store) as db:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        check(version == SCHEMA_VERSION, f"v{v}: after a read-write open the store has version {version}")
        meta = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        check(meta == str(version), f"meta schema_version {meta}, user_version {version}")
        for view in ("rollup_groups", "rollup_bands", "rollup_measures"):
            n = db.execute(f"SELECT count(*) FROM {view} WHERE title = ?", (TITLE,)).fetchone()[0]
            check((n == 0) == (v == 1), f"v{v}: {view} has {n} rows")
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")

    compare_reads(healthc, store, v, "after migration")
    for view, (cols, rows) in views(store).items():
        check(cols == views_before[view][0], f"v{v}: view {view}'s columns changed: {views_before[view][0]} -> {cols}")
        check(rows == views_before[view][1], f"v{v}: view {view}'s rows changed by the migration")
    r = subprocess.run(rollup, capture_output=True, text=True)
    if v > 1:
        check(r.stdout == rollup_before, f"v{v}: rollup prints otherwise after the migration")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    healthc = ap.parse_args().healthc
    with tempfile.TemporaryDirectory() as tmp:
        for v in (1, 2):
            check_version(healthc, pathlib.Path(tmp), v)

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"version-1 and version-2 stores read as they are, then migrated to version {SCHEMA_VERSION}; {len(READS)} "
          f"reader outputs as the older builds printed them, both times; {len(VIEWS)} views the same")
    return 0


if __name__ == "__main__":
    sys.exit(main())
