#!/usr/bin/env bash
# Ahead-of-time artefacts end to end: for every example card, `healthc compile --emit shared`
# then `healthc score card.so DATA` gives the same bytes as `healthc score card.health DATA`
# (basic columns, full output, --explain, JSON Lines, params, every CPU level, --emit obj linked
# by hand, a split card, a card past the compile budget, no memfd), that healthc's artefacts have no code
# that runs at load or unload, and that stale, damaged and foreign artefacts (with initialisers,
# IFUNCs, other libraries) are refused, without any of their code running, with the
# messages in tests/aot/messages.expected (run with --update to rewrite it after a deliberate
# change, then read the diff).
#   tests/aot/run.sh HEALTHC SOURCE_DIR [--update]
set -uo pipefail
healthc="$1"; root="$2"; update="${3:-}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cc_driver="${CC:-cc}"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
asof=(--as-of 2026-11-01)

# Runs healthc twice, with the .health card and with the artefact in its place, and compares
# stdout, stderr and the exit status byte for byte. Usage: same LABEL CARD ARTEFACT -- ARGS
# where ARGS contains the word CARD where the card goes, and PARAM=X for a --param X that the
# card gets and the artefact (compiled with it) does not.
same() {
  local label="$1" card="$2" artefact="$3"; shift 4
  local a=() b=()
  for w in "$@"; do
    if [ "$w" = CARD ]; then a+=("$card"); b+=("$artefact")
    elif [ "${w#PARAM=}" != "$w" ]; then a+=(--param "${w#PARAM=}")
    else a+=("$w"); b+=("$w"); fi
  done
  "$healthc" "${a[@]}" >"$tmp/a.out" 2>"$tmp/a.err"; local ra=$?
  "$healthc" "${b[@]}" >"$tmp/b.out" 2>"$tmp/b.err"; local rb=$?
  # Commands that name their card in a report (validate) name it as given.
  sed -i "s|$artefact|$card|g" "$tmp/b.out" "$tmp/b.err"
  if [ "$ra" != "$rb" ]; then
    fail "$label: exit $ra with the card, $rb with the artefact"; cat "$tmp/b.err"; return
  fi
  for s in out err; do
    if ! cmp -s "$tmp/a.$s" "$tmp/b.$s"; then
      fail "$label: std$s differs"; diff "$tmp/a.$s" "$tmp/b.$s" | head -5; return
    fi
  done
  if [ ! -s "$tmp/a.out" ]; then fail "$label: no output to compare"; return; fi
}

declare -A param=([b2b_saas]="collapse=-0.2" [lifecycle]="renewal_window_days=200" [fintech_platform]="outage_rate=0.02")
levels=(x86-64-v2 x86-64-v3 native)
grep -qw avx512f /proc/cpuinfo 2>/dev/null && levels+=(x86-64-v4)

