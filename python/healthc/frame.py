"""score_frame: a pandas DataFrame scored through hc_score_columns, with no Python work per row.

How a field's column is read (any other dtype goes the text way, as its str() would be written
to a CSV file):
  - text: strings; None/NaN and "" are missing (an empty CSV cell).
  - number: numeric dtypes (nullable Int64/Float64 too); NaN/NA is missing, +-inf is rejected.
  - bool: bool/boolean dtypes, or numbers 0/1.
  - date: datetime64 (a time of day other than midnight is rejected), datetime.date objects.
  - strings for number, bool, date and enum fields (and categoricals) go through the CSV
    reader's own cell grammar (hc_parse_cells), once per distinct value: trimmed, yes/no,
    YYYY-MM-DD, enum members by their spellings, exactly as `healthc score` reads a CSV file.
A row that `healthc score` would reject is not scored: its `rejected` column holds the reason
the CLI gives (hc_cell_reason on each of its cells), its other columns are missing.
"""
import ctypes
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from . import _lib

_TEXT = np.dtype([("data", np.uintp), ("size", np.uint64)])
_SLICE_ROWS = 32768  # rows scored by one call: the detail arrays of a slice stay small


def _ptr(a):
    return ctypes.c_void_p(a.ctypes.data) if a is not None else None


def _strings(values):
    """An object array of str ("" where missing) and the missing mask."""
    arr = np.asarray(values, dtype=object)
    missing = np.asarray(pd.isna(arr), dtype=bool)
    if missing.any():
        arr = arr.copy()
        arr[missing] = ""
    if len(arr) and pdt.infer_dtype(arr, skipna=False) != "string":
        arr = pd.Series(arr, dtype=object).astype(str).to_numpy(dtype=object)
    return arr, missing


def _text_cells(strings):
    """One UTF-8 buffer for `strings` and an hc_text array pointing into it."""
    n = len(strings)
    joined = "".join(strings)
    buf = joined.encode("utf-8")
    if len(buf) == len(joined):  # ASCII: a character is a byte
        sizes = np.fromiter(map(len, strings), dtype=np.uint64, count=n)
    else:
        encoded = list(map(str.encode, strings))
        buf = b"".join(encoded)
        sizes = np.fromiter(map(len, encoded), dtype=np.uint64, count=n)
    cells = np.zeros(n, _TEXT)
    if buf:
        base = np.frombuffer(buf, dtype=np.uint8).ctypes.data
        offsets = np.zeros(n, dtype=np.uint64)
        np.cumsum(sizes[:-1], out=offsets[1:])
        cells["data"] = base + offsets
    cells["size"] = sizes
    return buf, cells


class _Column:
    """One field's column as the C API reads it, and the text of a cell for a reason."""

    def __init__(self, values=None, text=None, valid=None, keep=(), cell=None):
        # The C API reads plain arrays: a column of a frame made from a 2-D array can be strided.
        contiguous = lambda a, t: None if a is None else np.ascontiguousarray(a, dtype=t)  # noqa: E731
        self.values, self.text = contiguous(values, np.float64), contiguous(text, _TEXT)
        self.valid, self.keep, self.cell = contiguous(valid, np.uint8), keep, cell


def _present_numbers(vals):
    valid = ~np.isnan(vals)
    if not valid.all():
        vals = np.where(valid, vals, 0.0)
    return vals, valid.astype(np.uint8)


def _original_cell(series):
    def cell(r):
        v = series.iat[r]
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        return repr(float(v)) if isinstance(v, (float, np.floating)) else str(v)
    return cell


def _parsed(card, f, series):
    """Non-text cells through hc_parse_cells, one call over the distinct values."""
    codes, uniques = pd.factorize(series, sort=False)
    uniq, _ = _strings(np.asarray(uniques, dtype=object))
    m = len(uniq)
    buf, cells = _text_cells(uniq)
    u_val, u_valid, u_status = np.zeros(m), np.zeros(m, np.uint8), np.zeros(m, np.uint8)
    if m:
        rc = card._lib.hc_parse_cells(card._h, f, _ptr(cells), m, _ptr(u_val), _ptr(u_valid), _ptr(u_status))
        _lib.check_rc(rc, "hc_parse_cells")
    # A cell that is not of its type: present and NaN, which the columnar call refuses.
    bad = u_status == _lib.ROW_INVALID_VALUE
    u_val[bad], u_valid[bad] = np.nan, 1
    missing = codes < 0
    at = np.where(missing, 0, codes)
    values = u_val[at] if m else np.zeros(len(codes))
    valid = u_valid[at] if m else np.zeros(len(codes), np.uint8)
    if missing.any():
        values[missing], valid[missing] = 0.0, 0
    return _Column(values=values, valid=valid, cell=lambda r: "" if codes[r] < 0 else uniq[codes[r]])


