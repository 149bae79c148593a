#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages (used by the README and CI).
set -euo pipefail
pkgs=(cmake ninja-build g++ clang-14 libclang-rt-14-dev llvm-14-dev
      antlr4 libantlr4-runtime-dev libfmt-dev libboost-program-options-dev
      libgtest-dev libgmock-dev libbenchmark-dev libfast-float-dev nlohmann-json3-dev libsimdjson-dev libsqlite3-dev nettle-dev zlib1g-dev libzstd-dev libtinfo-dev libedit-dev libxml2-dev libffi-dev python3
      chromium  # chromium: the report test renders `healthc report` headless (tests/report/)
      # the Python package's tests (tests/python/): a venv over Debian's pandas, numpy and dask
      python3-venv python3-pip python3-setuptools python3-wheel python3-numpy python3-pandas python3-dask
      python3-distributed
      zsh groff-base man-db  # the completion and man page test (tests/cli/completion_man.sh)
      postgresql-15 clickhouse-server clickhouse-client)  # the SQL differential tests' engines (tests/sql/)
# Node.js and npm come with the machine (Debian's npm conflicts with its nodejs): the DuckDB and
# editor grammar tests install their npm packages into the build tree, and skip where npm is absent.
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
