"""`scan`: rank the workforce for abuse of position for a sexual purpose, with evidence.

    from probity.extract import open_extract
    from probity.analytics.scan import scan
    result = scan(open_extract("force/"))
    result.ranked      # rank, staff_id, score, persons_of_concern, reasons (the output contract)
    result.evidence    # one row per indicator hit (docs/architecture.md)
    result.skipped     # indicators that could not run on this extract, with the reason

The score only orders human review (see REVIEW_NOTICE); indicators are documented in
docs/indicators.md and the scoring in docs/decisions/0041-scan-scoring.md.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import pandas as pd

from probity.analytics.internals.engine import (
    EVIDENCE_COLUMNS,
    ExtractLike,
    Skipped,
    run_engine,
)
from probity.analytics.internals.params import ScanParams
from probity.analytics.internals.scoring import REVIEW_NOTICE, score_staff
from probity.errors import UsageError

__all__ = ["scan", "ScanResult", "Skipped", "ScanParams", "REVIEW_NOTICE", "RANKED_COLUMNS",
           "EVIDENCE_COLUMNS", "write_ranked", "write_evidence"]

RANKED_COLUMNS = ["rank", "staff_id", "score", "persons_of_concern", "reasons"]
ENGINES = ("duckdb",)


@dataclass
class ScanResult:
    ranked: pd.DataFrame
    evidence: pd.DataFrame
    skipped: list[Skipped]
    notes: list[str] = field(default_factory=list)
    as_of: datetime | None = None
    since: datetime | None = None
    features: pd.DataFrame | None = None  # per-staff features, shared with the baselines
    notice: str = REVIEW_NOTICE


def _as_datetime(value: datetime | date | None, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    return datetime.combine(value, time(23, 59, 59) if end_of_day else time(0, 0))


def scan(extract: ExtractLike, *, as_of: datetime | date | None = None,
         since: datetime | date | None = None, engine: str = "duckdb",
         params: ScanParams | None = None, links_path: Path | None = None) -> ScanResult:
    """Scan an opened extract. `as_of` (default: the extract's period end) bounds every event;
    `since` (default: none) ignores earlier look-ups and contacts, for temporal validation."""
    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r} is not available; choose one of {list(ENGINES)}")
    params = params or ScanParams()
    period_end = getattr(extract, "period_end", None)
    as_of_dt = (_as_datetime(as_of, end_of_day=True)
                or _as_datetime(period_end, end_of_day=True)
                or datetime.now(UTC).replace(tzinfo=None, microsecond=0))
    since_dt = _as_datetime(since, end_of_day=False)
    if since_dt is not None and since_dt >= as_of_dt:
        raise UsageError(f"--since {since_dt:%Y-%m-%d} is not before the scan date "
                         f"{as_of_dt:%Y-%m-%d}")
    out = run_engine(extract, as_of=as_of_dt, since=since_dt, params=params,
                     links_path=links_path)
    ranked = score_staff(staff=out.staff, evidence=out.evidence,
                         extra_persons=out.extra_persons, params=params)
    evidence = (out.evidence.sort_values(["staff_id", "weight", "indicator"],
                                         ascending=[True, False, True])
                [EVIDENCE_COLUMNS].reset_index(drop=True))
    evidence["weight"] = evidence["weight"].round(4)
    return ScanResult(ranked=ranked[RANKED_COLUMNS], evidence=evidence, skipped=out.skipped,
                      notes=out.notes, as_of=as_of_dt, since=since_dt, features=out.features)


def _atomic_csv(df: pd.DataFrame, path: Path) -> None:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_ranked(result: ScanResult, path: Path) -> None:
    """Write ranked.csv exactly as the output contract says (atomic)."""
    _atomic_csv(result.ranked[RANKED_COLUMNS], path)


def write_evidence(result: ScanResult, path: Path) -> None:
    """Write evidence.csv (one row per indicator hit; atomic). Timestamps are ISO 8601 UTC."""
    ev = result.evidence.copy()
    for col in ("first_ts", "last_ts"):
        ev[col] = pd.to_datetime(ev[col]).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    ev["count"] = ev["count"].round(2)
    _atomic_csv(ev[EVIDENCE_COLUMNS], path)
