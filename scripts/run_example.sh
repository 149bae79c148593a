#!/usr/bin/env bash
# Sets up, builds healthc and runs the main job on the B2B example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target healthc
build/release/compiler/healthc check examples/*.health
build/release/compiler/healthc score examples/b2b_saas.health examples/data/b2b_saas_sample.csv --as-of 2026-11-01 -o build/b2b_scores.csv
head -20 build/b2b_scores.csv
build/release/compiler/healthc explain examples/b2b_saas.health examples/data/b2b_saas_sample.csv --account acc-0000005 --as-of 2026-11-01
