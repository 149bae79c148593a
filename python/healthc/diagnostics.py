"""Diagnostics as objects: what `healthc check --format json` prints, one Diagnostic a line."""
import json
from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(frozen=True)
class FixIt:
    """A suggested edit: replace the text from (line, col) to (end_line, end_col) by `replacement`."""
    line: int
    col: int
    end_line: int
    end_col: int
    replacement: str


@dataclass(frozen=True)
class Diagnostic:
    """One diagnostic. `code` is None for messages that are not card errors (an unknown param,
    a note such as "past the compile budget"); `line`/`col` are None when there is no place."""
    severity: str
    message: str
    code: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    col: Optional[int] = None
    end_line: Optional[int] = None
    end_col: Optional[int] = None
    notes: tuple = ()
    fixits: tuple = ()

    def __str__(self):
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}:{self.col}"
        code = f"[{self.code}]" if self.code else ""
        return f"{where}: {self.severity}{code}: {self.message}"


def _range(obj):
    r = obj.get("range") or {}
    return r.get("line"), r.get("column"), r.get("end_line"), r.get("end_column")


def _fixit(obj):
    line, col, end_line, end_col = _range(obj)
    return FixIt(line, col, end_line, end_col, obj.get("replacement", obj.get("text", "")))


def parse_json_lines(text: str) -> List[Diagnostic]:
    """The diagnostics of hc_diagnostics_json (one JSON object a line)."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        l, c, el, ec = _range(obj)
        notes = tuple(n.get("message", "") if isinstance(n, dict) else str(n) for n in obj.get("notes") or ())
        fixits = tuple(_fixit(f) for f in obj.get("fixits") or () if isinstance(f, dict))
        out.append(Diagnostic(severity=obj.get("severity", "error"), message=obj.get("message", ""),
                              code=obj.get("code"), file=obj.get("file"), line=l, col=c, end_line=el,
                              end_col=ec, notes=notes, fixits=fixits))
    return out


class HealthcError(Exception):
    """Base of the package's errors."""


class CompileError(HealthcError):
    """The card did not compile. `diagnostics` holds every Diagnostic; `text` is what
    `healthc check` prints for them (source line and caret included)."""

    def __init__(self, diagnostics, text=""):
        self.diagnostics = list(diagnostics)
        self.text = text
        errors = [d for d in self.diagnostics if d.severity == "error"] or self.diagnostics
        first = str(errors[0]) if errors else "the card did not compile"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class LoadError(HealthcError):
    """An ahead-of-time artefact was refused by hc_load; the message says why."""
