#!/usr/bin/env python3
"""Golden tests: each case is an input file beside its expected output.

A case is any file in tests/golden/<dir>/ that is not `*.expected`, `RUN` or `*.args`.
Its command is the `RUN` file of its directory, or a first line `# RUN: ...` in the case;
`%healthc` is the binary, `%s` the case's path (relative to the repository root, which is
the working directory, so paths in the output are stable). The expected file holds the
exit code, then stdout, then stderr:

    exit: 1
    --- stdout
    ...
    --- stderr
    ...

Run with --update to rewrite every .expected from the current output (then read the diff).
"""
import argparse
import difflib
import os
import pathlib
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP_SUFFIXES = {".expected", ".args", ".md"}
DATA_SUFFIXES = {".csv", ".jsonl", ".txt", ".tsv"}


def command_for(case: pathlib.Path, healthc: str) -> list:
    run = None
    try:
        first = case.read_bytes().split(b"\n", 1)[0].decode("utf-8")
        m = re.match(r"^(#|//) RUN: (.*)$", first)
        if m:
            run = m.group(2)
    except UnicodeDecodeError:
        pass
    if run is None:
        run_file = case.parent / "RUN"
        run = run_file.read_text().strip() if run_file.exists() else "%healthc check %s"
    rel = str(case.relative_to(ROOT))
    words = []
    for w in shlex.split(run):
        w = w.replace("%healthc", healthc).replace("%s", rel).replace("%dir", str(case.parent.relative_to(ROOT)))
        words.append(w)
    return words


def run_case(case: pathlib.Path, healthc: str) -> str:
    cmd = command_for(case, healthc)
    env = dict(os.environ, NO_COLOR="1", HEALTHC_NO_PROGRESS="1", TZ="UTC")
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120, env=env)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    # Timings differ run to run; the summary line's time is normalised.
    err = re.sub(r"in [0-9.]+ ?(ms|s)\b", "in <time>", err)
    return f"exit: {p.returncode}\n--- stdout\n{out}--- stderr\n{err}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    healthc = str(pathlib.Path(a.healthc).resolve())
    base = ROOT / "tests" / "golden"
    dirs = [base / d for d in a.dirs] if a.dirs else sorted(p for p in base.iterdir() if p.is_dir())
    failed = 0
    total = 0
    for d in dirs:
        for case in sorted(d.iterdir()):
            if case.is_dir() or case.suffix in SKIP_SUFFIXES or case.name == "RUN" or case.name.startswith("."):
                continue
            if case.suffix in DATA_SUFFIXES:  # data files are inputs of cases, not cases
                continue
            total += 1
            actual = run_case(case, healthc)
            exp_path = case.with_suffix(case.suffix + ".expected")
            if a.update:
                exp_path.write_text(actual)
                continue
            expected = exp_path.read_text() if exp_path.exists() else "<no expected file>\n"
            if actual != expected:
                failed += 1
                print(f"FAIL {case.relative_to(ROOT)}")
                sys.stdout.writelines(difflib.unified_diff(
                    expected.splitlines(True), actual.splitlines(True), "expected", "actual"))
    if a.update:
        print(f"updated {total} golden files")
        return 0
    print(f"{total - failed} of {total} golden cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