for c in b2b_saas lifecycle fintech_platform; do
  card="$root/examples/$c.health"; data="$root/examples/data/${c}_sample.csv"; so="$tmp/$c.so"
  "$healthc" compile "$card" --emit shared -o "$so" || { fail "$c: compile --emit shared"; continue; }
  key=$(sed -n 2p "$data" | cut -d, -f1)
  cols=$("$healthc" score "$card" "$data" "${asof[@]}" -q | head -1 | cut -d, -f1-3)
  same "$c score" "$card" "$so" -- score CARD "$data" "${asof[@]}" -q
  same "$c score --columns $cols" "$card" "$so" -- score CARD "$data" "${asof[@]}" -q --columns "$cols"
  same "$c score --explain" "$card" "$so" -- score CARD "$data" "${asof[@]}" -q --explain
  same "$c score jsonl --explain" "$card" "$so" -- score CARD "$data" "${asof[@]}" -q --explain --format jsonl
  same "$c score small blocks" "$card" "$so" -- score CARD "$data" "${asof[@]}" -q --explain --threads 3 --block-rows 7
  same "$c score --engine eval" "$card" "$so" -- score CARD "$data" "${asof[@]}" -q --explain --engine eval
  same "$c explain" "$card" "$so" -- explain CARD "$data" "${asof[@]}" --account "$key"
  same "$c test" "$card" "$so" -- test CARD "$root/examples/tests/${c}_cases.csv" "${asof[@]}"
  same "$c validate" "$card" "$so" -- validate CARD "$data" "${asof[@]}" --outcome churned

  # Params are fixed at compile time: the artefact compiled with --param scores like the card
  # scored with it (and the param must change something, or this would prove nothing).
  p="${param[$c]}"
  "$healthc" compile "$card" --emit shared -o "$tmp/$c-param.so" --param "$p" || fail "$c: compile --param"
  same "$c --param $p" "$card" "$tmp/$c-param.so" -- score CARD "$data" "${asof[@]}" -q --explain "PARAM=$p"
  "$healthc" score "$tmp/$c-param.so" "$data" "${asof[@]}" -q --explain >"$tmp/p.out"
  "$healthc" score "$so" "$data" "${asof[@]}" -q --explain >"$tmp/np.out"
  cmp -s "$tmp/p.out" "$tmp/np.out" && fail "$c: --param $p changes nothing, pick another"

  # Every CPU level gives the same bytes (no FMA is formed).
  "$healthc" score "$so" "$data" "${asof[@]}" -q --explain >"$tmp/ref.out"
  for level in "${levels[@]}"; do
    "$healthc" compile "$card" --emit shared --cpu "$level" -o "$tmp/$c-$level.so" || { fail "$c: --cpu $level"; continue; }
    "$healthc" score "$tmp/$c-$level.so" "$data" "${asof[@]}" -q --explain >"$tmp/level.out"
    cmp -s "$tmp/ref.out" "$tmp/level.out" || fail "$c: --cpu $level scores differently"
  done

  # --emit obj: an object file a service links itself.
  "$healthc" compile "$card" --emit obj -o "$tmp/$c.o" || fail "$c: compile --emit obj"
  $cc_driver -shared -nostartfiles -o "$tmp/$c-linked.so" "$tmp/$c.o" -lm || fail "$c: linking the object"
  same "$c --emit obj, linked" "$card" "$tmp/$c-linked.so" -- score CARD "$data" "${asof[@]}" -q --explain

  # No code of an artefact runs when it is loaded or unloaded: the loader refuses files that have
  # such entries, so healthc must write none (it links without the C start files).
  for f in "$so" "$tmp/$c-param.so" "$tmp/$c-linked.so"; do
    entries=$(readelf -dW "$f" | grep -E '\((INIT|FINI|PREINIT)[A-Z_]*\)|\(NEEDED\)' | grep -vE 'lib(c|m)\.so\.6')
    [ -z "$entries" ] || fail "$c: $(basename "$f") has $entries"
  done
  readelf -rW "$so" | grep -q IRELATIVE && fail "$c: IRELATIVE relocations"
  readelf -sW --dyn-syms "$so" | grep -q IFUNC && fail "$c: IFUNC symbols"

  # Without memfd the checked bytes go to a private temporary file, never the path given, and
  # nothing is left behind.
  mkdir -p "$tmp/private"
  TMPDIR="$tmp/private" HEALTHC_AOT_TEST_NO_MEMFD=1 "$healthc" score "$so" "$data" "${asof[@]}" -q --explain \
    >"$tmp/nomemfd.out" 2>"$tmp/nomemfd.err" || { fail "$c: no memfd: exit $?"; cat "$tmp/nomemfd.err"; }
  "$healthc" score "$card" "$data" "${asof[@]}" -q --explain >"$tmp/card.out" 2>/dev/null
  cmp -s "$tmp/card.out" "$tmp/nomemfd.out" || fail "$c: no memfd: output differs"
  [ -z "$(ls -A "$tmp/private")" ] || fail "$c: no memfd: left $(ls -A "$tmp/private") behind"
done

# -o through a symlink writes its target; the link stays a link.
cp "$tmp/b2b_saas-x86-64-v2.so" "$tmp/target.so"
ln -s "$tmp/target.so" "$tmp/link.so"
"$healthc" compile "$root/examples/b2b_saas.health" --emit shared -o "$tmp/link.so" || fail "compile through a symlink"
[ -L "$tmp/link.so" ] || fail "-o replaced the symlink"
cmp -s "$tmp/target.so" "$tmp/b2b_saas-x86-64-v2.so" && fail "-o through a symlink did not write its target"

# A card large enough to be split into many small functions (codegen/split_emit.h), with
# segments and several models.
python3 "$root/scripts/gen_large_card.py" --measures 300 --segments 20 --models 3 -o "$tmp/split.health" \
  --data "$tmp/split.csv" --rows 500
