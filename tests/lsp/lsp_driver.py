#!/usr/bin/env python3
"""An LSP conversation with `healthc lsp` as a subprocess, on every example card (issue 19).

    tests/lsp/lsp_driver.py --healthc build/release/compiler/healthc [--latency-bound-ms 400]

Per card: initialize; didOpen of a broken copy -> its error; didChange back to the card -> the
same findings as `healthc lint --format json`; hover, definition and references on every
measure a model weighs; documentSymbol lists every declaration; completion; formatting
(idempotent); codeAction (the did-you-mean quick fix restores the card). Then a clean card gets
its `=` -> `==` quick fix and empty diagnostics, and a 2,000-line card (scripts/gen_large_card.py) is timed from didChange to its
diagnostics (median of several changes, printed). The issue's target is 100 ms; the bound
asserted is looser (--latency-bound-ms) because the test machine is shared and the sanitizer
build is slow. Every message the server sends must be valid JSON-RPC 2.0.
"""
import argparse
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = ["b2b_saas", "b2b_saas_v2", "lifecycle", "fintech_platform"]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def valid_rpc(m):
    if not isinstance(m, dict) or m.get("jsonrpc") != "2.0":
        return False
    if "method" in m:
        return isinstance(m["method"], str) and "id" not in m
    if "id" not in m or (("result" in m) == ("error" in m)):
        return False
    if "error" in m:
        e = m["error"]
        return isinstance(e.get("code"), int) and isinstance(e.get("message"), str)
    return True


class Client:
    def __init__(self, healthc):
        self.proc = subprocess.Popen([healthc, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.next_id = 1
        self.notifications = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                c = out.read(1)
                if not c:
                    self.messages.put(None)
                    return
                header += c
            length = None
            for line in header.decode("ascii").split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = out.read(length)
            self.messages.put((time.monotonic(), json.loads(body)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self, want, timeout=20):
        """The first message `want` accepts; others (diagnostics of earlier versions) are kept."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            check(left > 0, "no answer from the server in time")
            try:
                item = self.messages.get(timeout=left)
            except queue.Empty:
                raise Failure("no answer from the server in time")
            if item is None:
                raise Failure("the server ended: " + self.proc.stderr.read().decode(errors="replace"))
            at, m = item
            check(valid_rpc(m), f"not JSON-RPC 2.0: {m}")
            if want(m):
                return at, m
            self.notifications.append(m)

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        _, m = self.receive(lambda m: m.get("id") == i)
        check("result" in m, f"{method} failed: {m}")
        return m["result"]

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri, version):
        at, m = self.receive(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == uri and m["params"].get("version") == version)
        return at, m["params"]["diagnostics"]


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def position(text, offset):
    """LSP position of a character offset into `text` (a str)."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": utf16_len(text[start:offset])}


def offset_of(text, pos):
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[:pos["line"]])
    line, units, i = lines[pos["line"]] if pos["line"] < len(lines) else "", 0, 0
    while i < len(line) and units < pos["character"]:
        units += utf16_len(line[i])
        i += 1
    return start + i


def apply_edits(text, edits):
    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True):
        b, end = offset_of(text, e["range"]["start"]), offset_of(text, e["range"]["end"])
        text = text[:b] + e["newText"] + text[end:]
    return text


def lint_codes(healthc, path):
    r = subprocess.run([healthc, "lint", path, "--format", "json"], capture_output=True, text=True)
    found = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return sorted((d["code"], d["range"]["line"], d["range"]["column"]) for d in found)


def lsp_codes(text, diags):
    out = []
    for d in diags:
        line = text.split("\n")[d["range"]["start"]["line"]]
        # The CLI's column counts code points from 1; LSP's counts UTF-16 units from 0.
        units, col = 0, 0
        while units < d["range"]["start"]["character"]:
            units += utf16_len(line[col])
            col += 1
        out.append((d["code"], d["range"]["start"]["line"] + 1, col + 1))
    return sorted(out)


