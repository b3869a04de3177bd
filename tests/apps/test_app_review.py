"""Review rules and the outstanding selector."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from probity.apps.review import (
    AppReviewDecision,
    ReviewRefused,
    check_review_decision,
    outstanding_reviews,
)

TODAY = dt.date(2025, 1, 31)


def decision(status: str, *, device: str = "D1", app: str = "com.tinder",
             decided: dt.date = dt.date(2025, 1, 10), expires: dt.date | None = None,
             reviewer: str = "PSD 12", reason: str = "Checked with the officer") -> AppReviewDecision:
    return AppReviewDecision(device_id=device, app_id=app, status=status, reviewer=reviewer,
                             reason=reason, decided_on=decided, expires_on=expires)


@pytest.mark.parametrize(("previous", "status", "expires"), [
    (None, "approved", None),
    (None, "exception", dt.date(2025, 6, 1)),
    ("exception", "exception", dt.date(2025, 6, 1)),  # renewed
    ("removal_required", "removed", None),
    ("removed", "removal_required", None),             # it came back
])
def test_allowed_decisions(previous: str | None, status: str, expires: dt.date | None) -> None:
    check_review_decision(decision=decision(status, expires=expires), previous_status=previous,
                          today=TODAY)


@pytest.mark.parametrize(("previous", "d", "message"), [
    (None, decision("exception"), "an exception needs an expiry date"),
    (None, decision("exception", expires=dt.date(2025, 1, 10)), "is not after the decision"),
    (None, decision("exception", expires=dt.date(2026, 6, 1)), "review yearly"),
    (None, decision("approved", expires=dt.date(2025, 6, 1)), "only an exception has an expiry"),
    (None, decision("approved", reason=" "), "the reason is missing"),
    (None, decision("approved", reviewer=""), "the reviewer is missing"),
    (None, decision("approved", decided=dt.date(2025, 2, 1)), "is in the future"),
    (None, decision("ignored"), "status 'ignored' is not one of"),
    ("removal_required", decision("approved"), "'approved' cannot follow 'removal_required'"),
    ("approved", decision("approved"), "'approved' cannot follow 'approved'"),
])
def test_refused_decisions(previous: str | None, d: AppReviewDecision, message: str) -> None:
    with pytest.raises(ReviewRefused) as caught:
        check_review_decision(decision=d, previous_status=previous, today=TODAY)
    assert message in str(caught.value)
    assert d.device_id in str(caught.value)


def test_outstanding_reviews() -> None:
    findings = pd.DataFrame([
        {"device_id": "D1", "app_id": "com.tinder", "last_seen": None},
        {"device_id": "D2", "app_id": "com.tinder", "last_seen": None},
        {"device_id": "D3", "app_id": "COM.WHATSAPP", "last_seen": None},
        {"device_id": "D4", "app_id": "com.snapchat.android", "last_seen": None},
        {"device_id": "D5", "app_id": "com.wire", "last_seen": dt.date(2025, 1, 5)},
        {"device_id": "D6", "app_id": "com.wire", "last_seen": dt.date(2025, 1, 20)},
        {"device_id": "D7", "app_id": "org.telegram.messenger", "last_seen": None},
        {"device_id": "D8", "app_id": "ch.threema.app", "last_seen": None},
    ])
    decisions = [
        decision("approved", device="D2"),
        decision("exception", device="D3", app="com.whatsapp", expires=dt.date(2025, 1, 30)),
        decision("removal_required", device="D4", app="com.snapchat.android"),
        decision("removed", device="D5", app="com.wire"),
        decision("removed", device="D6", app="com.wire"),
        decision("exception", device="D7", app="org.telegram.messenger",
                 decided=dt.date(2024, 12, 1), expires=dt.date(2025, 1, 1)),
        decision("exception", device="D7", app="org.telegram.messenger",
                 decided=dt.date(2025, 1, 2), expires=dt.date(2025, 7, 1)),  # renewed
        decision("exception", device="D8", app="ch.threema.app", expires=dt.date(2025, 3, 1)),
    ]
    out = outstanding_reviews(findings=findings, decisions=decisions, as_of=TODAY)
    assert dict(zip(out["device_id"], out["outstanding"], strict=True)) == {
        "D1": "not reviewed",
        "D3": "exception expired on 2025-01-30",
        "D4": "removal required since 2025-01-10",
        "D6": "removed on 2025-01-10 but still seen",
    }
