"""App review in the web app: findings of a generated force load as review items whose
figures match an independent count over the CSV rows; decisions follow probity.apps.review;
need-to-know per URL."""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from probity.apps.review import ReviewRefused
from probity.web.app_review.models import FindingsLoad, ReviewDecision, ReviewItem
from probity.web.app_review.selectors import coverage_for, outstanding_for, trends_for
from probity.web.app_review.services import FindingsInvalid, findings_load, review_decide
from probity.web.audit.models import AccessLog
from probity.web.core.errors import NotPermitted

synth = pytest.importorskip("probity.synth", reason="the synthetic generator is not installed")
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth_apps") / "force"
    synth.generate(out, staff=250, months=1, seed=23, fmt="csv")
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def independent_count(force: Path) -> dict[str, Any]:
    """Straight from the CSV files and the catalogue TOML, without probity.apps."""
    raw = tomllib.loads(resources.files("probity.apps").joinpath("catalogue.toml")
                        .read_text(encoding="utf-8"))
    risk = {e["app_id"].strip().lower(): e["risk_class"] for e in raw["app"]}
    devices = _rows(force / "devices.csv")
    holder = {d["device_id"]: d["staff_id"] for d in devices}
    apps = _rows(force / "device_apps.csv")
    pairs = {(a["device_id"], a["app_id"].strip().lower()) for a in apps
             if a["app_id"].strip().lower() in risk}
    by_class = Counter(risk[key] for _, key in pairs)
    return {"devices": len(devices), "with_inventory": len({a["device_id"] for a in apps}),
            "pairs": pairs, "by_class": by_class,
            "devices_with_findings": len({d for d, _ in pairs}),
            "staff_with_findings": len({holder[d] for d, _ in pairs if holder.get(d)})}


@pytest.fixture
def analyst(make_user: Callable[..., Any]) -> Any:
    return make_user("apps_analyst", "analyst")


@pytest.fixture
def loaded(force: Path, analyst: Any) -> FindingsLoad:
    return findings_load(actor=analyst, extract_dir=force)


def test_loaded_figures_match_an_independent_count(force: Path, loaded: FindingsLoad,
                                                   analyst: Any) -> None:
    expected = independent_count(force)
    assert expected["pairs"], "the generated force has catalogued apps"
    got = {(i.device_id, i.app_key) for i in ReviewItem.objects.all()}
    assert got == expected["pairs"]
    figures = coverage_for(viewer=analyst)
    assert figures.devices == expected["devices"]
    assert figures.devices_with_inventory == expected["with_inventory"]
    assert figures.items == len(expected["pairs"])
    assert figures.devices_with_findings == expected["devices_with_findings"]
    assert figures.staff_with_findings == expected["staff_with_findings"]
    assert {c: n for c, n, _ in figures.by_risk_class} == dict(expected["by_class"])
    # every item starts outstanding ("not reviewed")
    assert len(outstanding_for(viewer=analyst)) == len(expected["pairs"])

    client = Client()
    client.force_login(analyst)
    page = client.get(reverse("app_review:coverage")).content.decode()
    inventory = re.search(r'data-testid="inventory">(\d+) of (\d+)', page)
    assert inventory and inventory.groups() == (str(expected["with_inventory"]),
                                                str(expected["devices"]))
    assert f'data-testid="items">{len(expected["pairs"])}<' in page
    outstanding_page = client.get(reverse("app_review:outstanding")).content.decode()
    assert f"{len(expected['pairs'])} device app" in outstanding_page


def test_reloading_keeps_decisions_and_adds_no_duplicates(force: Path, loaded: FindingsLoad,
                                                          analyst: Any) -> None:
    item = ReviewItem.objects.order_by("pk").first()
    assert item is not None
    review_decide(actor=analyst, item=item, status="approved", reason="Business need: VPN.")
    count = ReviewItem.objects.count()
    findings_load(actor=analyst, extract_dir=force)
    assert ReviewItem.objects.count() == count
    item.refresh_from_db()
    assert item.status == "approved"


def test_decisions_follow_the_review_rules_and_outstanding_counts(loaded: FindingsLoad,
                                                                  analyst: Any) -> None:
    items = list(ReviewItem.objects.order_by("pk")[:4])
    today = datetime.now(UTC).date()
    total = ReviewItem.objects.count()
    review_decide(actor=analyst, item=items[0], status="approved", reason="Used for work.")
    review_decide(actor=analyst, item=items[1], status="exception", reason="Covert role.",
                  expires_on=today + timedelta(days=90))
    review_decide(actor=analyst, item=items[2], status="removal_required", reason="No need.")
    # exception that expired: decided a while ago, expiry passed
    review_decide(actor=analyst, item=items[3], status="exception", reason="Short trial.",
                  decided_on=today - timedelta(days=40), expires_on=today - timedelta(days=1))
    outstanding = {o.item.pk: o.why for o in outstanding_for(viewer=analyst)}
    # approved and a running exception are done; removal required and expired remain
    assert len(outstanding) == total - 2
    assert items[0].pk not in outstanding and items[1].pk not in outstanding
    assert outstanding[items[2].pk].startswith("removal required since")
    assert outstanding[items[3].pk].startswith("exception expired on")
    decision = ReviewDecision.objects.get(item=items[0])
    assert decision.reviewer == analyst and decision.reason == "Used for work."
    assert AccessLog.objects.filter(object_type="app_review_item", action="decide").count() == 4

    # the rules are probity.apps.review's: approval cannot follow removal required
    before = ReviewDecision.objects.count()
    with pytest.raises(ReviewRefused, match="cannot follow"):
        review_decide(actor=analyst, item=items[2], status="approved", reason="Changed mind.")
    with pytest.raises(ReviewRefused, match="expiry"):
        review_decide(actor=analyst, item=items[2], status="exception", reason="x",
                      expires_on=today + timedelta(days=400))
    with pytest.raises(ReviewRefused, match="reason"):
        review_decide(actor=analyst, item=items[2], status="removed", reason="  ")
    assert ReviewDecision.objects.count() == before
    items[2].refresh_from_db()
    assert items[2].status == "removal_required"

    months = trends_for(viewer=analyst)
    assert sum(m.found for m in months) == total
    assert sum(sum(m.decisions.values()) for m in months) == 4
    by_month = {m.month: m for m in months}
    assert by_month[f"{today:%Y-%m}"].decisions["approved"] == 1


