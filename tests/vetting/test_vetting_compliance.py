"""Vetting compliance on a hand-built extract: one person per edge case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from probity.extract import open_extract
from probity.vetting import VettingSettings, vetting_compliance
from probity.vetting.compliance import VettingDataMissing

AS_OF = "2024-12-31"

UNITS = [
    {"unit_id": "U1", "name": "Response North", "function": "response"},
    {"unit_id": "U2", "name": "Intelligence Hub", "function": "intelligence"},
]
POSTS = [
    {"post_id": "P_RV", "title": "Constable", "unit_id": "U1", "required_vetting": "rv"},
    {"post_id": "P_MV", "title": "Intelligence analyst", "unit_id": "U2", "required_vetting": "mv"},
    {"post_id": "P_SC", "title": "Special Branch", "unit_id": "U2", "required_vetting": "sc"},
    {"post_id": "P_N2", "title": "Contractor desk", "unit_id": "U1",
     "required_vetting": "nppv2f"},
]

# staff_id: (staff_type, unit, post, start, end, [(level, status, decided_on, expires_on)])
CASES: dict[str, tuple[str, str, str | None, str, str | None, list[tuple[Any, ...]]]] = {
    # holds rv, post needs rv: compliant
    "A01": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2020-01-01", "2030-01-01")]),
    # holds rv, post needs mv: below requirement
    "A02": ("officer", "U2", "P_MV", "2010-01-01", None,
            [("rv", "granted", "2020-01-01", "2030-01-01")]),
    # only clearance expired before as_of: expired, no clearance
    "A03": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2014-01-01", "2024-06-01")]),
    # never vetted
    "A04": ("staff", "U1", None, "2010-01-01", None, []),
    # expires inside the 90-day window: due
    "A05": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2015-03-01", "2025-03-01")]),
    # expires ON as_of: expired (a clearance counts only while expires_on > as_of)
    "A06": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2014-12-31", "2024-12-31")]),
    # expires on as_of + 90 days exactly: due (window is inclusive at its end)
    "A07": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2015-03-31", "2025-03-31")]),
    # expires on as_of + 91 days: not due
    "A08": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2015-04-01", "2025-04-01")]),
    # left ON as_of: not serving, not counted anywhere
    "A09": ("officer", "U1", "P_RV", "2010-01-01", "2024-12-31", []),
    # leaves the day after as_of: serving; never vetted
    "A10": ("officer", "U1", "P_RV", "2010-01-01", "2025-01-01", []),
    # starts after as_of: not serving
    "A11": ("officer", "U1", "P_RV", "2025-01-01", None, []),
    # starts ON as_of: serving; vetting pending
    "A12": ("officer", "U1", "P_RV", "2024-12-31", None,
            [("rv", "pending", "2024-12-01", None)]),
    # granted only after as_of: the row is ignored, so never vetted on as_of
    "A13": ("officer", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2025-01-10", "2035-01-10")]),
    # status lapsed
    "A14": ("staff", "U2", None, "2010-01-01", None,
            [("rv", "lapsed", "2023-05-01", None)]),
    # expired and lapsed: in both lists, reason "expired"
    "A15": ("staff", "U2", None, "2010-01-01", None,
            [("rv", "granted", "2013-01-01", "2023-01-01"), ("rv", "lapsed", "2023-01-02", None)]),
    # refused
    "A16": ("staff", "U2", None, "2010-01-01", None, [("rv", "refused", "2024-02-01", None)]),
    # withdrawn
    "A17": ("officer", "U2", "P_MV", "2010-01-01", None,
            [("mv", "withdrawn", "2024-02-01", None)]),
    # an expired rv and a current sc: current, compliant for an sc post, not expired
    "A18": ("officer", "U2", "P_SC", "2010-01-01", None,
            [("rv", "granted", "2010-01-01", "2020-01-01"),
             ("sc", "granted", "2021-01-01", "2031-01-01")]),
    # nppv2f post, holds rv (same rank by default): compliant
    "A19": ("contractor", "U1", "P_N2", "2010-01-01", None,
            [("rv", "granted", "2020-01-01", "2030-01-01")]),
    # sc post, holds mv (rank 4 < 5): below requirement
    "A20": ("officer", "U2", "P_SC", "2010-01-01", None,
            [("mv", "granted", "2020-01-01", "2027-01-01")]),
    # no post; rv with no expiry, decided 2010: current; renewal overdue (10 years)
    "A21": ("staff", "U1", None, "2010-01-01", None, [("rv", "granted", "2010-01-01", None)]),
    # granted with no dates at all: current
    "A22": ("volunteer", "U1", None, "2010-01-01", None, [("rv", "granted", None, None)]),
    # mv post and no clearance: no clearance only (not below requirement)
    "A23": ("officer", "U2", "P_MV", "2010-01-01", None, []),
    # two current clearances, one due: due; best level sc
    "A24": ("officer", "U2", "P_MV", "2010-01-01", None,
            [("rv", "granted", "2015-02-01", "2025-02-01"),
             ("sc", "granted", "2022-01-01", "2032-01-01")]),
    # expires the day after as_of: due
    "A25": ("staff", "U2", None, "2010-01-01", None,
            [("rv", "granted", "2015-01-01", "2025-01-01")]),
    # a refusal decided after as_of does not hide a current clearance
    "A26": ("staff", "U1", "P_RV", "2010-01-01", None,
            [("rv", "granted", "2020-01-01", "2030-01-01"),
             ("rv", "refused", "2025-02-01", None)]),
}

EXPECTED = {
    "no_clearance": {"A03", "A04", "A06", "A10", "A12", "A13", "A14", "A15", "A16", "A17",
                     "A23"},
    "below_requirement": {"A02", "A20"},
    "expired": {"A03", "A06", "A15"},
    "due": {"A05", "A07", "A24", "A25"},
    "lapsed": {"A14", "A15"},
    "renewal_overdue": {"A21"},
}
NOT_SERVING = {"A09", "A11"}


def tables() -> dict[str, list[dict[str, Any]]]:
    staff, vetting = [], []
    for staff_id, (staff_type, unit, post, start, end, rows) in CASES.items():
        staff.append({"staff_id": staff_id, "forename": "Test", "surname": staff_id,
                      "staff_type": staff_type, "unit_id": unit, "post_id": post,
                      "start_date": start, "end_date": end})
        for level, status, decided, expires in rows:
            vetting.append({"staff_id": staff_id, "level": level, "status": status,
                            "decided_on": decided, "expires_on": expires})
    return {"units": [dict(u) for u in UNITS], "posts": [dict(p) for p in POSTS],
            "staff": staff, "vetting": vetting}


@pytest.fixture
def extract_dir(make_extract: Any) -> Path:
    return make_extract(tables(), period_end=AS_OF)


def test_every_edge_case(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        report = vetting_compliance(extract=extract)
    assert report.as_of == dt.date(2024, 12, 31)  # defaults to period_end
    assert {s.staff_id for s in report.staff} == set(CASES) - NOT_SERVING
    for category, expected in EXPECTED.items():
        assert set(report.staff_ids(category)) == expected, category
    compliant = set(CASES) - NOT_SERVING - EXPECTED["no_clearance"] - EXPECTED["below_requirement"]
    assert set(report.staff_ids("compliant")) == compliant
    by_id = {s.staff_id: s for s in report.staff}
    assert by_id["A24"].best_level == "sc" and by_id["A24"].held_levels == ("sc", "rv")
    assert by_id["A24"].next_expiry == dt.date(2025, 2, 1)
    assert by_id["A18"].best_level == "sc" and not by_id["A18"].expired
    reasons = {s.staff_id: s.no_clearance_reason for s in report.staff if s.no_clearance}
    assert reasons == {"A03": "expired", "A04": "never_vetted", "A06": "expired",
                       "A10": "never_vetted", "A12": "pending", "A13": "never_vetted",
                       "A14": "lapsed", "A15": "expired", "A16": "refused",
                       "A17": "withdrawn", "A23": "never_vetted"}
    assert sum(report.reason_counts().values()) == len(EXPECTED["no_clearance"])


def test_json_document_shape(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        doc = vetting_compliance(extract=extract).to_dict()
    for key, category in (("no_clearance", "no_clearance"),
                          ("below_requirement", "below_requirement"),
                          ("expired", "expired"), ("due_within_90_days", "due")):
        assert doc[key]["count"] == len(EXPECTED[category])
        assert doc[key]["staff_ids"] == sorted(EXPECTED[category])
    assert doc["serving"] == len(CASES) - len(NOT_SERVING)
    assert doc["as_of"] == AS_OF


def test_groups_by_unit_and_staff_type(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        report = vetting_compliance(extract=extract)
    serving = {k: v for k, v in CASES.items() if k not in NOT_SERVING}
    units = {g.key: g for g in report.by_unit}
    assert units["U1"].name == "Response North"
    for unit in ("U1", "U2"):
        members = {k for k, v in serving.items() if v[1] == unit}
        assert units[unit].serving == len(members)
        assert units[unit].no_clearance == len(members & EXPECTED["no_clearance"])
        assert units[unit].below_requirement == len(members & EXPECTED["below_requirement"])
        assert units[unit].due == len(members & EXPECTED["due"])
        assert units[unit].compliant == (units[unit].serving - units[unit].no_clearance
                                         - units[unit].below_requirement)
    types = {g.key: g for g in report.by_staff_type}
    assert set(types) == {v[0] for v in serving.values()}
    assert sum(g.serving for g in types.values()) == len(serving)
    assert types["staff"].lapsed == 2 and types["staff"].expired == 1


def test_as_of_moves_every_category(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        report = vetting_compliance(extract=extract, as_of="2024-03-15")
    ids = {c: set(report.staff_ids(c)) for c in ("no_clearance", "expired", "due")}
    # on 2024-03-15 A03 (expires 2024-06-01) is still current and due; A06 likewise current
    assert "A03" not in ids["no_clearance"] and "A03" in ids["due"]
    assert "A06" not in ids["no_clearance"]
    assert "A12" not in {s.staff_id for s in report.staff}  # not yet started
    assert "A16" in ids["no_clearance"]  # refused 2024-02-01: before this date


def test_due_days_setting(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        report = vetting_compliance(extract=extract,
                                    settings=VettingSettings(due_days=31))
    assert set(report.staff_ids("due")) == {"A25"}  # 2025-01-01; A24 is 2025-02-01 (+32)
    assert "due_within_31_days" in report.to_dict()


def test_derived_expiry_from_renewal_period(extract_dir: Path) -> None:
    settings = VettingSettings(derive_expiry_from_renewal=True)
    with open_extract(extract_dir) as extract:
        report = vetting_compliance(extract=extract, settings=settings)
    # A21: rv decided 2010-01-01 + 10 years = 2020-01-01 <= as_of: expired
    assert "A21" in report.staff_ids("expired")
    assert "A21" not in report.staff_ids("renewal_overdue")
    # A22 has no decision date, so nothing to derive from: still current
    assert "A22" not in report.staff_ids("no_clearance")


def test_level_order_setting(extract_dir: Path) -> None:
    order = dict(VettingSettings().level_order)
    order["nppv2f"] = 4  # now above rv
    with open_extract(extract_dir) as extract:
        report = vetting_compliance(extract=extract,
                                    settings=VettingSettings(level_order=order))
    assert "A19" in report.staff_ids("below_requirement")


def test_no_posts_table_means_no_requirement(make_extract: Any) -> None:
    t = tables()
    del t["posts"]
    for row in t["staff"]:
        row["post_id"] = None
    with open_extract(make_extract(t, period_end=AS_OF)) as extract:
        report = vetting_compliance(extract=extract)
    assert report.staff_ids("below_requirement") == []
    assert not report.posts_present
    assert any("no posts table" in n for n in report.notes)
    assert set(report.staff_ids("no_clearance")) == EXPECTED["no_clearance"]


def test_missing_vetting_table_is_a_clear_error(make_extract: Any) -> None:
    t = tables()
    del t["vetting"]
    with open_extract(make_extract(t, period_end=AS_OF)) as extract:
        with pytest.raises(VettingDataMissing, match="no vetting table"):
            vetting_compliance(extract=extract)
