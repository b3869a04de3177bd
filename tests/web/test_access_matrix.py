"""Every URL × every role, allow and deny; generated from the URL configuration, so a new
URL without an entry here fails `test_every_url_is_in_the_matrix`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from probity.web.casework.models import Referral
from probity.web.casework.services import report_create
from probity.web.core.roles import role_names

pytestmark = pytest.mark.django_db

PUBLIC = {"health", "login", "logout", "login_verify", "login_enrol"}  # 2nd factor: tests/web/security
ALL = set(role_names())
SIGNED_IN = ALL | {""}  # "" = a signed-in user holding no role
REPORT_READERS = {"analyst", "investigator", "appropriate_authority"}
VETTING_READERS = {"vetting_officer", "auditor"}
VETTING_FIGURES = VETTING_READERS | {"administrator"}

# url name -> (method, needs an alert or report id, roles allowed, status when allowed)
MATRIX: dict[str, tuple[str, str, set[str], int]] = {
    "home": ("get", "", SIGNED_IN, 200),
    "alerts:queue": ("get", "", {"analyst"}, 200),
    "alerts:detail": ("get", "alert", {"analyst"}, 200),
    "alerts:decide": ("post", "alert", {"analyst"}, 302),
    "alerts:watch": ("post", "alert", {"analyst"}, 302),
    "alerts:watch_end": ("post", "watch", {"analyst"}, 302),
    "casework:report_list": ("get", "", REPORT_READERS, 200),
    "casework:report_new": ("get", "", {"analyst"}, 200),
    "casework:report_detail": ("get", "report", REPORT_READERS, 200),
    "casework:report_referral": ("post", "report", {"appropriate_authority"}, 302),
    "casework:report_grant": ("post", "report", REPORT_READERS, 302),
    "casework:dashboard": ("get", "", REPORT_READERS, 200),
    "casework:referral_new": ("post", "report", {"appropriate_authority"}, 302),
    "casework:referral_decision": ("post", "referral", {"appropriate_authority"}, 302),
    "audit:log": ("get", "", {"auditor"}, 200),
    "audit:verify": ("get", "", {"auditor"}, 200),
    "audit:export": ("get", "", {"auditor"}, 200),
    "assessments:index": ("get", "", SIGNED_IN, 302),
    "assessments:year": ("get", "year", {"analyst", "appropriate_authority"}, 200),
    "assessments:edit": ("get", "section", {"analyst"}, 200),
    "vetting_register:compliance": ("get", "", VETTING_FIGURES, 200),
    "vetting_register:compliance_csv": ("get", "", VETTING_FIGURES, 200),
    "vetting_register:staff_list": ("get", "", VETTING_READERS, 200),
    "vetting_register:posts": ("get", "", VETTING_READERS, 200),
    "vetting_register:worklist": ("get", "", VETTING_READERS, 200),
    "vetting_register:person": ("get", "staff", VETTING_READERS, 200),
    "vetting_register:assessment_new": ("post", "staff", {"vetting_officer"}, 302),
    "vetting_register:assessment_action": ("post", "staff", {"vetting_officer"}, 302),
    "vetting_register:trigger_new": ("post", "staff", {"vetting_officer"}, 302),
    "vetting_register:trigger_close": ("post", "staff", {"vetting_officer"}, 302),
    "vetting_register:aftercare_new": ("post", "staff", {"vetting_officer"}, 302),
}
# Public redirect to the current year's page (which is guarded).
ANONYMOUS_REDIRECTS_ELSEWHERE = {"assessments:index"}


def _names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _names(p.url_patterns, ns)
        elif p.name:
            names.add(prefix + p.name)
    return names


# Namespaces of the casework apps this matrix owns; every other app's URLs are covered by
# tests/web/security/test_access_matrix_generated.py (the project-wide matrix).
OWNED = ("alerts:", "casework:", "audit:")


def test_every_url_is_in_the_matrix() -> None:
    names = _names(get_resolver().url_patterns)
    owned = {n for n in names if n.startswith(OWNED)}
    assert owned == {n for n in MATRIX if n.startswith(OWNED)}
    assert {"home", "health", "login", "logout"} <= names


def _url(name: str, needs: str, alert_id: int, report_id: int) -> str:
    if needs == "alert":
        return reverse(name, args=[alert_id])
    if needs == "report":
        return reverse(name, args=[report_id])
    if needs == "watch":
        return reverse(name, args=[alert_id, 1])
    if needs == "referral":
        from probity.web.casework.models import Referral

        referral = Referral.objects.filter(report_id=report_id).first()
        return reverse(name, args=[report_id, referral.pk if referral else 1])
    if needs == "staff":
        return reverse(name, args=["S0001"])
    if needs == "year":
        return reverse(name, args=[2025])
    if needs == "section":
        return reverse(name, args=[2025, "summary"])
    return reverse(name)


@pytest.fixture
def report_for(make_user: Callable[..., object]) -> Callable[[object], int]:
    author = make_user("author", "analyst")

    def make(member: object) -> int:
        report = report_create(
            actor=author, source="confidential_internal_report",
            national_category="misusing_force_systems", abuse_of_position_sexual_purpose=False,
            source_evaluation="2", intelligence_assessment="C", handling_code="P",
            narrative="Colleague reports repeated look-ups.", received_on=date(2025, 1, 5),
            subjects=["S0002"])
        report.team.add(member)  # type: ignore[arg-type]
        Referral.objects.create(report=report, referred_at=datetime.now(UTC),
                                referred_by=author)
        return report.pk

    return make


@pytest.mark.parametrize("role", sorted(ALL) + [""])
def test_every_url_allows_exactly_its_roles(role: str, loaded_run, client_for, report_for) -> None:  # type: ignore[no-untyped-def]
    client: Client = client_for(role)
    report_id = report_for(client.user)  # type: ignore[attr-defined]
    alert_id = loaded_run.alerts.get(rank=1).pk
    wrong = []
    for name, (method, needs, allowed, ok_status) in sorted(MATRIX.items()):
        response = getattr(client, method)(_url(name, needs, alert_id, report_id))
        expected = ok_status if role in allowed else 403
        if response.status_code != expected:
            wrong.append(f"{name} as {role or 'no role'}: {response.status_code}, "
                         f"expected {expected}")
    assert wrong == []


@pytest.mark.parametrize("name", sorted(set(MATRIX) - ANONYMOUS_REDIRECTS_ELSEWHERE))
def test_anonymous_is_sent_to_sign_in(name: str, client: Client) -> None:
    method, needs, _, _ = MATRIX[name]
    response = getattr(client, method)(_url(name, needs, 1, 1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["casework:report_detail", "casework:report_referral",
                                  "casework:report_grant", "casework:referral_new",
                                  "casework:referral_decision"])
def test_reports_outside_the_viewers_team_are_not_found(name: str, client_for, report_for,  # type: ignore[no-untyped-def]
                                                        make_user) -> None:
    outsider = client_for("appropriate_authority")
    other = make_user("someone", "investigator")
    report_id = report_for(other)
    method, needs = MATRIX[name][0], MATRIX[name][1]
    response = getattr(outsider, method)(_url(name, needs, 0, report_id))
    assert response.status_code == 404
    listing = outsider.get(reverse("casework:report_list"))
    assert f"R{report_id:06d}".encode() not in listing.content
