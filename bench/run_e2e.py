#!/usr/bin/env python3
"""End-to-end timings for scripts/bench.sh: healthc score (--columns from CSV and from the same
accounts as JSON Lines, the full output, --explain), the hand-written program and DuckDB on the
same generated B2B files, side by side, as ONE table of figures and ratios, then issue 18's
end-to-end targets (ratios within the run, peak memory).

    python3 bench/run_e2e.py --healthc H --card C --handwritten HW --node-modules DIR \
        --duckdb-sql Q --out-dir D --data ROWS=FILE [--data ROWS=FILE ...] [--reps 3] \
        [--gbench-json J]

Every command runs --reps times, interleaved with the others (so a burst of load on a shared
machine hits all of them alike); the table shows the best wall time, the CPU time (user + sys)
of that run, and the highest peak RSS of any run (GNU time's %M). Outputs are left in --out-dir
as TOOL_ROWS.csv for the checks that follow. With --gbench-json (healthc_bench's
--benchmark_out), the in-memory rows compare the JIT's ns/row with handwritten_b2b --bench.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

COLUMNS = "account_id,segment,score,band,label,override"
AS_OF = "2026-11-01"


def run_timed(cmd):
    """Runs cmd under GNU time; returns (wall s, cpu s, peak MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", tf.name] + cmd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        fields = tf.read().split()
    if proc.returncode != 0:
        sys.exit(f"run_e2e: `{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    _, peak_kb, user, system = fields[-4:]
    return wall, float(user) + float(system), int(peak_kb) / 1024.0


def jsonl_copy(csv_path):
    """The same accounts as JSON Lines beside the CSV (FILE.jsonl, made once): a column whose
    cells all read as numbers becomes JSON numbers, every other cell a JSON string, empty cells
    left out, as a JSON export would write them (bench/read_bench.cpp's rule)."""
    out_path = os.path.splitext(csv_path)[0] + ".jsonl"
    if os.path.exists(out_path) and os.path.getmtime(out_path) >= os.path.getmtime(csv_path):
        return out_path
    with open(csv_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        numeric = [True] * len(header)

        def is_number(cell):
            try:
                float(cell)
                return True
            except ValueError:
                return False

        with open(csv_path, newline="") as g:
            sample = csv.reader(g)
            next(sample)
            for i, row in enumerate(sample):
                if i >= 10000:
                    break
                for c, cell in enumerate(row):
                    if cell and not is_number(cell):
                        numeric[c] = False
        with open(out_path + ".tmp", "w") as out:
            for row in reader:
                fields = [f"{json.dumps(header[c])}:{cell if numeric[c] else json.dumps(cell)}"
                          for c, cell in enumerate(row) if cell]
                out.write("{" + ",".join(fields) + "}\n")
    os.replace(out_path + ".tmp", out_path)
    return out_path


def hand_kernel_ns(handwritten, rows):
    out = subprocess.run([handwritten, "--bench", str(rows), "1"], check=True, capture_output=True, text=True).stdout
    # "in-memory scoring: N rows, 1 thread(s), best of 5: X ms = Y ns/row; ..."
    return float(out.split(" ns/row")[0].rsplit("=", 1)[1])


def gbench_results(path):
    with open(path) as f:
        data = json.load(f)
    return {b["name"]: b for b in data["benchmarks"] if b.get("run_type", "iteration") == "iteration"}


def fmt_rate(x):
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for opt in ("--healthc", "--card", "--handwritten", "--node-modules", "--duckdb-sql", "--out-dir"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--data", action="append", required=True, help="ROWS=FILE")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--gbench-json")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    t = str(args.threads)

    def tools(data, jsonl, rows):
        out = lambda tool: os.path.join(args.out_dir, f"{tool}_{rows}.csv")
        flags = ["--threads", t, "--as-of", AS_OF, "-q"]
        score = [args.healthc, "score", args.card, data] + flags
        return [
            ("handwritten_b2b", "hand", [args.handwritten, data, out("handwritten"), t]),
            ("healthc --columns (6)", "cols", score + ["-o", out("healthc_columns"), "--columns", COLUMNS]),
            ("healthc --columns (6), JSON Lines in", "jcols",
             [args.healthc, "score", args.card, jsonl] + flags + ["-o", out("healthc_jsonl_columns"), "--columns", COLUMNS]),
            ("healthc full default output", "full", score + ["-o", out("healthc_full")]),
            ("healthc --explain", "expl", score + ["-o", out("healthc_explain"), "--explain"]),
            ("DuckDB, one SQL query", "duck",
             ["node", os.path.join(here, "duckdb_run.mjs"), args.node_modules, args.duckdb_sql, data, out("duckdb"), t]),
        ]

    rows_out = []  # (label, rows, wall, cpu, rows/s, MB/s, peak, x hand, duck x)
    targets = []  # (rows, best {key: (wall, cpu)}, peak {key: MB}) for issue 18's targets
    for spec in args.data:
        rows_s, data = spec.split("=", 1)
        rows = int(rows_s)
        size_mb = os.path.getsize(data) / 1e6
        jsonl = jsonl_copy(data)
        for f in (data, jsonl):
            subprocess.run(["cat", f], stdout=subprocess.DEVNULL, check=True)  # into the page cache
        best, peak = {}, {}
        cases = tools(data, jsonl, rows)
        for rep in range(args.reps):
            for label, key, cmd in cases:
                wall, cpu, mb = run_timed(cmd)
                print(f"  [{rows} rows, run {rep + 1}/{args.reps}] {label}: {wall:.3f} s, {mb:.0f} MB", file=sys.stderr)
                if key not in best or wall < best[key][0]:
                    best[key] = (wall, cpu)
                peak[key] = max(peak.get(key, 0.0), mb)
        hand, duck = best["hand"][0], best["duck"][0]
        targets.append((rows, best, peak))
        for label, key, _ in cases:
            wall, cpu = best[key]
            rows_out.append((label, rows, f"{wall:.3f}", f"{cpu:.2f}", fmt_rate(rows / wall), f"{size_mb / wall:.0f}",
                             f"{peak[key]:.0f}", f"{wall / hand:.2f}x", f"{duck / wall:.2f}x"))

    # In memory, scoring alone, one thread.
    mem_rows = []
    hand_1m = hand_kernel_ns(args.handwritten, 1_000_000)
    mem_rows.append(("handwritten_b2b --bench 1000000 1", 1_000_000, hand_1m))
    gb = gbench_results(args.gbench_json) if args.gbench_json else {}
    jit, ev = gb.get("score/b2b_saas/basic/jit"), gb.get("score/b2b_saas/basic/eval")
    if jit:
        block = int(os.environ.get("HEALTHC_BENCH_ROWS", "65536"))
        mem_rows.append((f"handwritten_b2b --bench {block} 1", block, hand_kernel_ns(args.handwritten, block)))
        mem_rows.append(("healthc_bench JIT, b2b_saas basic", block, 1e9 / jit["items_per_second"]))
        if ev:
            mem_rows.append(("healthc_bench evaluator, b2b_saas basic", block, 1e9 / ev["items_per_second"]))
    for label, rows, ns in mem_rows:
        wall = ns * rows / 1e9
        rows_out.append((label, rows, f"{wall:.4f}", "-", fmt_rate(1e9 / ns), "-", "-", f"{ns / hand_1m:.2f}x", "-"))

    head = ("what", "rows", "wall s", "cpu s", "rows/s", "MB/s", "peak MB", "vs hand", "DuckDB/this")
    widths = [max(len(str(r[i])) for r in rows_out + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(head))
    print("  ".join("-" * w for w in widths))
    split = len(rows_out) - len(mem_rows)
    for i, r in enumerate(rows_out):
        if i == split:
            print(f"in memory, scoring alone, 1 thread (wall = ns/row x rows; vs hand = ns/row / "
                  f"handwritten_b2b --bench 1000000 1's {hand_1m:.2f} ns/row):")
        print(line(r))
    print(f"\nwall: best of {args.reps} (interleaved); cpu: user+sys of that run; peak MB: highest peak RSS of "
          f"any run (GNU time %M); MB/s: input CSV bytes / wall; vs hand: wall / handwritten_b2b's wall "
          f"(lower is better); DuckDB/this: DuckDB's wall / this wall (higher is better). {args.threads} threads; "
          f"healthc reads its compiled code from the cache. In memory: rows/s per CPU second, "
          f"healthc_bench blocks of {os.environ.get('HEALTHC_BENCH_ROWS', '65536')} rows.")

    # Issue 18's end-to-end targets, each as a ratio within this run.
    print("\nTargets (issue 18), from the runs above:")
    for rows, best, peak in targets:
        def check(what, value, limit, unit="x"):
            verdict = "met" if value <= limit else "GAP"
            print(f"  {rows:>9} rows  {what:52} {value:7.2f}{unit}  (at most {limit}{unit})  {verdict}")
        hand = best["hand"][0]
        check("healthc --columns wall / handwritten_b2b wall", best["cols"][0] / hand, 1.5)
        check("healthc full output wall / handwritten_b2b wall", best["full"][0] / hand, 2.5)
        check("healthc --columns, JSON Lines in / CSV in (wall)", best["jcols"][0] / best["cols"][0], 2.0)
        check("peak memory, healthc --columns", peak["cols"], 64, " MB")
        check("peak memory, healthc full output", peak["full"], 64, " MB")
        check("peak memory, healthc --explain", peak["expl"], 64, " MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
