#!/usr/bin/env python3
"""Scores a JSON Lines file of accounts through libhealthc.so with ctypes (no build step).

    python3 score_jsonl.py CARD DATA.jsonl [--as-of YYYY-MM-DD] [--lib PATH]

CARD is a .health file (hc_compile) or an artefact from `healthc compile CARD --emit shared`
(hc_load). The library is --lib, else $HEALTHC_LIB, else libhealthc.so.0 on the loader's path.
Prints one result object a line; exit 0 all scored, 3 some rejected, 1 card error, 2 usage.
"""
import argparse
import ctypes
import os
import sys

HC_OK, HC_REJECTED = 0, 1


def load_library(path):
    lib = ctypes.CDLL(path or os.environ.get("HEALTHC_LIB") or "libhealthc.so.0")
    # Pointers the API hands over are kept as c_void_p so they can be given back to hc_free.
    lib.hc_version.restype = ctypes.c_char_p
    if hasattr(lib, "hc_compile"):  # libhealthc.so; libhealthc_runtime.so has no compiler
        lib.hc_compile.restype = ctypes.c_void_p
        lib.hc_compile.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p,
                                   ctypes.POINTER(ctypes.c_void_p)]
        lib.hc_diagnostics_text.restype = ctypes.c_char_p
        lib.hc_diagnostics_text.argtypes = [ctypes.c_void_p]
        lib.hc_diagnostics_free.argtypes = [ctypes.c_void_p]
    lib.hc_load.restype = ctypes.c_void_p
    lib.hc_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.hc_card_free.argtypes = [ctypes.c_void_p]
    lib.hc_free.argtypes = [ctypes.c_void_p]
    lib.hc_score_json.restype = ctypes.c_int
    lib.hc_score_json.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                  ctypes.POINTER(ctypes.c_void_p)]
    return lib


def take_string(lib, ptr):
    """The API's malloc'd string as Python text, freed."""
    if not ptr:
        return None
    text = ctypes.string_at(ptr).decode("utf-8")
    lib.hc_free(ptr)
    return text


def open_card(lib, path):
    if path.endswith(".health"):
        if not hasattr(lib, "hc_compile"):
            sys.stderr.write("score_jsonl.py: this library has no compiler: give an artefact\n")
            return None
        with open(path, "rb") as f:
            text = f.read()
        diags = ctypes.c_void_p()
        card = lib.hc_compile(text, len(text), path.encode(), None, ctypes.byref(diags))
        if not card:
            sys.stderr.write(lib.hc_diagnostics_text(diags).decode("utf-8"))
        lib.hc_diagnostics_free(diags)
        return card
    error = ctypes.c_void_p()
    card = lib.hc_load(path.encode(), ctypes.byref(error))
    why = take_string(lib, error.value)
    if not card:
        sys.stderr.write(f"score_jsonl.py: {why}\n")
    return card


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("card")
    ap.add_argument("data")
    ap.add_argument("--as-of")
    ap.add_argument("--lib")
    args = ap.parse_args()
    lib = load_library(args.lib)
    card = open_card(lib, args.card)
    if not card:
        return 1
    as_of = args.as_of.encode() if args.as_of else None
    status = 0
    out = ctypes.c_void_p()
    with open(args.data, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            rc = lib.hc_score_json(card, line, len(line), as_of, ctypes.byref(out))
            result = take_string(lib, out.value)
            if rc not in (HC_OK, HC_REJECTED):
                sys.stderr.write(f"score_jsonl.py: hc_score_json failed ({rc})\n")
                status = 1
                continue
            print(result)
            if rc == HC_REJECTED:
                status = 3
    lib.hc_card_free(card)
    return status


if __name__ == "__main__":
    sys.exit(main())
