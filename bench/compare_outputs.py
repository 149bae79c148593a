#!/usr/bin/env python3
"""Compares two score outputs (CSV) row by row, and says exactly where and how they differ.

    python3 bench/compare_outputs.py A.csv B.csv [--names A,B] [--show 10]

Both files must have the same header. A line that differs as text but reads back to the same
fields under RFC 4180 (e.g. an empty override written `""` by one program and as nothing by
the other) is a quoting difference only: counted and reported, not a mismatch. Every other
difference is a mismatch: the rows (by line and first column), the columns and both values are
printed, with a count per column. Exit 0 when there is no mismatch, 1 otherwise.
"""

import argparse
import collections
import csv
import io
import itertools
import sys


def parse(line):
    return next(csv.reader(io.StringIO(line)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--names", default="A,B", help="what to call the two files in the report")
    ap.add_argument("--show", type=int, default=10, help="mismatching rows to print")
    args = ap.parse_args()
    name_a, name_b = args.names.split(",", 1)

    with open(args.a, newline="") as fa, open(args.b, newline="") as fb:
        head_a, head_b = fa.readline().rstrip("\r\n"), fb.readline().rstrip("\r\n")
        if parse(head_a) != parse(head_b):
            print(f"  headers differ: {name_a}: {head_a} / {name_b}: {head_b}")
            return 1
        header = parse(head_a)
        rows = quoting_only = mismatched = 0
        per_column = collections.Counter()
        quoting_columns = collections.Counter()
        shown = []
        for lineno, (la, lb) in enumerate(itertools.zip_longest(fa, fb), start=2):
            if la is None or lb is None:
                longer = name_a if lb is None else name_b
                print(f"  row counts differ: {longer} has more rows, from line {lineno}")
                mismatched += 1
                break
            rows += 1
            la, lb = la.rstrip("\r\n"), lb.rstrip("\r\n")
            if la == lb:
                continue
            fa_, fb_ = parse(la), parse(lb)
            if fa_ == fb_:
                quoting_only += 1
                for col, ra, rb in zip(header, la.split(","), lb.split(",")):
                    if ra != rb:
                        quoting_columns[col] += 1
                continue
            mismatched += 1
            cols = [c for c, x, y in zip(header, fa_, fb_) if x != y] or ["(field count)"]
            per_column.update(cols)
            if len(shown) < args.show:
                shown.append((lineno, fa_, fb_, cols))

    print(f"  {rows} rows compared ({name_a} vs {name_b}): {mismatched} mismatching, "
          f"{quoting_only} differing in CSV quoting only")
    if quoting_only:
        detail = ", ".join(f"{c}: {n}" for c, n in quoting_columns.most_common())
        print(f"  quoting-only differences (same fields under RFC 4180), by column: {detail}")
    if mismatched:
        print("  mismatches by column: " + ", ".join(f"{c}: {n}" for c, n in per_column.most_common()))
        for lineno, ra, rb, cols in shown:
            print(f"    line {lineno} ({ra[0] if ra else ''}): " +
                  "; ".join(f"{c}: {name_a}={ra[header.index(c)] if c in header else ra} "
                            f"{name_b}={rb[header.index(c)] if c in header else rb}" for c in cols))
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