def _dates(series):
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)  # the date on the account's own clock
    if pdt.is_datetime64_any_dtype(series.dtype):
        ticks, per_day = series.to_numpy(dtype="datetime64[ns]").view(np.int64), 86400 * 10**9
        missing = ticks == np.iinfo(np.int64).min
    else:  # datetime.date / datetime objects
        filled = series.to_numpy(dtype=object).copy()
        missing = np.asarray(pd.isna(filled), dtype=bool)
        filled[missing] = np.datetime64("1970-01-01")
        ticks, per_day = np.asarray(filled, dtype="datetime64[us]").view(np.int64), 86400 * 10**6
    days, rest = np.divmod(ticks, per_day)
    values = days.astype(np.float64)
    values[rest != 0] = np.nan  # not whole days: refused, as the CLI refuses a date with a time
    values[missing] = 0.0

    def cell(r):
        v = series.iat[r]
        if pd.isna(v):
            return ""
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else str(v)
    return _Column(values=values, valid=(~missing).astype(np.uint8), cell=cell)


def _column(card, f, field, series):
    dtype = series.dtype
    if field.type == "text":
        strings, missing = _strings(series.to_numpy(dtype=object))
        buf, cells = _text_cells(strings)
        valid = ((~missing) & (cells["size"] > 0)).astype(np.uint8)
        return _Column(text=cells, valid=valid, keep=(buf, strings), cell=lambda r: strings[r])
    numeric = pdt.is_numeric_dtype(dtype) and not pdt.is_bool_dtype(dtype)
    if (field.type == "number" and numeric) or (field.type == "bool" and (numeric or pdt.is_bool_dtype(dtype))):
        vals, valid = _present_numbers(series.to_numpy(dtype=np.float64, na_value=np.nan))
        return _Column(values=vals, valid=valid, cell=_original_cell(series))
    if field.type == "date" and (pdt.is_datetime64_any_dtype(dtype) or
                                 (dtype == object and pdt.infer_dtype(series, skipna=True) in ("date", "datetime"))):
        return _dates(series)
    return _parsed(card, f, series)


