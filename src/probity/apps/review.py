"""Review rules for device apps, as plain Python for the web app's services to call.

Each device and catalogued app gets a decision: approved for business use, an exception with
an expiry, removal required, or removed; the reviewer and the reason are always recorded.
This module holds the rules (which decision may follow which, what each one needs) and the
"what is outstanding" selector; storing decisions is the web app's job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from probity.errors import ProbityError

__all__ = [
    "REVIEW_STATUSES",
    "ALLOWED_TRANSITIONS",
    "AppReviewDecision",
    "ReviewRefused",
    "check_review_decision",
    "outstanding_reviews",
]

REVIEW_STATUSES = ("approved", "exception", "removal_required", "removed")
MAX_EXCEPTION_DAYS = 366

# previous status (None = never reviewed) -> statuses a new decision may set
ALLOWED_TRANSITIONS: Mapping[str | None, frozenset[str]] = {
    None: frozenset({"approved", "exception", "removal_required", "removed"}),
    "approved": frozenset({"exception", "removal_required", "removed"}),
    "exception": frozenset({"approved", "exception", "removal_required", "removed"}),
    "removal_required": frozenset({"removed", "exception"}),
    "removed": frozenset({"removal_required", "exception", "approved"}),  # it came back
}


class ReviewRefused(ProbityError):
    """A review decision breaks the rules; nothing may be recorded."""

    exit_code = 2


@dataclass(frozen=True)
class AppReviewDecision:
    device_id: str
    app_id: str
    status: str
    reviewer: str
    reason: str
    decided_on: dt.date
    expires_on: dt.date | None = None  # exceptions only


def check_review_decision(*, decision: AppReviewDecision, previous_status: str | None,
                          today: dt.date) -> None:
    """Raise ReviewRefused listing every rule the decision breaks.

    Rules: a known status; reviewer and reason given; the decision not dated in the future;
    an exception needs an expiry after its decision date and at most a year later; other
    statuses carry no expiry; the status may follow the previous one (ALLOWED_TRANSITIONS:
    'approved' cannot follow 'removal_required' without the app being removed first, and an
    approval is not repeated).
    """
    problems: list[str] = []
    if decision.status not in REVIEW_STATUSES:
        problems.append(f"status {decision.status!r} is not one of {', '.join(REVIEW_STATUSES)}")
    if not decision.reviewer.strip():
        problems.append("the reviewer is missing")
    if not decision.reason.strip():
        problems.append("the reason is missing: every decision records why")
    if decision.decided_on > today:
        problems.append(f"decided_on {decision.decided_on.isoformat()} is in the future")
    if decision.status == "exception":
        if decision.expires_on is None:
            problems.append("an exception needs an expiry date")
        elif decision.expires_on <= decision.decided_on:
            problems.append(f"expiry {decision.expires_on.isoformat()} is not after the "
                            f"decision date {decision.decided_on.isoformat()}")
        elif (decision.expires_on - decision.decided_on).days > MAX_EXCEPTION_DAYS:
            problems.append(f"expiry {decision.expires_on.isoformat()} is more than "
                            f"{MAX_EXCEPTION_DAYS} days after the decision; review yearly")
    elif decision.expires_on is not None:
        problems.append(f"only an exception has an expiry, not {decision.status!r}")
    if previous_status not in ALLOWED_TRANSITIONS:
        problems.append(f"previous status {previous_status!r} is unknown")
    elif (decision.status in REVIEW_STATUSES
          and decision.status not in ALLOWED_TRANSITIONS[previous_status]):
        problems.append(f"{decision.status!r} cannot follow {previous_status!r}")
    if problems:
        raise ReviewRefused(f"review of {decision.app_id} on device {decision.device_id} "
                            "refused: " + "; ".join(problems))


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def outstanding_reviews(*, findings: pd.DataFrame, decisions: Iterable[AppReviewDecision],
                        as_of: dt.date) -> pd.DataFrame:
    """Findings that still need action on `as_of`, with `review_status` and `outstanding`.

    `findings` is `app_findings(...)` (device_id, app_id, last_seen used); for each device and
    app (id ignoring case) the latest decision (by decided_on, then input order) counts:
    - no decision: "not reviewed";
    - exception expired (expires_on <= as_of): "exception expired on D";
    - removal required: "removal required since D";
    - removed, but the app was still seen after the decision (last_seen empty or later):
      "removed on D but still seen".
    Approved, and exceptions still running, are not outstanding.
    """
    latest: dict[tuple[str, str], AppReviewDecision] = {}
    for given in sorted(decisions, key=lambda item: item.decided_on):
        latest[(given.device_id, given.app_id.strip().casefold())] = given
    statuses: list[str | None] = []
    reasons: list[str | None] = []
    for device_id, app_id, last_seen in zip(findings["device_id"], findings["app_id"],
                                            findings.get("last_seen",
                                                         pd.Series([None] * len(findings))),
                                            strict=True):
        d = latest.get((str(device_id), str(app_id).strip().casefold()))
        seen = _date(last_seen)
        if d is None:
            statuses.append(None)
            reasons.append("not reviewed")
            continue
        statuses.append(d.status)
        if d.status == "exception" and d.expires_on is not None and d.expires_on <= as_of:
            reasons.append(f"exception expired on {d.expires_on.isoformat()}")
        elif d.status == "removal_required":
            reasons.append(f"removal required since {d.decided_on.isoformat()}")
        elif d.status == "removed" and (seen is None or seen > d.decided_on):
            reasons.append(f"removed on {d.decided_on.isoformat()} but still seen")
        else:
            reasons.append(None)
    out = findings.copy()
    out["review_status"] = statuses
    out["outstanding"] = reasons
    return out[out["outstanding"].notna()].reset_index(drop=True)
