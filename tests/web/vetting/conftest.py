"""Fixtures for the vetting register web tests: a generated force, loaded; users by role."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    # open_extract caches validation reports in the data dir: keep tests away from the user's.
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path_factory.mktemp("probity-data")))


@pytest.fixture(scope="session")
def generated_force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The force the issue names: 200 staff, 2 months, seed 5 (Parquet tables)."""
    from probity.synth import generate

    out = tmp_path_factory.mktemp("vetting-force") / "force"
    generate(out, staff=200, months=2, seed=5)
    return out


@pytest.fixture
def loaded_force(db: None, generated_force: Path) -> Path:
    from probity.web.workforce.loading import extract_load

    extract_load(path=generated_force, actor=None)
    return generated_force


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user("vo", "vetting_officer")


@pytest.fixture
def auditor(make_user: Callable[..., Any]) -> Any:
    return make_user("dpo", "auditor")


@pytest.fixture
def small_register(db: None) -> dict[str, Any]:
    """Three people, two posts, a few clearances (the workforce tables, written directly)."""
    from datetime import date

    from probity.web.workforce.models import Post, StaffMember, Unit, VettingClearance

    Unit.objects.create(unit_id="U1", name="Response North", function="response")
    Post.objects.create(post_id="P1", title="Response constable", unit_id="U1",
                        required_vetting="rv")
    Post.objects.create(post_id="P2", title="Intelligence analyst", unit_id="U1",
                        required_vetting="mv")
    StaffMember.objects.create(staff_id="S0001", forename="Alex", surname="Stone",
                               staff_type="officer", rank="PC", unit_id="U1", post_id="P1",
                               start_date=date(2015, 1, 1))
    StaffMember.objects.create(staff_id="S0002", forename="Bea", surname="Moor",
                               staff_type="staff", unit_id="U1", post_id="P2",
                               start_date=date(2016, 1, 1))
    StaffMember.objects.create(staff_id="S0003", forename="Cal", surname="Reed",
                               staff_type="officer", unit_id="U1", post_id="P1",
                               start_date=date(2017, 1, 1), end_date=date(2025, 2, 1))
    VettingClearance.objects.create(staff_id="S0001", level="rv", status="granted",
                                    decided_on=date(2020, 1, 1), expires_on=date(2030, 1, 1))
    VettingClearance.objects.create(staff_id="S0002", level="rv", status="granted",
                                    decided_on=date(2021, 1, 1), expires_on=date(2031, 1, 1))
    return {"staff": ["S0001", "S0002", "S0003"]}
