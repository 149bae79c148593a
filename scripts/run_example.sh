#!/usr/bin/env bash
# Sets up, builds healthc and runs the main job on the B2B example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target healthc
build/release/compiler/healthc check examples/*.health
