#!/usr/bin/env bash
# Start-up without LLVM (issue 18 item 3): the `healthc` binary does not link libLLVM (nor
# libz3, libicu: LLVM's dependencies); commands that do not compile run without the JIT plugin
# (HEALTHC_JIT_PLUGIN=/nonexistent), and so does scoring a card whose code is cached; a command that must compile says the plugin is missing
# (its path, exit 1, no output), a file that is not the plugin is refused by name, and the
# evaluator and ahead-of-time artefacts score without it.
# Nor the parser: the binary does not link the ANTLR runtime; a cached card's `score` loads
# neither the parser plugin nor ANTLR (LD_DEBUG=files lists every library loaded, dlopened ones
# too) and runs without the parser (HEALTHC_SYNTAX_PLUGIN=/nonexistent); one changed byte, param
# or option misses (the parser loads) and scores as a run without any cache.
# usage: no_llvm.sh HEALTHC SOURCE_DIR
set -euo pipefail
HEALTHC=$(realpath "$1")
SRC=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HEALTHC_CACHE_DIR=$WORK/cache HEALTHC_NO_PROGRESS=1
card=$SRC/examples/b2b_saas.health
data=$SRC/examples/data/b2b_saas_sample.csv
status=0
fail() { echo "FAIL: $*"; status=1; }

needed=$(readelf -d "$HEALTHC" | grep NEEDED || true)
[[ -n $needed ]] || fail "readelf -d shows no NEEDED entries for $HEALTHC: the check below would prove nothing"
for lib in libLLVM libz3 libicu libantlr4; do
  if grep -q "$lib" <<< "$needed"; then fail "$HEALTHC links $lib: $(grep "$lib" <<< "$needed")"; fi
done
if command -v ldd > /dev/null; then  # transitive too (a library of ours that brings LLVM)
  if ldd "$HEALTHC" | grep -q 'libLLVM'; then fail "ldd: $HEALTHC loads libLLVM: $(ldd "$HEALTHC" | grep libLLVM)"; fi
fi

# With the plugin: the reference output, and a store to read.
"$HEALTHC" score "$card" "$data" -o "$WORK/jit.csv" 2> /dev/null || fail "score with the plugin failed"
"$HEALTHC" score "$card" "$data" --explain -o /dev/null 2> /dev/null  # caches the detail variant
"$HEALTHC" score "$card" "$data" --store "$WORK/s.db" --as-of 2026-11-01 -o /dev/null 2> /dev/null
"$HEALTHC" score "$card" "$data" --store "$WORK/s.db" --as-of 2026-11-08 -o /dev/null 2> /dev/null
account=$(sed -n 2p "$data" | cut -d, -f1)
"$HEALTHC" history --store "$WORK/s.db" --account "$account" --format csv > "$WORK/history.csv"
[[ -s $WORK/history.csv ]] || fail "history with the plugin printed nothing"

export HEALTHC_JIT_PLUGIN=/nonexistent
"$HEALTHC" check "$card" > /dev/null 2>&1 || fail "check needs the JIT plugin"
"$HEALTHC" history --store "$WORK/s.db" --account "$account" --format csv > "$WORK/history2.csv" 2>&1 ||
  fail "history needs the JIT plugin: $(head -c 300 "$WORK/history2.csv")"
cmp -s "$WORK/history.csv" "$WORK/history2.csv" || fail "history without the plugin differs from history with it"
"$HEALTHC" changes --store "$WORK/s.db" --format csv > /dev/null 2>&1 || fail "changes needs the JIT plugin"
"$HEALTHC" score "$card" "$data" --engine eval -o "$WORK/eval.csv" 2> /dev/null || fail "score --engine eval needs the plugin"
cmp -s "$WORK/jit.csv" "$WORK/eval.csv" || fail "score --engine eval differs from the JIT's output"

# A warm cache: the cached code is loaded without LLVM, and scores as the JIT did.
"$HEALTHC" score "$card" "$data" -o "$WORK/cached.csv" 2> "$WORK/err.txt" ||
  fail "score of a cached card needs the plugin: $(cat "$WORK/err.txt")"
