#!/bin/bash
# The Python package as a user installs it: `pip install` of python/ into a fresh venv (with
# --system-site-packages, so Debian's pandas, numpy and dask are used; no index is asked), then
# TEST.py run from outside the source tree against the built libhealthc.so. Exit 77 (skipped),
# saying why, when no Python here has pandas and numpy (or, for the Dask test, dask.distributed).
# Usage: run.sh BUILD_DIR SOURCE_DIR TEST.py [ARGS...]
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) test=$3
shift 3
py=""
for cand in ${HEALTHC_PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$cand" > /dev/null && "$cand" -c "import numpy, pandas, venv, ensurepip" 2> /dev/null; then py=$cand; break; fi
done
[[ -n $py ]] || { echo "SKIPPED: no python3 with numpy, pandas and venv/ensurepip (Debian: python3-pandas python3-venv)"; exit 77; }
if [[ $(basename "$test") == *dask* ]] && ! "$py" -c "import dask.dataframe, distributed" 2> /dev/null; then
  echo "SKIPPED: $py has no dask.dataframe and distributed (Debian: python3-dask python3-distributed)"; exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" -m venv --system-site-packages "$work/venv"
cp -r "$src/python" "$work/pkg"  # pip builds in the tree it installs: not in the source tree
"$work/venv/bin/pip" install -q --no-build-isolation --no-index --disable-pip-version-check "$work/pkg" \
  > "$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
export HEALTHC_LIBRARY=$build/compiler/libhealthc.so.0 HEALTHC_CACHE_DIR=$work/cache
cd "$work"  # so `import healthc` is the installed package
"$work/venv/bin/python" -c "import healthc, sys; assert healthc.__file__.startswith('$work/venv'), healthc.__file__"
exec "$work/venv/bin/python" "$src/tests/python/$(basename "$test")" --healthc "$build/compiler/healthc" --root "$src" "$@"