def conversation(client, healthc, card):
    path = os.path.join(ROOT, "examples", card + ".health")
    text = open(path, encoding="utf-8").read()
    uri = "file://" + path
    measures = re.findall(r"^measure (\w+)", text, re.M)
    check(measures, f"{card}: no measures found")

    # A broken copy: the first model entry names a measure that does not exist.
    entry = re.search(r"^model \w+[^{]*\{\s*\n(?:\s*group[^\n]*\n)?\s*(\w+)", text, re.M)
    check(entry and entry.group(1) in measures, f"{card}: no model entry to break")
    broken = text[:entry.start(1)] + entry.group(1) + "x" + text[entry.end(1):]
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "healthc", "version": 1,
                                                            "text": broken}})
    _, diags = client.diagnostics(uri, 1)
    errors = [d for d in diags if d["severity"] == 1]
    check(errors, f"{card}: the broken card got no error: {diags}")
    where = position(broken, entry.start(1))
    check(any(d["range"]["start"] == where for d in errors), f"{card}: no error at {where}: {errors}")
    for d in diags:
        href = d["codeDescription"]["href"]
        page = "lint.md#" if d["code"].startswith("W") else "diagnostics.md#"
        check(page + d["code"].lower() in href, f"{card}: {d['code']} links to {href}")

    # Quick fixes: each applied removes the diagnostic it fixes.
    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": errors[0]["range"],
                                                         "context": {"diagnostics": errors}})
    # The unknown name's did-you-mean fix-it: applied, it gives the card back.
    check(isinstance(actions, list) and actions, f"{card}: no quick fix for {errors[0]}")
    fix = actions[0]
    check(fix["kind"] == "quickfix" and fix["diagnostics"], f"{card}: {fix}")
    fixed = apply_edits(broken, fix["edit"]["changes"][uri])
    check(fixed == text, f"{card}: quick fix {fix['title']} does not restore the card")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": fixed}]})
    _, after = client.diagnostics(uri, 2)
    check(fix["diagnostics"][0] not in after, f"{card}: quick fix {fix['title']} left its diagnostic")

    # The fix: the same findings as `healthc lint`.
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": text}]})
    _, diags = client.diagnostics(uri, 3)
    check(not [d for d in diags if d["severity"] == 1], f"{card}: errors after the fix: {diags}")
    check(lsp_codes(text, diags) == lint_codes(healthc, path),
          f"{card}: diagnostics {lsp_codes(text, diags)} differ from healthc lint's {lint_codes(healthc, path)}")

    # Hover, definition and references on every model entry that names a measure.
    decl = {m: position(text, re.search(r"^measure (%s)\b" % m, text, re.M).start(1)) for m in measures}
    uses = 0
    for model in re.finditer(r"^model \w+[^{]*\{(.*?)^\}", text, re.M | re.S):
        for e in re.finditer(r"^\s*(\w+)\s+[\d.]+\s*$", model.group(1), re.M):
            name = e.group(1)
            if name not in measures:
                continue
            at = position(text, model.start(1) + e.start(1) + 1)
            td = {"textDocument": {"uri": uri}, "position": at}
            h = client.request("textDocument/hover", td)
            check(h and "**measure** `%s`" % name in h["contents"]["value"]
                  and "Effective weight per model" in h["contents"]["value"], f"{card}: hover on {name}: {h}")
            d = client.request("textDocument/definition", td)
            check(d and d["range"]["start"] == decl[name], f"{card}: definition of {name}: {d} != {decl[name]}")
            refs = client.request("textDocument/references", dict(td, context={"includeDeclaration": True}))
            starts = [r["range"]["start"] for r in refs]
            check(decl[name] in starts and at["line"] in [s["line"] for s in starts],
                  f"{card}: references of {name}: {starts}")
            uses += 1
    check(uses >= 3, f"{card}: only {uses} model entries checked")

    # The outline holds every declaration.
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    names = set()

    def walk(ss):
        for s in ss:
            names.add(s["name"])
            walk(s.get("children", []))
    walk(symbols)
    for kind in ["measure", "model", "segment", "override", "label", "alert", "rollup", "param"]:
        for n in re.findall(r"^%s (\w+)" % kind, text, re.M):
            check(n in names, f"{card}: {kind} {n} is not in the outline")
    check("fields" in names and "bands" in names, f"{card}: no fields or bands in the outline")

    # Completion inside an expression: fields, measures, builtins, keywords.
    value = re.search(r"value = ", text)
    c = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                   "position": position(text, value.end())})
    labels = {i["label"] for i in c["items"]}
    field = re.search(r"^\s+(\w+)\s*:", text, re.M).group(1)
    check({field, measures[0], "clamp", "coalesce", "when"} <= labels, f"{card}: completion lacks names: {labels}")

    # Formatting: the edits give a card that checks, and formatting it again changes nothing.
    edits = client.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                       "options": {"tabSize": 2, "insertSpaces": True}})
    check(isinstance(edits, list), f"{card}: formatting gave {edits}")
    formatted = apply_edits(text, edits)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                             "contentChanges": [{"text": formatted}]})
    _, diags = client.diagnostics(uri, 4)
    check(not [d for d in diags if d["severity"] == 1], f"{card}: the formatted card has errors")
    again = client.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                       "options": {"tabSize": 2, "insertSpaces": True}})
    check(again == [], f"{card}: formatting is not idempotent: {again}")
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return len(actions)


