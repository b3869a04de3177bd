"""Write compliance figures as CSV files, atomically (temp file in the same directory, then
os.replace), so that a failed run never leaves half a file."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from probity.errors import UsageError
from probity.vetting.compliance import CATEGORIES, ComplianceReport

__all__ = ["STAFF_COLUMNS", "GROUP_COLUMNS", "atomic_write_csv", "write_compliance_csv"]

STAFF_COLUMNS = (
    "staff_id", "staff_type", "unit_id", "unit_name", "post_id", "required_level",
    "held_levels", "best_level", "next_expiry", "compliant", "no_clearance",
    "no_clearance_reason", "below_requirement", "expired", "due", "lapsed", "renewal_overdue",
)
GROUP_COLUMNS = ("key", "name", "serving", "compliant", "not_compliant", "not_compliant_pct",
                 "no_clearance", "below_requirement", "expired", "due", "lapsed")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def atomic_write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV file via a temporary file beside it; the target appears complete or not at
    all."""
    path = Path(path)
    if path.parent and not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(v) for v in row])
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_compliance_csv(*, report: ComplianceReport, out_dir: Path) -> list[Path]:
    """staff.csv (every serving person), summary.csv, by_unit.csv, by_staff_type.csv."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    staff_path = out_dir / "vetting_staff.csv"
    atomic_write_csv(staff_path, STAFF_COLUMNS,
                     ([s.to_dict()[c] for c in STAFF_COLUMNS] for s in report.staff))
    written.append(staff_path)

    summary_path = out_dir / "vetting_summary.csv"
    totals = report.totals()
    summary_rows: list[tuple[str, int]] = [("serving", report.serving),
                                           ("compliant", totals.compliant)]
    for category in CATEGORIES:
        name = report.due_key if category == "due" else category
        summary_rows.append((name, len(report.staff_ids(category))))
    summary_rows += [(f"no_clearance_reason:{k}", v) for k, v in report.reason_counts().items()]
    atomic_write_csv(summary_path, ("category", "count"), summary_rows)
    written.append(summary_path)

    for name, groups in (("vetting_by_unit.csv", report.by_unit),
                         ("vetting_by_staff_type.csv", report.by_staff_type)):
        path = out_dir / name
        atomic_write_csv(path, GROUP_COLUMNS,
                         ([g.to_dict()[c] for c in GROUP_COLUMNS] for g in groups))
        written.append(path)
    return written
