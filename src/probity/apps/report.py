"""App findings over a Force Extract: one row per device and app that needs review.

`app_findings(extract=...)` is the service the CLI, the web app and the threat assessment
call; `estate_coverage(extract=...)` gives the figures of how much of the estate is covered.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from probity.apps.catalogue import Catalogue, classify_apps, default_catalogue
from probity.errors import UsageError

__all__ = [
    "REPORT_COLUMNS",
    "EstateCoverage",
    "app_findings",
    "estate_coverage",
    "write_findings_csv",
]

# The contract of `probity apps report --out apps.csv`.
REPORT_COLUMNS = ("device_id", "staff_id", "app_id", "app_name", "risk_class", "reason")
# Extra columns the service gives (not written to apps.csv).
DETAIL_COLUMNS = ("platform", "kind", "version", "first_seen", "last_seen", "weight",
                  "catalogue_name", "match")


class _Extract(Protocol):
    @property
    def con(self) -> Any: ...

    def has(self, name: str) -> bool: ...


def _device_apps_frame(extract: _Extract, catalogue: Catalogue) -> pd.DataFrame:
    """Rows of device_apps whose id is in the catalogue, one per (device, app id ignoring
    case): the most recently seen row's name and version, the earliest first_seen and the
    latest last_seen."""
    if not extract.has("device_apps"):
        return pd.DataFrame(columns=["device_id", "app_id", "app_name", "version",
                                     "first_seen", "last_seen", "staff_id", "platform", "kind"])
    devices = extract.has("devices")
    device_cols = ("d.staff_id, d.platform, d.kind" if devices
                   else "NULL::VARCHAR AS staff_id, NULL::VARCHAR AS platform, "
                        "NULL::VARCHAR AS kind")
    device_join = "LEFT JOIN devices d ON d.device_id = a.device_id" if devices else ""
    sql = f"""
    WITH wanted AS (SELECT unnest($ids::VARCHAR[]) AS key),
    hits AS (
        SELECT a.device_id, a.app_id, a.app_name, a.version, a.first_seen, a.last_seen,
               lower(trim(a.app_id)) AS key
        FROM device_apps a JOIN wanted w ON w.key = lower(trim(a.app_id))
    ),
    per AS (
        SELECT device_id, key,
               arg_max(app_id, COALESCE(last_seen, DATE '9999-12-31')) AS app_id,
               arg_max(app_name, COALESCE(last_seen, DATE '9999-12-31')) AS app_name,
               arg_max(version, COALESCE(last_seen, DATE '9999-12-31')) AS version,
               min(first_seen) AS first_seen,
               CASE WHEN bool_or(last_seen IS NULL) THEN NULL ELSE max(last_seen) END
                   AS last_seen
        FROM hits GROUP BY device_id, key
    )
    SELECT a.device_id, a.app_id, a.app_name, a.version, a.first_seen, a.last_seen,
           {device_cols}
    FROM per a {device_join}
    ORDER BY a.device_id, a.key
    """
    frame: pd.DataFrame = extract.con.execute(sql, {"ids": catalogue.app_ids()}).df()
    for col in ("first_seen", "last_seen"):  # DuckDB gives datetime64: keep plain dates
        frame[col] = [v.date() if not pd.isna(v) else None for v in frame[col]]
    return frame


def app_findings(*, extract: _Extract, catalogue: Catalogue | None = None,
                 risk_classes: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per device and catalogued app found on it in the extract's device_apps.

    Columns: REPORT_COLUMNS then DETAIL_COLUMNS. Every device_apps row counts, whatever its
    dates (an app seen once on a device still needs a review decision). staff_id is the
    device's holder from `devices` (empty for shared devices or without a devices table).
    Ordered by device_id, then app_id.
    """
    cat = catalogue or default_catalogue()
    frame = _device_apps_frame(extract, cat)
    classified = classify_apps(apps=frame, catalogue=cat, risk_classes=risk_classes)
    columns = [*REPORT_COLUMNS, *DETAIL_COLUMNS]
    for col in columns:
        if col not in classified.columns:
            classified[col] = None
    return classified[columns].reset_index(drop=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def write_findings_csv(*, findings: pd.DataFrame, out: Path,
                       columns: Iterable[str] = REPORT_COLUMNS) -> int:
    """Write findings to `out` atomically (temp file beside it, then os.replace). Returns the
    number of rows written."""
    out = Path(out)
    cols = list(columns)
    missing = [c for c in cols if c not in findings.columns]
    if missing:
        raise UsageError(f"cannot write {out}: findings have no column(s) {', '.join(missing)}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"cannot write {out}: directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(cols)
            for row in findings[cols].itertuples(index=False, name=None):
                writer.writerow([_cell(v) for v in row])
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return len(findings)


@dataclass(frozen=True)
class EstateCoverage:
    """How much of the device estate the app review covers, and what it found."""

    devices: int                      # rows of `devices` (0 without the table)
    mobile_devices: int               # phones and tablets
    devices_with_inventory: int       # devices with at least one device_apps row
    devices_with_findings: int
    staff_with_findings: int
    findings: int                     # device-app pairs needing review
    by_risk_class: dict[str, dict[str, int]] = field(default_factory=dict)
    # risk_class -> {"findings": n, "devices": n, "staff": n}

    @property
    def inventory_coverage_pct(self) -> float:
        base = self.mobile_devices or self.devices
        return round(100.0 * self.devices_with_inventory / base, 1) if base else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"devices": self.devices, "mobile_devices": self.mobile_devices,
                "devices_with_inventory": self.devices_with_inventory,
                "inventory_coverage_pct": self.inventory_coverage_pct,
                "devices_with_findings": self.devices_with_findings,
                "staff_with_findings": self.staff_with_findings, "findings": self.findings,
                "by_risk_class": self.by_risk_class}


def estate_coverage(*, extract: _Extract, findings: pd.DataFrame | None = None,
                    catalogue: Catalogue | None = None) -> EstateCoverage:
    """Coverage figures; pass `findings` from app_findings to avoid classifying twice."""
    if findings is None:
        findings = app_findings(extract=extract, catalogue=catalogue)
    con = extract.con
    devices = mobile = 0
    if extract.has("devices"):
        devices, mobile = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE kind IN ('phone', 'tablet')) FROM devices"
        ).fetchone()
    with_inventory = 0
    if extract.has("device_apps"):
        (with_inventory,) = con.execute(
            "SELECT count(DISTINCT device_id) FROM device_apps").fetchone()
    by_class: dict[str, dict[str, int]] = {}
    for risk_class, group in findings.groupby("risk_class", sort=True):
        by_class[str(risk_class)] = {
            "findings": len(group), "devices": int(group["device_id"].nunique()),
            "staff": int(group["staff_id"].dropna().nunique())}
    return EstateCoverage(
        devices=int(devices), mobile_devices=int(mobile),
        devices_with_inventory=int(with_inventory),
        devices_with_findings=int(findings["device_id"].nunique()),
        staff_with_findings=int(findings["staff_id"].dropna().nunique()),
        findings=len(findings), by_risk_class=by_class)
