"""Fixtures for the web tests: one signed-in client per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from probity.web.core.roles import role_names, setup_roles

PASSWORD = "correct-horse-battery-staple-42"  # pragma: allowlist secret (test-only password)


@pytest.fixture
def roles(db: None) -> None:
    setup_roles()


@pytest.fixture
def make_user(roles: None) -> Callable[..., object]:
    def make(username: str, *role: str, active: bool = True) -> object:
        user = get_user_model().objects.create_user(username=username, password=PASSWORD,
                                                    is_active=active)
        user.groups.set([Group.objects.get(name=name) for name in role])
        return user

    return make


@pytest.fixture
def client_for(make_user: Callable[..., object]) -> Callable[[str], Client]:
    """A test client signed in as a new user holding one role (or none: role="")."""

    def make(role: str) -> Client:
        client = Client()
        user = make_user(f"user_{role or 'norole'}", *([role] if role else []))
        client.force_login(user)  # type: ignore[arg-type]
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


ALL_ROLES = role_names()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Test speed only; production keeps Django's default PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


RANKED_CSV = """rank,staff_id,score,persons_of_concern,reasons
1,S0001,12.5,N0001;N0002,looked up 2 person(s) met through work after the case ended [7.0]
2,S0002,3.25,N0003,repeated look-ups of 1 person(s) [1.2]
3,S0003,0,,
"""
EVIDENCE_CSV = """staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight,detail
S0001,after_case_lookup,N0001,I0001,2025-01-10T09:28:25Z,2025-03-24T22:44:51Z,3.0,2.79,looked up after the case closed
S0001,contact_victim,N0002,,2025-02-01T23:10:00Z,2025-02-01T23:12:00Z,0.5,1.5,calls from a force device
S0002,concentration,N0003,,2025-01-09T16:51:53Z,,2,1.64,looked up on 2 different days
"""


@pytest.fixture
def scan_files(tmp_path):  # type: ignore[no-untyped-def]
    ranked = tmp_path / "ranked.csv"
    evidence = tmp_path / "evidence.csv"
    ranked.write_text(RANKED_CSV, encoding="utf-8")
    evidence.write_text(EVIDENCE_CSV, encoding="utf-8")
    return ranked, evidence


@pytest.fixture
def loaded_run(db, scan_files):  # type: ignore[no-untyped-def]
    """A loaded scan run plus the workforce rows that give the subjects and persons names."""
    from probity.web.alerts.loading import scan_run_load
    from probity.web.workforce.models import Nominal, NominalFlag, StaffMember, Unit

    Unit.objects.create(unit_id="U1", name="Response North", function="response")
    for n, (fore, sur) in enumerate([("Alex", "Stone"), ("Bea", "Moor"), ("Cal", "Reed")], 1):
        StaffMember.objects.create(staff_id=f"S000{n}", forename=fore, surname=sur,
                                   staff_type="officer", rank="PC", unit_id="U1",
                                   start_date="2015-01-01")
    for n, (fore, sur) in enumerate([("Dana", "Vale"), ("Eve", "Lark"), ("Fay", "Holt")], 1):
        Nominal.objects.create(nominal_id=f"N000{n}", forename=fore, surname=sur)
    NominalFlag.objects.create(nominal_id="N0001", flag="domestic_abuse_victim")
    ranked, evidence = scan_files
    return scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
