# RUN: bash %s %healthc
# `healthc init DIR` writes a commented starter card, sample data and cases that check, score
# and test cleanly.
set -u
h=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$h" init demo; echo "init: $?"
ls demo
"$h" check demo/scorecard.health; echo "check: $?"
"$h" lint demo/scorecard.health; echo "lint: $?"
"$h" score -q demo/scorecard.health demo/accounts.csv; echo "score: $?"
"$h" test demo/scorecard.health demo/cases.csv; echo "test: $?"
grep -c '^#' demo/scorecard.health | sed 's/^/comment lines: /'
