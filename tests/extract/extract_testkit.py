"""A small valid Force Extract, written by hand, and helpers to write and break it.

Independent of the synthetic generator on purpose: the validator's tests must not move when the
generator changes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

from probity.extract import schema

Rows = list[dict[str, str]]

MANIFEST: dict[str, Any] = {
    "format": "force-extract",
    "version": 1,
    "force_code": "TST",
    "force_name": "Test Constabulary",
    "period_start": "2024-01-01",
    "period_end": "2024-12-31",
    "extracted_at": "2025-01-02T03:00:00Z",
}


def valid_tables() -> dict[str, Rows]:
    """Every table of the contract, a few rows each, all rules kept."""
    return {
        "units": [
            {"unit_id": "U1", "name": "North Response", "function": "response",
             "parent_unit_id": ""},
            {"unit_id": "U2", "name": "Public Protection", "function": "public_protection",
             "parent_unit_id": "U1"},
        ],
        "posts": [
            {"post_id": "P1", "title": "Response PC", "unit_id": "U1", "required_vetting": "rv"},
            {"post_id": "P2", "title": "DA Investigator", "unit_id": "U2",
             "required_vetting": "mv"},
        ],
        "staff": [
            {"staff_id": "S1", "forename": "Alex", "surname": "Smith", "date_of_birth": "1985-04-02",
             "gender": "male", "staff_type": "officer", "rank": "PC", "unit_id": "U1",
             "post_id": "P1", "start_date": "2010-09-01", "end_date": "",
             "work_phone": "07700 900123", "personal_phone": "+44 7700 900456",
             "home_address": "1 High Street", "home_postcode": "AB1 2CD",
             "email": "alex@example.org"},
            {"staff_id": "S2", "forename": "Sam", "surname": "Jones", "date_of_birth": "",
             "gender": "female", "staff_type": "staff", "rank": "Grade 6", "unit_id": "U2",
             "post_id": "P2", "start_date": "2015-01-05", "end_date": "2024-06-30",
             "work_phone": "(0161) 496 0000", "personal_phone": "",
             "home_address": "", "home_postcode": "", "email": ""},
        ],
        "vetting": [
            {"staff_id": "S1", "level": "rv", "status": "granted", "decided_on": "2020-01-01",
             "expires_on": "2030-01-01"},
        ],
        "shifts": [
            {"staff_id": "S1", "start": "2024-03-01T07:00:00Z", "end": "2024-03-01T17:00:00Z"},
        ],
        "incidents": [
            {"incident_id": "I1", "opened_at": "2024-03-01T08:15:04Z",
             "closed_at": "2024-03-02T10:00:00+01:00", "category": "domestic_abuse",
             "postcode": "AB1 3EF"},
            {"incident_id": "I2", "opened_at": "2024-04-01T22:15:04+00:00", "closed_at": "",
             "category": "theft", "postcode": ""},
        ],
        "nominals": [
            {"nominal_id": "N1", "forename": "Jo", "surname": "Brown",
             "date_of_birth": "1990-02-03", "gender": "female", "address": "2 Low Road",
             "postcode": "AB1 3EF", "phone": "07700 900789", "email": ""},
            {"nominal_id": "N2", "forename": "Chris", "surname": "Green", "date_of_birth": "",
             "gender": "", "address": "", "postcode": "", "phone": "", "email": ""},
        ],
        "nominal_flags": [
            {"nominal_id": "N1", "flag": "domestic_abuse_victim", "from_date": "2024-03-01",
             "to_date": ""},
        ],
        "incident_nominals": [
            {"incident_id": "I1", "nominal_id": "N1", "role": "victim"},
            {"incident_id": "I1", "nominal_id": "N2", "role": "suspect"},
        ],
        "assignments": [
            {"incident_id": "I1", "staff_id": "S1", "role": "attending",
             "start": "2024-03-01T08:20:00Z", "end": "2024-03-01T12:00:00Z"},
        ],
        "audit_events": [
            {"event_id": "E1", "ts": "2024-03-05T23:10:00Z", "staff_id": "S1", "system": "rms",
             "action": "view", "object_type": "nominal", "object_id": "N1", "reason": "",
             "workstation": "WS1", "device_id": "D1"},
            {"event_id": "E2", "ts": "2024-03-06T09:00:00+00:00", "staff_id": "S2",
             "system": "pnc", "action": "search", "object_type": "nominal",
             "object_id": "OUTSIDE9", "reason": "enquiry", "workstation": "", "device_id": ""},
        ],
        "devices": [
            {"device_id": "D1", "staff_id": "S1", "kind": "phone", "platform": "ios",
             "enrolled_on": "2023-01-01"},
        ],
        "device_apps": [
            {"device_id": "D1", "app_id": "org.thoughtcrime.securesms", "app_name": "Signal",
             "version": "7.1", "first_seen": "2024-01-10", "last_seen": "2024-05-01"},
        ],
        "comms": [
            {"device_id": "D1", "ts": "2024-03-06T23:30:00Z", "direction": "out",
             "channel": "call", "counterpart": "07700 900789", "duration_s": "125"},
        ],
        "complaints": [
            {"complaint_id": "C1", "received_on": "2023-05-01", "staff_id": "S1",
             "complainant_nominal_id": "N999", "category": "abuse_of_position",
             "outcome": "ongoing"},
            {"complaint_id": "C1", "received_on": "2023-05-01", "staff_id": "S2",
             "complainant_nominal_id": "", "category": "abuse_of_position", "outcome": ""},
        ],
        "declarations": [
            {"staff_id": "S2", "declared_on": "2022-02-02", "kind": "association",
             "nominal_id": "N2", "phone": "0161 496 0001"},
        ],
    }


def csv_bytes(rows: Rows, *, columns: list[str] | None = None, newline: str = "\n") -> bytes:
    out = io.StringIO()
    if columns is None:
        columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator=newline,
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def write_extract(path: Path, tables: dict[str, Rows] | None = None, *, fmt: str = "csv",
                  manifest: dict[str, Any] | None = None, row_counts: bool = True) -> Path:
    """Write an extract (csv, csv.gz or parquet) with a manifest; returns its directory."""
    path.mkdir(parents=True, exist_ok=True)
    tables = valid_tables() if tables is None else tables
    for name, rows in tables.items():
        columns = schema.table(name).column_names if not rows else list(rows[0])
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            data = {c: [r.get(c) or None for r in rows] for c in columns}
            pq.write_table(pa.table({c: pa.array(v, type=pa.string()) for c, v in data.items()}),
                           path / f"{name}.parquet")
            continue
        body = csv_bytes(rows, columns=columns)
        if fmt == "csv.gz":
            (path / f"{name}.csv.gz").write_bytes(gzip.compress(body))
        else:
            (path / f"{name}.csv").write_bytes(body)
    data = dict(MANIFEST if manifest is None else manifest)
    if row_counts and manifest is None:
        data["row_counts"] = {name: len(rows) for name, rows in tables.items()}
    (path / "manifest.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