"$healthc" compile "$tmp/split.health" --emit shared -o "$tmp/split.so" || fail "split: compile"
same "split card" "$tmp/split.health" "$tmp/split.so" -- score CARD "$tmp/split.csv" "${asof[@]}" -q
same "split card --explain" "$tmp/split.health" "$tmp/split.so" -- score CARD "$tmp/split.csv" "${asof[@]}" -q --explain

# A card past the compile budget: an artefact with the IR only, scored by the evaluator.
python3 "$root/scripts/gen_large_card.py" --measures 22000 -o "$tmp/huge.health" --data "$tmp/huge.csv" --rows 30
"$healthc" compile "$tmp/huge.health" --emit shared -o "$tmp/huge.so" 2>"$tmp/huge.err" || fail "huge: compile"
grep -q "the artefact holds its IR and the reference evaluator scores it" "$tmp/huge.err" || fail "huge: no note"
nm -D "$tmp/huge.so" | grep -q healthc_batch_basic && fail "huge: native code past the budget"
for args in "" "--explain"; do
  "$healthc" score "$tmp/huge.health" "$tmp/huge.csv" "${asof[@]}" -q $args >"$tmp/a.out" 2>/dev/null
  "$healthc" score "$tmp/huge.so" "$tmp/huge.csv" "${asof[@]}" -q $args >"$tmp/b.out" 2>/dev/null
  [ -s "$tmp/a.out" ] && cmp -s "$tmp/a.out" "$tmp/b.out" || fail "huge $args: output differs"
done

