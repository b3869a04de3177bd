"""Cross-force screening: each force's staff against the other forces' person records and
staff records (issue 10; the transferee checks that vetting requires).

A staff member of force F may appear in force G as a person record (a suspect or associate in
G's incidents, say) or as one of G's own staff (earlier service: a transferee), with G's
complaints about them. Each force's staff are linked, with F's own trained model, against the
pooled records of every other force at once (one prediction per force, not one per pair of
forces). Identifiers stay qualified by their force: `other_force` + `other_id`, never mixed.

The same probabilistic comparison as `probity link` (docs/linkage.md): a staff record and a
person record are compared on names, date of birth, address, phones and e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

CROSS_FORCE_COLUMNS = ["staff_id", "other_force", "record_type", "other_id",
                       "match_probability", "other_detail"]
# The probability from which a cross-force match is reported (a vetting officer reviews it).
CROSS_FORCE_THRESHOLD = 0.9


@dataclass
class ForceRecords:
    """One force's prepared records, detached from its extract (Arrow tables)."""

    code: str
    staff: Any  # pyarrow.Table of prepared staff records + detail
    nominals: Any  # pyarrow.Table of prepared person records + detail


def force_records(extract: Any) -> ForceRecords:
    """Prepared staff and person records of one open extract, each with what the other forces
    should be told about it: a person's roles in this force's incidents, a staff member's
    complaints here."""
    from probity.analytics.internals.linkage.prepare import prepare_records

    con = extract.con
    staff_table, nominal_table = prepare_records(extract)
    roles = ("SELECT CAST(nominal_id AS VARCHAR) AS rid, 'roles: ' || string_agg(DISTINCT "
             "CAST(role AS VARCHAR), ';' ORDER BY CAST(role AS VARCHAR)) AS other_detail "
             "FROM incident_nominals GROUP BY 1")
    nominals = con.sql(
        f"SELECT n.*, coalesce(r.other_detail, 'no incident roles') AS other_detail "
        f"FROM {nominal_table} AS n LEFT JOIN ({roles}) AS r ON r.rid = n.unique_id").to_arrow_table()
    if extract.has("complaints"):
        complaints = (
            "SELECT CAST(staff_id AS VARCHAR) AS rid, 'complaints: ' || CAST(count(*) AS VARCHAR)"
            " || ' (' || string_agg(DISTINCT CAST(category AS VARCHAR), ';' ORDER BY "
            "CAST(category AS VARCHAR)) || ')' AS other_detail FROM complaints GROUP BY 1")
    else:
        complaints = ("SELECT CAST(NULL AS VARCHAR) AS rid, CAST(NULL AS VARCHAR) AS other_detail"
                      " WHERE FALSE")
    staff = con.sql(
        f"SELECT s.*, coalesce(c.other_detail, 'no complaints') AS other_detail "
        f"FROM {staff_table} AS s LEFT JOIN ({complaints}) AS c ON c.rid = s.unique_id").to_arrow_table()
    return ForceRecords(code=extract.force_code, staff=staff, nominals=nominals)


def _pooled(others: list[ForceRecords], kind: str) -> Any:
    """Every other force's records of one kind, ids qualified as CODE:ID."""
    import pyarrow as pa
    import pyarrow.compute as pc

    tables = []
    for other in others:
        table = getattr(other, kind)
        qualified = pc.binary_join_element_wise(pa.scalar(other.code), table["unique_id"], ":")
        table = table.set_column(table.schema.get_field_index("unique_id"), "unique_id",
                                 qualified)
        tables.append(table.append_column("other_force", pa.array([other.code] * len(table),
                                                                   pa.string())))
    return pa.concat_tables(tables, promote_options="default")


def cross_force_screen(own: ForceRecords, model: dict[str, Any], others: list[ForceRecords], *,
                       threshold: float = CROSS_FORCE_THRESHOLD) -> pd.DataFrame:
    """This force's staff against the other forces' person and staff records, with this
    force's trained link model; one row per match at or above `threshold`. Runs on the
    prepared records alone (an in-memory DuckDB), not on the extracts."""
    import duckdb
    from splink import DuckDBAPI

    from probity.analytics.internals.linkage import model as link_model

    if not others:
        return pd.DataFrame(columns=CROSS_FORCE_COLUMNS)
    con = duckdb.connect()
    staff = own.staff  # noqa: F841 (read by DuckDB by name)
    staff_table = "__probity_own_staff"
    con.execute(f"CREATE TABLE {staff_table} AS SELECT * FROM staff")
    frames = []
    for kind, record_type in (("nominals", "person"), ("staff", "staff")):
        pooled = _pooled(others, kind)  # noqa: F841 (read by DuckDB by name)
        con.execute("CREATE OR REPLACE TABLE __probity_other_records AS SELECT * FROM pooled")
        linker = link_model.make_linker(DuckDBAPI(connection=con), staff_table,
                                        "__probity_other_records", model=model)
        pairs = linker.inference.predict(threshold_match_probability=threshold,
                                         warning_mode="never").physical_name
        frames.append(con.execute(f"""
            SELECT CASE WHEN p.source_dataset_l LIKE 'staff%' THEN p.unique_id_l
                        ELSE p.unique_id_r END AS staff_id,
                   o.other_force, '{record_type}' AS record_type,
                   substr(o.unique_id, length(o.other_force) + 2) AS other_id,
                   round(p.match_probability, 6) AS match_probability, o.other_detail
            FROM {pairs} AS p
            JOIN __probity_other_records AS o
              ON o.unique_id = CASE WHEN p.source_dataset_l LIKE 'staff%' THEN p.unique_id_r
                                    ELSE p.unique_id_l END
            WHERE p.match_probability >= {threshold}
        """).df())
        con.execute("DROP TABLE IF EXISTS __probity_other_records")
    con.close()
    found = pd.concat(frames, ignore_index=True)
    return (found.sort_values(["staff_id", "match_probability", "other_force", "other_id"],
                              ascending=[True, False, True, True])
            .reset_index(drop=True)[CROSS_FORCE_COLUMNS])
