#!/usr/bin/env python3
"""Writes docs/diagnostics.md from compiler/diag/diagnostic_kinds.def (the one table) and the
explanations in docs/diagnostic_explanations.md (`### CODE` sections, merged after the table;
`healthc explain-code CODE` prints a code's section from the generated page).

`--check` exits 1 when the committed file differs from what the table gives, so the docs
never drift from the code (run by the test suite)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEF = ROOT / "compiler/diag/diagnostic_kinds.def"
DOC = ROOT / "docs/diagnostics.md"
EXPLAINED = ROOT / "docs/diagnostic_explanations.md"

def explanations():
    out, code = {}, None
    for line in EXPLAINED.read_text().splitlines():
        m = re.match(r'^### ([EWN]\d{3,4})\s*$', line)
        if m:
            code = m.group(1)
            out[code] = []
        elif code:
            out[code].append(line)
    return {c: "\n".join(body).strip("\n") for c, body in out.items()}

def c_unescape(text):
    """The message as printed: the table holds it as a C string (`\\"`, `\\\\`)."""
    return re.sub(r'\\(.)', r'\1', text)

def entries():
    out, section = [], None
    for line in DEF.read_text().splitlines():
        m = re.match(r'^// ---- (.*) ----$', line)
        if m:
            section = m.group(1)
            out.append(("section", section))
            continue
        m = re.match(r'^DIAG\((\w+),\s*"(\w+)",\s*(\w+),\s*"(.*)"\)\s*$', line)
        if m:
            out.append(("diag", m.groups()))
    return out

def render():
    lines = [
        "# Diagnostic codes",
        "",
        "Generated from `compiler/diag/diagnostic_kinds.def` by `scripts/gen_diag_docs.py`; do not edit.",
        "Codes are stable: a code is never renumbered or reused. `{}` stands for the part of the",
        "message that names the place (a name, a number, a type). Every code has a golden test",
        "under `tests/golden/` that shows it in context.",
        "",
        "Output: `FILE:LINE:COL: error[CODE]: message`, the source line, a caret under the range, and",
        "notes pointing at related places. `--format json` prints one JSON object per diagnostic",
        "(`file`, `severity`, `code`, `message`, `range` {line, column, end_line, end_column}, `notes`: each",
        "{`code`, `message`, `range`},",
        "`fixits`: each {`range`, `replacement`}, an empty range inserting). A fix-it is the edit that",
        "fixes the diagnostic: the text output shows it under the caret line as clang does, SARIF as",
        "`fixes`, the C API's `hc_diagnostics_json` as `fixits`, the language server as a code action.",
        "",
        "`healthc explain-code CODE` prints a code's explanation below (as `rustc --explain`).",
    ]
    for kind, data in entries():
        if kind == "section":
            lines += ["", f"## {data}", "", "| code | severity | name | message |", "|---|---|---|---|"]
        else:
            name, code, sev, fmt = data
            msg = c_unescape(fmt).replace("|", "\\|")
            lines.append(f"| {code} | {sev.lower()} | {name} | {msg} |")
    explained = explanations()
    codes = [data[1] for kind, data in entries() if kind == "diag"]
    unknown = sorted(set(explained) - set(codes))
    if unknown:
        raise SystemExit("docs/diagnostic_explanations.md explains codes the table lacks: " + ", ".join(unknown))
    lines += ["", "## Explanations", ""]
    for kind, data in entries():
        if kind != "diag":
            continue
        name, code, sev, fmt = data
        lines += [f"### {code}", "", f"{sev.lower()} `{name}`: " + c_unescape(fmt), ""]
        if code in explained:
            lines += [explained[code], ""]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"

if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text() != text:
            print("docs/diagnostics.md is out of date: run scripts/gen_diag_docs.py")
            sys.exit(1)
        print("docs/diagnostics.md matches the diagnostic table")
        sys.exit(0)
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")