def clean_card(client):
    uri = "file:///tmp/clean.health"
    text = open(os.path.join(ROOT, "tests", "lsp", "clean.health"), encoding="utf-8").read()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "healthc", "version": 1,
                                                            "text": text.replace("value = measure_count", "value = measure_cuont")}})
    _, diags = client.diagnostics(uri, 1)
    check(len(diags) == 1, f"the broken clean card: {diags}")
    # `=` for `==` in a condition: the quick fix makes it `==`.
    slip = text.replace("when logins == 0", "when logins = 0")
    check(slip != text, "clean.health lost its `==`")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": slip}]})
    _, diags = client.diagnostics(uri, 2)
    check(len(diags) == 1 and diags[0]["severity"] == 1, f"the `=` slip: {diags}")
    actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diags[0]["range"],
                                                         "context": {"diagnostics": diags}})
    check(actions and apply_edits(slip, actions[0]["edit"]["changes"][uri]) == text,
          f"the `=` slip's quick fix: {actions}")
    time.sleep(0.2)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": text}]})
    _, diags = client.diagnostics(uri, 3)
    check(diags == [], f"the clean card has diagnostics: {diags}")


def large_card(client, bound_ms):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "large.health")
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_large_card.py"), "--measures", "385",
                        "-o", path], check=True)
        text = open(path).read()
    lines = text.count("\n")
    uri = "file:///tmp/large.health"
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "healthc", "version": 1,
                                                            "text": text}})
    client.diagnostics(uri, 1)
    times = []
    for v in range(2, 9):
        time.sleep(0.25)  # a pause in the typing: the change is analysed at once, not debounced
        changed = text.replace("score = linear(value, 0 -> 0", "score = linear(value, 0 -> 0" if v % 2 else
                               "score = linear(valeu, 0 -> 0", 1)
        sent = time.monotonic()
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v},
                                                 "contentChanges": [{"text": changed}]})
        at, diags = client.diagnostics(uri, v)
        check(bool([d for d in diags if d["severity"] == 1]) == (v % 2 == 0), f"large card version {v}: {diags[:2]}")
        times.append((at - sent) * 1000)
    median = statistics.median(times)
    print(f"large card: {lines} lines, diagnostics {median:.1f} ms after a change (median of {len(times)}; "
          f"min {min(times):.1f}, max {max(times):.1f}; target 100 ms, asserted bound {bound_ms} ms on a shared machine)")
    check(lines >= 2000, f"the large card has {lines} lines")
    check(median < bound_ms, f"large card diagnostics took {median:.1f} ms")


def bad_framing(healthc):
    """Broken frames and bodies on the wire: each gets an error or is skipped, and the server
    answers the next good request; the end of input without `exit` is status 1."""
    client = Client(healthc)
    raw = client.proc.stdin
    raw.write(b"Content-Length: twelve\r\n\r\n")           # no usable length
    raw.write(b"Content-Length: 5\r\n\r\n{bad}")            # not JSON
    body = b'{"jsonrpc":"2.0","id":"a","method":"nope"}'  # before initialize: -32002
    raw.write(b"content-length:  %d \r\nContent-Type: x\r\n\r\n" % len(body) + body)  # any case, spaces
    raw.write(b"Content-Length: 4\r\n\r\nnull")
    raw.flush()
    codes = []
    for _ in range(4):
        _, m = client.receive(lambda m: "error" in m)
        codes.append(m["error"]["code"])
    check(codes == [-32700, -32700, -32002, -32600], f"bad frames got {codes}")
    init = client.request("initialize", {"capabilities": {}})
    check("capabilities" in init, "no initialize after bad frames")
    raw.write(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"")  # cut off by the end of input
    raw.close()
    check(client.proc.wait(timeout=10) == 1, "the end of input without exit is not status 1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--latency-bound-ms", type=float, default=400)
    args = ap.parse_args()
    client = Client(args.healthc)
    try:
        init = client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        caps = init["capabilities"]
        for c in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                  "completionProvider", "documentFormattingProvider", "codeActionProvider"]:
            check(c in caps, f"initialize: no {c}")
        client.notify("initialized", {})
        for card in EXAMPLES:
            n = conversation(client, args.healthc, card)
            print(f"{card}: conversation passed ({n} quick fixes offered for the broken copy)")
        clean_card(client)
        print("clean card: did-you-mean and `=` -> `==` quick fixes applied, then empty diagnostics")
        bad_framing(args.healthc)
        print("bad frames: answered with errors, the server carried on")
        large_card(client, args.latency_bound_ms)
        check(client.request("shutdown", None) is None, "shutdown")
        client.notify("exit", None)
        check(client.proc.wait(timeout=10) == 0, "exit status after shutdown and exit is not 0")
    except Failure as e:
        print(f"FAIL: {e}")
        client.proc.kill()
        return 1
    print("lsp conversation: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
