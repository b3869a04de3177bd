"""Link staff to the force's own person (nominal) records, and say what each link means.

Public API:

    from probity.extract import open_extract
    from probity.analytics.link import link, write_links, write_findings

    result = link(open_extract("force/"))          # trains or reuses the saved model
    write_links(result, "links.csv")               # the output contract
    write_findings(result, "findings.csv")         # ranked findings

Probabilistic linkage with Splink (DuckDB backend); see docs/linkage.md for the model, how it
is trained from the force's own data, and how it is kept between runs.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from probity.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LINK_COLUMNS",
    "LinkResult",
    "link",
    "default_model_path",
    "write_links",
    "write_findings",
]

LINK_COLUMNS = ["staff_id", "nominal_id", "match_probability", "incident_roles"]
OUTPUT_THRESHOLD = 0.5

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkResult:
    """Links (the output contract) and findings of one run."""

    links: pd.DataFrame
    findings: pd.DataFrame
    model_path: Path | None
    trained: bool
    training_report: dict[str, Any] = field(default_factory=dict)
    screened: str = "all staff against all nominal records"
    timings: dict[str, float] = field(default_factory=dict)

    def persons_of_concern(self, staff_id: str) -> list[str]:
        """Nominal ids in this staff member's findings, most serious first."""
        rows = self.findings[self.findings["staff_id"] == staff_id]
        return list(dict.fromkeys(rows["nominal_id"].tolist()))


def _force_code(extract: Any) -> str:
    manifest = getattr(extract, "manifest", None)
    code = None
    if isinstance(manifest, dict):
        code = manifest.get("force_code")
    elif manifest is not None:
        code = getattr(manifest, "force_code", None)
    code = str(code or "UNKNOWN")
    return "".join(ch for ch in code if ch.isalnum() or ch in "-_") or "UNKNOWN"


def default_model_path(extract: Any) -> Path:
    """data_dir()/models/<force_code>/link-model.json"""
    from probity.paths import data_dir

    return data_dir() / "models" / _force_code(extract) / "link-model.json"


def _has(extract: Any, table: str) -> bool:
    return bool(extract.has(table))


