#!/usr/bin/env bash
# The VS Code package (editors/vscode/): its JSON files parse, the client is valid JavaScript, and
# the TextMate grammar gives the expected scopes on editors/vscode/tests/*.health (npm's
# vscode-tmgrammar-test, installed once into TOOLS). Skips (77) when node or npm is missing or
# npm cannot install the tester (no network).
#   tests/editors/grammar_test.sh ROOT TOOLS
set -uo pipefail
root=$1
tools=$2
pkg=$root/editors/vscode
for c in node npm; do
  command -v "$c" >/dev/null || { echo "skip: $c is not installed"; exit 77; }
done
for f in package.json language-configuration.json syntaxes/healthc.tmLanguage.json; do
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$pkg/$f" || { echo "FAIL: $f is not JSON"; exit 1; }
done
node --check "$pkg/extension.js" || { echo "FAIL: extension.js"; exit 1; }
bin=$tools/node_modules/.bin/vscode-tmgrammar-test
if [ ! -x "$bin" ]; then
  mkdir -p "$tools"
  if ! npm install --no-audit --no-fund --silent --prefix "$tools" vscode-tmgrammar-test@0.1.3 >"$tools/install.log" 2>&1; then
    echo "skip: npm cannot install vscode-tmgrammar-test (see $tools/install.log)"
    exit 77
  fi
fi
cd "$pkg" && "$bin" -g syntaxes/healthc.tmLanguage.json 'tests/*.health'
