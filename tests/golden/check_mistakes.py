#!/usr/bin/env python3
"""The single-mistake corpus (tests/golden/check/mistake_*.health, issue 16): each card is a
correct card with one realistic mistake, and must give exactly one error, at the place its
`# EXPECT: LINE:COL CODE [HINT]` line names, with HINT (a suggestion or the fix-it's text) in
the message, a note or a fix-it. One typo, one error: a cascade fails the test.

    python3 tests/golden/check_mistakes.py --healthc build/release/compiler/healthc
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/golden/check"
MIN_CARDS = 40


def check_card(healthc: str, card: pathlib.Path) -> list:
    text = card.read_text()
    m = re.search(r"^# EXPECT: (\d+):(\d+) (E\d{4})(?: (.*))?$", text, re.M)
    if not m:
        return ["no `# EXPECT: LINE:COL CODE [HINT]` line"]
    line, col, code, hint = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    p = subprocess.run([healthc, "check", "--format", "json", str(card.relative_to(ROOT))], cwd=ROOT,
                       capture_output=True, timeout=60)
    if p.returncode != 1:
        return [f"exit {p.returncode}, expected 1 (card errors); stderr: {p.stderr.decode(errors='replace')}"]
    diags = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    errors = [d for d in diags if d["severity"] == "error"]
    shown = "; ".join(f"{d['range']['line']}:{d['range']['column']} {d['code']} {d['message']}" for d in errors)
    if len(errors) != 1:
        return [f"{len(errors)} errors, expected exactly 1: {shown}"]
    d = errors[0]
    problems = []
    if (d["range"]["line"], d["range"]["column"], d["code"]) != (line, col, code):
        problems.append(f"got {shown}, expected {line}:{col} {code}")
    if hint:
        said = [d["message"]] + [n["message"] for n in d["notes"]] + [f["replacement"] for f in d.get("fixits", [])]
        if not any(hint in s for s in said):
            problems.append(f"`{hint}` is not in the message, a note or a fix-it: {said}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    a = ap.parse_args()
    cards = sorted(CORPUS.glob("mistake_*.health"))
    failed = 0
    for card in cards:
        for problem in check_card(a.healthc, card):
            print(f"FAIL {card.name}: {problem}")
            failed += 1
    if len(cards) < MIN_CARDS:
        print(f"FAIL the corpus has {len(cards)} cards, fewer than {MIN_CARDS}")
        failed += 1
    print(f"{len(cards)} single-mistake cards, {failed} problem{'s' if failed != 1 else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
