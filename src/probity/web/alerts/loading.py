"""Loading one scan's output (`ranked.csv` + `evidence.csv`) as alerts, all or nothing.

Both files are read and checked in full before anything is written; every problem is
reported with file, row, field, value and what was expected (capped, with the rest counted).
Then one transaction writes the scan run, its alerts, their evidence and the access log entry
(and, with `--extract`, replaces the workforce tables from the validated extract).
Formats: ../shared/contract/force-extract-v1.md (ranked.csv) and docs/architecture.md
(evidence.csv).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from probity.errors import ProbityError
from probity.extract.schema import ID_MAX_LENGTH
from probity.web.alerts.models import Alert, AlertEvidence, ScanRun
from probity.web.audit.services import access_log_record
from probity.web.core.dbstats import database_analyze

__all__ = ["ScanOutputInvalid", "scan_run_load", "RANKED_COLUMNS", "EVIDENCE_COLUMNS",
           "pseudonym_for"]

RANKED_COLUMNS = ("rank", "staff_id", "score", "persons_of_concern", "reasons")
EVIDENCE_COLUMNS = ("staff_id", "indicator", "nominal_id", "incident_id", "first_ts", "last_ts",
                    "count", "weight", "detail")
_BATCH = 5000


class ScanOutputInvalid(ProbityError):
    """ranked.csv or evidence.csv breaks its format; nothing was loaded."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class _Problems:
    cap: int = 50
    items: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, path: Path, row: int | None, column: str | None, value: object,
            expected: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            where = f"{path.name}"
            if row is not None:
                where += f" row {row}"
            if column is not None:
                where += f" column {column}"
            shown = repr(value) if len(str(value)) <= 80 else repr(str(value)[:77] + "...")
            self.items.append(f"{where}: value {shown}: expected {expected}")


def pseudonym_for(*, salt: str, staff_id: str) -> str:
    """A subject's pseudonym within one scan run: stable in the run, unlinkable across runs."""
    digest = hmac.new(salt.encode(), staff_id.encode(), hashlib.sha256).hexdigest()
    return f"S-{digest[:12].upper()}"


def _read_csv(path: Path, columns: tuple[str, ...], problems: _Problems
              ) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """Rows as (row number, dict) with row 1 = first data row; and the file's SHA-256."""
    if not path.is_file():
        problems.add(path, None, None, str(path), "an existing file")
        return [], ""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(path, None, None, data[max(0, exc.start - 10):exc.start + 10],
                     f"UTF-8 text (undecodable byte at offset {exc.start})")
        return [], digest
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        problems.add(path, None, None, "", f"a header row with {', '.join(columns)}")
        return [], digest
    missing = [c for c in columns if c not in header]
    if missing:
        for name in missing:
            problems.add(path, None, name, ",".join(header), f"a column named {name!r}")
        return [], digest
    index = {name: header.index(name) for name in columns}
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            if not record:
                continue
            if len(record) != len(header):
                problems.add(path, number, None, ",".join(record),
                             f"{len(header)} fields like the header, found {len(record)}")
                continue
            rows.append((number, {name: record[i] for name, i in index.items()}))
    except csv.Error as exc:
        problems.add(path, None, None, str(exc), "well-formed CSV (RFC 4180 quoting)")
    return rows, digest


def _identifier(value: str, path: Path, row: int, column: str, problems: _Problems,
                *, required: bool) -> str:
    if value == "":
        if required:
            problems.add(path, row, column, value, "an identifier (1 to 64 characters)")
        return ""
    if len(value) > ID_MAX_LENGTH:
        problems.add(path, row, column, value, f"an identifier of at most {ID_MAX_LENGTH} characters")
    return value


def _number(value: str, path: Path, row: int, column: str, problems: _Problems) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        problems.add(path, row, column, value, "a finite number")
        return 0.0
    return number


def _count(value: str, path: Path, row: int, problems: _Problems) -> float:
    """A non-negative number (the scan may weight hits, so counts can be fractional)."""
    if value == "":
        return 1.0
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        problems.add(path, row, "count", value, "a number from 0")
        return 0.0
    return number


