# RUN: bash %s %healthc
# init never overwrites: with one of its files there it writes nothing, names the file, exits 1.
set -u
h=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir demo
echo "my data" > demo/accounts.csv
"$h" init demo; echo "init: $?"
ls demo
cat demo/accounts.csv
"$h" init demo --example b2c; echo "bad example: $?"
