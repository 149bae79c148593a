#!/usr/bin/env bash
# Packages the extension as editors/vscode/healthc.vsix with npm's @vscode/vsce (not run in CI):
#   bash editors/vscode/package.sh      then: code --install-extension editors/vscode/healthc.vsix
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund
npx vsce package --skip-license --out healthc.vsix
echo "wrote $(pwd)/healthc.vsix"
