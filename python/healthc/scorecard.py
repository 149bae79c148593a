"""Scorecard: a compiled card (hc_compile) or an ahead-of-time artefact (hc_load), its metadata,
and scoring of one account (hc_score_json) or a pandas DataFrame (hc_score_columns, frame.py)."""
import ctypes
import datetime
import hashlib
import json
import math
import os
import tempfile
import threading
from collections import namedtuple

from . import _lib
from .diagnostics import CompileError, LoadError, parse_json_lines

Field = namedtuple("Field", "name type optional key members spellings")
Measure = namedtuple("Measure", "name title")
Band = namedtuple("Band", "name title color lo hi")  # lo..hi inclusive
Named = namedtuple("Named", "name title")  # a segment, label or override

FIELD_TYPES = ("number", "bool", "text", "date", "enum")
_ENGINES = {"jit": 0, "eval": 1, "evaluator": 1}

# Cards made in this process from shipped text or artefact bytes, by content: a Dask worker
# unpickles a card for every task, and compiles it only the first time.
_cache = {}
_cache_lock = threading.Lock()
made_here = {"compiled": 0, "loaded": 0}  # cards _revive made in this process (tests read it)


def _as_of_text(as_of):
    if as_of is None:
        return None
    if isinstance(as_of, datetime.datetime):
        as_of = as_of.date()
    if isinstance(as_of, datetime.date):
        return as_of.isoformat().encode()
    if hasattr(as_of, "date") and callable(as_of.date):  # pandas.Timestamp
        return as_of.date().isoformat().encode()
    return str(as_of).encode()


