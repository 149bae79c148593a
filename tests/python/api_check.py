#!/usr/bin/env python3
"""The healthc Python package end to end (run by run.sh in a venv where it is pip-installed):
score_frame on every example row identical to `healthc score` in every column (CSV as pandas
reads it, all strings, and typed columns), --explain's measure columns, score/explain against
the JSON Lines output, rejected rows with the CLI's reasons, diagnostics against
`healthc check --format json`, metadata, artefacts, pickling, and slices/threads on 70,000 rows."""
import argparse
import json
import math
import os
import pickle
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import pandas as pd

import healthc

ARGS = None
AS_OF = "2026-11-01"
CARDS = ("b2b_saas", "lifecycle", "fintech_platform")
HEAD = ("segment", "score", "band", "color", "label", "override", "reasons")


def card_path(name):
    return os.path.join(ARGS.root, "examples", f"{name}.health")


def data_path(name):
    return os.path.join(ARGS.root, "examples", "data", f"{name}_sample.csv")


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def cli(*args, check=True):
    return subprocess.run([ARGS.healthc, *args], capture_output=True, text=True, check=check)


def cli_scores(card, data, *extra):
    out = os.path.join(TMP, "cli.csv")
    cli("score", card, data, "--as-of", AS_OF, "-o", out, *extra, check=False)
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def as_cli_text(col):
    """A result column as the CLI's CSV cells: missing is empty, numbers shortest round trip."""
    def cell(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, float):
            return repr(v) if v != int(v) or abs(v) >= 1e16 else str(int(v))
        return str(v)
    return [cell(v) for v in col.astype(object)]


