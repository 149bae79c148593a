"""healthc for Python: compile a customer health scorecard once, then score dicts, pandas
DataFrames (score_frame) and Dask DataFrames (healthc.dask.score) exactly as `healthc score`
does, through libhealthc.so (ctypes; where it is found: healthc/_lib.py, docs/python.md)."""
from ._lib import LibraryNotFound, library
from .diagnostics import CompileError, Diagnostic, FixIt, HealthcError, LoadError
from .scorecard import Band, Field, Measure, Named, Scorecard

__all__ = ["Scorecard", "CompileError", "LoadError", "HealthcError", "LibraryNotFound", "Diagnostic", "FixIt",
           "Field", "Measure", "Band", "Named", "library", "version"]


def version():
    """The version of the libhealthc.so in use."""
    return library().hc_version().decode()