# Stale, damaged and foreign artefacts. Each line of the transcript: the case, the exit
# status, then what healthc said; the scratch directory shows as <tmp>.
abi=$(sed -n 's/.*kAbiVersion = \([0-9]*\);.*/\1/p' "$root/compiler/ir/batch_abi.h")
fake() {  # fake NAME -DFLAG...
  local name="$1"; shift
  $cc_driver -shared -fPIC -nostartfiles -o "$tmp/$name.so" "$root/tests/aot/fake_artefact.c" "$@" ||
    fail "building fake $name"
}
checksum=$(python3 -c '
h = 14695981039346656037
for b in bytes([0x48, 0x43, 0x49, 0x52, 0x01, 0x02, 0x03]):
    h = ((h ^ b) * 1099511628211) % 2**64
print(h)')
fake other-abi -DABI=$((abi + 1))
fake unknown-feature -DABI="$abi" -DCPU='"x86-64-v9"' -DFEATURES='"sse4.2,avx9000"'
fake garbage-ir -DABI="$abi" -DCHECKSUM="${checksum}ull"
fake bad-checksum -DABI="$abi" -DCHECKSUM=12345
fake ir-size-lies -DABI="$abi" -DIR_SIZE=1000000000000ull
fake cpu-not-a-string -DABI="$abi" -DCPU='"abc"' -DCPU_SIZE=3
# Files whose own code the dynamic loader would run while loading them (each prints a marker
# that must never appear): refused from their bytes, before dlopen.
$cc_driver -shared -fPIC -o "$tmp/ctor-other-abi.so" "$root/tests/aot/fake_artefact.c" -DABI=999 -DCTOR ||
  fail "building ctor-other-abi"
$cc_driver -shared -fPIC -o "$tmp/start-files.so" "$root/tests/aot/fake_artefact.c" -DABI="$abi" ||
  fail "building start-files"
fake init-array -DABI="$abi" -DCTOR
fake fini-array -DABI="$abi" -DDTOR
fake ifunc -DABI="$abi" -DIFUNC
fake irelative -DABI="$abi" -DIRELATIVE
printf '#include <stdio.h>\n__attribute__((constructor)) static void f(void) { puts("HOSTILE-CODE-RAN"); }\n' \
  >"$tmp/hcother.c"
$cc_driver -shared -fPIC -o "$tmp/libhcother.so" "$tmp/hcother.c" || fail "building libhcother"
fake needs-other -DABI="$abi" -L"$tmp" -Wl,--no-as-needed -lhcother
fake runpath -DABI="$abi" -Wl,-rpath,"$tmp"
$cc_driver -shared -o "$tmp/b2b_saas-start-files.so" "$tmp/b2b_saas.o" -lm || fail "linking with start files"
printf 'int answer(void) { return 42; }\n' >"$tmp/plain.c"
$cc_driver -shared -fPIC -o "$tmp/plain.so" "$tmp/plain.c"
head -c 4000 "$tmp/b2b_saas.so" >"$tmp/truncated.so"
cp "$root/examples/b2b_saas.health" "$tmp/text.so"
python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x10
open(sys.argv[2], "wb").write(b)' "$tmp/b2b_saas.so" "$tmp/damaged.so"
data="$root/examples/data/b2b_saas_sample.csv"
{
  run() {  # run CASE ARGS...
    local name="$1"; shift
    LD_LIBRARY_PATH="$tmp" "$healthc" "$@" >"$tmp/msg.out" 2>"$tmp/msg.err"; local rc=$?
    echo "== $name (exit $rc)"
    sed "s|$tmp|<tmp>|g" "$tmp/msg.err"
    if grep -q HOSTILE-CODE-RAN "$tmp/msg.out" "$tmp/msg.err"; then fail "$name: the file's own code ran"; fi
  }
  for f in other-abi unknown-feature garbage-ir bad-checksum ir-size-lies cpu-not-a-string plain truncated damaged text \
           ctor-other-abi start-files init-array fini-array ifunc irelative needs-other runpath b2b_saas-start-files; do
    run "$f" score "$tmp/$f.so" "$data"
  done
  run "object file" score "$tmp/b2b_saas.o" "$data"
  run "absent" score "$tmp/absent.so" "$data"
  run "param" score "$tmp/b2b_saas.so" "$data" --param collapse=-0.2
  run "tune" tune "$tmp/b2b_saas.so" "$data" --outcome churned
  run "lint" lint "$tmp/b2b_saas.so"
  run "no -o" compile "$root/examples/b2b_saas.health" --emit shared
  cp "$root/examples/b2b_saas.health" "$tmp/card.health"
  run "-o is the card" compile "$tmp/card.health" --emit shared -o "$tmp/card.health"
  cmp -s "$root/examples/b2b_saas.health" "$tmp/card.health" || echo "the card was overwritten"
  run "-o a device" compile "$root/examples/b2b_saas.health" --emit shared -o /dev/null
  run "-o stdout" compile "$root/examples/b2b_saas.health" --emit shared -o -
  run "bad cpu" compile "$root/examples/b2b_saas.health" --emit shared -o "$tmp/x.so" --cpu pentium
  CC="$tmp/no-such-cc" run "no C compiler" compile "$root/examples/b2b_saas.health" --emit shared -o "$tmp/x.so"
  CC=false run "C compiler fails" compile "$root/examples/b2b_saas.health" --emit shared -o "$tmp/x.so"
} >"$tmp/messages"
[ -e "$tmp/x.so" ] && fail "a failed compile left an artefact behind"
# The control: each of those files does run its code when dlopened, so the marker's absence
# above means the loader refused them before loading them.
for f in ctor-other-abi init-array ifunc irelative needs-other; do
  LD_LIBRARY_PATH="$tmp" python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' "$tmp/$f.so" 2>&1 |
    grep -q HOSTILE-CODE-RAN || fail "control: $f.so runs no code when loaded, so its refusal proves nothing"
done

expected="$root/tests/aot/messages.expected"
if [ "$update" = "--update" ]; then
  cp "$tmp/messages" "$expected"
  echo "updated $expected"
elif ! diff -u "$expected" "$tmp/messages"; then
  fail "refusal messages differ from tests/aot/messages.expected (rerun with --update after a deliberate change)"
fi

# A feature this machine lacks, when there is one (the loader's check is unit-tested with a
# stand-in machine in tests/unit/aot/artefact_test.cpp).
missing=""
for f in avx512bf16 avx512vbmi2 avx512bitalg avx512vpopcntdq avx512vnni avx512ifma avx512vbmi avx512f avx2 avx; do
  flag=$(echo "$f" | sed -E 's/^avx512(bf16|vbmi2|vnni|bitalg|vpopcntdq)$/avx512_\1/')
  grep -qw "$flag" /proc/cpuinfo 2>/dev/null || { missing="$f"; break; }
done
if [ -n "$missing" ]; then
  fake missing-feature -DABI="$abi" -DCPU='"native"' -DFEATURES="\"sse4.2,$missing\""
  "$healthc" score "$tmp/missing-feature.so" "$data" 2>"$tmp/miss.err" >/dev/null
  grep -q "needs \`$missing\`, which this machine does not have" "$tmp/miss.err" || fail "missing $missing not refused"
else
  echo "note: this machine has every checked CPU feature; the missing-feature refusal is unit-tested only"
fi

if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ahead-of-time artefacts: all checks passed"