def _timestamp(value: str, path: Path, row: int, column: str, problems: _Problems
               ) -> datetime | None:
    if value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        problems.add(path, row, column, value, "an ISO 8601 timestamp such as 2024-03-01T22:15:04Z")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass
class _Parsed:
    alerts: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    ranked_sha256: str
    evidence_sha256: str


def _parse(ranked_path: Path, evidence_path: Path, problems: _Problems) -> _Parsed:
    ranked_rows, ranked_sha = _read_csv(ranked_path, RANKED_COLUMNS, problems)
    alerts: list[dict[str, Any]] = []
    seen_staff: dict[str, int] = {}
    seen_rank: dict[int, int] = {}
    for number, row in ranked_rows:
        staff_id = _identifier(row["staff_id"], ranked_path, number, "staff_id", problems,
                               required=True)
        if staff_id and staff_id in seen_staff:
            problems.add(ranked_path, number, "staff_id", staff_id,
                         f"one row per staff_id (already on row {seen_staff[staff_id]})")
        seen_staff.setdefault(staff_id, number)
        try:
            rank = int(row["rank"])
            if rank < 1:
                raise ValueError
        except ValueError:
            problems.add(ranked_path, number, "rank", row["rank"], "a whole number from 1")
            rank = 0
        if rank and rank in seen_rank:
            problems.add(ranked_path, number, "rank", rank,
                         f"no ties in rank (rank already on row {seen_rank[rank]})")
        seen_rank.setdefault(rank, number)
        score = _number(row["score"], ranked_path, number, "score", problems)
        persons = [p.strip() for p in row["persons_of_concern"].split(";") if p.strip()]
        for person in persons:
            _identifier(person, ranked_path, number, "persons_of_concern", problems,
                        required=True)
        alerts.append({"staff_id": staff_id, "rank": rank, "score": score,
                       "reasons": row["reasons"], "persons_of_concern": persons})
    if ranked_rows == [] and problems.total == 0:
        problems.add(ranked_path, None, None, "", "at least one ranked row")

    evidence_rows, evidence_sha = _read_csv(evidence_path, EVIDENCE_COLUMNS, problems)
    evidence: list[dict[str, Any]] = []
    for number, row in evidence_rows:
        staff_id = _identifier(row["staff_id"], evidence_path, number, "staff_id", problems,
                               required=True)
        if staff_id and ranked_rows and staff_id not in seen_staff:
            problems.add(evidence_path, number, "staff_id", staff_id,
                         f"a staff_id ranked in {ranked_path.name}")
        indicator = row["indicator"].strip()
        if not indicator or len(indicator) > 64:
            problems.add(evidence_path, number, "indicator", row["indicator"],
                         "an indicator name of 1 to 64 characters")
        first_ts = _timestamp(row["first_ts"], evidence_path, number, "first_ts", problems)
        last_ts = _timestamp(row["last_ts"], evidence_path, number, "last_ts", problems)
        if first_ts and last_ts and last_ts < first_ts:
            problems.add(evidence_path, number, "last_ts", row["last_ts"],
                         f"a time not before first_ts {row['first_ts']}")
        count = _count(row["count"], evidence_path, number, problems)
        evidence.append({
            "staff_id": staff_id, "indicator": indicator,
            "nominal_id": _identifier(row["nominal_id"], evidence_path, number, "nominal_id",
                                      problems, required=False),
            "incident_id": _identifier(row["incident_id"], evidence_path, number,
                                       "incident_id", problems, required=False),
            "first_ts": first_ts, "last_ts": last_ts, "count": count,
            "weight": _number(row["weight"], evidence_path, number, "weight", problems)
            if row["weight"] != "" else 0.0,
            "detail": row["detail"],
        })
    return _Parsed(alerts=alerts, evidence=evidence, ranked_sha256=ranked_sha,
                   evidence_sha256=evidence_sha)


