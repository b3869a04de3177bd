"""Watch list: a monitored subject's alerts surface whatever their rank; decisions logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from probity.web.alerts.models import Alert
from probity.web.alerts.selectors import watched_alerts
from probity.web.alerts.services import watch_list_add, watch_list_end
from probity.web.audit.models import AccessLog
from probity.web.core.errors import InvalidInput, InvalidTransition, NotPermitted

pytestmark = pytest.mark.django_db


def test_monitored_subject_with_zero_score_is_surfaced(loaded_run, make_user, client) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    quiet = Alert.objects.get(scan_run=loaded_run, rank=3)  # score 0: not in the queue
    assert list(watched_alerts(viewer=analyst)) == []
    entry = watch_list_add(actor=analyst, alert=quiet, reason="Intelligence from a partner agency",
                           expires_on=datetime.now(UTC).date() + timedelta(days=90),
                           purpose="monitoring decision")
    assert [a.pk for a in watched_alerts(viewer=analyst)] == [quiet.pk]
    log = AccessLog.objects.get(object_type="watch_list")
    assert log.action == "decide" and log.actor_username == "ann"
    client.force_login(analyst)
    page = client.get(reverse("alerts:queue")).content.decode()
    assert quiet.pseudonym in page and "Monitored" in page
    watch_list_end(actor=analyst, entry=entry, reason="Partner intelligence not corroborated",
                   purpose="monitoring decision")
    assert list(watched_alerts(viewer=analyst)) == []
    with pytest.raises(InvalidTransition):
        watch_list_end(actor=analyst, entry=entry, reason="again and again", purpose="x")


def test_expired_monitoring_no_longer_surfaces(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    from probity.web.alerts.models import WatchListEntry

    analyst = make_user("ann", "analyst")
    quiet = Alert.objects.get(scan_run=loaded_run, rank=3)
    entry = watch_list_add(actor=analyst, alert=quiet, reason="Intelligence from a partner",
                           expires_on=datetime.now(UTC).date() + timedelta(days=1), purpose="m")
    WatchListEntry.objects.filter(pk=entry.pk).update(
        expires_on=datetime.now(UTC).date() - timedelta(days=1))
    assert list(watched_alerts(viewer=analyst)) == []


@pytest.mark.parametrize("reason,days,field", [
    ("short", 30, "watch_reason"), ("A sufficient reason", 0, "watch_expires_on"),
    ("A sufficient reason", 400, "watch_expires_on"), ("A sufficient reason", None, "watch_expires_on"),
])
def test_monitoring_needs_reason_and_bounded_expiry(loaded_run, make_user, reason, days, field) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    alert = Alert.objects.get(scan_run=loaded_run, rank=1)
    expires = None if days is None else datetime.now(UTC).date() + timedelta(days=days)
    with pytest.raises(InvalidInput) as info:
        watch_list_add(actor=analyst, alert=alert, reason=reason, expires_on=expires, purpose="m")
    assert field in info.value.errors
    assert not AccessLog.objects.filter(object_type="watch_list").exists()


def test_only_analysts_decide_monitoring(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    investigator = make_user("ivan", "investigator")
    alert = Alert.objects.get(scan_run=loaded_run, rank=1)
    with pytest.raises(NotPermitted):
        watch_list_add(actor=investigator, alert=alert, reason="Because I want to know",
                       expires_on=datetime.now(UTC).date() + timedelta(days=5), purpose="m")
