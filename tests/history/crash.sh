#!/usr/bin/env bash
# Crash safety of the history store (issue 14): `healthc score --store` and `healthc backfill`
# killed with SIGKILL at random points (seeded) never corrupt the store or leave half a
# snapshot: after each kill, PRAGMA integrity_check is ok and every snapshot is the old one
# whole or the new one whole. A read-only store and a full one (SQLite's max_page_count,
# through HEALTHC_TEST_STORE_MAX_PAGES) are a clear error, exit code 1, the store unchanged.
# usage: crash.sh HEALTHC SOURCE_DIR [SEED]
set -euo pipefail
HEALTHC=$(realpath "$1")
SRC=$(realpath "$2")
SEED=${3:-14}
WORK=$(mktemp -d)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
exec python3 - "$HEALTHC" "$SRC" "$SEED" "$WORK" <<'PY'
import hashlib, os, random, shutil, signal, sqlite3, subprocess, sys, time

healthc, src, seed, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rng = random.Random(seed)
# The example card has roll-ups: a snapshot's are written at its commit, and a kill must never
# leave a snapshot without them or roll-ups without their snapshot.
card = os.path.join(src, "examples", "b2b_saas_v2.health")
with open(card) as f:
    ROLLUPS_A_SNAPSHOT = sum(1 for line in f if line.startswith("rollup "))
if ROLLUPS_A_SNAPSHOT == 0:
    sys.exit("examples/b2b_saas_v2.health has no roll-up: this test would not cover them")
env = dict(os.environ, HEALTHC_NO_PROGRESS="1")
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)

HEADER = ("account_id,tier,days_live,active_users,seats,p1_open,nps,csm_pulse,logins_30d,logins_prev_30d,"
          "renewal_date,csm_pulse_date")

def write_day(path, day, rows, salt):
    # Drifting accounts, some churned (missing) and some new, CSM dates going stale.
    r = random.Random(seed * 1000 + day * 7 + salt)
    lines = [HEADER]
    for i in range(rows):
        if r.random() < 0.03:
            continue
        seats = r.randint(5, 500)
        pulse_day = 20300 + r.randint(0, 120) + day
        y, m, d = time.gmtime(pulse_day * 86400)[:3]
        lines.append(",".join(map(str, [
            f"acc{i:06d}", r.choice(["enterprise", "mid_market", "smb"]), r.randint(1, 900),
            r.randint(0, seats), seats, r.randint(0, 6), r.choice(["", str(r.randint(-100, 100))]),
            r.choice(["", "red", "yellow", "green"]), r.randint(0, 3000), r.choice(["", str(r.randint(1, 3000))]),
            "", r.choice(["", f"{y:04d}-{m:02d}-{d:02d}"])])))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")

def fingerprints(db):
    """title|as_of -> hash of the snapshot's content (by name, independent of ids and times)."""
    # Read a copy of the files a killed writer left, never the store itself: a writer killed
    # while it switched a new store to WAL leaves a hot rollback journal, which a read-only
    # connection cannot roll back ("attempt to write a readonly database"), and reading the
    # original would recover its WAL in place. The copy, opened read-write in a private
    # directory, is rolled back or recovered as the next writer would see it (a half snapshot
    # is still a half snapshot: uncommitted frames and journals are dropped, never applied).
    # No process writes while this runs, so the copy is consistent.
    copy_dir = os.path.join(work, "fp")
    shutil.rmtree(copy_dir, ignore_errors=True)
    os.mkdir(copy_dir)
    copy = os.path.join(copy_dir, "s.db")
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(db + suffix):
            shutil.copy(db + suffix, copy + suffix)
    con = sqlite3.connect(copy)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    out = {}
    # A run killed before its schema committed leaves an empty database: no snapshot, as before.
    if not con.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'snapshots'").fetchone()[0]:
        con.close()
        return ok, out
    has_rollups = con.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'rollup_groups'").fetchone()[0] > 0
    for sid, title, as_of, read, scored, rejected, params in con.execute(
            "SELECT snapshot_id, title, as_of, rows_read, rows_scored, rows_rejected, params FROM snapshots"):
        h = hashlib.sha256(repr((read, scored, rejected, params)).encode())
        for row in con.execute("SELECT account, row, segment, weighted, score, band, label, override FROM "
                               "account_scores WHERE snapshot_id = ? ORDER BY row", (sid,)):
            h.update(repr(row).encode())
        for row in con.execute("SELECT r.alerts_active, r.alerts_fired, r.stale FROM result r WHERE r.id >> 32 = ? "
                               "ORDER BY row", (sid,)):
            h.update(repr(row).encode())
        for row in con.execute("SELECT account, measure, value, score, weight FROM measure_scores "
                               "WHERE snapshot_id = ? ORDER BY account, measure", (sid,)):
            h.update(repr(row).encode())
        # The roll-ups recorded with the snapshot (schema version 2): part of it, whole or not at all.
        if has_rollups:
            n = con.execute("SELECT count(*) FROM rollup WHERE snapshot_id = ?", (sid,)).fetchone()[0]
            if n != ROLLUPS_A_SNAPSHOT:
                ok = f"snapshot {title}|{as_of} has {n} roll-ups, not {ROLLUPS_A_SNAPSHOT}"
            for view, order in (("rollup_groups", "rollup, group_idx"), ("rollup_bands", "rollup, group_idx, band"),
                                ("rollup_measures", "rollup, group_idx, measure")):
                for row in con.execute(f"SELECT * FROM {view} WHERE snapshot_id = ? ORDER BY {order}", (sid,)):
                    h.update(repr(row[2:-1]).encode())  # without title, as_of (in the key) and the snapshot id
        out[f"{title}|{as_of}"] = h.hexdigest()
    if has_rollups:
        orphans = con.execute("SELECT count(*) FROM rollup WHERE snapshot_id NOT IN (SELECT id FROM snapshot)").fetchone()[0]
        orphans += con.execute("SELECT count(*) FROM rollup_group WHERE rollup_id NOT IN (SELECT id FROM rollup)").fetchone()[0]
        if orphans:
            ok = f"{orphans} roll-up rows of no snapshot"
    con.close()
    return ok, out

