"""The compliance page, its CSV and the CLI report give the same figures on a generated force."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from probity.cli import app as cli_app
from probity.web.audit.models import AccessLog
from probity.web.vetting_register.selectors import compliance_for

pytestmark = pytest.mark.django_db

CATEGORIES = ("no_clearance", "below_requirement", "expired", "lapsed", "renewal_overdue")


def _cli_report(extract: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli_app, ["vetting", "report", str(extract), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("shift_days", [0, -45])
def test_web_figures_equal_the_cli_json(loaded_force: Path, officer: Any,
                                        shift_days: int) -> None:
    from probity.web.workforce.models import ExtractLoad

    period_end = ExtractLoad.objects.get().period_end
    assert period_end is not None
    day = period_end + timedelta(days=shift_days)
    cli = _cli_report(loaded_force, "--as-of", day.isoformat())
    web = compliance_for(viewer=officer, as_of=day).to_dict()
    assert cli["serving"] > 150  # the generated force, not an empty register
    assert cli["no_clearance"]["count"] + cli["below_requirement"]["count"] > 0
    for key in (*CATEGORIES, "due_within_90_days"):
        assert web[key] == cli[key], key
    for key in ("serving", "compliant", "not_compliant", "no_clearance_reasons", "by_unit",
                "by_staff_type", "as_of", "posts_present"):
        assert web[key] == cli[key], key


def test_the_page_and_csv_show_the_cli_figures(loaded_force: Path, officer: Any) -> None:
    cli = _cli_report(loaded_force)
    client = _client(officer)
    page = client.get(reverse("vetting_register:compliance")).content.decode()
    figures = dict(re.findall(r'data-figure="([a-z_0-9]+)">(?:<a[^>]*>)?(\d+)', page))
    assert int(figures["serving"]) == cli["serving"]
    assert int(figures["compliant"]) == cli["compliant"]
    for key in (*CATEGORIES, "due_within_90_days"):
        assert int(figures[key]) == cli[key]["count"], key
    for table, key in (("by_unit", "by_unit"), ("by_staff_type", "by_staff_type")):
        response = client.get(reverse("vetting_register:compliance_csv"), {"table": table})
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["key"] for r in rows] == [g["key"] for g in cli[key]]
        assert [int(r["no_clearance"]) for r in rows] == [g["no_clearance"] for g in cli[key]]
        assert [int(r["serving"]) for r in rows] == [g["serving"] for g in cli[key]]
    summary = client.get(reverse("vetting_register:compliance_csv"), {"table": "summary"})
    counts = dict(csv.reader(io.StringIO(summary.content.decode())))
    assert int(counts["expired"]) == cli["expired"]["count"]
    staff = client.get(reverse("vetting_register:compliance_csv"),
                       {"table": "staff", "category": "no_clearance"})
    ids = [r["staff_id"] for r in csv.DictReader(io.StringIO(staff.content.decode()))]
    assert ids == cli["no_clearance"]["staff_ids"]
    listing = client.get(reverse("vetting_register:staff_list"), {"category": "expired"})
    for staff_id in cli["expired"]["staff_ids"]:
        assert staff_id.encode() in listing.content
    assert AccessLog.objects.filter(object_type="vetting_register", action="export").exists()


def test_due_window_and_as_of_come_from_the_query(loaded_force: Path, officer: Any) -> None:
    cli = _cli_report(loaded_force, "--due-days", "30", "--as-of", "2024-06-30")
    page = _client(officer).get(reverse("vetting_register:compliance"),
                                {"due_days": "30", "as_of": "2024-06-30"}).content.decode()
    assert "due_within_30_days" in page
    match = re.search(r'data-figure="due_within_30_days">(?:<a[^>]*>)?(\d+)', page)
    assert match and int(match.group(1)) == cli["due_within_30_days"]["count"]


def test_administrator_sees_counts_but_no_names(loaded_force: Path,
                                                make_user: Any) -> None:
    client = _client(make_user("admin", "administrator"))
    assert client.get(reverse("vetting_register:compliance")).status_code == 200
    assert client.get(reverse("vetting_register:compliance_csv"),
                      {"table": "by_unit"}).status_code == 200
    assert client.get(reverse("vetting_register:compliance_csv"),
                      {"table": "staff"}).status_code == 403
    assert client.get(reverse("vetting_register:staff_list")).status_code == 403
    page = client.get(reverse("vetting_register:compliance")).content.decode()
    assert reverse("vetting_register:staff_list") not in page


@pytest.mark.parametrize("role", ["analyst", "investigator", "appropriate_authority",
                                  "partner_liaison", ""])
def test_other_roles_are_refused(loaded_force: Path, make_user: Any, role: str) -> None:
    client = _client(make_user(f"u_{role}", *([role] if role else [])))
    before = AccessLog.objects.count()
    for name in ("compliance", "staff_list", "posts", "worklist"):
        assert client.get(reverse(f"vetting_register:{name}")).status_code == 403, name
    assert client.get(reverse("vetting_register:person", args=["S0001"])).status_code == 403
    assert AccessLog.objects.count() == before


def test_csv_cells_cannot_start_a_formula(officer: Any, small_register: Any) -> None:
    from probity.web.workforce.models import Unit

    Unit.objects.filter(unit_id="U1").update(name="=HYPERLINK(1)")
    response = _client(officer).get(reverse("vetting_register:compliance_csv"),
                                    {"table": "by_unit", "as_of": date(2025, 1, 1).isoformat()})
    assert b"'=HYPERLINK(1)" in response.content


def test_the_force_settings_file_applies_to_web_and_cli_alike(
        loaded_force: Path, officer: Any, tmp_path: Path, settings: Any) -> None:
    force_settings = tmp_path / "vetting.toml"
    from probity.extract.schema import VETTING_LEVEL_ORDER

    ranks = "".join(f"{level} = 1\n" for level in VETTING_LEVEL_ORDER)  # all equally good
    force_settings.write_text(f"due_days = 45\n[level_order]\n{ranks}", encoding="utf-8")
    settings.VETTING_SETTINGS_FILE = str(force_settings)
    cli = _cli_report(loaded_force, "--settings", str(force_settings))
    web = compliance_for(viewer=officer).to_dict()
    assert web["due_days"] == cli["due_days"] == 45
    default = _cli_report(loaded_force)
    assert default["below_requirement"]["count"] > 0 == cli["below_requirement"]["count"]
    for key in ("below_requirement", "no_clearance", "due_within_45_days", "by_unit"):
        assert web[key] == cli[key], key
