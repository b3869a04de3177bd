"""Issue 9 item 7: logs and error pages never carry victim identifiers.

The loaded run's persons of concern are canaries: Dana Vale (N0001), Eve Lark (N0002). An
analyst triages (queue, purpose, detail, a bad purpose, a missing alert, an unknown page) while
every logger is captured at DEBUG; then neither the application log output, nor any access log
row, nor the error pages may contain a canary. The alert page itself shows them, by design,
after a stated purpose."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from probity.web.alerts.models import Alert
from probity.web.audit.models import AccessLog

pytestmark = pytest.mark.django_db

CANARIES = ("N0001", "N0002", "Dana", "Vale", "Eve Lark")


def _clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"victim identifier {canary!r} found in {where}"


def test_logs_access_log_and_error_pages_hold_no_victim_identifiers(
        loaded_run, client_for, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    client = client_for("analyst")
    alert = Alert.objects.get(scan_run=loaded_run, rank=1)
    url = reverse("alerts:detail", args=[alert.pk])

    queue = client.get(reverse("alerts:queue"))
    assert queue.status_code == 200
    _clean(queue.content.decode(), "the alert queue")
    bad = client.post(url, {"stated_purpose": "x"})
    assert bad.status_code == 400
    _clean(bad.content.decode(), "the bad-purpose page")
    assert client.post(url, {"stated_purpose": "Weekly ACU triage of proactive alerts"}
                       ).status_code == 302
    shown = client.get(url)
    assert "Dana Vale (N0001)" in shown.content.decode()  # the canary is really there
    missing = client.get(reverse("alerts:detail", args=[alert.pk + 10_000]))
    assert missing.status_code == 404
    _clean(missing.content.decode(), "the 404 page")
    unknown = client.get("/no-such-page/")
    assert unknown.status_code == 404
    _clean(unknown.content.decode(), "the 404 page")

    _clean(caplog.text, "the application log")
    for row in AccessLog.objects.all():
        _clean(" ".join([row.actor_username, row.action, row.object_type, row.object_id,
                         row.fields_shown, row.purpose]), f"access log entry #{row.sequence}")
    assert AccessLog.objects.filter(action="view", object_type="alert").exists()