def run(args, **kw):
    return subprocess.run([healthc] + args, env=kw.pop("env", env), capture_output=True, text=True, **kw)

def copy_store(a, b):
    # A closed store is one file (the last connection checkpoints and removes its WAL), but a
    # killed run's committed snapshot may still be in its WAL: that goes along.
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(b + suffix):
            os.remove(b + suffix)
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(a + suffix):
            shutil.copy(a + suffix, b + suffix)

def killed_run(args, max_delay):
    p = subprocess.Popen([healthc] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, max_delay))
    finished = p.poll() is not None
    if not finished:
        p.send_signal(signal.SIGKILL)
    p.wait()
    return finished

ROWS = 5000
days = {"2026-01-05": 0, "2026-01-12": 7, "2026-01-19": 14}
for name, day in days.items():
    write_day(os.path.join(work, f"{name}.csv"), day, ROWS, 0)
write_day(os.path.join(work, "2026-01-12-other.csv"), 7, ROWS, 1)

# --- score --store ----------------------------------------------------------------------
base = os.path.join(work, "base.db")
for name in ("2026-01-05", "2026-01-12"):
    r = run(["score", card, os.path.join(work, f"{name}.csv"), "--as-of", name, "--store", base, "-o", os.devnull, "-q"])
    check(r.returncode == 0, f"baseline run {name}: {r.stderr}")
ok, before = fingerprints(base)
check(ok == "ok", "baseline integrity")

# The two runs kills interrupt, one after the other: replacing 2026-01-12 with other data,
# then adding 2026-01-19 (whose fired alerts and changes read the replaced 2026-01-12).
KILLS = 10
victim = os.path.join(work, "victim.db")
copy_store(base, victim)
state = dict(before)
finished_runs = 0
for as_of, data in [("2026-01-12", "2026-01-12-other.csv"), ("2026-01-19", "2026-01-19.csv")]:
    args = ["score", card, os.path.join(work, data), "--as-of", as_of, "-o", os.devnull, "-q", "--store"]
    ref = os.path.join(work, "ref.db")
    copy_store(victim, ref)
    t = time.monotonic()
    r = run(args + [ref])
    duration = time.monotonic() - t
    check(r.returncode == 0, f"reference run {as_of}: {r.stderr}")
    key = f"B2B SaaS health v2|{as_of}"
    new = fingerprints(ref)[1][key]
    for k in range(KILLS):
        finished = killed_run(args + [victim], duration * 1.1)
        finished_runs += finished
        ok, now = fingerprints(victim)
        check(ok == "ok", f"kill {k} ({as_of}): integrity_check says {ok}")
        check(now.get(key) in (state.get(key), new), f"kill {k} ({as_of}): the snapshot is neither the old one nor the new one")
        for other, fp in state.items():
            if other != key:
                check(now.get(other) == fp, f"kill {k} ({as_of}): snapshot {other} changed")
        if now.get(key) == new:
            state[key] = new
    r = run(args + [victim])
    check(r.returncode == 0, f"completing {as_of}: {r.stderr}")
    ok, state = fingerprints(victim)
    check(state.get(key) == new, f"completing {as_of}: not the reference snapshot")
print(f"score --store: {2 * KILLS} SIGKILLs ({finished_runs} runs had finished), store whole after each")

# --- backfill -----------------------------------------------------------------------------
series = os.path.join(work, "series")
os.mkdir(series)
for name in days:
    shutil.copy(os.path.join(work, f"{name}.csv"), series)