class ScoreFrame(unittest.TestCase):
    def assert_same(self, got, want, key):
        self.assertEqual(len(got), len(want))
        self.assertTrue(got["rejected"].isna().all(), got["rejected"].dropna().head())
        self.assertEqual(list(got.columns[:-1]), list(want.columns))
        self.assertEqual(as_cli_text(got[key]), list(want[key]))
        for c in want.columns[1:]:
            g, w = as_cli_text(got[c]), list(want[c])
            bad = [i for i in range(len(w)) if g[i] != w[i] and not (c.endswith((".value", ".score", ".weight"))
                                                                     and w[i] and g[i] and float(g[i]) == float(w[i]))]
            self.assertFalse(bad, f"column {c}: rows {bad[:5]}: {[g[i] for i in bad[:5]]} vs {[w[i] for i in bad[:5]]}")

    def test_examples_as_pandas_reads_them(self):
        for name in CARDS:
            card = healthc.Scorecard.load(card_path(name))
            got = card.score_frame(pd.read_csv(data_path(name)), as_of=AS_OF)
            self.assert_same(got, cli_scores(card_path(name), data_path(name)), card.key_field)

    def test_examples_explain(self):
        for name in CARDS:
            card = healthc.Scorecard.load(card_path(name))
            got = card.score_frame(pd.read_csv(data_path(name)), as_of=AS_OF, explain=True)
            self.assert_same(got, cli_scores(card_path(name), data_path(name), "--explain"), card.key_field)

    def test_examples_all_strings_and_typed(self):
        for name in CARDS:
            card = healthc.Scorecard.load(card_path(name))
            want = cli_scores(card_path(name), data_path(name))
            strings = pd.read_csv(data_path(name), dtype=str, keep_default_na=False)
            self.assert_same(card.score_frame(strings, as_of=AS_OF), want, card.key_field)
            typed = pd.read_csv(data_path(name))
            for f in card.fields:
                if f.type == "enum":
                    typed[f.name] = typed[f.name].astype("category")
                elif f.type == "date":
                    typed[f.name] = pd.to_datetime(typed[f.name])
                elif f.type == "number":
                    typed[f.name] = typed[f.name].astype("Float64")
            self.assert_same(card.score_frame(typed, as_of=pd.Timestamp(AS_OF)), want, card.key_field)

    def test_index_kept_and_empty_frame(self):
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        df = pd.read_csv(data_path("b2b_saas")).iloc[::-1].set_index("account_id", drop=False)
        got = card.score_frame(df, as_of=AS_OF)
        self.assertTrue((got.index == df.index).all())
        self.assertEqual(len(card.score_frame(df.iloc[:0], as_of=AS_OF)), 0)
        with self.assertRaisesRegex(KeyError, "no column for field `tier`"):
            card.score_frame(df.drop(columns=["tier"]), as_of=AS_OF)
        with self.assertRaisesRegex(ValueError, "not a date"):
            card.score_frame(df, as_of="1 Nov")

    def test_columns_of_a_two_dimensional_array(self):
        # A frame made from one 2-D array keeps it as is: each column is a strided view (pandas 1.5's
        # to_numpy(na_value=...) copies it; score_frame must not count on that).
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        df = pd.read_csv(data_path("b2b_saas"))
        numbers = [f.name for f in card.fields if f.type == "number" and not df[f.name].isna().any()]
        strided = pd.DataFrame(np.ascontiguousarray(df[numbers].to_numpy(dtype=np.float64)), columns=numbers)
        self.assertNotEqual(strided[numbers[0]].to_numpy().strides, (8,))
        for c in df.columns:
            if c not in numbers:
                strided[c] = df[c]
        want = cli_scores(card_path("b2b_saas"), data_path("b2b_saas"))
        self.assert_same(card.score_frame(strided, as_of=AS_OF), want, card.key_field)

    def test_rejected_rows_carry_the_cli_reason(self):
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        header = read_text(data_path("b2b_saas")).splitlines(True)[0]
        bad_rows = ["acc-1,gold,12,4,7,1,-3,green,44,48,2027-04-07,0",
                    "acc-2,smb,,4,7,1,-3,green,44,48,2027-13-07,0",
                    ",smb,1,4,7,1,NA,green,44,48,2027-12-07,0",
                    "acc-4,smb,1,4,7,1,inf,blue,44,48,27-12-07,0",
                    "acc-5, smb ,1,4,7,1, 5 ,,44,,,0"]
        path = os.path.join(TMP, "bad.csv")
        with open(path, "w") as f:
            f.write(header + "\n".join(bad_rows) + "\n")
        run = cli("score", card_path("b2b_saas"), path, "--as-of", AS_OF, "-o", os.path.join(TMP, "bad.out.csv"),
                  check=False)
        self.assertEqual(run.returncode, 3)
        want = {int(l.split(":")[1]) - 2: l.split(": rejected: ", 1)[1] for l in run.stderr.splitlines()
                if ": rejected: " in l}
        self.assertEqual(sorted(want), [0, 1, 2, 3])
        got = card.score_frame(pd.read_csv(path, dtype=str, keep_default_na=False), as_of=AS_OF)
        for r, reason in want.items():
            self.assertEqual(got["rejected"][r], reason)
            self.assertTrue(pd.isna(got["score"][r]) and pd.isna(got["band"][r]) and got["reasons"][r] is None)
        self.assertIsNone(got["rejected"][4])
        self.assertEqual(str(got["score"][4]), pd.read_csv(os.path.join(TMP, "bad.out.csv"))["score"].astype(str)[0])

    def test_spelled_members_bad_cells_and_unscored_rows(self):
        # The golden tests' telecom card: members spelled "Month-to-month", "One year"; its bad
        # cells; and (Contract made optional) a row with no input at all, which is unscored.
        golden = os.path.join(ARGS.root, "tests", "golden", "score")
        text = read_text(os.path.join(golden, "telecom_optional.health"))
        loose = os.path.join(TMP, "telecom_loose.health")
        with open(loose, "w") as f:
            f.write(text.replace('biennial = "Two year")', 'biennial = "Two year") optional'))
        empty = os.path.join(TMP, "telecom_empty.csv")
        with open(empty, "w") as f:
            f.write(read_text(os.path.join(golden, "telecom.csv")) + "NONE-1,,,,,\n")
        for card_file, data in ((os.path.join(golden, "telecom_optional.health"), "telecom.csv"),
                                (os.path.join(golden, "telecom_optional.health"), "telecom_na.csv"),
                                (os.path.join(golden, "telecom_optional.health"), "telecom_bad_cells.csv"),
                                (loose, empty)):
            data = os.path.join(golden, data)
            out = os.path.join(TMP, "telecom.out.csv")
            run = cli("score", card_file, data, "--as-of", AS_OF, "-o", out, check=False)
            self.assertIn(run.returncode, (0, 3), run.stderr)
            found = (re.match(r"^(.*):(\d+): rejected: (.*)$", l) for l in run.stderr.splitlines())
            reasons = {int(m.group(2)) - 2: m.group(3) for m in found if m}
            card = healthc.Scorecard.load(card_file)
            got = card.score_frame(pd.read_csv(data, dtype=str, keep_default_na=False), as_of=AS_OF)
            self.assertEqual({r: v for r, v in got["rejected"].items() if v is not None}, reasons, data)
            want = pd.read_csv(out, dtype=str, keep_default_na=False)
            scored = got[got["rejected"].isna()].reset_index(drop=True)
            for c in (card.key_field, *HEAD):
                self.assertEqual(as_cli_text(scored[c]), list(want[c]), (data, c))
        self.assertEqual((scored["band"].iloc[-1], scored["color"].iloc[-1]), ("unscored", "grey"))
        self.assertTrue(pd.isna(scored["score"].iloc[-1]))

    def test_rejected_typed_values(self):
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        df = pd.read_csv(data_path("b2b_saas")).head(6)
        df["nps"] = df["nps"].astype(float)
        df.loc[0, "nps"] = math.inf
        df["days_live"] = df["days_live"].astype(float)
        df.loc[1, "days_live"] = math.nan
        df["renewal_date"] = pd.to_datetime(df["renewal_date"])
        df.loc[2, "renewal_date"] = pd.Timestamp("2027-01-02 10:30")
        df["tier"] = df["tier"].astype(object)
        df.loc[3, "tier"] = None
        got = card.score_frame(df, as_of=AS_OF)
        self.assertEqual(list(got["rejected"][:4]), ["field `nps`: `inf` is not a number",
                                                    "required field `days_live` is empty",
                                                    "field `renewal_date`: `2027-01-02 10:30:00` is not a date "
                                                    "(expected YYYY-MM-DD)",
                                                    "required field `tier` is empty"])
        self.assertTrue(got["rejected"][4:].isna().all() and got["score"][:4].isna().all())
        self.assertFalse(got["score"][4:].isna().any())