def _raise(problems: _Problems) -> None:
    more = problems.total - len(problems.items)
    lines = "\n  ".join(problems.items)
    tail = f"\n  ... and {more} more" if more else ""
    raise ScanOutputInvalid(
        f"scan output not loaded ({problems.total} problem(s); nothing was written):\n  "
        f"{lines}{tail}", problems.items)


def scan_run_load(*, ranked_path: Path, evidence_path: Path, actor: Any,
                  extract_path: Path | None = None) -> ScanRun:
    """Check both files in full, then load them in one transaction; returns the ScanRun.
    Loading the files of the latest run again changes nothing and returns that run.

    With `extract_path`, the extract is validated too (ExtractInvalid lists its errors), every
    ranked staff_id must be a staff member of it, and the workforce tables are replaced in the
    same transaction.
    """
    ranked_path, evidence_path = Path(ranked_path), Path(evidence_path)
    problems = _Problems()
    parsed = _parse(ranked_path, evidence_path, problems)
    extract = None
    try:
        if extract_path is not None:
            from probity.extract import open_extract

            extract = open_extract(Path(extract_path))
            known = {row[0] for row in extract.con.execute("SELECT staff_id FROM staff").fetchall()}
            for position, alert in enumerate(parsed.alerts, start=1):
                if alert["staff_id"] and alert["staff_id"] not in known:
                    problems.add(ranked_path, position, "staff_id", alert["staff_id"],
                                 f"a staff_id of the extract {extract_path}")
        if problems.total:
            _raise(problems)
        with transaction.atomic():
            transaction.on_commit(database_analyze, robust=True)  # statistics only
            if extract is not None:
                from probity.web.workforce.loading import extract_replace

                extract_replace(extract=extract, actor=actor, source_path=Path(str(extract_path)))
            latest = ScanRun.objects.order_by("-pk").first()
            if (latest is not None and latest.ranked_sha256 == parsed.ranked_sha256
                    and latest.evidence_sha256 == parsed.evidence_sha256):
                # the same output again (a re-run after a failure, say): the alerts and their
                # triage stay as they are; nothing is added
                return latest
            return _write(parsed, ranked_path=ranked_path, evidence_path=evidence_path,
                          actor=actor)
    finally:
        if extract is not None:
            extract.close()


def _ranked_by_score(alerts: list[dict[str, Any]]) -> bool:
    """Ranks 1..N with scores never rising as rank falls (ties keep rank order)."""
    ordered = sorted(alerts, key=lambda a: a["rank"])
    return (all(a["rank"] == n for n, a in enumerate(ordered, start=1))
            and all(a["score"] >= b["score"] for a, b in zip(ordered, ordered[1:], strict=False)))


def _write(parsed: _Parsed, *, ranked_path: Path, evidence_path: Path, actor: Any) -> ScanRun:
    salt = secrets.token_hex(32)
    run = ScanRun.objects.create(
        loaded_at=datetime.now(UTC), loaded_by=actor, ranked_file=str(ranked_path),
        ranked_sha256=parsed.ranked_sha256, evidence_file=str(evidence_path),
        evidence_sha256=parsed.evidence_sha256, alert_count=len(parsed.alerts),
        evidence_count=len(parsed.evidence), pseudonym_salt=salt,
        scored_count=sum(1 for a in parsed.alerts if a["score"] > 0),
        ranked_by_score=_ranked_by_score(parsed.alerts),
    )
    Alert.objects.bulk_create(
        (Alert(scan_run=run, pseudonym=pseudonym_for(salt=salt, staff_id=a["staff_id"]), **a)
         for a in parsed.alerts), batch_size=_BATCH)
    alert_ids = dict(Alert.objects.filter(scan_run=run).values_list("staff_id", "pk"))
    AlertEvidence.objects.bulk_create(
        (AlertEvidence(alert_id=alert_ids[e["staff_id"]],
                       **{k: v for k, v in e.items() if k != "staff_id"})
         for e in parsed.evidence), batch_size=_BATCH)
    access_log_record(actor=actor, action="load", object_type="scan_run", object_id=run.pk,
                      purpose="load scan output",
                      fields_shown=[f"alerts={run.alert_count}",
                                    f"evidence={run.evidence_count}"])
    return run