ref = os.path.join(work, "backfill_ref.db")
t = time.monotonic()
r = run(["backfill", card, series, "--store", ref, "-q"])
bf_time = time.monotonic() - t
check(r.returncode == 0, f"reference backfill: {r.stderr}")
ok, full = fingerprints(ref)
check(len(full) == 3, "the reference backfill has three snapshots")
order = sorted(full)
BF_KILLS = 12
for k in range(BF_KILLS):
    victim = os.path.join(work, "bf.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(victim + suffix):
            os.remove(victim + suffix)
    killed_run(["backfill", card, series, "--store", victim, "-q"], bf_time * 1.1)
    if not os.path.exists(victim):
        continue
    ok, now = fingerprints(victim)
    check(ok == "ok", f"backfill kill {k}: integrity_check says {ok}")
    # Oldest first: what is there is a prefix of the dates, each snapshot whole.
    check(sorted(now) == order[:len(now)], f"backfill kill {k}: the stored dates are not the oldest ones")
    for key, fp in now.items():
        check(fp == full[key], f"backfill kill {k}: snapshot {key} is not whole")
    # Running again completes the series, skipping what is there.
    r = run(["backfill", card, series, "--store", victim, "-q"])
    check(r.returncode == 0, f"backfill after kill {k}: {r.stderr}")
    check(fingerprints(victim)[1] == full, f"backfill after kill {k}: the series differs from the reference")
print(f"backfill: {BF_KILLS} SIGKILLs, every stored date whole and a prefix; a second backfill completes the series")

# --- killed while creating the store (deterministic, where strace can inject the signal) -----
# A new store is switched to WAL through a rollback journal: SIGKILL just before the journal is
# removed leaves it hot. The check still reads the store (as empty), and the next run completes.
if shutil.which("strace"):
    victim = os.path.join(work, "new.db")
    p = subprocess.run(["strace", "-f", "-o", os.devnull, "-e", "trace=unlink", "-e",
                        "inject=unlink:signal=SIGKILL:when=1", healthc, "backfill", card, series, "--store", victim,
                        "-q"], env=env, capture_output=True, text=True)
    check(p.returncode != 0, "the run under strace was killed")
    check(os.path.exists(victim + "-journal"), "a run killed while creating the store leaves its rollback journal")
    ok, now = fingerprints(victim)
    check(ok == "ok" and now == {}, f"a store killed while created reads as empty: {ok} {now}")
    r = run(["backfill", card, series, "--store", victim, "-q"])
    check(r.returncode == 0 and fingerprints(victim)[1] == full, f"backfill after a kill at creation: {r.stderr}")
    print("killed while creating the store: the hot journal is rolled back, a second backfill completes the series")

# --- a full store, a read-only store -------------------------------------------------------
full_db = os.path.join(work, "full.db")
copy_store(base, full_db)
con = sqlite3.connect(full_db)
pages = con.execute("PRAGMA page_count").fetchone()[0]
con.close()
_, want = fingerprints(full_db)
r = run(["score", card, os.path.join(work, "2026-01-19.csv"), "--as-of", "2026-01-19", "--store", full_db, "-o",
         os.devnull], env=dict(env, HEALTHC_TEST_STORE_MAX_PAGES=str(pages + 20)))
check(r.returncode == 1, f"a full store: exit {r.returncode}, want 1")
check("disk is full" in r.stderr, f"a full store: the message says `{r.stderr.strip()}`")
ok, now = fingerprints(full_db)
check(ok == "ok" and now == want, "a full store is unchanged")
r = run(["backfill", card, series, "--store", full_db, "--force", "-q"],
        env=dict(env, HEALTHC_TEST_STORE_MAX_PAGES=str(pages + 20)))
check(r.returncode == 1 and "disk is full" in r.stderr, f"backfill into a full store: exit {r.returncode}: {r.stderr}")
ok, now = fingerprints(full_db)
check(ok == "ok" and now == want, "a full store is unchanged by backfill")
print("a full store: exit 1, `" + r.stderr.strip().splitlines()[0] + "`, unchanged")

ro_dir = os.path.join(work, "ro")
os.mkdir(ro_dir)
ro_db = os.path.join(ro_dir, "h.db")
copy_store(base, ro_db)
_, want = fingerprints(ro_db)
os.chmod(ro_db, 0o444)
os.chmod(ro_dir, 0o555)
cmd = [healthc, "score", card, os.path.join(work, "2026-01-19.csv"), "--as-of", "2026-01-19", "--store", ro_db, "-o",
       os.devnull]
if os.geteuid() == 0:  # root writes through file modes: run as nobody, who may only read
    cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
r = subprocess.run(cmd, env=env, capture_output=True, text=True)
check(r.returncode == 1, f"a read-only store: exit {r.returncode}, want 1 ({r.stderr.strip()})")
check("read-only" in r.stderr or "cannot open" in r.stderr, f"a read-only store: the message says `{r.stderr.strip()}`")
os.chmod(ro_dir, 0o755)
os.chmod(ro_db, 0o644)
ok, now = fingerprints(ro_db)
check(ok == "ok" and now == want, "a read-only store is unchanged")
print("a read-only store: exit 1, `" + r.stderr.strip().splitlines()[0] + "`, unchanged")

if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("crash safety: every check passed")
PY
