#!/usr/bin/env python3
"""Runs the examples of docs/diagnostic_explanations.md (as rustc tests its error-code docs).

Every code with an explanation has a card here that shows it, CODE.wrong.health, and mostly a
card with the mistake fixed, CODE.fixed.health. A card's first lines may say how to run it:

    # run: lint {card} --data W601.csv      (healthc's arguments; default `check {card}`)

(several `# run:` lines run in order in a scratch copy of this directory; the last one's output
is checked; `# other errors: WHY` lets the wrong card report other errors too). A note's N code
is in JSON output; in text, a note is known by its message.
The wrong card must report CODE, and an error code must be its only error; the
fixed card must report neither CODE nor any error. And the explanation must show what is
tested: each line of its indented example (a trailing `# wrong...` or `# fixed...` comment
taken off, lines with `...` or starting `$ ` skipped) must be a line of the wrong card, of the
fixed card, or of both (blanks compared as one space).

    check_examples.py --healthc PATH [CODE...]
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = ROOT / "tests/diag_examples"
sys.path.insert(0, str(ROOT / "scripts"))
import gen_diag_docs  # noqa: E402  the one reader of the code table and the explanations


def sections():
    """CODE -> the lines of its explanation."""
    return {code: body.splitlines() for code, body in gen_diag_docs.explanations().items()}


def all_codes():
    return [data[1] for kind, data in gen_diag_docs.entries() if kind == "diag"]


def norm(line):
    return " ".join(line.split())


def example_lines(body):
    """(text, which) for each example line; which is 'wrong', 'fixed' or 'both'."""
    out = []
    for line in body:
        if not line.startswith("    "):
            continue
        text = line[4:]
        which = "both"
        m = re.search(r'\s#\s*(wrong|fixed)\b.*$', text)
        if m:
            which = m.group(1)
            text = text[:m.start()]
        text = norm(text)
        if not text or "..." in text or text.startswith("$ "):
            continue
        out.append((text, which))
    return out


def card_lines(path):
    return {norm(l) for l in path.read_text(errors="replace").splitlines()} if path.exists() else set()


def run(healthc, card):
    """The output (stdout + stderr) of the card's last `# run:` command, run in a scratch copy."""
    runs = []
    for line in card.read_text(errors="replace").splitlines()[:8]:
        m = re.match(r'^#\s*run:\s*(.*)$', line)
        if m:
            runs.append(m.group(1))
    if not runs:
        runs = ["check {card}"]
    with tempfile.TemporaryDirectory() as tmp:
        for f in HERE.iterdir():  # linked, not copied: the commands only add files
            if f.is_file():
                (pathlib.Path(tmp) / f.name).symlink_to(f)
        out = ""
        for cmd in runs:
            args = [healthc] + [a.replace("{card}", card.name) for a in cmd.split()]
            p = subprocess.run(args, cwd=tmp, capture_output=True, text=True, errors="replace", timeout=60)
            out = p.stdout + p.stderr
        return out


def note_patterns():
    """(code, regex) for each N code: a note is printed without its code (`note: first
    defined here` in text, `"message":"first defined here"` in a JSON diagnostic's notes), so
    it is known by its message, as tests/golden/check_coverage.py knows it."""
    out = []
    for _, code, _, fmt in (d for k, d in gen_diag_docs.entries() if k == "diag" and d[1].startswith("N")):
        out.append((code, "[^\"\\n]+?".join(re.escape(p) for p in fmt.split("{}"))))
    return out


def others_expected(card):
    """`# other errors: WHY` in a card's first lines: its code only ever comes with others (E0007,
    too many errors, follows 100 of them)."""
    return any(re.match(r'^#\s*other errors:', l) for l in card.read_text(errors="replace").splitlines()[:8])


def reported(out):
    """The codes an output names: `error[E0100]` in text, `"code": "W101"` in JSON, and the
    N codes of its notes by their message."""
    codes = re.findall(r'\b(?:error|warning|note)\[([EWN]\d{3,4})\]', out)
    codes += re.findall(r'"code"\s*:\s*"([EWN]\d{3,4})"', out)
    for code, pattern in note_patterns():
        if re.search(r'(?m): note: ' + pattern + r'$', out) or re.search(r'"message"\s*:\s*"' + pattern + r'"', out):
            codes.append(code)
    errors = re.findall(r'\berror\[(E\d{4})\]', out)
    errors += [c for c in re.findall(r'"code"\s*:\s*"(E\d{4})"', out)]
    return codes, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("codes", nargs="*")
    args = ap.parse_args()
    args.healthc = str(pathlib.Path(args.healthc).resolve())
    secs = sections()
    known = set(all_codes())
    codes = args.codes or [c for c in all_codes() if c in secs]
    failures, fixed_count = [], 0
    for code in codes:
        if code not in known:
            failures.append(f"{code}: not a code in compiler/diag/diagnostic_kinds.def")
            continue
        wrong, fixed = HERE / f"{code}.wrong.health", HERE / f"{code}.fixed.health"
        if not wrong.exists():
            failures.append(f"{code}: no example card tests/diag_examples/{wrong.name}")
            continue
        got, errors = reported(run(args.healthc, wrong))
        if code not in got:
            failures.append(f"{code}: {wrong.name} does not report {code} (reports: {', '.join(got) or 'nothing'})")
        elif code.startswith("E") and set(errors) != {code} and not others_expected(wrong):
            failures.append(f"{code}: {wrong.name} reports other errors too: {', '.join(sorted(set(errors)))}")
        if fixed.exists():
            fixed_count += 1
            got, errors = reported(run(args.healthc, fixed))
            if code in got or errors:
                failures.append(f"{code}: {fixed.name} still reports {', '.join(sorted(set(got + errors)))}")
        in_wrong, in_fixed = card_lines(wrong), card_lines(fixed)
        for text, which in example_lines(secs.get(code, [])):
            places = {"wrong": [in_wrong], "fixed": [in_fixed], "both": [in_wrong, in_fixed] if fixed.exists() else [in_wrong]}[which]
            if which == "both" and not any(text in p for p in places):
                failures.append(f"{code}: the explanation's line `{text}` is in neither example card")
            elif which != "both" and not all(text in p for p in places):
                failures.append(f"{code}: the explanation's {which} line `{text}` is not in {code}.{which}.health")
    missing = sorted(known - set(secs))
    print(f"{len(codes)} explained codes checked, {fixed_count} with a fixed card; "
          f"{len(missing)} codes without an explanation{': ' + ' '.join(missing) if missing else ''}")
    for f in failures:
        print("FAIL " + f)
    if missing and not args.codes:
        failures.append("codes without an explanation")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
