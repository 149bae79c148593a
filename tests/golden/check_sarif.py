#!/usr/bin/env python3
"""The SARIF that `healthc lint --format sarif` prints has the structure SARIF 2.1.0 requires
and code-scanning services read: checked on the stdout of every `sarif*` golden case under
tests/golden/lint/ (or the .expected files given as arguments). Each rule's helpUri must also
point at a section of docs/lint.md that exists."""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEVELS = {"none", "note", "warning", "error"}
errors = []


def need(cond, where, what):
    if not cond:
        errors.append(f"{where}: {what}")
    return cond


def typed(obj, key, kind, where):
    return need(isinstance(obj, dict) and isinstance(obj.get(key), kind), where, f"`{key}` must be a {kind.__name__}")


def positive_int(obj, key, where):
    v = obj.get(key) if isinstance(obj, dict) else None
    return need(isinstance(v, int) and not isinstance(v, bool) and v >= 1, where, f"`{key}` must be an integer >= 1")


def doc_anchors():
    """GitHub's heading anchors in docs/lint.md: lowercase, punctuation dropped, spaces to '-'."""
    anchors = set()
    for line in (ROOT / "docs/lint.md").read_text().splitlines():
        m = re.match(r"^#+\s+(.*)$", line)
        if m:
            text = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def stdout_of(expected: pathlib.Path) -> str:
    text = expected.read_text()
    m = re.search(r"^--- stdout\n(.*?)^--- stderr\n", text, re.S | re.M)
    return m.group(1) if m else ""


def check_region(region, where):
    if not typed({"region": region}, "region", dict, where):
        return
    for key in ("startLine", "startColumn", "endLine", "endColumn"):
        positive_int(region, key, where)
    if all(isinstance(region.get(k), int) for k in ("startLine", "startColumn", "endLine", "endColumn")):
        need((region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"]), where,
             "the region ends before it starts")


def check_location(loc, where):
    if not typed({"l": loc}, "l", dict, where) or not typed(loc, "physicalLocation", dict, where):
        return
    phys = loc["physicalLocation"]
    if typed(phys, "artifactLocation", dict, where + ".physicalLocation"):
        typed(phys["artifactLocation"], "uri", str, where + ".physicalLocation.artifactLocation")
    if "region" in phys:
        check_region(phys["region"], where + ".physicalLocation.region")


def check_log(log, where, anchors):
    need(log.get("version") == "2.1.0", where, "`version` must be \"2.1.0\"")
    if typed(log, "$schema", str, where):
        need("sarif" in log["$schema"] and "2.1.0" in log["$schema"], where, "`$schema` must name SARIF 2.1.0")
    if not typed(log, "runs", list, where) or not need(len(log["runs"]) >= 1, where, "`runs` is empty"):
        return
    for r, run in enumerate(log["runs"]):
        rw = f"{where}.runs[{r}]"
        if not typed(run, "tool", dict, rw) or not typed(run["tool"], "driver", dict, rw + ".tool"):
            continue
        driver = run["tool"]["driver"]
        dw = rw + ".tool.driver"
        for key in ("name", "version", "informationUri"):
            typed(driver, key, str, dw)
        ids = []
        if typed(driver, "rules", list, dw):
            for i, rule in enumerate(driver["rules"]):
                w = f"{dw}.rules[{i}]"
                if not typed({"r": rule}, "r", dict, w):
                    continue
                if typed(rule, "id", str, w):
                    ids.append(rule["id"])
                for key in ("shortDescription", "fullDescription"):
                    if typed(rule, key, dict, w):
                        typed(rule[key], "text", str, f"{w}.{key}")
                if typed(rule, "helpUri", str, w):
                    anchor = rule["helpUri"].partition("#")[2]
                    need(rule["helpUri"].split("#")[0].endswith("docs/lint.md"), w, "`helpUri` must point at docs/lint.md")
                    need(anchor in anchors, w, f"`helpUri` anchor `#{anchor}` is not a heading of docs/lint.md")
                if typed(rule, "defaultConfiguration", dict, w):
                    need(rule["defaultConfiguration"].get("level") in LEVELS, w + ".defaultConfiguration",
                         "`level` must be none, note, warning or error")
            need(len(ids) == len(set(ids)), dw, "rule ids repeat")
        if not typed(run, "results", list, rw):
            continue
        for i, res in enumerate(run["results"]):
            w = f"{rw}.results[{i}]"
            if not typed({"r": res}, "r", dict, w):
                continue
            typed(res, "ruleId", str, w)
            need(res.get("level") in LEVELS, w, "`level` must be none, note, warning or error")
            if typed(res, "message", dict, w):
                typed(res["message"], "text", str, w + ".message")
            if "ruleIndex" in res:
                idx = res["ruleIndex"]
                need(isinstance(idx, int) and 0 <= idx < len(ids) and ids[idx] == res.get("ruleId"), w,
                     "`ruleIndex` must index the rule named by `ruleId`")
            if typed(res, "locations", list, w):
                need(len(res["locations"]) >= 1, w, "`locations` is empty")
                for j, loc in enumerate(res["locations"]):
                    check_location(loc, f"{w}.locations[{j}]")
            for j, loc in enumerate(res.get("relatedLocations", [])):
                check_location(loc, f"{w}.relatedLocations[{j}]")


def main() -> int:
    paths = [pathlib.Path(p) for p in sys.argv[1:]] or sorted((ROOT / "tests/golden/lint").glob("sarif*.expected"))
    if not paths:
        print("no SARIF golden output found")
        return 1
    anchors = doc_anchors()
    for p in paths:
        try:
            log = json.loads(stdout_of(p))
        except json.JSONDecodeError as e:
            errors.append(f"{p.name}: stdout is not JSON: {e}")
            continue
        n = len(errors)
        check_log(log, p.name, anchors)
        if len(errors) == n:
            results = sum(len(r.get("results", [])) for r in log["runs"])
            need(results > 0, p.name, "the case should show at least one result")
    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"{len(paths)} SARIF log{'s' if len(paths) != 1 else ''} have the SARIF 2.1.0 structure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
