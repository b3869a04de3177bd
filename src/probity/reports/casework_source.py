"""Where the reports get casework from: the casework database, or a casework export file.

The database route (`probity.web.casework`, Django) is tried when no export file is given; when
the app is not installed, not configured or its tables are missing, the casework sections say
so instead of failing the document. The export file (`--casework FILE`, format
`probity-casework-export` v1, documented in docs/reports.md) is the same pseudonymous records
as JSON, for forces whose casework lives in another system and for tests.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from probity.errors import UsageError
from probity.reports.figures import (
    CaseRecord,
    NoData,
    OutcomeRecord,
    PersonRecord,
    ReferralRecord,
    SubjectRecord,
)

__all__ = ["EXPORT_FORMAT", "load_casework_export", "cases_to_export", "casework_from_database"]

EXPORT_FORMAT = "probity-casework-export"
EXPORT_VERSION = 1


class _Errors:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _date(raw: Any, where: str, errors: _Errors, *, required: bool = False) -> dt.date | None:
    if raw is None or raw == "":
        if required:
            errors.add(where, "missing (expected a date YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        errors.add(where, f"{raw!r} is not a date (expected YYYY-MM-DD)")
        return None


def _datetime(raw: Any, where: str, errors: _Errors) -> dt.datetime | None:
    if raw is None or raw == "":
        return None
    try:
        value = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        errors.add(where, f"{raw!r} is not a timestamp (expected ISO 8601 with zone)")
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def load_casework_export(path: Path) -> list[CaseRecord]:
    """Read and check a casework export; every error is reported at once."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: casework export not found") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise UsageError(f"{path}: not a casework export (expected \"format\": \"{EXPORT_FORMAT}\")")
    if document.get("version") != EXPORT_VERSION:
        raise UsageError(f"{path}: casework export version {document.get('version')!r} is not "
                         f"supported (expected {EXPORT_VERSION})")
    errors = _Errors(path)
    cases: list[CaseRecord] = []
    raw_cases = document.get("cases")
    if not isinstance(raw_cases, list):
        raise UsageError(f"{path}: \"cases\" must be a list")
    for i, raw in enumerate(raw_cases):
        where = f"cases[{i}]"
        if not isinstance(raw, dict):
            errors.add(where, "expected an object")
            continue
        received = _date(raw.get("received_on"), f"{where}.received_on", errors, required=True)
        referral = None
        if isinstance(raw.get("referral"), dict):
            ref = raw["referral"]
            referral = ReferralRecord(
                required=bool(ref.get("required", False)),
                due_at=_datetime(ref.get("due_at"), f"{where}.referral.due_at", errors),
                referred_at=_datetime(ref.get("referred_at"), f"{where}.referral.referred_at", errors),
                decision=str(ref.get("decision") or "pending"),
            )
        outcomes = tuple(
            OutcomeRecord(
                outcome=str(o.get("outcome") or "other"),
                decided_on=_date(o.get("decided_on"), f"{where}.outcomes[{j}].decided_on", errors),
                barred_list=bool(o.get("barred_list", False)),
                advisory_list=bool(o.get("advisory_list", False)),
            )
            for j, o in enumerate(raw.get("outcomes") or []) if isinstance(o, dict)
        )
        status = str(raw.get("status") or "open")
        if status not in ("open", "closed"):
            errors.add(f"{where}.status", f"{status!r} is not one of open, closed")
        if received is None:
            continue
        cases.append(CaseRecord(
            received_on=received,
            category=str(raw.get("category") or "other"),
            apsp=bool(raw.get("apsp", False)),
            source=str(raw.get("source") or "other"),
            partner_kind=raw.get("partner_kind"),
            is_open=status == "open",
            closed_on=_date(raw.get("closed_on"), f"{where}.closed_on", errors),
            investigator_keys=tuple(str(k) for k in raw.get("investigator_keys") or ()),
            subjects=tuple(
                SubjectRecord(subject_key=str(s.get("key", f"{i}:{j}")),
                              staff_type=str(s.get("staff_type") or "unknown"),
                              role=str(s.get("role") or "Not recorded"),
                              unit=str(s.get("unit") or "Not recorded"))
                for j, s in enumerate(raw.get("subjects") or []) if isinstance(s, dict)
            ),
            persons=tuple(
                PersonRecord(role=str(p.get("role") or "other"), person_key=str(p.get("key") or ""),
                             vulnerabilities=tuple(str(v) for v in p.get("vulnerabilities") or ()))
                for p in raw.get("persons") or [] if isinstance(p, dict)
            ),
            referral=referral,
            outcomes=outcomes,
            criminal_outcome=raw.get("criminal_outcome"),
            safeguarding_referrals=int(raw.get("safeguarding_referrals") or 0),
        ))
    if errors.items:
        raise UsageError(f"{path}: {len(errors.items)} error(s) in the casework export:\n  "
                         + "\n  ".join(errors.items))
    return cases


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def cases_to_export(cases: list[CaseRecord]) -> dict[str, Any]:
    """The export document for `cases` (the inverse of `load_casework_export`)."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "cases": [
            {
                "received_on": c.received_on.isoformat(), "category": c.category,
                "apsp": c.apsp, "source": c.source, "partner_kind": c.partner_kind,
                "status": "open" if c.is_open else "closed", "closed_on": _iso(c.closed_on),
                "investigator_keys": list(c.investigator_keys),
                "subjects": [{"key": s.subject_key, "staff_type": s.staff_type, "role": s.role,
                              "unit": s.unit} for s in c.subjects],
                "persons": [{"key": p.person_key, "role": p.role,
                             "vulnerabilities": list(p.vulnerabilities)} for p in c.persons],
                "referral": None if c.referral is None else {
                    "required": c.referral.required, "due_at": _iso(c.referral.due_at),
                    "referred_at": _iso(c.referral.referred_at), "decision": c.referral.decision,
                },
                "outcomes": [{"outcome": o.outcome, "decided_on": _iso(o.decided_on),
                              "barred_list": o.barred_list, "advisory_list": o.advisory_list}
                             for o in c.outcomes],
                "criminal_outcome": c.criminal_outcome,
                "safeguarding_referrals": c.safeguarding_referrals,
            }
            for c in cases
        ],
    }


def casework_from_database() -> list[CaseRecord] | NoData:
    """Casework from the web app's database, or why it cannot be read."""
    try:
        from probity.reports import casework_db
    except ImportError as exc:  # pragma: no cover - only when the module itself is broken
        return NoData(f"casework adapter unavailable ({exc})")
    return casework_db.load_cases()
