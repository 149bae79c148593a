#!/usr/bin/env python3
"""`healthc fmt` over every card in the repository, through the CLI (issue 16 item 3).

(a) `fmt --check` passes on every card that parses (the broken cards of the check corpus are
    reported by fmt as not parsing and left out);
(b) fmt is idempotent: the cards rewritten with `-w` in a scratch copy pass `--check`, and a
    second `-w` leaves every file untouched (same inode: nothing was rewritten);
(c) fmt never changes what a card computes: each example scored on its sample data, and with
    `--explain`, before and after formatting, byte for byte, and their `compile --emit ir`
    (tests/unit/format/repository_cards_test.cpp compares the IR of every card in-process, and
    the diagnostics of the cards that do not compile);
(d) `fmt -` reads stdin and prints what `fmt FILE` prints.
"""
import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile

NOT_PARSING = ": not formatted: the card does not parse"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, encoding="utf-8", errors="replace", timeout=300, **kw)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    root = pathlib.Path(a.root).resolve()
    hc = str(pathlib.Path(a.healthc).resolve())
    cards = sorted(str(p.relative_to(root)) for d in ("examples", "tests") for p in (root / d).rglob("*.health"))
    failures = []

    # (a) one --check over everything; the cards that do not parse say so on stderr.
    r = run([hc, "fmt", "--check", *cards], cwd=root)
    broken = {line[: -len(NOT_PARSING)] for line in r.stderr.splitlines() if line.endswith(NOT_PARSING)}
    parsing = [c for c in cards if c not in broken]
    if len(parsing) < len(cards) // 2:
        failures.append(f"only {len(parsing)} of {len(cards)} cards parse")
    diffs = [line[6:] for line in r.stdout.splitlines() if line.startswith("+++ b/")]
    for d in diffs:
        failures.append(f"not formatted (run `healthc fmt -w {d}`)")
    if r.returncode != (1 if broken or diffs else 0):
        failures.append(f"fmt --check exited {r.returncode}")

    with tempfile.TemporaryDirectory() as tmp:
        scratch = pathlib.Path(tmp)
        for c in parsing:
            (scratch / c).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / c, scratch / c)
        # (b) idempotence through the CLI.
        r = run([hc, "fmt", "-w", *parsing], cwd=scratch)
        if r.returncode != 0:
            failures.append(f"fmt -w exited {r.returncode}: {r.stderr[:2000]}")
        r = run([hc, "fmt", "--check", *parsing], cwd=scratch)
        if r.returncode != 0:
            failures.append("not idempotent:\n" + r.stdout[:4000])
        inodes = {c: (scratch / c).stat().st_ino for c in parsing}
        run([hc, "fmt", "-w", *parsing], cwd=scratch)
        moved = [c for c in parsing if (scratch / c).stat().st_ino != inodes[c]]
        if moved:
            failures.append(f"fmt -w rewrote already formatted files: {moved[:5]}")

        # (c) the same scores on the example data, the same IR for every card that compiles.
        for card in sorted((root / "examples").glob("*.health")):
            data = root / "examples" / "data" / f"{card.stem}_sample.csv"
            if not data.exists():  # the v2 card reads the dated series' columns
                data = sorted((root / "examples" / "series" / "b2b").glob("*.csv"))[-1]
            for extra in ([], ["--explain"]):
                cmd = ["score", "--as-of", "2026-11-01", *extra]
                before = run([hc, *cmd, str(card), str(data)])
                after = run([hc, *cmd, str(scratch / "examples" / card.name), str(data)])
                if before.returncode != after.returncode or before.stdout != after.stdout or not before.stdout:
                    failures.append(f"{card.name}: scores differ after formatting ({' '.join(extra) or 'plain'})")
        # The IR through the CLI for the examples (the unit test compares every card in-process).
        for card in sorted((root / "examples").glob("*.health")):
            rel = str(card.relative_to(root))
            before = run([hc, "compile", rel, "--emit", "ir"], cwd=root)
            after = run([hc, "compile", rel, "--emit", "ir"], cwd=scratch)
            if before.returncode != 0 or after.stdout != before.stdout:
                failures.append(f"{rel}: the IR differs after formatting")

    # (d) stdin.
    card = root / "examples" / "b2b_saas.health"
    from_file = run([hc, "fmt", str(card)])
    from_stdin = run([hc, "fmt", "-"], input=card.read_text())
    if from_file.returncode != 0 or from_stdin.stdout != from_file.stdout:
        failures.append("fmt - does not print what fmt FILE prints")

    for f in failures:
        print("FAIL:", f)
    print(f"{len(cards)} cards, {len(parsing)} parse, {len(broken)} do not (left out); {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
