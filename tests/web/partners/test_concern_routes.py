"""The public concern form and the internal route: what is stored, what is refused, who sees
what. Abuse (oversized fields, floods, script injection, bots, forged posts) is refused
without harm: nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from probity.web.audit.models import AccessLog
from probity.web.casework.models import Report
from probity.web.partners.models import Concern, ConcernAddition, ConcernAttempt

pytestmark = pytest.mark.django_db

NEW = "/concerns/new"
VALID = {"route": "partner", "organisation": "Northside Refuge", "about": "PC 4471 Smith",
         "narrative": "A client says the officer messaged her after her case closed.",
         "reporter_name": "Jo Case", "reporter_contact": "01632 960000"}


def test_form_needs_no_login_and_carries_a_csrf_token() -> None:
    assert reverse("concerns:new") == NEW
    response = Client().get(NEW)
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b'name="website"' in response.content  # the honeypot


def test_a_concern_is_stored_as_entered_and_the_receipt_reveals_nothing() -> None:
    response = Client().post(NEW, VALID)
    assert response.status_code == 200
    concern = Concern.objects.get()
    assert concern.reference.encode() in response.content
    for value in (VALID["narrative"], VALID["about"], VALID["reporter_name"], b"analyst"):
        assert (value if isinstance(value, bytes) else value.encode()) not in response.content
    assert (concern.route, concern.organisation, concern.about, concern.narrative,
            concern.reporter_name, concern.reporter_contact, concern.anonymous) == (
        "partner", VALID["organisation"], VALID["about"], VALID["narrative"],
        VALID["reporter_name"], VALID["reporter_contact"], False)
    assert concern.submitted_by is None and concern.status == "new"
    # nothing about the sender's connection is kept with the concern
    stored = " ".join(str(v) for v in Concern.objects.values().get().values())
    assert "127.0.0.1" not in stored
    assert AccessLog.objects.filter(object_type="concern", action="create").count() == 1


def test_anonymous_option_refuses_a_name() -> None:
    response = Client().post(NEW, {**VALID, "anonymous": "yes"})
    assert response.status_code == 400
    assert not Concern.objects.exists()
    ok = Client().post(NEW, {**VALID, "anonymous": "yes", "reporter_name": "",
                             "reporter_contact": ""})
    assert ok.status_code == 200
    concern = Concern.objects.get()
    assert concern.anonymous and concern.reporter_name == "" and concern.reporter_contact == ""


@pytest.mark.parametrize("field,size", [("narrative", 10001), ("about", 501),
                                        ("reporter_name", 201), ("organisation", 201)])
def test_an_oversized_field_is_refused_with_400_and_nothing_stored(field: str, size: int) -> None:
    response = Client().post(NEW, {**VALID, field: "x" * size})
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_an_oversized_body_is_refused_with_413_before_it_is_read(settings: Any) -> None:
    settings.PROBITY_CONCERN_MAX_BYTES = 20000
    response = Client().post(NEW, {**VALID, "narrative": "y" * 30000})
    assert response.status_code == 413
    assert not Concern.objects.exists()
    assert not ConcernAttempt.objects.exists()


def test_a_flood_is_refused_with_429_and_stores_nothing_more(settings: Any) -> None:
    settings.PROBITY_CONCERN_MAX_PER_HOUR = 3
    client = Client()
    codes = [client.post(NEW, {**VALID, "narrative": f"Concern number {n}."}).status_code
             for n in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    assert Concern.objects.count() == 3
    # another address is not affected
    assert Client(REMOTE_ADDR="192.0.2.9").post(NEW, VALID).status_code == 200
    # invalid posts count too (a flood of junk is still a flood)
    junk = Client(REMOTE_ADDR="192.0.2.10")
    assert [junk.post(NEW, {}).status_code for _ in range(4)] == [400, 400, 400, 429]


def test_the_honeypot_refuses_bots() -> None:
    response = Client().post(NEW, {**VALID, "website": "http://spam.example"})
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_a_post_without_the_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(NEW, VALID).status_code == 403
    assert not Concern.objects.exists()
    page = client.get(NEW)
    token = page.context["csrf_token"]
    assert client.post(NEW, {**VALID, "csrfmiddlewaretoken": str(token)}).status_code == 200
    assert Concern.objects.count() == 1


def test_script_injection_is_stored_as_text_and_escaped_on_display(
        client_for: Callable[[str], Client]) -> None:
    script = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    assert Client().post(NEW, {**VALID, "narrative": script, "about": script,
                               "organisation": script}).status_code == 200
    concern = Concern.objects.get()
    assert concern.narrative == script
    analyst = client_for("analyst")
    url = reverse("concerns:detail", kwargs={"concern_id": concern.pk})
    analyst.post(url, {"stated_purpose": "triage of partner concern intake"})
    page = analyst.get(url)
    assert page.status_code == 200
    assert b"<script>alert" not in page.content and b"<img src=x" not in page.content
    assert b"&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page.content
    # and an injected form re-displayed after a refusal is escaped too
    refused = Client().post(NEW, {**VALID, "about": script, "narrative": ""})
    assert refused.status_code == 400 and b"<script>alert" not in refused.content


def test_information_added_by_reference_and_the_answer_reveals_nothing() -> None:
    Client().post(NEW, VALID)
    concern = Concern.objects.get()
    known = Client().post("/concerns/add", {"reference": concern.reference.lower(),
                                            "text": "He also called her twice."})
    unknown = Client().post("/concerns/add", {"reference": "PC-AAAA-BBBB-CCCC",
                                              "text": "Anything."})
    assert known.status_code == unknown.status_code == 200
    assert b"If the reference you gave is one of ours" in known.content
    assert known.content.replace(b"\n", b"") .count(b"data-testid=\"added\"") == 1
    assert unknown.content.count(b'data-testid="added"') == 1
    assert list(ConcernAddition.objects.values_list("text", flat=True)) == [
        "He also called her twice."]


def test_intake_is_for_analysts_only(client_for: Callable[[str], Client]) -> None:
    Client().post(NEW, VALID)
    concern = Concern.objects.get()
    detail = reverse("concerns:detail", kwargs={"concern_id": concern.pk})
    analyst = client_for("analyst")
    intake = analyst.get(reverse("concerns:intake"))
    assert intake.status_code == 200 and concern.reference.encode() in intake.content
    assert VALID["narrative"].encode() not in intake.content  # the list shows no content
    for role in ("investigator", "appropriate_authority", "vetting_officer", "partner_liaison",
                 "auditor", "administrator", ""):
        other = client_for(role)
        assert other.get(reverse("concerns:intake")).status_code == 403, role
        assert other.get(detail).status_code == 403, role
    anonymous = Client().get(reverse("concerns:intake"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    # the analyst states a purpose first; the view is then logged with it
    assert b"Why do you need to open this concern" in analyst.get(detail).content
    analyst.post(detail, {"stated_purpose": "weekly intake triage"})
    assert VALID["narrative"].encode() in analyst.get(detail).content
    assert AccessLog.objects.filter(object_type="concern", object_id=str(concern.pk),
                                    action="view", purpose="weekly intake triage").exists()


def test_an_analyst_records_the_concern_as_a_partner_concern_report(
        client_for: Callable[[str], Client]) -> None:
    Client().post(NEW, VALID)
    concern = Concern.objects.get()
    analyst = client_for("analyst")
    detail = reverse("concerns:detail", kwargs={"concern_id": concern.pk})
    record = reverse("concerns:record", kwargs={"concern_id": concern.pk})
    analyst.post(detail, {"stated_purpose": "weekly intake triage"})
    form = {"subjects": "S0001", "national_category": "sexual_misconduct",
            "source_evaluation": "2", "intelligence_assessment": "C", "handling_code": "P"}
    bad = analyst.post(record, {**form, "subjects": ""})
    assert bad.status_code == 400 and not Report.objects.exists()
    done = analyst.post(record, form)
    assert done.status_code == 302
    report = Report.objects.get()
    assert report.source == "partner_concern"
    assert VALID["narrative"] in report.narrative and concern.reference in report.narrative
    assert list(report.team.all()) == [analyst.user]  # type: ignore[attr-defined]
    concern.refresh_from_db()
    assert concern.status == "recorded" and concern.report == report
    assert analyst.post(record, form).status_code == 400  # only once
    assert Report.objects.count() == 1
    assert concern.reference.encode() not in analyst.get(reverse("concerns:intake")).content


def test_internal_route_is_for_signed_in_staff_and_restricted(
        client_for: Callable[[str], Client], make_user: Callable[..., Any]) -> None:
    url = reverse("concerns:internal")
    anonymous = Client().post(url, {"about": "DC Brown", "narrative": "Looks up neighbours."})
    assert anonymous.status_code == 302 and not Concern.objects.exists()
    staff = client_for("")
    named = staff.post(url, {"about": "DC Brown", "narrative": "Looks up neighbours."})
    hidden = staff.post(url, {"about": "DC Grey", "narrative": "Sells data.", "anonymous": "yes"})
    assert named.status_code == hidden.status_code == 200
    by_about = {c.about: c for c in Concern.objects.all()}
    assert by_about["DC Brown"].submitted_by == staff.user  # type: ignore[attr-defined]
    assert by_about["DC Grey"].submitted_by is None and by_about["DC Grey"].anonymous
    assert {c.route for c in by_about.values()} == {"internal"}
    assert b"add information later" not in named.content
    # a public post cannot claim the internal route
    Client().post(NEW, {**VALID, "route": "internal"})
    assert Concern.objects.count() == 2
    # internal reports need their own permission: a reader of the intake without it sees none
    reader = make_user("intake_reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_concern"))
    reader = get_user_model().objects.get(pk=reader.pk)
    client = Client()
    client.force_login(reader)
    page = client.get(reverse("concerns:intake"))
    assert page.status_code == 200
    assert by_about["DC Brown"].reference.encode() not in page.content
    detail = reverse("concerns:detail", kwargs={"concern_id": by_about["DC Brown"].pk})
    assert client.get(detail).status_code == 404
    assert by_about["DC Brown"].reference.encode() in client_for("analyst").get(
        reverse("concerns:intake")).content
