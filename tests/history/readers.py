#!/usr/bin/env python3
"""End-to-end tests of `healthc history`, `changes` and `alerts` on stores written by
`healthc score --store`: builds the stores in a temporary folder from examples/series/b2b/,
runs each case below and compares exit code, stdout and stderr with
tests/history/expected/NAME.expected (the golden format: `exit: N`, `--- stdout`, `--- stderr`).

    python3 tests/history/readers.py --healthc build/release/compiler/healthc [--update] [NAME...]

--update rewrites the expected files from the current output (then read the diff).
"""
import argparse
import difflib
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "history"
SERIES = ROOT / "examples" / "series" / "b2b"
CARD = HERE / "b2b_series.health"
TITLE = "B2B SaaS health"

# name -> arguments; {series} is a store of the whole series, {multi} one that also holds a
# second scorecard, {versions} one whose card changed between snapshots, {single} one snapshot,
# {v2} the series scored with examples/b2b_saas_v2.health (alerts, previous.*, stale), {missing} no store.
CASES = {
    "history_text": "history --store {series} --account acct-0007",
    "history_csv": "history --store {series} --account acct-0007 --format csv",
    "history_json": "history --store {series} --account acct-0007 --format json",
    "history_joined_later": "history --store {series} --account acct-0200 --format csv",
    "history_churned": "history --store {series} --account acct-0006 --format csv",
    "history_card_versions": "history --store {versions} --account acct-0003 --format csv",
    "history_unknown_account": "history --store {series} --account nobody",
    "history_no_store": "history --store {missing} --account acct-0007",
    "history_not_a_store": "history --store README.md --account acct-0007",
    "alerts_empty_file": "alerts --store {empty}",
    "history_two_scorecards": "history --store {multi} --account acct-0007",
    "history_chosen_scorecard": "history --store {multi} --account acct-0007 --scorecard 'B2B SaaS health (trial)' --format csv",
    "history_unknown_scorecard": "history --store {multi} --account acct-0007 --scorecard 'B2B'",
    "history_bad_format": "history --store {series} --account acct-0007 --format markdown",
    "changes_latest_text": "changes --store {series}",
    "changes_latest_csv": "changes --store {series} --format csv",
    "changes_range_markdown": "changes --store {series} --from 2026-10-05 --to 2026-11-23 --band-changes --format markdown",
    "changes_filtered_json": "changes --store {series} --from 2026-11-02 --to 2026-11-09 --segment enterprise --min-change 3 --format json",
    "changes_card_versions": "changes --store {versions}",
    "changes_card_versions_csv": "changes --store {versions} --format csv",
    "changes_unknown_date": "changes --store {series} --from 2026-10-06",
    "changes_bad_date": "changes --store {series} --to 2026-13-01",
    "changes_from_not_before_to": "changes --store {series} --from 2026-11-23 --to 2026-11-02",
    "changes_one_snapshot": "changes --store {single}",
    "changes_unknown_segment": "changes --store {series} --segment enterprize",
    "changes_bad_min_change": "changes --store {series} --min-change -1",
    "alerts_none_fired": "alerts --store {series}",
    "alerts_v2_latest": "alerts --store {v2}",
    "alerts_v2_csv_dated": "alerts --store {v2} --as-of 2026-10-12 --format csv",
    "alerts_v2_high_json": "alerts --store {v2} --as-of 2026-11-09 --severity high --format json",
    "alerts_v2_first_snapshot": "alerts --store {v2} --as-of 2026-10-05 --severity critical --format csv",
    "history_v2_text": "history --store {v2} --account acct-0098",
    "changes_v2_markdown": "changes --store {v2} --min-change 15 --format markdown",
    "alerts_unknown_date": "alerts --store {series} --as-of 2025-01-01",
    "alerts_bad_severity": "alerts --store {series} --severity urgent",
}


def healthc_run(healthc, args, check=True):
    p = subprocess.run([healthc] + args, cwd=ROOT, capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR="1", HEALTHC_NO_PROGRESS="1", TZ="UTC"))
    if check and p.returncode not in (0, 3):
        sys.exit(f"setup failed: healthc {' '.join(args)}\n{p.stderr}")
    return p


def score_into(healthc, card, store, dates):
    for d in dates:
        healthc_run(healthc, ["score", str(card), str(SERIES / f"{d}.csv"), "--store", str(store), "--as-of", d,
                              "-o", os.devnull])


def build_stores(healthc, tmp):
    dates = sorted(p.stem for p in SERIES.glob("*.csv"))
    stores = {"missing": tmp / "no_such.db", "series": tmp / "series.db", "multi": tmp / "multi.db",
              "versions": tmp / "versions.db", "single": tmp / "single.db", "v2": tmp / "v2.db",
              "empty": tmp / "empty.db"}
    stores["empty"].write_bytes(b"")
    score_into(healthc, CARD, stores["series"], dates)
    score_into(healthc, CARD, stores["single"], dates[:1])
    # A second scorecard in the same store: the same card under another title.
    trial = tmp / "trial.health"
    trial.write_text(CARD.read_text().replace(f'scorecard "{TITLE}"', f'scorecard "{TITLE} (trial)"'))
    score_into(healthc, CARD, stores["multi"], dates[:3])
    score_into(healthc, trial, stores["multi"], dates[:2])
    # A card change between snapshots: onboarding_pace dropped, support weighs more.
    text = CARD.read_text()
    changed = text.replace("  support   25\n", "  support   35\n").replace("measure onboarding_pace {", "measure pace {")
    changed = changed.replace("  onboarding_pace 50\n", "  pace 50\n")
    assert changed != text
    v2 = tmp / "changed.health"
    v2.write_text(changed)
    score_into(healthc, CARD, stores["versions"], dates[:2])
    score_into(healthc, v2, stores["versions"], dates[2:3])
    score_into(healthc, ROOT / "examples" / "b2b_saas_v2.health", stores["v2"], dates)
    return stores


def run_case(healthc, args, stores, tmp):
    words = [w.format(**{k: str(v) for k, v in stores.items()}) for w in shlex.split(args)]
    p = healthc_run(healthc, words, check=False)
    out = f"exit: {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"
    return out.replace(str(tmp), "<tmp>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    healthc = str(pathlib.Path(a.healthc).resolve())
    names = a.names or list(CASES)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="healthc-history-") as t:
        tmp = pathlib.Path(t)
        stores = build_stores(healthc, tmp)
        for name in names:
            actual = run_case(healthc, CASES[name], stores, tmp)
            exp = HERE / "expected" / f"{name}.expected"
            if a.update:
                exp.write_text(actual)
                continue
            expected = exp.read_text() if exp.exists() else "<no expected file>\n"
            if actual != expected:
                failed += 1
                print(f"FAIL {name}: healthc {CASES[name]}")
                sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                           "expected", "actual"))
    if a.update:
        print(f"updated {len(names)} expected files")
        return 0
    print(f"{len(names) - failed} of {len(names)} store reader cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
