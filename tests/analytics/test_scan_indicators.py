"""Scan behaviour on a tiny hand-built force (see conftest.py for who does what)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from probity.analytics import ScanResult, scan
from probity.analytics.scan import RANKED_COLUMNS
from probity.extract import open_extract


@pytest.fixture(scope="module")
def result(default_force: Path) -> ScanResult:
    with open_extract(default_force, use_cache=False) as ex:
        return scan(ex)


def _row(result: ScanResult, staff_id: str) -> pd.Series:
    return result.ranked.set_index("staff_id").loc[staff_id]


def test_contract_every_staff_once_unique_ranks(result: ScanResult) -> None:
    r = result.ranked
    assert list(r.columns) == RANKED_COLUMNS
    assert r["staff_id"].is_unique and len(r) == 33
    assert list(r["rank"]) == list(range(1, 34))
    assert (r["score"].diff().dropna() <= 0).all()  # ordered by score


def test_attend_then_pursue_ranked_first_with_victim_first(result: ScanResult) -> None:
    row = _row(result, "S001")
    assert row["rank"] <= 2
    assert row["persons_of_concern"].split(";")[0] == "N001"
    ev = result.evidence[result.evidence["staff_id"] == "S001"]
    assert {"post_link_lookup", "off_duty_lookup", "concentration", "comms_to_victim"} <= set(
        ev["indicator"])
    comms = ev[ev["indicator"] == "comms_to_victim"].iloc[0]
    assert comms["nominal_id"] == "N001" and comms["count"] == 8


def test_off_duty_pursuit_counts_distinct_off_duty_days(result: ScanResult) -> None:
    ev = result.evidence
    pursuit = ev[(ev["indicator"] == "off_duty_pursuit") & (ev["staff_id"] == "S001")]
    assert list(pursuit["nominal_id"]) == ["N001"]
    assert pursuit.iloc[0]["count"] >= 2 and pursuit.iloc[0]["weight"] > 0
    assert "off duty on" in pursuit.iloc[0]["detail"]
    # nobody else goes back to a person off duty on several days
    assert set(ev.loc[ev["indicator"] == "off_duty_pursuit", "staff_id"]) == {"S001"}


def test_incoming_calls_off_duty_are_not_staff_started_contact(
        scan_force: Callable[..., Path], result: ScanResult) -> None:
    """Turn S001's calls into calls the victim made: contact evidence stays (unexplained
    contact), but off-duty contact he started, and the pursuit it builds, go."""
    def incoming(t: dict) -> None:
        for row in t["comms"]:
            if row.get("device_id") == "DS001":
                row["direction"] = "in"

    with open_extract(scan_force(mutate=incoming, name="incoming"), use_cache=False) as ex:
        res = scan(ex)
    ev = res.evidence[res.evidence["staff_id"] == "S001"]
    comms = ev[ev["indicator"] == "comms_to_victim"]
    assert not comms.empty and "(0 outgoing, 0 of them off duty)" in comms.iloc[0]["detail"]
    before = result.evidence[(result.evidence["staff_id"] == "S001")
                             & (result.evidence["indicator"] == "comms_to_victim")]
    assert comms.iloc[0]["weight"] < before.iloc[0]["weight"]


def test_trawler_ranked_in_top_two(result: ScanResult) -> None:
    row = _row(result, "S002")
    assert row["rank"] <= 2
    assert "no link" in row["reasons"]


def test_officer_in_case_on_duty_contact_is_benign(result: ScanResult) -> None:
    ev = result.evidence[result.evidence["staff_id"] == "S003"]
    assert ev.empty, ev
    assert _row(result, "S003")["score"] == 0


def test_safeguarding_staff_compared_with_their_peers(result: ScanResult) -> None:
    top = set(result.ranked["staff_id"].head(4))
    assert not any(s.startswith("S1") for s in top)
    # they do look up many unlinked vulnerable people, but so do their peers
    peers = result.ranked[result.ranked["staff_id"].str.startswith("S1")]
    assert peers["score"].max() < 0.1 * _row(result, "S002")["score"]


def test_complaint_and_app_are_evidence(result: ScanResult) -> None:
    ev = result.evidence
    c = ev[(ev["staff_id"] == "S201") & (ev["indicator"] == "complaint_history")]
    assert len(c) == 1 and "not_upheld" in c.iloc[0]["detail"]
    assert "N399" in _row(result, "S201")["persons_of_concern"].split(";")
    a = ev[(ev["staff_id"] == "S202") & (ev["indicator"] == "encrypted_app")]
    assert len(a) == 1 and "Wickr" in a.iloc[0]["detail"]


def test_required_tables_only_runs_and_says_what_it_skipped(
        scan_force: Callable[..., Path]) -> None:
    path = scan_force(drop=("shifts", "devices", "device_apps", "comms", "complaints",
                            "declarations", "nominal_flags"), name="bare")
    with open_extract(path, use_cache=False) as ex:
        res = scan(ex)
    skipped = {s.indicator: s.reason for s in res.skipped}
    assert set(skipped) == {"comms_to_victim", "encrypted_app", "complaint_history"}
    assert "complaints" in skipped["complaint_history"]
    # with no roster, off duty is inferred from activity: S001's look-ups of the victim stand
    # alone, away from his other work
    assert any("shifts is missing" in n and "inferred from activity" in n for n in res.notes)
    off = res.evidence[(res.evidence["indicator"] == "off_duty_lookup")
                       & (res.evidence["staff_id"] == "S001")]
    assert not off.empty
    assert len(res.ranked) == 33 and res.ranked["staff_id"].is_unique
    # look-up evidence still finds the officer pursuing the victim he met through work
    # (the trawler's targets are only known as vulnerable through nominal_flags, dropped here)
    assert res.ranked["staff_id"].iloc[0] == "S001"
    assert any("nominal_flags is missing" in n for n in res.notes)


def test_since_ignores_earlier_lookups(scan_force: Callable[..., Path]) -> None:
    with open_extract(scan_force(), use_cache=False) as ex:
        res = scan(ex, since=pd.Timestamp("2024-06-20").date())
    ev = res.evidence[res.evidence["staff_id"] == "S001"]
    assert ev.empty or (pd.to_datetime(ev["first_ts"].dropna()) >= "2024-06-20").all()


def test_undeclared_association_exact_match_and_declaration(
        scan_force: Callable[..., Path]) -> None:
    def add_match(t: dict) -> None:
        # S205's record written with a name variant and the day and month of birth swapped;
        # S206's record is exact but declared; a namesake of S207 shares no identifier
        names = {"S205": ("Robert", "Pemberton"), "S206": ("Lena", "Okafor"),
                 "S207": ("David", "Jones")}
        for row in t["staff"]:
            if row["staff_id"] in names:
                row["forename"], row["surname"] = names[row["staff_id"]]
                row["date_of_birth"] = "1985-05-07"
        t["nominals"].append({"nominal_id": "NX1", "forename": "Bob", "surname": "Pemberton",
                              "date_of_birth": "1985-07-05", "gender": "male"})
        t["nominals"].append({"nominal_id": "NX2", "forename": "Lena", "surname": "Okafor",
                              "date_of_birth": "1985-05-07", "gender": "female"})
        t["nominals"].append({"nominal_id": "NX3", "forename": "David", "surname": "Jones",
                              "date_of_birth": "1971-11-23", "gender": "male"})
        t["incidents"].append({"incident_id": "IX1", "opened_at": "2024-02-01T10:00:00Z",
                               "category": "domestic_abuse"})
        for nid in ("NX1", "NX2", "NX3"):
            t["incident_nominals"].append({"incident_id": "IX1", "nominal_id": nid,
                                           "role": "suspect"})
        t["declarations"] = [{"staff_id": "S206", "declared_on": "2024-02-02",
                              "kind": "association", "nominal_id": "NX2"}]

    with open_extract(scan_force(mutate=add_match, name="assoc"), use_cache=False) as ex:
        res = scan(ex)
    ev = res.evidence[res.evidence["indicator"] == "undeclared_association"]
    assert list(ev["staff_id"]) == ["S205"]
    assert ev.iloc[0]["nominal_id"] == "NX1" and "suspect" in ev.iloc[0]["detail"]
    assert any("rule match" in n for n in res.notes)


def test_unknown_engine_is_a_usage_error(scan_force: Callable[..., Path]) -> None:
    from probity.errors import UsageError

    with open_extract(scan_force(), use_cache=False) as ex, pytest.raises(UsageError):
        scan(ex, engine="spark")


def test_first_response_assignment_without_end_still_ends(
        scan_force: Callable[..., Path]) -> None:
    """A force that records no assignment ends: an attending officer's link cannot last for
    ever, or nothing would ever be 'after the assignment'."""
    def no_ends(t: dict) -> None:
        for row in t["assignments"]:
            row["end"] = ""
        for row in t["incidents"]:
            row.pop("closed_at", None)

    with open_extract(scan_force(mutate=no_ends, name="noends"), use_cache=False) as ex:
        res = scan(ex)
    post = res.evidence[(res.evidence["indicator"] == "post_link_lookup")
                        & (res.evidence["staff_id"] == "S001")]
    assert "N001" in set(post["nominal_id"])
    assert res.ranked["staff_id"].iloc[0] == "S001"


def test_audit_without_object_ids_says_look_ups_are_skipped(
        scan_force: Callable[..., Path]) -> None:
    def no_objects(t: dict) -> None:
        for row in t["audit_events"]:
            row.pop("object_id", None)

    with open_extract(scan_force(mutate=no_objects, name="noobj"), use_cache=False) as ex:
        res = scan(ex)
    skipped = {s.indicator: s.reason for s in res.skipped}
    assert "object_id is absent or empty" in skipped["unlinked_lookup"]
    assert "trawling" in skipped
    assert len(res.ranked) == 33
