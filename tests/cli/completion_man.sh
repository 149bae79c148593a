#!/usr/bin/env bash
# `healthc completion bash|zsh` and `healthc man`: the bash script completes commands, options,
# --format values and files in a bash subprocess (COMP_WORDS/COMP_CWORD); the zsh script loads
# in zsh (skipped, exit 77, when zsh is absent); the man page renders without a groff warning;
# and every option of every command's --help appears in both the completion and the page.
set -euo pipefail
healthc=$1
mode=${2:-bash}  # bash: the bash script and the man page; zsh: the zsh script (skip without zsh)
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [[ $mode == zsh ]]; then
  if ! command -v zsh > /dev/null; then
    echo "zsh is not installed: its completion script is not checked (skip)"
    exit 77
  fi
  "$healthc" completion zsh > "$work/_healthc"
  zsh -fc 'autoload -U compinit; compinit -u -D; source "$1"; whence -w _healthc' _ "$work/_healthc" |
    grep -q function || fail "the zsh script does not define _healthc"
  for c in $("$healthc" --help | sed -n 's/^  \([a-z-]*\)  .*/\1/p'); do
    grep -q "^    $c)$" "$work/_healthc" || fail "command $c missing from the zsh completion"
  done
  echo "zsh completion passes"
  exit 0
fi

"$healthc" completion bash > "$work/healthc.bash"
"$healthc" man > "$work/healthc.1"

# Completion in a bash subprocess, as bash calls it.
complete_words() {
  bash -c 'source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
    _healthc; printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$work/healthc.bash" "$@"
}
expect() {  # expect "WANTED" WORDS...
  local want=$1; shift
  local got; got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  [[ $got == "$want" ]] || fail "completing [$*]: got [$got], want [$want]"
}
expect "score" healthc sco
expect "explain explain-code" healthc help expl
expect "--format" healthc explain --form
expect "json text" healthc explain --format ""
expect "json" healthc explain --format = j
expect "csv jsonl" healthc score --format ""
expect "json junit text" healthc test --format ""
expect "json markdown text" healthc diff a b c --format ""
expect "always auto never" healthc check --color ""
expect "bash zsh" healthc completion ""
expect "b2b starter" healthc init --example ""
expect "examples/b2b_saas.health examples/b2b_saas_v2.health" healthc check examples/b2b_s
expect "examples/data/b2b_saas_sample.csv" healthc score --format csv examples/b2b_saas.health examples/data/b2b
expect "--quiet" healthc check --qui
bash -c 'source "$1"; complete -p healthc' _ "$work/healthc.bash" | grep -q -- '-F _healthc healthc' ||
  fail "complete -p healthc does not name _healthc"

# The man page: groff renders it without a warning; man -l reads it.
if command -v groff > /dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$work/healthc.1" 2>&1 || true)
  [[ -z $warnings ]] || fail "groff warns about the man page: $warnings"
fi
if command -v man > /dev/null; then
  MANWIDTH=100 man -l "$work/healthc.1" 2> /dev/null | grep -q "EXIT STATUS" || fail "man -l does not show the page"
fi

# Every command and every option of its --help, in both.
commands=$("$healthc" --help | sed -n 's/^  \([a-z-]*\)  .*/\1/p')
[[ -n $commands ]] || fail "no commands in healthc --help"
for c in $commands; do
  grep -q "^    $c) opts=" "$work/healthc.bash" || fail "command $c missing from the bash completion"
  grep -q "^\.SS \"healthc $c " "$work/healthc.1" || fail "command $c missing from the man page"
  opts=$("$healthc" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
  section=$(sed -n "/^\.SS \"healthc $c /,/^\.SS /p" "$work/healthc.1")
  line=$(grep "^    $c) opts=" "$work/healthc.bash")
  for o in $opts; do
    [[ $o == --help ]] && continue  # every command has it: the page says so once
    # --help's own text may name other commands' options (`healthc score --store`): only
    # the options listed in its Options section count.
    "$healthc" "$c" --help | grep -qE "^  (-[a-z] \[ )?$o( |$)" || continue
    [[ $line == *" $o "* || $line == *"\"$o "* || $line == *" $o\""* ]] || fail "$c $o missing from the bash completion"
    roff=${o//-/\\\\-}
    grep -q -- "fB$roff\\\\fR" <<< "$section" || fail "$c $o missing from the man page"
  done
done

echo "bash completion and man page pass"
