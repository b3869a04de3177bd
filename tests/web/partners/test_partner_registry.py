"""Partner registry and engagement log: flags for no recent contact and overdue agreements,
validation before writing, need-to-know per URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from probity.web.audit.models import AccessLog
from probity.web.core.errors import InvalidInput, NotPermitted
from probity.web.partners.models import Engagement, Partner
from probity.web.partners.selectors import no_contact_cutoff, partner_list
from probity.web.partners.services import engagement_create, partner_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaison(make_user: Callable[..., Any]) -> Any:
    return make_user("liaison", "partner_liaison")


def _partner(actor: Any, name: str, **extra: Any) -> Partner:
    return partner_create(actor=actor, name=name, partner_type="sexual_violence_service",
                          area="East", **extra)


def test_flags_no_recent_contact_and_overdue_agreements(liaison: Any, settings: Any) -> None:
    today = date(2026, 11, 24)
    recent = _partner(liaison, "Recent ISVA")
    stale = _partner(liaison, "Stale Refuge", isa_reference="ISA-9",
                     isa_review_on=date(2026, 6, 1))
    never = _partner(liaison, "Never Met MASH", isa_reference="ISA-10",
                     isa_review_on=date(2027, 1, 1))
    engagement_create(actor=liaison, partner=recent, kind="briefing", topic="Abuse of position",
                      audience="ISVAs", held_on=date(2026, 9, 1))
    engagement_create(actor=liaison, partner=stale, kind="input", topic="How to report",
                      audience="Caseworkers", held_on=date(2026, 5, 23))
    assert no_contact_cutoff(today=today) == date(2026, 5, 24)
    rows = {r.partner.name: r for r in partner_list(viewer=liaison, today=today)}
    assert not rows["Recent ISVA"].no_recent_contact
    assert rows["Stale Refuge"].no_recent_contact and rows["Stale Refuge"].isa_review_overdue
    assert rows["Stale Refuge"].last_contact == date(2026, 5, 23)
    assert rows["Never Met MASH"].no_recent_contact and rows["Never Met MASH"].last_contact is None
    assert not rows["Never Met MASH"].isa_review_overdue
    assert not rows["Recent ISVA"].isa_review_overdue  # no agreement: nothing to review
    settings.PROBITY_PARTNER_NO_CONTACT_MONTHS = 12
    rows = {r.partner.name: r for r in partner_list(viewer=liaison, today=today)}
    assert not rows["Stale Refuge"].no_recent_contact
    assert never.pk and rows["Never Met MASH"].no_recent_contact


def test_month_cut_off_at_month_ends(settings: Any) -> None:
    settings.PROBITY_PARTNER_NO_CONTACT_MONTHS = 6
    assert no_contact_cutoff(today=date(2026, 8, 31)) == date(2026, 2, 28)
    assert no_contact_cutoff(today=date(2026, 3, 15)) == date(2025, 9, 15)


def test_invalid_input_is_refused_before_writing(liaison: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        partner_create(actor=liaison, name="", partner_type="bank", area="",
                       isa_reference="ISA-1")
    assert set(caught.value.errors) == {"name", "partner_type", "area", "isa_review_on"}
    partner = _partner(liaison, "Witness Care North")
    with pytest.raises(InvalidInput) as caught:
        engagement_create(actor=liaison, partner=partner, kind="party", topic="",
                          audience="x" * 301,
                          held_on=datetime.now(UTC).date() + timedelta(days=1))
    assert set(caught.value.errors) == {"kind", "topic", "audience", "held_on"}
    with pytest.raises(InvalidInput):
        _partner(liaison, "witness care NORTH")  # same name, any case
    assert Partner.objects.count() == 1 and not Engagement.objects.exists()


def test_other_roles_may_not_write(make_user: Callable[..., Any], liaison: Any) -> None:
    analyst = make_user("partner_analyst", "analyst")
    with pytest.raises(NotPermitted):
        _partner(analyst, "Sex Work Outreach")
    partner = _partner(liaison, "Sex Work Outreach")
    with pytest.raises(NotPermitted):
        engagement_create(actor=analyst, partner=partner, kind="briefing", topic="t",
                          audience="a", held_on=date(2026, 1, 1))


def test_pages_for_the_liaison_officer_and_nobody_else(client_for: Callable[[str], Client]
                                                       ) -> None:
    liaison = client_for("partner_liaison")
    response = liaison.post(reverse("partners:new"), {
        "name": "Safe Harbour <b>DA</b>", "partner_type": "domestic_abuse_service",
        "area": "West", "contacts": "Manager: 01632 960001", "isa_reference": "ISA-22",
        "isa_review_on": "2027-03-31"})
    assert response.status_code == 302
    partner = Partner.objects.get()
    detail = reverse("partners:detail", kwargs={"partner_id": partner.pk})
    page = liaison.get(detail)
    assert page.status_code == 200 and b"Safe Harbour &lt;b&gt;DA&lt;/b&gt;" in page.content
    assert AccessLog.objects.filter(object_type="partner", object_id=str(partner.pk),
                                    action="view").exists()
    engagement = liaison.post(reverse("partners:engagement_new", kwargs={"partner_id": partner.pk}),
                              {"kind": "briefing", "topic": "Reporting routes",
                               "audience": "Outreach team", "held_on": "2026-10-02"})
    assert engagement.status_code == 302
    assert Engagement.objects.get().topic == "Reporting routes"
    listing = liaison.get(reverse("partners:list"))
    assert listing.status_code == 200 and b"2026-10-02" in listing.content
    for role in ("analyst", "investigator", "appropriate_authority", "vetting_officer",
                 "auditor", "administrator", ""):
        other = client_for(role)
        assert other.get(reverse("partners:list")).status_code == 403, role
        assert other.get(detail).status_code == 403, role
        assert other.post(reverse("partners:engagement_new", kwargs={"partner_id": partner.pk}),
                          {"kind": "briefing", "topic": "x", "audience": "y",
                           "held_on": "2026-10-03"}).status_code == 403, role
    assert Engagement.objects.count() == 1
    anonymous = Client().get(reverse("partners:list"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