cmp -s "$WORK/jit.csv" "$WORK/cached.csv" || fail "score from the cache without the plugin differs from the JIT's output"
"$HEALTHC" score "$card" "$data" --explain -o "$WORK/cached_explain.txt" 2> /dev/null ||
  fail "score --explain (the detail variant, cached above) needs the plugin"

# A cold cache: the card must be compiled, and there is no compiler.
rm -rf "$WORK/cache" "$WORK/out.csv"
set +e
"$HEALTHC" score "$card" "$data" -o "$WORK/out.csv" 2> "$WORK/err.txt"
code=$?
set -e
[[ $code == 1 ]] || fail "score without the plugin: exit $code, expected 1"
grep -q 'JIT plugin is missing' "$WORK/err.txt" || fail "score without the plugin: no clear message: $(cat "$WORK/err.txt")"
grep -q '/nonexistent' "$WORK/err.txt" || fail "score without the plugin: the message does not name the path"
[[ ! -e $WORK/out.csv ]] || fail "score without the plugin wrote output"

# Something that is not the plugin (a library without the entry point, a text file).
libc=$(ldd "$HEALTHC" | awk '/libc\.so/ {print $3}')
for bad in "$libc" /etc/hostname; do
  [[ -f $bad ]] || continue
  set +e
  HEALTHC_JIT_PLUGIN=$bad "$HEALTHC" score "$card" "$data" -o /dev/null 2> "$WORK/err.txt"
  code=$?
  set -e
  [[ $code == 1 ]] || fail "score with HEALTHC_JIT_PLUGIN=$bad: exit $code, expected 1"
  grep -q "$bad" "$WORK/err.txt" || fail "score with HEALTHC_JIT_PLUGIN=$bad: the message does not name it: $(cat "$WORK/err.txt")"
done
# A plugin named without a directory is the file of that name here, as checked (not a search of
# the library path); a note on the cache is said once, not by the lookup and again by the JIT.
plugin_dir=$(dirname "$HEALTHC")
if [[ -f $plugin_dir/libhealthc_jit.so ]]; then
  (cd "$plugin_dir" && HEALTHC_JIT_PLUGIN=libhealthc_jit.so "$HEALTHC" score "$card" "$data" --no-cache -o /dev/null \
     2> "$WORK/err.txt") || fail "HEALTHC_JIT_PLUGIN=libhealthc_jit.so in its directory: $(cat "$WORK/err.txt")"
fi
mkdir -p "$WORK/open" && chmod 777 "$WORK/open"
HEALTHC_JIT_PLUGIN= HEALTHC_CACHE_DIR=$WORK/open "$HEALTHC" score "$card" "$data" -o /dev/null 2> "$WORK/err.txt" || true
notes=$(grep -c 'others can write' "$WORK/err.txt" || true)
[[ $notes == 1 ]] || fail "a cache others can write: said $notes times, expected once: $(cat "$WORK/err.txt")"
# The parser (libhealthc_syntax.so, the ANTLR runtime) only when a card is read: not for
# --version, not for a card whose program is cached.
unset HEALTHC_JIT_PLUGIN
export HEALTHC_CACHE_DIR=$WORK/front_cache
loaded() {  # the libraries a run loads (LD_DEBUG=files goes to stderr, with the run's own)
  LD_DEBUG=files "$@" 2>&1 > /dev/null | grep -o 'file=[^ ]*' | sort -u || true
}
parser_loaded() { grep -Eq 'libhealthc_syntax|libantlr4' <<< "$1"; }
libs=$(loaded "$HEALTHC" --version)
[[ -n $libs ]] || fail "LD_DEBUG=files listed no library: the checks below would prove nothing"
! parser_loaded "$libs" || fail "--version loads the parser: $(grep -E 'syntax|antlr' <<< "$libs")"
cp "$card" "$WORK/card.health"
card2=$WORK/card.health
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 -o "$WORK/front1.csv")
parser_loaded "$libs" || fail "the first score of a card did not load the parser (a cache hit on an empty cache?)"
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 -o "$WORK/front2.csv")
! parser_loaded "$libs" || fail "score of a cached card loads the parser: $(grep -E 'syntax|antlr' <<< "$libs")"
cmp -s "$WORK/front1.csv" "$WORK/front2.csv" || fail "score of a cached card differs from the first run"
# The parser is part of the key (it is a plugin, outside the binary's build id): a replaced
# plugin file is another parser, a miss; then a hit with it.
plugin_copy=$WORK/libhealthc_syntax.so
cp "$(dirname "$HEALTHC")/libhealthc_syntax.so" "$plugin_copy"
libs=$(HEALTHC_SYNTAX_PLUGIN=$plugin_copy loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 -o "$WORK/front3.csv")
parser_loaded "$libs" || fail "another parser plugin file hit the program cache of the first"
cmp -s "$WORK/front1.csv" "$WORK/front3.csv" || fail "score with a copy of the parser differs"
libs=$(HEALTHC_SYNTAX_PLUGIN=$plugin_copy loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 -o "$WORK/front3.csv")
! parser_loaded "$libs" || fail "the same parser plugin twice missed the program cache"
# What reads the card needs the parser: a clear message, exit 1.
set +e
HEALTHC_SYNTAX_PLUGIN=/nonexistent "$HEALTHC" check "$card2" > /dev/null 2> "$WORK/err.txt"
code=$?
set -e
[[ $code == 1 ]] || fail "check without the parser: exit $code, expected 1"
grep -q 'parser plugin is missing' "$WORK/err.txt" && grep -q '/nonexistent' "$WORK/err.txt" ||
  fail "check without the parser: no clear message: $(cat "$WORK/err.txt")"
