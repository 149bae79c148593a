#!/usr/bin/env python3
"""A version-1 store written by the build before roll-ups were stored
(tests/history/fixtures/v1_store.db, made by fixtures/make_v1_store.sh) is read as it is by the
read-only commands (no prior write) and migrated to this build's schema by a read-write open;
both times its snapshots read the same: `healthc history`,
`changes` and `alerts` print what the version-1 build printed (fixtures/v1_*.expected).

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


def compare_reads(healthc, store, when):
    for name, args in READS.items():
        r = subprocess.run([healthc, args[0], "--store", str(store)] + args[1:], capture_output=True, text=True)
        want = (FIX / f"v1_{name}.expected").read_text()
        check(r.returncode == 0, f"{name} {when}: exit {r.returncode}, {r.stderr.strip()}")
        if r.stdout != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), r.stdout.splitlines(True),
                                                "version-1 build", "this build"))
            check(False, f"{name} {when} differs from the version-1 build:\n{diff[:4000]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    healthc = ap.parse_args().healthc
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        store = tmp / "h.db"
        shutil.copy(FIX / "v1_store.db", store)
        with sqlite3.connect(store) as db:
            check(db.execute("PRAGMA user_version").fetchone()[0] == 1, "the fixture is not a version-1 store")

        # Read-only opens read the version-1 store as it is (without a prior write), print what
        # the version-1 build printed, and leave the file untouched; it has no roll-ups to show.
        before = store.read_bytes()
        compare_reads(healthc, store, "before migration")
        r = subprocess.run([healthc, "rollup", "--store", str(store), "--scorecard", TITLE, "region"],
                           capture_output=True, text=True)
        check(r.returncode == 1 and "has no roll-ups" in r.stderr and r.stdout == "",
              f"rollup on the version-1 store: exit {r.returncode}, {r.stderr.strip()}")
        check(store.read_bytes() == before, "a read-only reader changed the version-1 store")

        # A run of another card sharing the store opens it read-write: the migration.
        (tmp / "probe.health").write_text(PROBE_CARD)
        (tmp / "probe.csv").write_text("id,x\na,10\nb,90\n")
        r = subprocess.run([healthc, "score", str(tmp / "probe.health"), str(tmp / "probe.csv"), "--store", str(store),
                            "--as-of", "2026-10-19", "-q", "-o", "/dev/null"], capture_output=True, text=True)
        check(r.returncode == 0, f"score --store on the version-1 store: exit {r.returncode}, {r.stderr.strip()}")
        with sqlite3.connect(store) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            check(version == 2, f"after a read-write open the store has version {version}")
            meta = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
            check(meta == str(version), f"meta schema_version {meta}, user_version {version}")
            for view in ("rollup_groups", "rollup_bands", "rollup_measures"):
                n = db.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
                check(n == 0, f"{view} has {n} rows for snapshots recorded before roll-ups")
            check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")

        compare_reads(healthc, store, "after migration")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"a version-1 store read as it is, then migrated to version 2; {len(READS)} reader outputs as the version-1 "
          "build printed them, both times")
    return 0


if __name__ == "__main__":
    sys.exit(main())
