#!/usr/bin/env python3
"""Large scorecards (and data for them) to measure how compiling and scoring scale with the card.

    scripts/gen_large_card.py --measures 10000 -o big.health [--data big.csv --rows 1000]
    scripts/gen_large_card.py --measures 20 --segments 5000 -o segs.health

Measures are independent (each reads one of a few fields); with --segments each segment has
its own condition and cycles through --models models. Deterministic for the same arguments.
tests/unit/jit/large_card_test.cpp builds the same shape of card in C++.
"""
import argparse
import random

FIELDS = 8


def card(measures: int, segments: int, models: int) -> str:
    out = ['scorecard "large"', "", "fields {", "  id : text key"]
    out += [f"  f{i} : number{' optional' if i % 2 else ''}" for i in range(FIELDS)]
    out += ["}", "", "bands {", "  low from 0 color red", "  mid from 40 color yellow",
            "  high from 70 color green", "}", ""]
    for m in range(measures):
        f = m % FIELDS
        kind = m % 3
        out.append(f"measure m{m} {{")
        if kind == 0:
            out.append(f"  value = f{f} * {1 + m % 7} + {m % 11}")
            out.append(f"  score = linear(value, {m % 13} -> 0, {50 + m % 29} -> 100)")
        elif kind == 1:
            out.append(f"  value = f{f}")
            out.append(f"  score = ranges(value) {{ ..{10 + m % 5} -> 20  {10 + m % 5}..{60 + m % 9} -> 60  "
                       f"{60 + m % 9}.. -> 95 }}")
        else:
            out.append(f"  score = clamp(f{f} * 2 - {m % 17}, 0, 100)")
        if f % 2:
            out.append(f"  missing = {m % 100}")
        out.append("}")
    out.append("")
    out.append("model default {")
    out += [f"  m{m} {1 + m % 9}" for m in range(measures)]
    out.append("}")
    for k in range(1, models):
        out.append(f"model x{k} {{")
        out += [f"  m{m} {1 + (m + k) % 5}" for m in range(k % measures, measures, max(1, models))]
        out.append("}")
    for s in range(segments):
        model = "default" if models <= 1 or s % models == 0 else f"x{s % models}"
        out.append(f"segment s{s} when f{s % FIELDS} >= {segments - s} and f0 < {s + 1000} use {model}")
    out.append("override floor_low when f0 < 1 and f1 is missing => floor 10")
    out.append("label good when score >= 70")
    out.append("label rest otherwise")
    return "\n".join(out) + "\n"


def data(rows: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = ["id," + ",".join(f"f{i}" for i in range(FIELDS))]
    for r in range(rows):
        cells = []
        for i in range(FIELDS):
            cells.append("" if i % 2 and rng.random() < 0.2 else str(rng.randint(0, 120)))
        lines.append(f"a{r}," + ",".join(cells))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=1000)
    ap.add_argument("--segments", type=int, default=0)
    ap.add_argument("--models", type=int, default=4, help="models the segments cycle through")
    ap.add_argument("-o", "--output", required=True, help="the .health file to write")
    ap.add_argument("--data", help="also write a CSV of --rows accounts here")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with open(a.output, "w") as f:
        f.write(card(a.measures, a.segments, a.models if a.segments else 1))
    if a.data:
        with open(a.data, "w") as f:
            f.write(data(a.rows, a.seed))


if __name__ == "__main__":
    main()
