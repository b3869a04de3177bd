"""Loading staff, units, posts, vetting and person records from a Force Extract.

The extract is opened through `probity.extract.open_extract` (validated in full first); the
web tables are then replaced as a whole in one transaction, so the app shows either the old
load or the new one, never a mixture.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from probity.web.audit.services import access_log_record
from probity.web.core.dbstats import database_analyze
from probity.web.workforce.models import (
    ExtractLoad,
    Nominal,
    NominalFlag,
    Post,
    StaffMember,
    Unit,
    VettingClearance,
)

__all__ = ["extract_load", "extract_replace"]

_BATCH = 5000


def _rows(extract: Any, table: str, columns: list[str]) -> list[dict[str, Any]]:
    if not extract.has(table):
        return []
    select = ", ".join(f'"{c}"' for c in columns)
    cursor = extract.con.execute(f'SELECT {select} FROM "{table}"')  # noqa: S608 (contract names)
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def extract_replace(*, extract: Any, actor: Any, source_path: Path) -> ExtractLoad:
    """Replace the workforce tables with an opened (validated) extract's. Call inside a
    transaction (this function opens one, so it joins the caller's when there is one)."""
    units = [Unit(unit_id=r["unit_id"], name=r["name"], function=r["function"],
                  parent_unit_id=_text(r["parent_unit_id"]))
             for r in _rows(extract, "units", ["unit_id", "name", "function", "parent_unit_id"])]
    posts = [Post(post_id=r["post_id"], title=r["title"], unit_id=r["unit_id"],
                  required_vetting=r["required_vetting"])
             for r in _rows(extract, "posts", ["post_id", "title", "unit_id", "required_vetting"])]
    staff = [StaffMember(staff_id=r["staff_id"], forename=r["forename"], surname=r["surname"],
                         staff_type=r["staff_type"], rank=_text(r["rank"]), unit_id=r["unit_id"],
                         post_id=_text(r["post_id"]), start_date=r["start_date"],
                         end_date=r["end_date"])
             for r in _rows(extract, "staff", ["staff_id", "forename", "surname", "staff_type",
                                               "rank", "unit_id", "post_id", "start_date",
                                               "end_date"])]
    vetting = [VettingClearance(staff_id=r["staff_id"], level=r["level"], status=r["status"],
                                decided_on=r["decided_on"], expires_on=r["expires_on"])
               for r in _rows(extract, "vetting", ["staff_id", "level", "status", "decided_on",
                                                   "expires_on"])]
    nominals = [Nominal(nominal_id=r["nominal_id"], forename=_text(r["forename"]),
                        surname=_text(r["surname"]), date_of_birth=r["date_of_birth"],
                        gender=_text(r["gender"]), postcode=_text(r["postcode"]))
                for r in _rows(extract, "nominals", ["nominal_id", "forename", "surname",
                                                     "date_of_birth", "gender", "postcode"])]
    flags = [NominalFlag(nominal_id=r["nominal_id"], flag=r["flag"], from_date=r["from_date"],
                         to_date=r["to_date"])
             for r in _rows(extract, "nominal_flags", ["nominal_id", "flag", "from_date",
                                                       "to_date"])]
    counts = {"units": len(units), "posts": len(posts), "staff": len(staff),
              "vetting": len(vetting), "nominals": len(nominals), "nominal_flags": len(flags)}
    from probity.vetting import register_snapshot
    from probity.web.vetting_register.register import register_snapshot_from_database
    from probity.web.vetting_register.services import register_changes_record

    with transaction.atomic():
        transaction.on_commit(database_analyze, robust=True)  # statistics only
        # Never overwrite the register silently: record what this load changes (posts,
        # clearances, people's posts) before replacing it (vetting_register, decision 0092).
        before = register_snapshot_from_database() if ExtractLoad.objects.exists() else None
        for model in (NominalFlag, Nominal, VettingClearance, StaffMember, Post, Unit):
            model.objects.all().delete()
        Unit.objects.bulk_create(units, batch_size=_BATCH)
        Post.objects.bulk_create(posts, batch_size=_BATCH)
        StaffMember.objects.bulk_create(staff, batch_size=_BATCH)
        VettingClearance.objects.bulk_create(vetting, batch_size=_BATCH)
        Nominal.objects.bulk_create(nominals, batch_size=_BATCH)
        NominalFlag.objects.bulk_create(flags, batch_size=_BATCH)
        load = ExtractLoad.objects.create(
            force_code=extract.force_code, force_name=extract.force_name,
            period_start=extract.period_start, period_end=extract.period_end,
            source_path=str(source_path), loaded_at=datetime.now(UTC),
            loaded_by=actor, row_counts=counts,
        )
        register_changes_record(actor=actor, load=load, before=before,
                                after=register_snapshot(extract=extract))
        access_log_record(actor=actor, action="load", object_type="extract",
                          object_id=load.pk, purpose="load workforce and person records",
                          fields_shown=[f"{k}={v}" for k, v in counts.items()])
    return load


def extract_load(*, path: Path, actor: Any) -> ExtractLoad:
    """Validate and load an extract (`probity load extract DIR`). Raises ExtractInvalid with
    every error when the extract breaks the contract; nothing is written then."""
    from probity.extract import open_extract

    with open_extract(Path(path)) as extract:
        return extract_replace(extract=extract, actor=actor, source_path=Path(path))
