"""Loading app findings into review items, and recording review decisions.

The decision rules (which status may follow which, exception expiry) are
`probity.apps.review.check_review_decision`'s; this module stores what they allow.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction

from probity.apps.imports import CLASSIFY_COLUMNS
from probity.apps.report import REPORT_COLUMNS
from probity.apps.review import AppReviewDecision, check_review_decision
from probity.errors import ProbityError
from probity.web.app_review.models import FindingsLoad, ReviewDecision, ReviewItem
from probity.web.audit.services import access_log_record
from probity.web.core.errors import NotPermitted

__all__ = ["FindingsInvalid", "findings_load", "findings_read_report_csv", "review_decide"]

_KNOWN_COLUMNS = frozenset(REPORT_COLUMNS) | frozenset(CLASSIFY_COLUMNS)
_MAX = {"device_id": 64, "app_id": 300, "app_name": 300, "staff_id": 64, "risk_class": 40}


class FindingsInvalid(ProbityError):
    """A findings file cannot be loaded; the message lists every problem. Nothing written."""

    exit_code = 2


def findings_read_report_csv(path: Path) -> pd.DataFrame:
    """Read the CSV `probity apps report` (or `apps classify`) wrote. Every problem is
    reported at once, naming file, row, field and value."""
    path = Path(path)
    problems: list[str] = []
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise FindingsInvalid(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REPORT_COLUMNS if c not in header]
        unknown = [c for c in header if c not in _KNOWN_COLUMNS]
        if missing:
            problems.append(f"{path}: missing column(s) {', '.join(missing)}; expected the "
                            f"columns of `probity apps report`: {', '.join(REPORT_COLUMNS)}")
        if unknown:
            problems.append(f"{path}: unknown column(s) {', '.join(unknown)}")
        if problems:
            raise FindingsInvalid("; ".join(problems))
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row:
                problems.append(f"{path} row {line}: more values than columns")
                continue
            for name in ("device_id", "app_id", "risk_class"):
                if not (row.get(name) or "").strip():
                    problems.append(f"{path} row {line}: field {name} is empty; expected a value")
            for name, limit in _MAX.items():
                value = row.get(name) or ""
                if len(value) > limit:
                    problems.append(f"{path} row {line}: field {name} value {value[:20]!r}... "
                                    f"is longer than {limit} characters")
            rows.append({c: (row.get(c) or "").strip() for c in REPORT_COLUMNS})
    if problems:
        raise FindingsInvalid(f"{len(problems)} problem(s): " + "; ".join(problems[:50]))
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["first_seen"] = None
    frame["last_seen"] = None
    return frame


def _date_or_none(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def findings_load(*, actor: Any, extract_dir: Path | None = None,
                  report_csv: Path | None = None, today: date | None = None) -> FindingsLoad:
    """Load findings as review items (one per device and app id ignoring case), from an
    extract (estate figures known) or a report CSV (estate figures unknown). Items already
    present keep their decisions; their details and last load are updated. All or nothing."""
    if (extract_dir is None) == (report_csv is None):
        raise FindingsInvalid("give either an extract directory or a report CSV")
    if actor is not None and not actor.has_perm("app_review.review_app"):
        raise NotPermitted("your role may not load app findings")
    today = today or datetime.now(UTC).date()
    figures: dict[str, int | None] = {"devices": None, "mobile_devices": None,
                                      "devices_with_inventory": None}
    catalogue_version: int | None = None
    if extract_dir is not None:
        from probity.apps.catalogue import default_catalogue
        from probity.apps.report import app_findings, estate_coverage
        from probity.extract import open_extract

        catalogue = default_catalogue()
        catalogue_version = int(catalogue.version)
        with open_extract(Path(extract_dir)) as extract:
            findings = app_findings(extract=extract, catalogue=catalogue)
            coverage = estate_coverage(extract=extract, findings=findings)
        figures = {"devices": coverage.devices, "mobile_devices": coverage.mobile_devices,
                   "devices_with_inventory": coverage.devices_with_inventory}
        source, source_path = FindingsLoad.Source.EXTRACT, str(extract_dir)
    else:
        assert report_csv is not None
        findings = findings_read_report_csv(Path(report_csv))
        source, source_path = FindingsLoad.Source.REPORT, str(report_csv)
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for row in findings.to_dict("records"):
        device_id, app_id = _text(row["device_id"]), _text(row["app_id"])
        by_key[(device_id, app_id.casefold())] = {
            "app_id": app_id, "app_name": _text(row.get("app_name")),
            "staff_id": _text(row.get("staff_id")), "risk_class": _text(row.get("risk_class")),
            "reason": _text(row.get("reason")), "first_seen": _date_or_none(row.get("first_seen")),
            "last_seen": _date_or_none(row.get("last_seen"))}
    with transaction.atomic():
        load = FindingsLoad.objects.create(
            source=source, source_path=source_path, loaded_at=datetime.now(UTC),
            loaded_by=actor, catalogue_version=catalogue_version, findings=len(by_key),
            **figures)
        existing = {(i.device_id, i.app_key): i for i in ReviewItem.objects.filter(
            device_id__in={k[0] for k in by_key})}
        new, changed = [], []
        for (device_id, key), values in by_key.items():
            item = existing.get((device_id, key))
            if item is None:
                new.append(ReviewItem(device_id=device_id, app_key=key, found_on=today,
                                      last_load=load, **values))
            else:
                for name, value in values.items():
                    setattr(item, name, value)
                item.last_load = load
                changed.append(item)
        ReviewItem.objects.bulk_create(new, batch_size=1000)
        ReviewItem.objects.bulk_update(changed, ["app_id", "app_name", "staff_id", "risk_class",
                                                 "reason", "first_seen", "last_seen",
                                                 "last_load"], batch_size=1000)
        access_log_record(actor=actor, action="load", object_type="app_findings",
                          object_id=load.pk, purpose=f"load app findings from {source}",
                          fields_shown=[f"findings={len(by_key)}", f"new={len(new)}"])
    return load


def review_decide(*, actor: Any, item: ReviewItem, status: str, reason: str,
                  expires_on: date | None = None, decided_on: date | None = None,
                  today: date | None = None) -> ReviewDecision:
    """Record a decision on one device's app. Raises probity.apps.review.ReviewRefused listing
    every rule broken (nothing written)."""
    if not actor.has_perm("app_review.review_app"):
        raise NotPermitted("your role may not record app review decisions")
    today = today or datetime.now(UTC).date()
    decided_on = decided_on or today
    with transaction.atomic():
        locked = ReviewItem.objects.select_for_update().get(pk=item.pk)
        previous = locked.status or None
        check_review_decision(
            decision=AppReviewDecision(device_id=locked.device_id, app_id=locked.app_id,
                                       status=status, reviewer=actor.get_username(),
                                       reason=reason, decided_on=decided_on,
                                       expires_on=expires_on),
            previous_status=previous, today=today)
        decision = ReviewDecision.objects.create(
            item=locked, status=status, previous_status=previous or "", reason=reason.strip(),
            expires_on=expires_on, decided_on=decided_on, reviewer=actor,
            recorded_at=datetime.now(UTC))
        locked.status = status
        locked.expires_on = expires_on
        locked.save(update_fields=["status", "expires_on"])
        access_log_record(actor=actor, action="decide", object_type="app_review_item",
                          object_id=locked.pk, purpose="app review decision",
                          fields_shown=[f"status={status}", f"previous={previous or ''}"])
    return decision


def decisions_as_rules_input(decisions: Iterable[ReviewDecision]) -> list[AppReviewDecision]:
    """Stored decisions in the form probity.apps.review reads (input order kept)."""
    return [AppReviewDecision(device_id=d.item.device_id, app_id=d.item.app_id,
                              status=d.status, reviewer=d.reviewer.get_username(),
                              reason=d.reason, decided_on=d.decided_on, expires_on=d.expires_on)
            for d in decisions]
