#!/usr/bin/env python3
"""Every diagnostic code in the table must be emitted by at least one golden test, so no
diagnostic ships unseen (Carbon's diagnostic coverage test)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
codes = re.findall(r'^DIAG\(\w+,\s*"(\w+)"', (ROOT / "compiler/diag/diagnostic_kinds.def").read_text(), re.M)
seen = set()
for exp in (ROOT / "tests/golden").rglob("*.expected"):
    text = exp.read_text(errors="replace")
    seen.update(re.findall(r'\[([EWN]\d{3,4})\]', text))
    seen.update(re.findall(r'"code": ?"([EWN]\d{3,4})"', text))
    if "note: first defined here" in text: seen.add("N0001")
    if "note: previous band" in text: seen.add("N0003")
    if re.search(r"note: this earlier \w+ matches first", text): seen.add("N0004")
    if re.search(r"note: a window of \d+ days matches the snapshots", text): seen.add("N0070")
    if re.search(r"note: the .+ starts here", text): seen.add("N0005")
missing = [c for c in codes if c not in seen]
if missing:
    print("codes without a golden test: " + ", ".join(missing))
    sys.exit(1)
print(f"all {len(codes)} diagnostic codes have a golden test")