def test_decision_through_the_page(loaded: FindingsLoad, analyst: Any) -> None:
    item = ReviewItem.objects.order_by("pk").first()
    assert item is not None
    client = Client()
    client.force_login(analyst)
    url = reverse("app_review:item", kwargs={"item_id": item.pk})
    refused = client.post(url, {"status": "exception", "reason": "No expiry given."})
    assert refused.status_code == 400
    assert b"an exception needs an expiry date" in refused.content
    assert not ReviewDecision.objects.exists()
    expiry = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    done = client.post(url, {"status": "exception", "reason": "Covert work.", "expires_on": expiry})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == "exception" and item.expires_on == date.fromisoformat(expiry)


@pytest.mark.parametrize("role", ["investigator", "appropriate_authority", "vetting_officer",
                                  "partner_liaison", "auditor", "administrator", ""])
def test_only_analysts_see_or_decide(role: str, loaded: FindingsLoad,
                                     client_for: Callable[[str], Client]) -> None:
    client = client_for(role)
    item = ReviewItem.objects.order_by("pk").first()
    assert item is not None
    for name, kwargs in (("app_review:coverage", {}), ("app_review:outstanding", {}),
                         ("app_review:trends", {}), ("app_review:item", {"item_id": item.pk})):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    response = client.post(reverse("app_review:item", kwargs={"item_id": item.pk}),
                           {"status": "approved", "reason": "Not mine to decide."})
    assert response.status_code == 403
    assert not ReviewDecision.objects.exists()
    with pytest.raises(NotPermitted):
        review_decide(actor=client.user, item=item, status="approved",  # type: ignore[attr-defined]
                      reason="Not mine to decide.")


def test_analyst_allowed_and_anonymous_sent_to_sign_in(loaded: FindingsLoad,
                                                       client_for: Callable[[str], Client]) -> None:
    client = client_for("analyst")
    for name in ("app_review:coverage", "app_review:outstanding", "app_review:trends"):
        assert client.get(reverse(name)).status_code == 200
    anonymous = Client().get(reverse("app_review:coverage"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_report_csv_loads_without_estate_figures(tmp_path: Path, analyst: Any) -> None:
    report = tmp_path / "apps.csv"
    report.write_text("device_id,staff_id,app_id,app_name,risk_class,reason\n"
                      "D1,S1,org.telegram.messenger,Telegram,social_messaging,cloud chats\n"
                      "D1,S1,ORG.TELEGRAM.MESSENGER,Telegram,social_messaging,cloud chats\n"
                      "D2,,com.wire,Wire,encrypted_messaging,e2e\n", encoding="utf-8")
    load = findings_load(actor=analyst, report_csv=report)
    assert load.devices is None and load.findings == 2
    assert ReviewItem.objects.count() == 2
    figures = coverage_for(viewer=analyst)
    assert figures.coverage_pct is None and figures.items == 2


def test_broken_report_csv_is_refused_naming_row_and_field(tmp_path: Path, analyst: Any) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("device_id,staff_id,app_id,app_name,risk_class,reason,colour\n"
                   "D1,S1,,x,vpn,r,blue\n", encoding="utf-8")
    with pytest.raises(FindingsInvalid, match="unknown column.*colour"):
        findings_load(actor=analyst, report_csv=bad)
    bad.write_text("device_id,staff_id,app_id,app_name,risk_class,reason\n"
                   "D1,S1,,x,vpn,r\n", encoding="utf-8")
    with pytest.raises(FindingsInvalid, match=r"bad.csv row 2: field app_id is empty"):
        findings_load(actor=analyst, report_csv=bad)
    assert not FindingsLoad.objects.exists() and not ReviewItem.objects.exists()


def test_management_command_loads_and_refuses_cleanly(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    report = tmp_path / "apps.csv"
    report.write_text("device_id,staff_id,app_id,app_name,risk_class,reason\n"
                      "D9,S9,com.wire,Wire,encrypted_messaging,e2e\n", encoding="utf-8")
    call_command("load_app_findings", "--report", str(report))
    assert list(ReviewItem.objects.values_list("device_id", "app_key")) == [("D9", "com.wire")]
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_app_findings", "--report", str(tmp_path / "missing.csv"))
    assert FindingsLoad.objects.count() == 1