class OneAccount(unittest.TestCase):
    def test_score_and_explain_match_the_jsonl_output(self):
        for name in CARDS:
            card = healthc.Scorecard.load(card_path(name))
            out = os.path.join(TMP, "cli.jsonl")
            cli("score", card_path(name), data_path(name), "--as-of", AS_OF, "--explain", "-o", out)
            want = [json.loads(l) for l in read_text(out).splitlines()]
            df = pd.read_csv(data_path(name), dtype=str, keep_default_na=False)
            for r, row in enumerate(df.to_dict("records")):
                account = {k: (v if v != "" else None) for k, v in row.items()}
                got = card.explain(account, as_of=AS_OF)
                w = want[r]
                self.assertEqual(got["key"], w[card.key_field])
                for c in ("segment", "score", "band", "color", "label", "override"):
                    self.assertEqual(got[c], w[c], (name, r, c))
                self.assertEqual("; ".join(f"{x['measure']} -{x['points']:.1f}" for x in got["reasons"]), w["reasons"])
                for m in card.measures:
                    for k in ("value", "score", "weight"):
                        self.assertEqual(got["measures"][m.name][k], w[f"{m.name}.{k}"])
                self.assertNotIn("measures", card.score(account, as_of=AS_OF))

    def test_typed_values_of_an_account(self):
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        row = pd.read_csv(data_path("b2b_saas")).iloc[0].to_dict()
        as_text = dict(row, renewal_date=str(row["renewal_date"]), nps=None)
        typed = dict(row, renewal_date=pd.Timestamp(row["renewal_date"]), nps=pd.NA)
        self.assertEqual(card.explain(typed, as_of=pd.Timestamp(AS_OF)), card.explain(as_text, as_of=AS_OF))
        frame = card.score_frame(pd.DataFrame([dict(typed, renewal_date=pd.Timestamp("2027-01-02 10:30"))]),
                                 as_of=AS_OF)
        got = card.score(dict(typed, renewal_date=pd.Timestamp("2027-01-02 10:30")), as_of=AS_OF)
        self.assertEqual(got, {"rejected": frame["rejected"][0]})

    def test_rejected_account(self):
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        got = card.score({"account_id": "a", "tier": "gold"}, as_of=AS_OF)
        self.assertEqual(list(got), ["rejected"])
        self.assertIn("`tier`", got["rejected"])