def link(
    extract: Any,
    *,
    model_path: Path | None = None,
    retrain: bool = False,
    since: dt.date | None = None,
    threshold: float = OUTPUT_THRESHOLD,
    save: bool = True,
    seed: int = 42,
) -> LinkResult:
    """Link every staff member to the nominal records that are probably the same person.

    - `model_path`: the trained model to use or create (default
      `default_model_path(extract)`). An existing model of the current version is reused
      unless `retrain`; otherwise the model is trained on this extract and saved there
      (unless `save` is False).
    - `since`: screen only staff who started on or after this date against every nominal
      record, and nominal records first seen (first incident) on or after it against all
      staff, with the saved model (trained first when there is none).
    - `threshold`: the lowest match probability kept (the contract says 0.5).
    """
    import pandas as pd
    from splink import DuckDBAPI

    from probity.analytics.internals.linkage import model as link_model
    from probity.analytics.internals.linkage.findings import findings_sql
    from probity.analytics.internals.linkage.prepare import prepare_records

    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"threshold must be in (0, 1], got {threshold}")
    for table in ("staff", "nominals", "incident_nominals", "incidents"):
        if not _has(extract, table):
            raise UsageError(f"the extract has no {table} table; link needs it")

    con = extract.con
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 2)
        clock = now

    staff_table, nominal_table = prepare_records(extract, with_first_seen=since is not None)
    lap("prepare")
    n_staff = con.execute(f"SELECT count(*) FROM {staff_table}").fetchall()[0][0]
    n_nominals = con.execute(f"SELECT count(*) FROM {nominal_table}").fetchall()[0][0]

    path = Path(model_path) if model_path is not None else default_model_path(extract)
    db_api = DuckDBAPI(connection=con)
    trained = False
    report: dict[str, Any] = {}
    if not retrain and link_model.model_is_current(path):
        import json

        saved = json.loads(path.read_text(encoding="utf-8"))
        linker = link_model.make_linker(db_api, staff_table, nominal_table, model=saved)
    else:
        if n_staff == 0 or n_nominals == 0:
            raise UsageError("cannot train a link model: the staff or nominals table is empty")
        linker = link_model.make_linker(db_api, staff_table, nominal_table)

        def rebuild(model: dict[str, Any]) -> Any:
            return link_model.make_linker(DuckDBAPI(connection=con), staff_table,
                                          nominal_table, model=model)

        linker, report = link_model.train_linker(linker, rebuild=rebuild, seed=seed)
        expected = report["probability_two_random_records_match"] * n_staff * n_nominals
        report["expected_matches"] = round(expected, 1)
        trained_model, notes = link_model.plausible_model(
            linker.misc.save_model_to_json(out_path=None), expected_matches=expected)
        report["guard"] = notes
        # the deterministic-rule estimate, whatever an EM session did to it
        trained_model["probability_two_random_records_match"] = report[
            "probability_two_random_records_match"]
        linker = link_model.make_linker(DuckDBAPI(connection=con), staff_table, nominal_table,
                                        model=trained_model)
        trained = True
        if save:
            link_model.save_model(linker, path, meta={
                "force_code": _force_code(extract),
                "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "staff": int(n_staff), "nominals": int(n_nominals), "report": report,
            })

    lap("train" if trained else "load_model")
    if since is None:
        predictions = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never")
        pairs_sql = predictions.physical_name
        screened = "all staff against all nominal records"
        pair_tables = [pairs_sql]
    else:
        pair_tables, screened = _predict_since(
            linker, db_api, con, staff_table, nominal_table, since=since, threshold=threshold)

    lap("predict")
    union = " UNION ALL ".join(
        f"SELECT CASE WHEN source_dataset_l LIKE 'staff%' THEN unique_id_l ELSE unique_id_r END"
        f" AS staff_id, CASE WHEN source_dataset_l LIKE 'staff%' THEN unique_id_r"
        f" ELSE unique_id_l END AS nominal_id, match_probability FROM {t}"
        for t in pair_tables
    ) if pair_tables else (
        "SELECT CAST(NULL AS VARCHAR) AS staff_id, CAST(NULL AS VARCHAR) AS nominal_id, "
        "CAST(NULL AS DOUBLE) AS match_probability WHERE FALSE")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __probity_links AS
        SELECT staff_id, nominal_id, max(match_probability) AS match_probability
        FROM ({union}) WHERE match_probability >= {threshold}
        GROUP BY staff_id, nominal_id
    """)
    links = con.execute("""
        SELECT l.staff_id, l.nominal_id, round(l.match_probability, 6) AS match_probability,
               coalesce(r.roles, '') AS incident_roles
        FROM __probity_links AS l
        LEFT JOIN (SELECT CAST(i_n.nominal_id AS VARCHAR) AS nominal_id,
                          string_agg(DISTINCT CAST(i_n.role AS VARCHAR), ';'
                                     ORDER BY CAST(i_n.role AS VARCHAR)) AS roles
                   FROM incident_nominals AS i_n
                   WHERE i_n.nominal_id IN (SELECT nominal_id FROM __probity_links)
                   GROUP BY i_n.nominal_id) AS r
          ON r.nominal_id = l.nominal_id
        ORDER BY l.staff_id, l.match_probability DESC, l.nominal_id
    """).df()
    findings = con.execute(findings_sql(
        links_table="__probity_links",
        has_declarations=_has(extract, "declarations"),
        has_flags=_has(extract, "nominal_flags"),
        staff_records=staff_table, nominal_records=nominal_table,
    )).df()
    lap("findings")
    if since is not None:
        findings = _restrict_findings_since(con, findings, staff_table, nominal_table, since)
    links = pd.DataFrame(links, columns=LINK_COLUMNS)
    return LinkResult(links=links, findings=findings, model_path=path if (save or not trained)
                      else None, trained=trained, training_report=report, screened=screened,
                      timings=timings)


def _predict_since(linker: Any, db_api: Any, con: Any, staff_table: str, nominal_table: str,
                   *, since: dt.date, threshold: float) -> tuple[list[str], str]:
    """Score only new staff x all records and old staff x new records."""
    day = since.isoformat()
    con.execute(f"CREATE OR REPLACE TEMP TABLE __probity_staff_new AS SELECT * FROM "
                f"{staff_table} WHERE first_seen >= DATE '{day}'")
    con.execute(f"CREATE OR REPLACE TEMP TABLE __probity_staff_old AS SELECT * FROM "
                f"{staff_table} WHERE first_seen < DATE '{day}' OR first_seen IS NULL")
    con.execute(f"CREATE OR REPLACE TEMP TABLE __probity_nominals_new AS SELECT * FROM "
                f"{nominal_table} WHERE first_seen >= DATE '{day}'")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
              for t in ("__probity_staff_new", "__probity_staff_old", "__probity_nominals_new")}
    for column in ("forename1", "surname"):
        linker.table_management.compute_tf_table(column)
    tables: list[str] = []
    suffix = since.strftime("%Y%m%d")
    jobs = [("__probity_staff_new", nominal_table, f"staff_new_{suffix}", "nominals_all"),
            ("__probity_staff_old", "__probity_nominals_new", f"staff_old_{suffix}",
             f"nominals_new_{suffix}")]
    for left_table, right_table, left_name, right_name in jobs:
        if counts.get(left_table, 1) == 0 or counts.get(right_table, 1) == 0:
            continue
        left = db_api.register(left_table, dataset_display_name=left_name)
        right = db_api.register(right_table, dataset_display_name=right_name)
        predictions = linker.inference.predict_between(
            left, right, threshold_match_probability=threshold, warning_mode="never")
        tables.append(predictions.physical_name)
    screened = (f"since {day}: {counts['__probity_staff_new']} new staff against all nominal "
                f"records, and {counts['__probity_nominals_new']} new nominal records against "
                f"{counts['__probity_staff_old']} other staff")
    return tables, screened


def _restrict_findings_since(con: Any, findings: pd.DataFrame, staff_table: str,
                             nominal_table: str, since: dt.date) -> pd.DataFrame:
    new_staff = {r[0] for r in con.execute(
        f"SELECT unique_id FROM {staff_table} WHERE first_seen >= ?", [since]).fetchall()}
    new_nominals = {r[0] for r in con.execute(
        f"SELECT unique_id FROM {nominal_table} WHERE first_seen >= ?", [since]).fetchall()}
    keep = findings["staff_id"].isin(new_staff) | findings["nominal_id"].isin(new_nominals)
    out = findings[keep].copy()
    out["rank"] = range(1, len(out) + 1)
    return out.reset_index(drop=True)


def _atomic_csv(frame: pd.DataFrame, path: Path | str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_csv(tmp, index=False, lineterminator="\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_links(result: LinkResult, path: Path | str) -> None:
    """links.csv exactly as the contract says (written whole or not at all)."""
    _atomic_csv(result.links[LINK_COLUMNS], path)


def write_findings(result: LinkResult, path: Path | str) -> None:
    """findings.csv, ranked by seriousness (written whole or not at all)."""
    from probity.analytics.internals.linkage.findings import FINDING_COLUMNS

    _atomic_csv(result.findings[FINDING_COLUMNS], path)
