#!/usr/bin/env bash
# Output paths never lose data (issue 12, defect 5): an output that is an input or another
# output is a usage error that touches nothing; a failed run leaves an existing output
# byte-identical with no temp file behind; write errors exit 1 naming the path; devices are
# written directly. For score -o/--rejects, test -o and tune -o.
# usage: output_paths.sh HEALTHC ROOT
set -uo pipefail
healthc="$1"; root="$2"; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HEALTHC_NO_PROGRESS=1 NO_COLOR=1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_EXIT NAME -- ARGS...: runs healthc, checks its exit code; stderr is in $tmp/err.
run() {
  local want="$1" name="$2"; shift 3
  "$healthc" "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" != "$want" ]; then fail "$name: exit $got, expected $want"; sed 's/^/    /' "$tmp/err" | head -5; fi
}
same() { cmp -s "$1" "$2" || fail "$3: $(basename "$1") changed"; }
says() { grep -q -- "$1" "$tmp/err" || fail "$2: stderr lacks '$1': $(head -3 "$tmp/err")"; }
no_temps() {
  local left; left=$(find "$tmp/w" -name '*.healthc-tmp-*' | head -3)
  [ -z "$left" ] || fail "$1: temp files left behind: $left"
  rm -f "$tmp"/w/.*.healthc-tmp-*
}
fresh() {  # a working folder with copies of the inputs and their pristine twins
  rm -rf "$tmp/w" "$tmp/orig"; mkdir -p "$tmp/w" "$tmp/orig"
  cp "$root/examples/b2b_saas.health" "$root/examples/data/b2b_saas_sample.csv" "$root/tests/golden/score/bad_rows.csv" \
     "$root/examples/tests/b2b_saas_cases.csv" "$root/tests/golden/validate/b2b_accounts.csv" \
     "$root/tests/golden/score/card_with_errors.health" "$root/tests/golden/score/missing_header.csv" "$tmp/w/"
  printf 'old scores, keep me\n' >"$tmp/w/scores.csv"
  printf 'old rejects, keep me\n' >"$tmp/w/rejects.csv"
  cp -p "$tmp"/w/* "$tmp/orig/"
}
W="$tmp/w"; O="$tmp/orig"
S=(score "$W/b2b_saas.health")
A=(--as-of 2026-11-01)

# --- score: outputs that are inputs or each other ---------------------------------------------
fresh
run 2 "score -o DATA" -- "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -o "$W/b2b_saas_sample.csv"
same "$W/b2b_saas_sample.csv" "$O/b2b_saas_sample.csv" "score -o DATA"; says "same file as DATA" "score -o DATA"
run 2 "score --rejects DATA" -- "${S[@]}" "$W/bad_rows.csv" "${A[@]}" -o "$W/scores.csv" --rejects "$W/bad_rows.csv"
same "$W/bad_rows.csv" "$O/bad_rows.csv" "score --rejects DATA"; same "$W/scores.csv" "$O/scores.csv" "score --rejects DATA"
run 2 "score -o CARD" -- "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -o "$W/b2b_saas.health"
same "$W/b2b_saas.health" "$O/b2b_saas.health" "score -o CARD"; says "same file as CARD" "score -o CARD"
run 2 "score --rejects X -o X" -- "${S[@]}" "$W/bad_rows.csv" "${A[@]}" -o "$W/scores.csv" --rejects "$W/scores.csv"
same "$W/scores.csv" "$O/scores.csv" "score --rejects X -o X"; says "are the same file" "score --rejects X -o X"
run 2 "score --rejects X -o ./X (new)" -- "${S[@]}" "$W/bad_rows.csv" "${A[@]}" -o "$W/new.csv" --rejects "$W/./new.csv"
[ ! -e "$W/new.csv" ] || fail "score --rejects X -o X (new): the file was created"
ln "$W/b2b_saas_sample.csv" "$W/hardlink.csv"; ln -s "$W/b2b_saas_sample.csv" "$W/symlink.csv"
run 2 "score -o hard link to DATA" -- "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -o "$W/hardlink.csv"
run 2 "score -o symlink to DATA" -- "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -o "$W/symlink.csv"
same "$W/b2b_saas_sample.csv" "$O/b2b_saas_sample.csv" "score -o link to DATA"
no_temps "score clashes"

# --- score: a failed run leaves existing outputs byte-identical --------------------------------
fresh
run 1 "score, card with errors" -- score "$W/card_with_errors.health" "$W/b2b_saas_sample.csv" "${A[@]}" \
  -o "$W/scores.csv" --rejects "$W/rejects.csv"
same "$W/scores.csv" "$O/scores.csv" "score, card with errors"; same "$W/rejects.csv" "$O/rejects.csv" "score, card with errors"
run 1 "score, missing data file" -- "${S[@]}" "$W/no_such.csv" "${A[@]}" -o "$W/scores.csv"
same "$W/scores.csv" "$O/scores.csv" "score, missing data file"
run 1 "score, bad header" -- "${S[@]}" "$W/missing_header.csv" "${A[@]}" -o "$W/scores.csv" --rejects "$W/rejects.csv"
same "$W/scores.csv" "$O/scores.csv" "score, bad header"; same "$W/rejects.csv" "$O/rejects.csv" "score, bad header"
run 1 "score --rejects /dev/full" -- "${S[@]}" "$W/bad_rows.csv" "${A[@]}" -o "$W/scores.csv" --rejects /dev/full
says "/dev/full" "score --rejects /dev/full"; says "No space left on device" "score --rejects /dev/full"
same "$W/scores.csv" "$O/scores.csv" "score --rejects /dev/full"
run 1 "score -o /dev/full" -- "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -o /dev/full --rejects "$W/rejects.csv"
says "cannot write \`/dev/full\`" "score -o /dev/full"; same "$W/rejects.csv" "$O/rejects.csv" "score -o /dev/full"
no_temps "score failures"

# --- score: runs that complete commit, rows rejected (exit 3) included ---------------------------
fresh
run 0 "score -o /dev/null" -- "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -o /dev/null --rejects /dev/null
[ -c /dev/null ] || fail "score -o /dev/null: /dev/null is no longer a device"
run 3 "score with rejects" -- "${S[@]}" "$W/bad_rows.csv" "${A[@]}" -o "$W/scores.csv" --rejects "$W/rejects.csv"
[ "$(wc -l <"$W/scores.csv")" = 7 ] || fail "score with rejects: scores.csv is not header + 5 rows (+1 multi-line)"
[ "$(head -c 10 "$W/rejects.csv")" = "account_id" ] || fail "score with rejects: rejects.csv has no header"
grep -q "gold" "$W/rejects.csv" || fail "score with rejects: rejects.csv lacks a rejected row"
"$healthc" "${S[@]}" "$W/bad_rows.csv" "${A[@]}" -o /dev/stdout --rejects /dev/null >"$W/via_stdout.csv" 2>/dev/null
cmp -s "$W/via_stdout.csv" "$W/scores.csv" || fail "score -o /dev/stdout: not the same scores as -o FILE"
no_temps "score commits"

# --- test -o ----------------------------------------------------------------------------------
fresh
T=(test "$W/b2b_saas.health" "$W/b2b_saas_cases.csv" "${A[@]}" --format junit)
run 2 "test -o CARD" -- "${T[@]}" -o "$W/b2b_saas.health"
same "$W/b2b_saas.health" "$O/b2b_saas.health" "test -o CARD"
run 2 "test -o CASES" -- "${T[@]}" -o "$W/b2b_saas_cases.csv"
same "$W/b2b_saas_cases.csv" "$O/b2b_saas_cases.csv" "test -o CASES"
run 1 "test, card with errors" -- test "$W/card_with_errors.health" "$W/b2b_saas_cases.csv" "${A[@]}" --format junit \
  -o "$W/scores.csv"
same "$W/scores.csv" "$O/scores.csv" "test, card with errors"
run 1 "test, missing case file" -- "${T[@]}" "$W/no_such.csv" -o "$W/scores.csv"
same "$W/scores.csv" "$O/scores.csv" "test, missing case file"
run 1 "test -o /dev/full" -- "${T[@]}" -o /dev/full
says "/dev/full" "test -o /dev/full"
run 0 "test -o /dev/null" -- "${T[@]}" -o /dev/null
run 0 "test -o FILE" -- "${T[@]}" -o "$W/scores.csv"
grep -q "<testsuites" "$W/scores.csv" || fail "test -o FILE: no JUnit XML written"
no_temps "test -o"

# --- tune -o ----------------------------------------------------------------------------------
fresh
U=(tune "$W/b2b_saas.health" "$W/b2b_accounts.csv" --outcome churned "${A[@]}" --seed 3 --max-evals 30)
run 2 "tune -o CARD" -- "${U[@]}" -o "$W/b2b_saas.health"
same "$W/b2b_saas.health" "$O/b2b_saas.health" "tune -o CARD"
run 2 "tune -o DATA" -- "${U[@]}" -o "$W/b2b_accounts.csv"
same "$W/b2b_accounts.csv" "$O/b2b_accounts.csv" "tune -o DATA"
run 1 "tune, no outcome column" -- tune "$W/b2b_saas.health" "$W/b2b_accounts.csv" --outcome renewed "${A[@]}" \
  -o "$W/scores.csv"
same "$W/scores.csv" "$O/scores.csv" "tune, no outcome column"
run 1 "tune -o /dev/full" -- "${U[@]}" -o /dev/full
says "/dev/full" "tune -o /dev/full"
run 0 "tune -o /dev/null" -- "${U[@]}" -o /dev/null
run 0 "tune -o FILE" -- "${U[@]}" -o "$W/scores.csv"
"$healthc" check "$W/scores.csv" 2>/dev/null || fail "tune -o FILE: the tuned card does not check"
no_temps "tune -o"

# --- standard output that cannot be written is an error for every command -----------------------
"$healthc" compile "$W/b2b_saas.health" --emit ir >/dev/full 2>"$tmp/err"; got=$?
[ "$got" = 1 ] || fail "compile > /dev/full: exit $got, expected 1"
says "cannot write standard output: No space left on device" "compile > /dev/full"
"$healthc" "${S[@]}" "$W/b2b_saas_sample.csv" "${A[@]}" -q >/dev/full 2>"$tmp/err"; got=$?
[ "$got" = 1 ] || fail "score > /dev/full: exit $got, expected 1"
says "cannot write standard output: No space left on device" "score > /dev/full"

if [ "$failures" != 0 ]; then echo "$failures output-path checks failed"; exit 1; fi
echo "every output-path check passed"
