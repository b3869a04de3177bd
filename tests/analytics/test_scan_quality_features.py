"""Scan evidence added for issue 3 (decision 0042): persistence across look-ups and contact,
and graceful degradation when optional gender columns are absent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from probity.analytics import scan
from probity.extract import open_extract


def test_persistence_joins_lookups_and_contact_of_the_same_person(default_force: Path) -> None:
    with open_extract(default_force, use_cache=False) as ex:
        res = scan(ex)
    ev = res.evidence[(res.evidence["staff_id"] == "S001")
                      & (res.evidence["indicator"] == "persistence")]
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["nominal_id"] == "N001" and row["count"] >= 2 and row["weight"] > 0
    # the officer in case who contacts victims on duty within the case has no such evidence
    assert res.evidence[(res.evidence["staff_id"] == "S003")].empty


def test_absent_gender_columns_degrade_gracefully(scan_force: Callable[..., Path]) -> None:
    def drop_gender(tables: dict[str, list[dict[str, Any]]]) -> None:
        for table in ("staff", "nominals"):
            for rec in tables[table]:
                rec.pop("gender", None)

    path = scan_force(mutate=drop_gender, name="nogender")
    with open_extract(path, use_cache=False) as ex:
        # the writer keeps the column; every value is absent (NULL), as in a sparse extract
        assert ex.con.execute("SELECT count(gender) FROM staff").fetchone() == (0,)
        res = scan(ex)
    assert len(res.ranked) == 33 and res.ranked["staff_id"].is_unique
    assert res.ranked.set_index("staff_id").loc["S001", "rank"] <= 2
