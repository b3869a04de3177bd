"""Force Extract v1: the contract as data (`schema`), the validator and the reader.

Public API:

- `validate_extract(path, *, progress=None) -> ValidationReport`: every error and warning;
- `open_extract(path) -> Extract`: validates (or reuses a cached valid report), raises
  `probity.errors.ExtractInvalid` with the report on any error, else typed DuckDB tables;
- `normalise_phone(text) -> str | None` and the DuckDB macro `probity_e164(x)`
  (`install_phone_macro(con)`; already installed on `Extract.con`).
"""

from probity.extract.phones import PHONE_MACRO, install_phone_macro, normalise_phone
from probity.extract.reader import Extract, open_extract
from probity.extract.report import MAX_REPORTED_ISSUES, Issue, ValidationReport
from probity.extract.validate import ProgressCallback, validate_extract

__all__ = [
    "Extract",
    "Issue",
    "MAX_REPORTED_ISSUES",
    "PHONE_MACRO",
    "ProgressCallback",
    "ValidationReport",
    "install_phone_macro",
    "normalise_phone",
    "open_extract",
    "validate_extract",
]
