"""What validating a Force Extract found: issues (errors and warnings) and a report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Issue", "ValidationReport", "MAX_REPORTED_ISSUES", "display_value"]

# Errors (and, separately, warnings) kept with their details; the rest are only counted.
MAX_REPORTED_ISSUES = 200
_MAX_VALUE_CHARS = 80


def display_value(value: object) -> str | None:
    """A value as shown in a message: text, cut to a readable length."""
    if value is None:
        return None
    text = str(value)
    if len(text) > _MAX_VALUE_CHARS:
        return f"{text[:_MAX_VALUE_CHARS]}... ({len(text)} characters)"
    return text


@dataclass(frozen=True)
class Issue:
    """One problem found in an extract.

    `file` is the file name inside the extract directory ("" for the directory itself);
    `row` is the 1-based DATA row number (the header is not counted, so data row 1 is the
    first row after the header; a quoted field holding a line break does not shift it), or
    None for a problem with the file or a whole column; `column` is the contract column (or
    manifest key); `value` is the offending value as text (cut to 80 characters);
    `message` says what was expected.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file or "extract"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    """Everything validation found. `ok` is true when there is no error (warnings allowed)."""

    path: Path
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    row_counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # table -> file name
    columns: dict[str, list[str]] = field(default_factory=dict)  # table -> columns in the file
    manifest: dict[str, Any] | None = None
    missing_optional: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, issue: Issue, *, count: int = 1) -> None:
        """Record one error (and `count - 1` more like it that are only counted)."""
        if len(self.errors) < MAX_REPORTED_ISSUES:
            self.errors.append(issue)
        self.error_count += count

    def warn(self, issue: Issue, *, count: int = 1) -> None:
        if len(self.warnings) < MAX_REPORTED_ISSUES:
            self.warnings.append(issue)
        self.warning_count += count

    def summary(self) -> str:
        tables = len(self.files)
        rows = sum(self.row_counts.values())
        verdict = "valid" if self.ok else "INVALID"
        return (
            f"{verdict}: {self.error_count} error(s), {self.warning_count} warning(s); "
            f"{tables} table(s), {rows} row(s) checked in {self.seconds:.1f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
            "row_counts": dict(self.row_counts),
            "files": dict(self.files),
            "columns": {k: list(v) for k, v in self.columns.items()},
            "manifest": self.manifest,
            "missing_optional": list(self.missing_optional),
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        return cls(
            path=Path(data["path"]),
            errors=[Issue(**i) for i in data["errors"]],
            warnings=[Issue(**i) for i in data["warnings"]],
            error_count=int(data["error_count"]),
            warning_count=int(data["warning_count"]),
            row_counts={k: int(v) for k, v in data["row_counts"].items()},
            files=dict(data["files"]),
            columns={k: list(v) for k, v in data["columns"].items()},
            manifest=data["manifest"],
            missing_optional=list(data["missing_optional"]),
            seconds=float(data.get("seconds", 0.0)),
        )
