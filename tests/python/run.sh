#!/bin/bash
# The Python package as a user installs it: `pip install` of python/ into a fresh venv (with
# --system-site-packages, so Debian's pandas, numpy and dask are used; no index is asked), then
# TEST.py run from outside the source tree against the built libhealthc.so. Exit 77 (skipped),
# saying why, when no Python here has pandas and numpy (or, for the Dask test, dask.distributed).
# Usage: run.sh --install BUILD_DIR SOURCE_DIR     make BUILD_DIR/python-venv (ctest's fixture)
#        run.sh BUILD_DIR SOURCE_DIR TEST.py [ARGS] run a test in it (made first if absent)
set -euo pipefail
install_only=0
[[ $1 == --install ]] && { install_only=1; shift; }
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
test=${3:-}
shift 2; [[ $# -gt 0 ]] && shift
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
venv=$build/python-venv
if [[ $install_only == 1 || ! -x $venv/bin/python ]]; then
  rm -rf "$venv"
  "$py" -m venv --system-site-packages "$venv"
  cp -r "$src/python" "$work/pkg"  # pip builds in the tree it installs: not in the source tree
  "$venv/bin/pip" install -q --no-build-isolation --no-index --disable-pip-version-check "$work/pkg" \
    > "$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
  echo "installed $("$venv/bin/pip" list 2> /dev/null | grep -i '^healthc ') into $venv"
fi
[[ $install_only == 1 ]] && exit 0
export HEALTHC_LIBRARY=$build/compiler/libhealthc.so.0 HEALTHC_CACHE_DIR=$work/cache
cd "$work"  # so `import healthc` is the installed package
"$venv/bin/python" -c "import healthc, sys; assert healthc.__file__.startswith('$venv'), healthc.__file__"
"$venv/bin/python" "$src/tests/python/$(basename "$test")" --healthc "$build/compiler/healthc" --root "$src" "$@"
