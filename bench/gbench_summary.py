#!/usr/bin/env python3
"""The JIT-vs-evaluator table and compile latencies from healthc_bench's JSON output.

    python3 bench/gbench_summary.py healthc_bench.json

Rates are per CPU second of the benchmark thread (Google Benchmark's default), which a loaded
machine disturbs less than wall time; compile latency shows both CPU and wall (real) time.
"""

import json
import sys


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    runs = {b["name"]: b for b in data["benchmarks"] if b.get("run_type", "iteration") == "iteration"}
    cards = []
    for name in runs:
        parts = name.split("/")
        if parts[0] == "score" and parts[1] not in cards:
            cards.append(parts[1])

    def ns(name):
        b = runs.get(name)
        return None if not b or "items_per_second" not in b else 1e9 / b["items_per_second"]

    def cell(x):
        return "-" if x is None else f"{x:,.1f}"

    head = ("card", "basic jit ns/row", "basic eval ns/row", "eval/jit", "detail jit ns/row", "detail eval ns/row",
            "eval/jit")
    rows = []
    for card in cards:
        r = [card]
        for variant in ("basic", "detail"):
            j, e = ns(f"score/{card}/{variant}/jit"), ns(f"score/{card}/{variant}/eval")
            r += [cell(j), cell(e), "-" if not (j and e) else f"{e / j:.1f}x"]
        rows.append(r)
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    fmt = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print("Scoring in memory, one thread, one block (JIT vs reference evaluator):")
    print(fmt(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(fmt(r))

    print("\nCompile latency (compile_scorecard_text, end to end):")
    for name, b in runs.items():
        if name.startswith("compile/"):
            unit = b.get("time_unit", "ms")
            print(f"  {name.split('/iterations')[0]:<45} cpu {b['cpu_time']:>10.2f} {unit}   "
                  f"wall {b['real_time']:>10.2f} {unit}   ({b['iterations']} iterations)")

    # Issue 18's large-card targets: a 500-measure card cold in under 1 s (the basic function,
    # and the detail one, each compiled alone), its detail scoring within 2x of its basic.
    print("\nTargets (issue 18), large cards:")
    to_s = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}

    def check(what, value, limit, unit):
        verdict = "-" if value is None else "met" if value <= limit else "GAP"
        shown = "-" if value is None else f"{value:.2f}{unit}"
        print(f"  {what:58} {shown:>9}  (at most {limit}{unit})  {verdict}")

    for kind in ("jit_cold", "jit_cold_detail"):
        b = runs.get(f"compile/gen500/{kind}")
        wall = None if not b else b["real_time"] * to_s[b.get("time_unit", "ms")]
        check(f"500-measure card, compile/gen500/{kind}, wall", wall, 1, " s")
    basic, detail = ns("score/gen500/basic/jit"), ns("score/gen500/detail/jit")
    check("500-measure card, detail / basic ns/row (JIT)", detail / basic if basic and detail else None, 2, "x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
