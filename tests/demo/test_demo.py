"""The demo's preparation runs end to end on a small force: every stage lands in the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from probity.demo import DemoPlan, demo_prepare


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_demo_prepares_a_force_and_loads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path))
    plan = DemoPlan(staff=200, months=2, seed=11)

    logins = demo_prepare(plan)

    from probity.web.alerts.models import Alert
    from probity.web.core.roles import ROLES

    assert {role for _, role, _ in logins} == {role.name for role in ROLES}
    assert all(len(password) >= 12 for _, _, password in logins)
    ranked = (plan.extract_dir.parent / "ranked.csv").read_text().splitlines()
    assert ranked[0].startswith("rank,staff_id,score,persons_of_concern,reasons")
    assert len(ranked) == 200 + 1
    assert Alert.objects.count() > 0
    assert (plan.extract_dir.parent / "links.csv").exists()
