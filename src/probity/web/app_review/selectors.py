"""Reads of app review items for a viewer: coverage, outstanding items, monthly trends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from probity.apps.review import outstanding_reviews
from probity.web.app_review.models import FindingsLoad, ReviewDecision, ReviewItem, ReviewStatus
from probity.web.app_review.services import decisions_as_rules_input
from probity.web.audit.services import access_log_record

__all__ = ["Coverage", "OutstandingItem", "MonthTrend", "coverage_for", "item_get_for",
           "outstanding_for", "trends_for"]


def _guard(viewer: Any) -> None:
    if not viewer.has_perm("app_review.view_reviewitem"):
        raise PermissionDenied


@dataclass
class Coverage:
    load: FindingsLoad | None
    devices: int | None
    devices_with_inventory: int | None
    coverage_pct: float | None
    items: int                      # review items found by the latest load
    devices_with_findings: int
    staff_with_findings: int
    by_risk_class: list[tuple[str, int, int]] = field(default_factory=list)  # class, items, devices
    by_status: list[tuple[str, int]] = field(default_factory=list)           # label, items


def coverage_for(*, viewer: Any) -> Coverage:
    """Estate coverage from the latest load: devices with an app inventory out of all
    devices (known only for a load from an extract), and its findings by class and status."""
    _guard(viewer)
    load = FindingsLoad.objects.order_by("-loaded_at", "-pk").first()
    if load is None:
        return Coverage(load=None, devices=None, devices_with_inventory=None, coverage_pct=None,
                        items=0, devices_with_findings=0, staff_with_findings=0)
    items = list(ReviewItem.objects.filter(last_load=load)
                 .values_list("device_id", "staff_id", "risk_class", "status"))
    classes: dict[str, tuple[int, set[str]]] = {}
    for device_id, _staff, risk_class, _status in items:
        count, devices = classes.get(risk_class, (0, set()))
        devices.add(device_id)
        classes[risk_class] = (count + 1, devices)
    statuses = Counter(status for *_, status in items)
    labels = {"": "Not reviewed", **dict(ReviewStatus.choices)}
    pct = None
    if load.devices:
        pct = round(100.0 * (load.devices_with_inventory or 0) / load.devices, 1)
    return Coverage(
        load=load, devices=load.devices, devices_with_inventory=load.devices_with_inventory,
        coverage_pct=pct, items=len(items),
        devices_with_findings=len({i[0] for i in items}),
        staff_with_findings=len({i[1] for i in items if i[1]}),
        by_risk_class=sorted((c, n, len(d)) for c, (n, d) in classes.items()),
        by_status=[(labels[s], statuses[s]) for s in labels if statuses.get(s)])


@dataclass(frozen=True)
class OutstandingItem:
    item: ReviewItem
    why: str


def outstanding_for(*, viewer: Any, as_of: date | None = None) -> list[OutstandingItem]:
    """Items that still need action on `as_of` (probity.apps.review.outstanding_reviews):
    not reviewed, exception expired, removal required, or removed but still seen."""
    _guard(viewer)
    as_of = as_of or datetime.now(UTC).date()
    items = {i.pk: i for i in ReviewItem.objects.order_by("device_id", "app_key")}
    if not items:
        return []
    frame = pd.DataFrame({"pk": list(items),
                          "device_id": [i.device_id for i in items.values()],
                          "app_id": [i.app_id for i in items.values()],
                          "last_seen": [i.last_seen for i in items.values()]})
    decisions = ReviewDecision.objects.select_related("item", "reviewer").order_by(
        "decided_on", "pk")
    result = outstanding_reviews(findings=frame, decisions=decisions_as_rules_input(decisions),
                                 as_of=as_of)
    return [OutstandingItem(item=items[int(pk)], why=str(why))
            for pk, why in zip(result["pk"], result["outstanding"], strict=True)]


@dataclass(frozen=True)
class MonthTrend:
    month: str          # YYYY-MM
    found: int          # review items first found that month
    decisions: dict[str, int]  # status -> decisions made that month


def trends_for(*, viewer: Any) -> list[MonthTrend]:
    """By month: items first found, and decisions made by status."""
    _guard(viewer)
    found = Counter(f"{d:%Y-%m}" for d in ReviewItem.objects.values_list("found_on", flat=True))
    decided: dict[str, Counter[str]] = {}
    for day, status in ReviewDecision.objects.values_list("decided_on", "status"):
        decided.setdefault(f"{day:%Y-%m}", Counter())[status] += 1
    months = sorted(set(found) | set(decided))
    return [MonthTrend(month=m, found=found.get(m, 0),
                       decisions={s: decided.get(m, Counter()).get(s, 0)
                                  for s in ReviewStatus.values}) for m in months]


def item_get_for(*, viewer: Any, item_id: int) -> tuple[ReviewItem, list[ReviewDecision]]:
    """One item and its decisions; the view is logged (it names the device's holder)."""
    _guard(viewer)
    with transaction.atomic():
        item = ReviewItem.objects.filter(pk=item_id).first()
        if item is None:
            raise Http404
        decisions = list(item.decisions.select_related("reviewer").order_by("decided_on", "pk"))
        access_log_record(actor=viewer, action="view", object_type="app_review_item",
                          object_id=item.pk, purpose="app review",
                          fields_shown=["device", "staff_id", "app", "decisions"])
    return item, decisions