class Diagnostics(unittest.TestCase):
    def test_compile_error_carries_the_diagnostics_of_check(self):
        text = read_text(card_path("b2b_saas")).replace("logins_30d", "logins_3d", 1)
        path = os.path.join(TMP, "broken.health")
        with open(path, "w") as f:
            f.write(text)
        want = [json.loads(l) for l in cli("check", "--format", "json", path, check=False).stdout.splitlines()]
        self.assertTrue(want)
        with self.assertRaises(healthc.CompileError) as e:
            healthc.Scorecard.compile(text, file_name=path)
        got = e.exception.diagnostics
        self.assertEqual([(d.code, d.severity, d.line, d.col, d.message) for d in got],
                         [(w.get("code"), w["severity"], w["range"]["line"], w["range"]["column"], w["message"])
                          for w in want])
        self.assertTrue(all(isinstance(d, healthc.Diagnostic) for d in got))
        self.assertIn(f"{path}:{got[0].line}:{got[0].col}", e.exception.text)
        self.assertIn(got[0].message, str(e.exception))
        with self.assertRaises(healthc.CompileError) as e:
            healthc.Scorecard.load(path)

    def test_unknown_param_and_params(self):
        with self.assertRaises(healthc.CompileError) as e:
            healthc.Scorecard.load(card_path("b2b_saas"), params={"nope": 1})
        self.assertIsNone(e.exception.diagnostics[0].code)
        self.assertIn("nope", e.exception.diagnostics[0].message)
        card = healthc.Scorecard.load(card_path("b2b_saas"), params={"collapse": -0.4}, engine="eval")
        want = cli_scores(card_path("b2b_saas"), data_path("b2b_saas"), "--param", "collapse=-0.4")
        got = card.score_frame(pd.read_csv(data_path("b2b_saas")), as_of=AS_OF)
        self.assertEqual(as_cli_text(got["score"]), list(want["score"]))
        with self.assertRaises(ValueError):
            healthc.Scorecard.load(card_path("b2b_saas"), engine="llvm")


class Library(unittest.TestCase):
    def locate(self, **env):
        run = subprocess.run([sys.executable, "-c", "import healthc\ntry: print(healthc.library().path)\n"
                              "except healthc.LibraryNotFound as e: print('NOTFOUND', e)"],
                             env={**{k: v for k, v in os.environ.items() if k != "HEALTHC_LIBRARY"}, **env},
                             capture_output=True, text=True, cwd=TMP)
        return run.stdout.strip()

    def test_where_the_library_is_found(self):
        bindir = os.path.dirname(os.path.abspath(ARGS.healthc))
        # Without HEALTHC_LIBRARY: beside the `healthc` on PATH (here the build tree's CLI).
        got = self.locate(PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        self.assertEqual(got, os.path.join(bindir, "libhealthc.so.0"))
        got = self.locate(HEALTHC_LIBRARY="/nonexistent/libhealthc.so.0")
        self.assertTrue(got.startswith("NOTFOUND") and "/nonexistent/libhealthc.so.0 (absent)" in got, got)


    def test_the_runtime_library_scores_artefacts_only(self):
        build = os.path.dirname(os.path.dirname(os.path.abspath(ARGS.healthc)))
        so = os.path.join(TMP, "runtime_b2b.so")
        cli("compile", card_path("b2b_saas"), "--emit", "shared", "-o", so)
        script = (f"import healthc, pandas as pd\n"
                  f"card = healthc.Scorecard.load({so!r})\n"
                  f"print(','.join(map(str, card.score_frame(pd.read_csv({data_path('b2b_saas')!r}), "
                  f"as_of={AS_OF!r})['score'])))\n"
                  f"try:\n    healthc.Scorecard.load({card_path('b2b_saas')!r})\n"
                  f"except healthc.LoadError as e:\n    print('LoadError', e)\n")
        env = dict(os.environ, HEALTHC_LIBRARY=os.path.join(build, "runtime", "libhealthc_runtime.so.0"))
        run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=TMP)
        lines = run.stdout.splitlines()
        self.assertEqual(len(lines), 2, run.stderr)
        self.assertEqual(lines[0].split(","), list(cli_scores(card_path("b2b_saas"), data_path("b2b_saas"))["score"]))
        self.assertIn("has no compiler", lines[1])


