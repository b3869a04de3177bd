"""The workforce app's copy of the register as a DuckDB connection, so that the web app
computes compliance and register changes with exactly the code `probity vetting` runs
(`probity.vetting.compliance_from_connection`, `register_snapshot`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from probity.vetting import (
    ComplianceReport,
    RegisterSnapshot,
    VettingSettings,
    compliance_from_connection,
    register_snapshot,
)
from probity.web.workforce.models import ExtractLoad, Post, StaffMember, Unit, VettingClearance

__all__ = ["DatabaseRegister", "register_compliance", "register_snapshot_from_database"]

_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "units": (("unit_id", "VARCHAR"), ("name", "VARCHAR")),
    "posts": (("post_id", "VARCHAR"), ("title", "VARCHAR"), ("unit_id", "VARCHAR"),
              ("required_vetting", "VARCHAR")),
    "staff": (("staff_id", "VARCHAR"), ("staff_type", "VARCHAR"), ("unit_id", "VARCHAR"),
              ("post_id", "VARCHAR"), ("start_date", "DATE"), ("end_date", "DATE")),
    "vetting": (("staff_id", "VARCHAR"), ("level", "VARCHAR"), ("status", "VARCHAR"),
                ("decided_on", "DATE"), ("expires_on", "DATE")),
}


def _none_if_blank(value: Any) -> Any:
    return None if value == "" else value


class DatabaseRegister:
    """An in-memory DuckDB holding `units`, `posts`, `staff`, `vetting` from the database.
    Offers the `con` / `has` / `period_end` / `manifest` an opened extract offers."""

    def __init__(self) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        last = ExtractLoad.objects.order_by("-loaded_at", "-pk").first()
        self.period_end: dt.date | None = last.period_end if last else None
        self.manifest = {"force_code": last.force_code if last else None}
        self._present = {"units", "staff", "vetting"}
        if Post.objects.exists() or not StaffMember.objects.exists():
            self._present.add("posts")
        rows: dict[str, list[tuple[Any, ...]]] = {
            "units": list(Unit.objects.values_list("unit_id", "name")),
            "posts": list(Post.objects.values_list("post_id", "title", "unit_id",
                                                    "required_vetting")),
            "staff": [(s, t, u, _none_if_blank(p), start, end) for s, t, u, p, start, end in
                      StaffMember.objects.values_list("staff_id", "staff_type", "unit_id",
                                                      "post_id", "start_date", "end_date")],
            "vetting": list(VettingClearance.objects.values_list(
                "staff_id", "level", "status", "decided_on", "expires_on")),
        }
        import pyarrow as pa

        types = {"VARCHAR": pa.string(), "DATE": pa.date32()}
        for table, columns in _TABLES.items():
            names = [name for name, _ in columns]
            arrays = [pa.array([row[i] for row in rows[table]], type=types[kind])
                      for i, (_, kind) in enumerate(columns)]
            self.con.register("arrow_rows", pa.Table.from_arrays(arrays, names=names))
            self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM arrow_rows")  # noqa: S608
            self.con.unregister("arrow_rows")

    def has(self, name: str) -> bool:
        return name in self._present

    def close(self) -> None:
        self.con.close()


def register_compliance(*, as_of: dt.date | None, settings: VettingSettings
                        ) -> ComplianceReport:
    """Compliance of the loaded workforce on `as_of` (default: the last load's period end,
    else today), computed by `probity.vetting` over the database's copy of the register."""
    register = DatabaseRegister()
    try:
        day = as_of or register.period_end or dt.datetime.now(dt.UTC).date()
        return compliance_from_connection(con=register.con, as_of=day, settings=settings,
                                          posts_present=register.has("posts"),
                                          force_code=register.manifest["force_code"])
    finally:
        register.close()


def register_snapshot_from_database() -> RegisterSnapshot:
    """The register as the database holds it now (before a new extract replaces it)."""
    register = DatabaseRegister()
    try:
        return register_snapshot(extract=register)
    finally:
        register.close()
