"""Finds libhealthc.so and declares the C API's functions to ctypes (include/healthc/healthc.h).

Where the library is looked for, first found wins:
  1. $HEALTHC_LIBRARY (a path to libhealthc.so.0, or to libhealthc_runtime.so.0 for artefacts only);
  2. the installed location: beside a `healthc` on $PATH (PREFIX/bin/healthc -> PREFIX/lib*/),
     then the dynamic loader's own search (ldconfig, $LD_LIBRARY_PATH);
  3. the build tree of the checkout this package lies in (build/release, build/debug, build/*).
"""
import ctypes
import glob
import os
import shutil
import threading

HC_OK, HC_REJECTED, HC_EINVAL, HC_ENOMEM, HC_EINTERNAL = 0, 1, -1, -2, -3
ROW_OK, ROW_MISSING_REQUIRED, ROW_INVALID_VALUE = 0, 1, 2

_NAMES = ("libhealthc.so.0", "libhealthc.so")
_lock = threading.Lock()
_lib = None


class LibraryNotFound(OSError):
    """libhealthc.so could not be found or loaded; the message lists every place tried."""


class HcText(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("size", ctypes.c_uint64)]


class HcColumn(ctypes.Structure):
    _fields_ = [("values", ctypes.c_void_p), ("text", ctypes.c_void_p), ("valid", ctypes.c_void_p)]


class HcBatchIn(ctypes.Structure):
    _fields_ = [("rows", ctypes.c_size_t), ("field_count", ctypes.c_size_t),
                ("fields", ctypes.POINTER(HcColumn)), ("as_of", ctypes.c_char_p)]


class HcBatchOut(ctypes.Structure):
    _fields_ = [(n, ctypes.c_void_p) for n in (
        "segment", "score", "band", "label", "override_index", "status", "m_value", "m_value_valid",
        "m_score", "m_score_valid", "m_weight", "m_weight_valid")]


def _candidates():
    env = os.environ.get("HEALTHC_LIBRARY")
    if env:
        yield env
        return
    exe = shutil.which("healthc")
    if exe:
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(exe)))
        for libdir in ("lib", "lib64", *sorted(glob.glob(os.path.join(prefix, "lib", "*-linux-gnu")))):
            for name in _NAMES:
                yield os.path.join(prefix, libdir, name)
        # The CLI of a build tree lies in BUILD/compiler/, beside its libhealthc.so.
        for name in _NAMES:
            yield os.path.join(os.path.dirname(os.path.realpath(exe)), name)
    yield from _NAMES  # the loader's search
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for build in ("release", "debug", *sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "build", "*")))):
        yield os.path.join(root, "build", build, "compiler", "libhealthc.so.0")


def _declare(lib):
    c = ctypes
    vp, sz, i, cp = c.c_void_p, c.c_size_t, c.c_int, c.c_char_p

    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, list(argtypes)

    # Strings handed over through char ** stay c_void_p so they can go back to hc_free.
    fn("hc_version", cp)
    fn("hc_free", None, vp)
    lib.has_compiler = hasattr(lib, "hc_compile")
    if lib.has_compiler:
        fn("hc_options_new", vp)
        fn("hc_options_free", None, vp)
        fn("hc_options_set_param", i, vp, cp, c.c_double)
        fn("hc_options_set_engine", i, vp, i)
        fn("hc_options_set_cache", i, vp, i, cp)
        fn("hc_compile", vp, cp, sz, cp, vp, c.POINTER(vp))
        fn("hc_diagnostics_count", sz, vp)
        fn("hc_diagnostics_error_count", sz, vp)
        fn("hc_diagnostics_json", cp, vp)
        fn("hc_diagnostics_text", cp, vp)
        fn("hc_diagnostics_free", None, vp)
    fn("hc_load", vp, cp, c.POINTER(vp))
    fn("hc_card_free", None, vp)
    fn("hc_card_title", cp, vp)
    for name in ("field", "measure", "band", "segment", "label", "override"):
        fn(f"hc_{name}_count", sz, vp)
        fn(f"hc_{name}_name", cp, vp, sz)
    for name in ("measure", "band", "segment", "label", "override"):
        fn(f"hc_{name}_title", cp, vp, sz)
    fn("hc_field_type", i, vp, sz)
    fn("hc_field_optional", i, vp, sz)
    fn("hc_field_member_count", sz, vp, sz)
    fn("hc_field_member", cp, vp, sz, sz)
    fn("hc_field_member_spelling", cp, vp, sz, sz)
    fn("hc_key_field", i, vp)
    fn("hc_band_color", cp, vp, sz)
    fn("hc_band_from", i, vp, sz)
    fn("hc_band_to", i, vp, sz)
    fn("hc_score_json", i, vp, cp, sz, cp, c.POINTER(vp))
    fn("hc_score_columns", i, vp, c.POINTER(HcBatchIn), c.POINTER(HcBatchOut))
    fn("hc_parse_cells", i, vp, sz, vp, sz, vp, vp, vp)
    fn("hc_cell_reason", i, vp, sz, cp, sz, c.POINTER(vp))
    fn("hc_reasons_text", i, vp, c.POINTER(HcBatchOut), sz, c.POINTER(vp), c.POINTER(sz))
    return lib


def library():
    """The loaded C library (loaded once a process)."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for path in _candidates():
            if os.sep in path and not os.path.exists(path):
                tried.append(f"{path} (absent)")
                continue
            try:
                lib = ctypes.CDLL(path)
            except OSError as e:
                tried.append(f"{path} ({e})")
                continue
            if not hasattr(lib, "hc_parse_cells"):
                tried.append(f"{path} (too old: no hc_parse_cells)")
                continue
            lib.path = path
            _lib = _declare(lib)
            return _lib
        raise LibraryNotFound("libhealthc.so not found; set HEALTHC_LIBRARY to its path. Tried:\n  " +
                              "\n  ".join(tried))


def take_string(lib, ptr):
    """A string the API handed over (malloc'd) as Python text, freed."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib.hc_free(ptr)


def check_rc(rc, what):
    """Raises for the return codes that are not a row's outcome."""
    if rc == HC_EINVAL:
        raise ValueError(f"{what}: a bad argument (HC_EINVAL)")
    if rc == HC_ENOMEM:
        raise MemoryError(f"{what}: out of memory")
    if rc not in (HC_OK, HC_REJECTED):
        raise RuntimeError(f"{what}: an internal error in healthc ({rc}); please report it")
    return rc