class Metadata(unittest.TestCase):
    def test_b2b_metadata(self):
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        self.assertEqual(card.title, "B2B SaaS health")
        self.assertEqual([f.name for f in card.fields], read_text(data_path("b2b_saas")).split("\n")[0].split(",")[:11])
        self.assertEqual(card.key_field, "account_id")
        tier = card.fields[1]
        self.assertEqual((tier.type, tier.optional, tier.members), ("enum", False, ("enterprise", "mid_market", "smb")))
        self.assertTrue(card.fields[6].optional and card.fields[6].type == "number")
        self.assertEqual(card.fields[10].type, "date")
        self.assertEqual(card.bands[0], healthc.Band("critical", "Critical", "red", 0, 30))
        self.assertEqual(len(card.measures), 6)
        self.assertEqual([s.name for s in card.segments], ["new_logo", "enterprise"])
        self.assertEqual([b.name for b in card.bands], ["critical", "at_risk", "healthy"])
        self.assertEqual(card.bands[-1].hi, 100)

    def test_spellings(self):
        text = read_text(card_path("b2b_saas")).replace(
            "enum(enterprise, mid_market, smb)", 'enum(enterprise = "Enterprise", mid_market = "Mid-market", smb)')
        path = os.path.join(TMP, "spelled.health")
        with open(path, "w") as f:
            f.write(text)
        card = healthc.Scorecard.load(path)
        self.assertEqual(card.fields[1].members, ("enterprise", "mid_market", "smb"))
        self.assertEqual(card.fields[1].spellings, ("Enterprise", "Mid-market", "smb"))
        df = pd.read_csv(data_path("b2b_saas"), dtype=str, keep_default_na=False).head(20)
        df["tier"] = df["tier"].replace({"enterprise": "Enterprise", "mid_market": "Mid-market"})
        df.loc[0, "tier"] = "mid_market"  # the member's name is not its spelling in the data
        data = os.path.join(TMP, "spelled.csv")
        df.to_csv(data, index=False)
        run = cli("score", path, data, "--as-of", AS_OF, "-o", os.path.join(TMP, "spelled.out.csv"), check=False)
        got = card.score_frame(df, as_of=AS_OF)
        self.assertEqual(got["rejected"][0], run.stderr.split(": rejected: ", 1)[1].splitlines()[0])
        want = pd.read_csv(os.path.join(TMP, "spelled.out.csv"), dtype=str, keep_default_na=False)
        self.assertEqual(as_cli_text(got["score"][1:]), list(want["score"]))


class Shipping(unittest.TestCase):
    def test_artefact_and_pickle(self):
        for name in CARDS:
            so = os.path.join(TMP, f"{name}.so")
            cli("compile", card_path(name), "--emit", "shared", "-o", so)
            want = cli_scores(card_path(name), data_path(name))
            df = pd.read_csv(data_path(name))
            aot = healthc.Scorecard.load(so)
            for card in (aot, pickle.loads(pickle.dumps(aot)),
                         pickle.loads(pickle.dumps(healthc.Scorecard.load(card_path(name))))):
                got = card.score_frame(df, as_of=AS_OF)
                for c in HEAD:
                    self.assertEqual(as_cli_text(got[c]), list(want[c]), (name, c))
        with self.assertRaises(healthc.LoadError):
            healthc.Scorecard.load(data_path("b2b_saas"))

    def test_slices_and_threads_on_many_rows(self):
        data = os.path.join(TMP, "many.csv")
        subprocess.run([sys.executable, os.path.join(ARGS.root, "scripts", "gen_accounts.py"), "--card", "b2b",
                        "--rows", "70000", "--seed", "7", "-o", data], check=True)
        card = healthc.Scorecard.load(card_path("b2b_saas"))
        want = cli_scores(card_path("b2b_saas"), data)
        df = pd.read_csv(data)
        one = card.score_frame(df, as_of=AS_OF, threads=1)
        four = card.score_frame(df, as_of=AS_OF, threads=4)
        pd.testing.assert_frame_equal(one, four)
        for c in HEAD:
            self.assertEqual(as_cli_text(one[c]), list(want[c]), c)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--healthc", required=True)
    ap.add_argument("--root", required=True)
    ARGS, rest = ap.parse_known_args()
    with tempfile.TemporaryDirectory() as TMP:
        unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