# Another --as-of is the same program: a hit, scored as of that date.
"$HEALTHC" score "$card2" "$data" --as-of 2026-06-15 --no-cache -o "$WORK/asof_fresh.csv" 2> /dev/null
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-06-15 -o "$WORK/asof.csv")
! parser_loaded "$libs" || fail "another --as-of missed the program cache"
cmp -s "$WORK/asof_fresh.csv" "$WORK/asof.csv" || fail "a cached card with another --as-of differs from --no-cache"
# One param: a miss (the parser loads), as --no-cache scores it; then a hit.
"$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 --param collapse=-0.2 --no-cache -o "$WORK/param_fresh.csv" 2> /dev/null
cmp -s "$WORK/param_fresh.csv" "$WORK/front1.csv" && fail "--param collapse=-0.2 changes nothing in the sample: a weak check"
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 --param collapse=-0.2 -o "$WORK/param.csv")
parser_loaded "$libs" || fail "a changed param hit the program cache"
cmp -s "$WORK/param_fresh.csv" "$WORK/param.csv" || fail "a changed param scores otherwise than --no-cache"
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 --param collapse=-0.2 -o "$WORK/param2.csv")
! parser_loaded "$libs" || fail "the same param twice missed the program cache"
cmp -s "$WORK/param_fresh.csv" "$WORK/param2.csv" || fail "a cached card with a param differs from --no-cache"
# One byte of the card (a weight): a miss, as --no-cache scores it.
sed -i 's/^  support   25$/  support   35/' "$card2"
cmp -s "$card" "$card2" && fail "sed changed no byte of the card: a weak check"
"$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 --no-cache -o "$WORK/byte_fresh.csv" 2> /dev/null
cmp -s "$WORK/byte_fresh.csv" "$WORK/front1.csv" && fail "the changed weight changes no score in the sample: a weak check"
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 -o "$WORK/byte.csv")
parser_loaded "$libs" || fail "a changed byte hit the program cache"
cmp -s "$WORK/byte_fresh.csv" "$WORK/byte.csv" || fail "a changed card scores otherwise than --no-cache"
# --no-cache never reads it (the parser loads on every run).
libs=$(loaded "$HEALTHC" score "$card2" "$data" --as-of 2026-11-01 --no-cache -o /dev/null)
parser_loaded "$libs" || fail "--no-cache read the program cache"
[[ $status == 0 ]] && echo "start-up: no libLLVM or ANTLR in the binary; check, history, changes, --engine eval and cached cards run without the JIT plugin, cached cards without the parser"
exit $status
