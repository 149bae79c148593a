#!/bin/bash
# The shared libraries export the C API and nothing else (nm -D), and libhealthc_runtime.so
# needs no LLVM, clang or ANTLR (readelf -d); its size is reported (target: under 2 MB).
# libhealthc.so exports every function healthc.h declares; libhealthc_runtime.so all but the
# compiling ones (options, hc_compile, diagnostics).
# Usage: check_libraries.sh LIBHEALTHC LIBHEALTHC_RUNTIME HEALTHC_H
set -euo pipefail
status=0
declared=$(grep -oE '^HC_API [^(]*\bhc_[a-z_]+\(' "$3" | grep -oE 'hc_[a-z_]+\($' | tr -d '(' | sort)
compiling=$(echo "$declared" | grep -E '^hc_(options_|compile$|diagnostics_)')
runtime_api=$(comm -23 <(echo "$declared") <(echo "$compiling"))
for lib in "$1" "$2"; do
  others=$(nm -D --defined-only "$lib" | awk '{print $NF}' | grep -v '^hc_' || true)
  count=$(nm -D --defined-only "$lib" | awk '{print $NF}' | grep -c '^hc_' || true)
  if [[ -n "$others" ]]; then
    echo "FAIL: $(basename "$lib") exports symbols outside the C API:"; echo "$others" | head -20; status=1
  fi
  want=$declared
  [[ "$lib" == "$2" ]] && want=$runtime_api
  got=$(nm -D --defined-only "$lib" | awk '{print $NF}' | grep '^hc_' | sort)
  if [[ "$got" != "$want" ]]; then
    echo "FAIL: $(basename "$lib") does not export exactly its part of healthc.h:"; diff <(echo "$want") <(echo "$got") || true
    status=1
  fi
  soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  echo "$(basename "$lib"): $count hc_* symbols, SONAME $soname"
  [[ "$soname" == *.so.0 ]] || { echo "FAIL: SONAME $soname is not versioned"; status=1; }
done
needed=$(readelf -d "$2" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "libhealthc_runtime.so needs: $(echo $needed)"
if echo "$needed" | grep -Eiq 'llvm|clang|antlr'; then echo "FAIL: libhealthc_runtime.so needs LLVM/clang/ANTLR"; status=1; fi
size=$(stat -L -c %s "$2")
echo "libhealthc_runtime.so size: $size bytes ($(( size / 1024 )) KiB; target under 2 MB)"
(( size < 2 * 1024 * 1024 )) || { echo "FAIL: libhealthc_runtime.so is 2 MB or more"; status=1; }
exit $status