def _json_default(v):
    if isinstance(v, datetime.datetime):
        # A time of day other than midnight goes as it is, for the reader to refuse as a date.
        return v.date().isoformat() if v.time() == datetime.time(0) and not v.tzinfo else str(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    raise TypeError(f"cannot send a {type(v).__name__} as a field value")


def _missing(v):
    # None, NaN, and pandas' NA and NaT: null, as an empty CSV cell reads.
    return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ in ("NAType", "NaTType")


def _account_json(account):
    clean = {k: (None if _missing(v) else v) for k, v in account.items()}
    return json.dumps(clean, default=_json_default, allow_nan=True).encode()


class Scorecard:
    """A card ready to score, from any number of threads. Make one with Scorecard.compile(text)
    or Scorecard.load(path); it pickles (as its text or artefact bytes), so Dask can ship it."""

    def __init__(self, handle, lib, origin, warnings=()):
        self._h = ctypes.c_void_p(handle)
        self._lib = lib
        self._origin = origin  # ("text", text, file_name, params, engine) or ("artefact", bytes)
        self.warnings = list(warnings)
        self._read_metadata()

    # ---- making one ----

    @classmethod
    def compile(cls, text, params=None, engine="jit", file_name=None, cache=True):
        """Compiles card `text` (str or bytes). `params` overrides params ({name: number}, as
        `--param`); `engine` is "jit" (native code, the default) or "eval" (the reference
        evaluator); `cache` reuses compiled code from the on-disk cache. Raises CompileError with
        the diagnostics when the card has errors; its warnings are in `.warnings`."""
        lib = _lib.library()
        if not lib.has_compiler:
            raise LoadError(f"{lib.path} has no compiler (libhealthc_runtime.so): load an artefact instead")
        data = text.encode() if isinstance(text, str) else bytes(text)
        if engine not in _ENGINES:
            raise ValueError(f"engine must be 'jit' or 'eval', not {engine!r}")
        params = dict(params or {})
        opts = lib.hc_options_new()
        if not opts:
            raise MemoryError("hc_options_new")
        try:
            for name, value in params.items():
                if lib.hc_options_set_param(opts, name.encode(), float(value)) != _lib.HC_OK:
                    raise ValueError(f"param `{name}`: {value!r} is not a finite number")
            lib.hc_options_set_engine(opts, _ENGINES[engine])
            lib.hc_options_set_cache(opts, 1 if cache else 0, None)
            diags = ctypes.c_void_p()
            name = (file_name or "<input>").encode()
            handle = lib.hc_compile(data, len(data), name, opts, ctypes.byref(diags))
        finally:
            lib.hc_options_free(opts)
        try:
            found = parse_json_lines(lib.hc_diagnostics_json(diags).decode()) if diags else []
            rendered = lib.hc_diagnostics_text(diags).decode() if diags else ""
        finally:
            lib.hc_diagnostics_free(diags)
        if not handle:
            raise CompileError(found, rendered)
        origin = ("text", data, file_name, tuple(sorted(params.items())), engine)
        return cls(handle, lib, origin, found)

    @classmethod
    def load(cls, path, params=None, engine="jit", cache=True):
        """A `.health` card (compiled, as Scorecard.compile) or an ahead-of-time artefact from
        `healthc compile CARD --emit shared -o card.so` (hc_load; params and engine do not apply)."""
        path = os.fspath(path)
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith(".health"):
            return cls.compile(data, params=params, engine=engine, file_name=path, cache=cache)
        return cls._from_artefact(data, path)

    @classmethod
    def _from_artefact(cls, data, path=None):
        lib = _lib.library()
        error = ctypes.c_void_p()
        if path is None:
            # hc_load reads a path: the shipped bytes go to a private file, gone once loaded.
            with tempfile.TemporaryDirectory(prefix="healthc-") as d:
                path = os.path.join(d, "card.so")
                with open(path, "wb") as f:
                    f.write(data)
                handle = lib.hc_load(path.encode(), ctypes.byref(error))
        else:
            handle = lib.hc_load(path.encode(), ctypes.byref(error))
        why = _lib.take_string(lib, error.value)
        if not handle:
            raise LoadError(why or "the artefact cannot be loaded")
        return cls(handle, lib, ("artefact", data))

    def __del__(self):
        h = getattr(self, "_h", None)
        if h is not None and h.value:
            self._lib.hc_card_free(h)
            self._h = None

    # ---- shipping to other processes ----

    def __reduce__(self):
        return (_revive, (self._origin,))

    def __dask_tokenize__(self):
        return hashlib.sha256(repr(self._origin).encode()).hexdigest()

    # ---- metadata ----

    def _read_metadata(self):
        lib, h = self._lib, self._h
        s = lambda b: b.decode() if b is not None else None  # noqa: E731
        self.title = s(lib.hc_card_title(h))
        key = lib.hc_key_field(h)
        fields = []
        for i in range(lib.hc_field_count(h)):
            n = lib.hc_field_member_count(h, i)
            fields.append(Field(s(lib.hc_field_name(h, i)), FIELD_TYPES[lib.hc_field_type(h, i)],
                                bool(lib.hc_field_optional(h, i)), i == key,
                                tuple(s(lib.hc_field_member(h, i, m)) for m in range(n)),
                                tuple(s(lib.hc_field_member_spelling(h, i, m)) for m in range(n))))
        self.fields = tuple(fields)
        self.key_field = fields[key].name if 0 <= key < len(fields) else None
        self.measures = tuple(Measure(s(lib.hc_measure_name(h, i)), s(lib.hc_measure_title(h, i)))
                              for i in range(lib.hc_measure_count(h)))
        self.bands = tuple(Band(s(lib.hc_band_name(h, i)), s(lib.hc_band_title(h, i)), s(lib.hc_band_color(h, i)),
                                lib.hc_band_from(h, i), lib.hc_band_to(h, i)) for i in range(lib.hc_band_count(h)))

        def named(kind):
            count, name, title = (getattr(lib, f"hc_{kind}_{x}") for x in ("count", "name", "title"))
            return tuple(Named(s(name(h, i)), s(title(h, i))) for i in range(count(h)))

        self.segments, self.labels, self.overrides = named("segment"), named("label"), named("override")

    def __repr__(self):
        return (f"<healthc.Scorecard {self.title!r}: {len(self.fields)} fields, {len(self.measures)} measures, "
                f"{len(self.bands)} bands>")

    # ---- one account ----

    def explain(self, account, as_of=None):
        """One account (a dict: field name -> value, as one JSON Lines row of `healthc score`;
        None or NaN is missing, dates as "YYYY-MM-DD" or datetime.date) scored with every measure:
        {"key", "segment", "score", "band", "color", "label", "override", "reasons": [{"measure",
        "points"}], "measures": {NAME: {"value", "score", "weight"}}}. A row the reader would
        reject gives {"rejected": REASON}, the reason `healthc score` gives, never a score."""
        data = _account_json(account)
        out = ctypes.c_void_p()
        rc = self._lib.hc_score_json(self._h, data, len(data), _as_of_text(as_of), ctypes.byref(out))
        text = _lib.take_string(self._lib, out.value)
        _lib.check_rc(rc, "hc_score_json (is as_of YYYY-MM-DD?)")
        return json.loads(text)

    def score(self, account, as_of=None):
        """As explain(), without "measures"."""
        result = self.explain(account, as_of)
        result.pop("measures", None)
        return result

    # ---- a DataFrame ----

    def score_frame(self, frame, as_of=None, explain=False, threads=None):
        """Scores every row of a pandas DataFrame through the columnar call (frame.py documents
        how columns are read). Returns a DataFrame with the frame's index and the columns of
        `healthc score` (KEY, segment, score, band, color, label, override, reasons; with
        `explain`, each measure's M.value, M.score, M.weight) and `rejected`: None for a scored
        row, else the reason `healthc score` would give (its other columns are then missing)."""
        from . import frame as _frame
        return _frame.score_frame(self, frame, as_of=as_of, explain=explain, threads=threads)


def _revive(origin):
    digest = hashlib.sha256(repr(origin).encode()).hexdigest()
    with _cache_lock:
        card = _cache.get(digest)
        if card is not None:
            return card
        if origin[0] == "text":
            _, data, file_name, params, engine = origin
            card = Scorecard.compile(data, params=dict(params), engine=engine, file_name=file_name)
            made_here["compiled"] += 1
        else:
            card = Scorecard._from_artefact(origin[1])
            made_here["loaded"] += 1
        _cache[digest] = card
        return card