def _as_of(as_of):
    from .scorecard import _as_of_text
    text = _as_of_text(as_of)
    if text is not None and not re.fullmatch(rb"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"as_of {as_of!r} is not a date (YYYY-MM-DD)")
    return text


def _row_reason(card, columns, r):
    """The reason `healthc score` gives for row r: one bad cell's, or `N bad cells: A; B`."""
    lib, why = card._lib, []
    for f, col in enumerate(columns):
        text = col.cell(r).encode("utf-8")
        out = ctypes.c_void_p()
        rc = _lib.check_rc(lib.hc_cell_reason(card._h, f, text, len(text), ctypes.byref(out)), "hc_cell_reason")
        reason = _lib.take_string(lib, out.value)
        if rc == _lib.HC_REJECTED:
            why.append(reason)
    if not why:  # the columnar check refused a value its text would pass: say which rule
        return "a value outside its field's type"
    return why[0] if len(why) == 1 else f"{len(why)} bad cells: " + "; ".join(why)


def _categorical(codes, names):
    return pd.Categorical.from_codes(codes, categories=names) if len(set(names)) == len(names) else \
        np.where(codes >= 0, np.asarray(names, dtype=object)[np.maximum(codes, 0)], None)


def score_frame(card, frame, as_of=None, explain=False, threads=None):
    lib, fields = card._lib, card.fields
    absent = [f.name for f in fields if f.name not in frame.columns]
    if absent:
        raise KeyError("the frame has no column for field" + ("s " if len(absent) > 1 else " ") +
                       ", ".join(f"`{n}`" for n in absent))
    as_of = _as_of(as_of)
    rows, nm = len(frame), len(card.measures)
    columns = [_column(card, f, field, frame[field.name]) for f, field in enumerate(fields)]

    out = {k: np.full(rows, -1, np.int32) for k in ("segment", "score", "band", "label", "override_index")}
    status = np.zeros(rows, np.uint8)
    m_out = {k: np.full((nm, rows), np.nan) for k in ("value", "score", "weight")} if explain else None
    slices = [(b, min(rows, b + _SLICE_ROWS)) for b in range(0, rows, _SLICE_ROWS)]

    def score_slice(begin_end):
        begin, end = begin_end
        n = end - begin
        cols = (_lib.HcColumn * len(columns))()
        for i, c in enumerate(columns):
            cols[i].values = c.values[begin:].ctypes.data if c.values is not None else None
            cols[i].text = c.text[begin:].ctypes.data if c.text is not None else None
            cols[i].valid = c.valid[begin:].ctypes.data
        batch = _lib.HcBatchIn(n, len(columns), cols, as_of)
        detail = {k: np.zeros(nm * n) for k in ("value", "score", "weight")}
        detail_valid = {k: np.zeros(nm * n, np.uint8) for k in detail}
        o = _lib.HcBatchOut()
        for k, a in out.items():
            setattr(o, k, a[begin:].ctypes.data)
        o.status = status[begin:].ctypes.data
        for k in detail:
            setattr(o, f"m_{k}", detail[k].ctypes.data)
            setattr(o, f"m_{k}_valid", detail_valid[k].ctypes.data)
        _lib.check_rc(lib.hc_score_columns(card._h, ctypes.byref(batch), ctypes.byref(o)), "hc_score_columns")
        text, size = ctypes.c_void_p(), ctypes.c_size_t()
        _lib.check_rc(lib.hc_reasons_text(card._h, ctypes.byref(o), n, ctypes.byref(text), ctypes.byref(size)),
                      "hc_reasons_text")
        try:
            reasons = ctypes.string_at(text.value, size.value).decode("utf-8").split("\n")[:-1] if n else []
        finally:
            lib.hc_free(text)
        if m_out is not None:
            for k in detail:
                m = detail[k].reshape(nm, n)
                m_out[k][:, begin:end] = np.where(detail_valid[k].reshape(nm, n) != 0, m, np.nan)
        return reasons

    workers = max(1, min(threads or os.cpu_count() or 1, len(slices) or 1))
    if workers == 1:
        parts = [score_slice(s) for s in slices]
    else:  # ctypes lets go of the GIL in the C calls; each slice writes its own rows
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(score_slice, slices))
    reasons = np.empty(rows, dtype=object)
    at = 0
    for part in parts:
        reasons[at:at + len(part)] = part
        at += len(part)

    rejected = np.full(rows, None, dtype=object)
    bad = np.flatnonzero(status != _lib.ROW_OK)
    for r in bad:  # rejected rows only: the reason is worth a Python loop
        rejected[r] = _row_reason(card, columns, r)
    reasons[bad] = None

    band = out["band"]
    colors = sorted({b.color for b in card.bands} | {"grey"})
    color_of_band = np.array([colors.index(b.color) for b in card.bands] + [colors.index("grey")], dtype=np.int32)
    color = np.where(band >= 0, color_of_band[np.maximum(band, 0)], -1)
    score = out["score"]
    result = {
        card.key_field: frame[card.key_field].to_numpy(copy=True),
        "segment": _categorical(out["segment"], [s.name for s in card.segments] + ["default"]),
        "score": pd.arrays.IntegerArray(score, score < 0),
        "band": _categorical(band, [b.name for b in card.bands] + ["unscored"]),
        "color": _categorical(color, colors),
        "label": _categorical(out["label"], [x.name for x in card.labels]),
        "override": _categorical(out["override_index"], [x.name for x in card.overrides]),
        "reasons": reasons,
    }
    if m_out is not None:
        for m, measure in enumerate(card.measures):
            for k in ("value", "score", "weight"):
                result[f"{measure.name}.{k}"] = m_out[k][m]
    result["rejected"] = rejected
    return pd.DataFrame(result, index=frame.index)
