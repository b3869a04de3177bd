from __future__ import annotations

from datetime import date, datetime

from probity.extract import open_extract, validate_extract


def test_valid_csv_extract_opens_with_types(make_extract):
    path = make_extract()
    assert validate_extract(path).ok
    with open_extract(path) as extract:
        assert extract.force_code == "TST"
        assert extract.period_start == date(2024, 1, 1)
        row = extract.con.execute(
            "SELECT opened_at, closed_at FROM incidents WHERE incident_id = 'I1'").fetchone()
        assert row == (datetime(2024, 3, 1, 8, 15, 4), datetime(2024, 3, 2, 9, 0))
