#!/usr/bin/env python3
"""`healthc report` in a real browser (ctest `report_chromium`).

Backfills a generated weekly series (one account key holding `<`, `&` and `>`), scored with the
example card with its two roll-ups (tiers, tier_pulse), into a temporary store, writes the report, then renders it in headless Chromium and checks:

- the page loaded without a console message: Chromium run with `--enable-logging=stderr --v=0`
  prints each console message as a `CONSOLE` line; a canary page that calls console.error
  first proves the check sees them (so it cannot pass by seeing nothing);
- no network request: Chromium's NetLog (`--log-net-log`) of the render holds no http(s) or
  ws(s) URL (a canary page with an image from the network proves the NetLog records one),
  names resolve to nothing and the proxy is a closed port; and the HTML has no http(s)://
  in any src/href, no script, and a Content-Security-Policy of default-src 'none';
- the dumped DOM (`--dump-dom`) holds every section heading and the figures of the JSON dump
  (accounts, alerts fired, the top mover, each roll-up's table, worst group and trends), and the
  odd key as text, never as markup;
- a screenshot is written (PNG), and the render time is printed;
- printed to PDF (`--print-to-pdf`), the pages are A4 and each section starts a page.

Chromium absent: prints why and exits 77 (ctest's SKIP_RETURN_CODE), never passes.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
ODD_KEY = "<i>acct&0007</i>"
# Chromium's own background services (time, updates, sign-in, dictionaries) ask these hosts even
# with --disable-background-networking; they are not the page's (and resolve to nothing here).
BROWSER_HOSTS = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com", "googleusercontent.com", "chromium.org",
                 "dns.google")
# The traffic annotation of the page's own subresource loads (Blink's resource loader).
BLINK_RESOURCE_LOADER = "101845102"
HEADINGS = ["Headline", "Bands over time", "Bands per segment", "Score distribution", "Alerts that fired",
            "Top movers", "Roll-ups", "Stale subjective inputs", "Outcome per band"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(browser, tmp, url, *extra, timeout=120):
    """Runs headless Chromium on `url`; returns (stdout, stderr, seconds, netlog text)."""
    netlog = tmp / f"netlog-{time.monotonic_ns()}.json"
    profile = tempfile.mkdtemp(dir=tmp, prefix="profile-")
    cmd = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
           f"--log-net-log={netlog}", *extra, url]
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    seconds = time.monotonic() - start
    log = netlog.read_text(errors="replace") if netlog.exists() else ""
    return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), seconds, log


def console_lines(stderr):
    return [l for l in stderr.splitlines() if "CONSOLE" in l]


def network_urls(netlog):
    """The URLs the page asked for: every request of Blink's resource loader, and any other one
    not to the browser's own service hosts."""
    urls = set()
    for params in re.findall(r"\{[^{}]*\}", netlog):
        m = re.search(r'"(?:url|original_url)":\s*"((?:https?|wss?)://([^/:"]*)[^"]*)"', params)
        if not m:
            continue
        host = m.group(2).lower()
        own = any(host == h or host.endswith("." + h) for h in BROWSER_HOSTS)
        if not own or f'"traffic_annotation":{BLINK_RESOURCE_LOADER}' in params.replace(" ", ""):
            urls.add(m.group(1))
    return sorted(urls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    browser = find_chromium()
    if not browser:
        print("report_chromium: skipped: no chromium on PATH (scripts/setup.sh installs Debian's `chromium`)")
        return SKIP
    root = pathlib.Path(a.root)
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)
            print(f"FAIL: {what}")

    with tempfile.TemporaryDirectory(prefix="healthc-report-") as d:
        tmp = pathlib.Path(d)
        # The checks themselves first: a console message and a network request must be seen.
        canary = tmp / "canary.html"
        canary.write_text("<!DOCTYPE html><html><body><p>canary</p><img src=\"http://healthc-canary.invalid/x.png\">"
                          "<script>console.error('healthc-canary-console')</script></body></html>")
        _, err, _, log = chromium(browser, tmp, canary.as_uri(), "--dump-dom")
        if not any("healthc-canary-console" in l for l in console_lines(err)):
            print("FAIL: the console check sees nothing: Chromium did not log the canary's console.error")
            print(err[-2000:])
            return 1
        if not any("healthc-canary.invalid" in u for u in network_urls(log)):
            print("FAIL: the network check sees nothing: the NetLog did not record the canary's request")
            return 1

        series = tmp / "series"
        subprocess.run([sys.executable, str(root / "scripts/gen_series.py"), "--accounts", "300", "--weeks", "6",
                        "--seed", "15", "-o", str(series)], check=True, capture_output=True)
        for f in series.iterdir():  # one key with markup in it (an account that stays every week)
            f.write_text(re.sub(r"^acct-0000,", ODD_KEY + ",", f.read_text(), flags=re.M))
        # ... whose logins collapse in the last week, so it is a top mover and fires alerts.
        last = sorted(series.iterdir())[-1]
        lines = last.read_text().splitlines()
        for i, line in enumerate(lines):
            if line.startswith(ODD_KEY + ","):
                cells = line.split(",")
                cells[9] = "1"  # logins_30d
                lines[i] = ",".join(cells)
        last.write_text("\n".join(lines) + "\n")
        outcome = tmp / "outcome.csv"
        rows = ["account_id,churned"] + [f"acct-{i:04d},{1 if i % 5 == 0 else 0}" for i in range(1, 300)]
        outcome.write_text("\n".join(rows + [ODD_KEY + ",1"]) + "\n")
        store = tmp / "h.db"
        card = tmp / "card.health"  # the example card with two roll-ups, so the page draws their tables
        card.write_text((root / "examples/b2b_saas_v2.health").read_text())
        subprocess.run([a.healthc, "backfill", str(card), str(series), "--store", str(store)], check=True,
                       capture_output=True)
        page = tmp / "report.html"
        start = time.monotonic()
        subprocess.run([a.healthc, "report", "--store", str(store), "-o", str(page), "--outcome", str(outcome),
                        "churned"], check=True)
        print(f"report: {time.monotonic() - start:.2f} s, {page.stat().st_size} bytes")
        figures = json.loads(subprocess.run([a.healthc, "report", "--store", str(store), "--format", "json",
                                             "--outcome", str(outcome), "churned"],
                                            check=True, capture_output=True).stdout)
        html = page.read_text()
        check(not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I),
              "the HTML refers to the network in a src or href")
        check("http://" not in html and "https://" not in html, "the HTML holds an http(s):// address")
        check("<script" not in html.lower(), "the HTML holds a script")
        check("default-src 'none'" in html, "the HTML has no Content-Security-Policy forbidding fetches")
        check("&lt;i&gt;acct&amp;0007&lt;/i&gt;" in html, "the odd key is not escaped in the HTML")
        check(ODD_KEY not in html, "the odd key stands unescaped in the HTML")

        dom, err, seconds, log = chromium(browser, tmp, page.as_uri(), "--dump-dom")
        print(f"chromium --dump-dom: {seconds:.2f} s (process start included)")
        console = console_lines(err)
        check(not console, "console messages while loading the report: " + "; ".join(console[:5]))
        urls = network_urls(log)
        check(not urls, "network requests while loading the report: " + ", ".join(urls[:5]))
        for h in HEADINGS:
            check(re.search(r"<h[23][^>]*>" + re.escape(h) + r"</h[23]>", dom) is not None, f"no heading `{h}` in the DOM")
        grouped = f"{figures['headline']['accounts']:,}"
        check(f"<b>{grouped}</b> accounts" in dom, f"the headline's {grouped} accounts are not in the DOM")
        check(f"{figures['alerts']['total']:,} alerts fired" in dom, "the number of fired alerts is not in the DOM")
        down = figures["movers"]["down"]
        check(bool(down), "the series has no account that went down")
        if down:
            first = down[0]["account"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            check(first in dom, f"the top mover {down[0]['account']} is not in the DOM")
        for b in figures["headline"]["bands"]:
            check(f"<td>{b['band']}</td>" in dom, f"the band {b['band']} has no row in the DOM")
        for r in figures["rollups"]:
            check(re.search(r"<h3>" + re.escape(r["title"]) + r"</h3>", dom) is not None, f"no table of the roll-up {r['name']}")
            first = r["shown"][0]["group"] if r["shown"] else None
            check(first is not None and f"<td>{first}</td>" in dom, f"the worst group of {r['name']} is not in the DOM")
        check(len(figures["rollups"]) == 2, "the roll-ups are not in the report's figures")
        check(dom.count('class="spark"') >= sum(len(r["shown"]) for r in figures["rollups"]), "a roll-up group has no trend")
        check("&lt;i&gt;acct&amp;0007&lt;/i&gt;" in dom, "the odd key is not text in the DOM")
        check("<i>acct" not in dom, "the odd key became markup in the DOM")
        check(figures["outcome"] is not None and figures["outcome"]["matched"] > 0, "no outcome matched")

        shot = tmp / "report.png"
        _, err, seconds, log = chromium(browser, tmp, page.as_uri(), f"--screenshot={shot}", "--window-size=1100,4000",
                                        "--hide-scrollbars")
        print(f"chromium --screenshot: {seconds:.2f} s (process start included)")
        check(shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "no PNG screenshot was written")
        check(not network_urls(log), "network requests while taking the screenshot")
        check(not console_lines(err), "console messages while taking the screenshot")

        # Printed (the page's print CSS): A4 pages, each section starting a page of its own.
        pdf = tmp / "report.pdf"
        _, err, seconds, log = chromium(browser, tmp, page.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
        print(f"chromium --print-to-pdf: {seconds:.2f} s (process start included)")
        data = pdf.read_bytes() if pdf.exists() else b""
        boxes = {tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
        pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
        check(boxes == {(0, 0, 595, 842)}, f"the printed pages are not A4 (595 x 842 pt): {boxes}")
        check(pages >= len(HEADINGS) - 1, f"{pages} printed pages for {len(HEADINGS) - 1} sections: no page breaks")
        print(f"printed: {pages} A4 pages")
        check(not network_urls(log), "network requests while printing")
    if failures:
        print(f"report_chromium: {len(failures)} checks failed")
        return 1
    print("report_chromium: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
