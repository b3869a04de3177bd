"""Every URL x principal (7 roles, no role, anonymous) x need-to-know x method, allow and deny,
against the declared policy in probity.web.accounts.access. Generated from the URL
configuration: a URL with no entry, or with a path argument this test cannot fill, fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from probity.web.accounts.access import ACCESS, ANONYMOUS, NO_ROLE, PRINCIPALS, Rule
from probity.web.casework.services import report_create

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST")


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "",
          args: tuple[str, ...] = ()) -> Iterator[tuple[str, tuple[str, ...]]]:
    for p in patterns:
        converters = tuple(getattr(p.pattern, "converters", {}))
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns, args + converters)
        elif p.name:
            yield prefix + p.name, args + converters
        else:
            raise AssertionError(f"URL pattern {p.pattern} has no name: name it and add it to "
                                 "probity.web.accounts.access.ACCESS")


URLS = dict(_walk(get_resolver().url_patterns))


def test_every_url_has_a_declared_rule() -> None:
    missing = sorted(set(URLS) - set(ACCESS))
    stale = sorted(set(ACCESS) - set(URLS))
    assert missing == [], f"URLs with no access rule in probity.web.accounts.access: {missing}"
    assert stale == [], f"rules for URLs that no longer exist: {stale}"


def test_admin_pages_are_for_administrators_only() -> None:
    for name, rule in ACCESS.items():
        if name.startswith("admin:"):
            assert rule.get | rule.post <= {"administrator"}, name


def test_need_to_know_urls_name_a_record() -> None:
    for name, rule in ACCESS.items():
        if rule.need_to_know == "report":
            assert "report_id" in URLS[name], name


def _denied(response: Any, principal: str) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if principal == ANONYMOUS and response.status_code == 302:
        return str(response["Location"]).startswith(reverse("login") + "?")
    return False


def build_world(loaded_run: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    """One of each record a URL can name: a report (team: its author), an alert, a watch."""
    from probity.web.alerts.models import WatchListEntry
    from probity.web.casework.models import Referral

    author = make_user("author", "analyst")
    report = report_create(
        actor=author, source="confidential_internal_report",
        national_category="misusing_force_systems", abuse_of_position_sexual_purpose=False,
        source_evaluation="2", intelligence_assessment="C", handling_code="P",
        narrative="Colleague reports repeated look-ups.", received_on=date(2025, 1, 5),
        subjects=["S0002"])
    alert = loaded_run.alerts.get(rank=1)
    entry = WatchListEntry.objects.create(
        staff_id=alert.staff_id, reason="test monitoring entry", expires_on=date(2099, 1, 1),
        decided_by=author, decided_at=datetime.now(UTC))
    referral = Referral.objects.create(report=report, referred_at=datetime.now(UTC),
                                       referred_by=author)
    from ..partners.world import matrix_records

    return {"report": report, "alert_id": alert.pk, "entry_id": entry.pk,
            "referral_id": referral.pk, **matrix_records(author)}


@pytest.fixture
def world(loaded_run: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    return build_world(loaded_run, make_user)


ARG_VALUES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "report_id": lambda w: w["report"].pk,
    "alert_id": lambda w: w["alert_id"],
    "entry_id": lambda w: w["entry_id"],
    "referral_id": lambda w: w["referral_id"],
    "year": lambda w: 2025,
    "section": lambda w: "summary",
    "staff_id": lambda w: "S0001",
    "partner_id": lambda w: w["partner_id"],
    "concern_id": lambda w: w["concern_id"],
    "item_id": lambda w: w["item_id"],
}


def _url(name: str, world: dict[str, Any]) -> str:
    unknown = [a for a in URLS[name] if a not in ARG_VALUES]
    assert not unknown, f"{name}: add a value for path argument(s) {unknown} to ARG_VALUES"
    return reverse(name, kwargs={a: ARG_VALUES[a](world) for a in URLS[name]})


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_url_allows_and_denies_as_declared(principal: str, world: dict[str, Any],
                                                 make_user: Callable[..., Any]) -> None:
    client = Client()
    user = None
    if principal != ANONYMOUS:
        user = make_user(f"who_{principal}", *([] if principal == NO_ROLE else [principal]))
        client.force_login(user)
    report = world["report"]
    wrong: list[str] = []
    checked = 0
    for name in sorted(set(URLS) & set(ACCESS)):  # missing rules: test_every_url_has_...
        rule: Rule = ACCESS[name]
        grants = (False, True) if rule.need_to_know and user is not None else (False,)
        for on_team in grants:
            if user is not None:
                (report.team.add if on_team else report.team.remove)(user)
            for method in METHODS:
                url = _url(name, world)
                response = client.get(url) if method == "GET" else client.post(url, {})
                expected = rule.allows(principal=principal, method=method, on_team=on_team)
                if response.status_code >= 500 or _denied(response, principal) == expected:
                    wrong.append(f"{method} {name} as {principal} (on team: {on_team}): "
                                 f"{response.status_code}, expected "
                                 f"{'allow' if expected else 'deny'}")
                checked += 1
                if name == "logout" and method == "POST" and user is not None:
                    client.force_login(user)  # signed out by the allowed POST: sign in again
    assert wrong == []
    assert checked >= 2 * len(URLS)


def test_a_report_outside_the_team_is_invisible_in_the_list(world: dict[str, Any],
                                                           make_user: Callable[..., Any]) -> None:
    outsider = make_user("outsider", "investigator")
    client = Client()
    client.force_login(outsider)
    reference = world["report"].reference.encode()
    assert reference not in client.get(reverse("casework:report_list")).content
    world["report"].team.add(outsider)
    assert reference in client.get(reverse("casework:report_list")).content
