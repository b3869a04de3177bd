"""Reports: the annual counter-corruption strategic threat assessment, the national return and
the regional/national combination of returns.

Public API:

- `gather(GatherOptions) -> AssessmentFigures`: every section's figures, or why it has none;
- `threat_assessment(options, *, out_dir, formats, marking) -> list[Path]`: HTML and/or PDF;
- `build_return(figures) -> dict`, `validate_return(doc, *, source)`, `combine_returns(...)`:
  the national return (docs/national-return.md) and its combination.
"""

from __future__ import annotations

from probity.reports.api import threat_assessment
from probity.reports.gather import GatherOptions, gather
from probity.reports.national_return import (
    RETURN_FORMAT,
    RETURN_SCHEMA_VERSION,
    build_return,
    combine_returns,
    load_return,
    validate_return,
)

__all__ = [
    "GatherOptions",
    "RETURN_FORMAT",
    "RETURN_SCHEMA_VERSION",
    "build_return",
    "combine_returns",
    "gather",
    "load_return",
    "threat_assessment",
    "validate_return",
]
