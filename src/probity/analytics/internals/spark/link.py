"""`probity link --engine spark`: the same linkage, on Splink's Spark backend.

The records are prepared by the same SQL as on DuckDB (`linkage.prepare`, run through the
`SparkExecutor`), the model is the same Splink settings (`linkage.model`), trained the same
way or loaded from the same saved JSON, and the links and findings come from the same SQL
(`linkage.findings`). Only Splink's database backend differs: `SparkAPI` instead of
`DuckDBAPI`. A model trained on DuckDB gives the same links on Spark (tests/analytics/
test_spark_parity.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from probity.errors import UsageError

__all__ = ["link_spark", "model_to_spark", "model_to_duckdb"]


def model_to_spark(model: dict[str, Any], *, array_columns: frozenset[str] = frozenset()
                   ) -> dict[str, Any]:
    """The Splink settings/model with each comparison level's SQL (written for DuckDB)
    translated to Spark SQL; everything else (m, u, labels, rules) unchanged.
    `array_columns`: the record tables' list columns (`phones`, ...)."""
    arrays = frozenset(f"{c}{side}" for c in array_columns for side in ("_l", "_r"))
    from probity.analytics.internals.spark.dialect import to_spark_expression

    out = copy.deepcopy(model)
    out["sql_dialect"] = "spark"
    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            condition = level.get("sql_condition")
            if condition and condition.strip().upper() != "ELSE":
                level["sql_condition"] = to_spark_expression(condition, arrays)
    return out


def model_to_duckdb(trained: dict[str, Any]) -> dict[str, Any]:
    """A model trained on Spark, saved with the DuckDB SQL of `settings_dict()` (the same
    levels in the same order), so one saved model serves both engines."""
    from probity.analytics.internals.linkage.model import settings_dict

    out = copy.deepcopy(trained)
    out["sql_dialect"] = "duckdb"
    original = settings_dict()["comparisons"]
    for comparison, source in zip(out.get("comparisons", []), original, strict=True):
        for level, source_level in zip(comparison.get("comparison_levels", []),
                                       source["comparison_levels"], strict=True):
            level["sql_condition"] = source_level["sql_condition"]
    return out


def link_spark(extract: Any, *, model_path: Path | None = None, retrain: bool = False,
               threshold: float = 0.5, save: bool = True, seed: int = 42) -> Any:
    """Link staff to person records on Spark; returns `probity.analytics.link.LinkResult`.

    `extract` is a `SparkExtract` (`reader.open_spark_extract`)."""
    import pandas as pd
    from splink import SparkAPI

    from probity.analytics.internals.linkage import model as link_model
    from probity.analytics.internals.linkage.findings import findings_sql
    from probity.analytics.internals.linkage.prepare import prepare_records
    from probity.analytics.link import LINK_COLUMNS, LinkResult, _force_code, default_model_path

    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"threshold must be in (0, 1], got {threshold}")
    for table in ("staff", "nominals", "incident_nominals", "incidents"):
        if not extract.has(table):
            raise UsageError(f"the extract has no {table} table; link needs it")
    extract.activate()
    con = extract.con
    spark = extract.spark
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 2)
        clock = now

    staff_table, nominal_table = prepare_records(extract)
    lap("prepare")
    n_staff = spark.table(staff_table).count()
    n_nominals = spark.table(nominal_table).count()

    def api() -> Any:
        return SparkAPI(spark_session=spark, register_udfs_automatically=True,
                        break_lineage_method="persist")

    from pyspark.sql.types import ArrayType

    arrays = frozenset(f.name for f in spark.table(staff_table).schema.fields
                       if isinstance(f.dataType, ArrayType))

    def make(model: dict[str, Any] | None = None) -> Any:
        return link_model.make_linker(
            api(), staff_table, nominal_table,
            model=model_to_spark(model or link_model.settings_dict(), array_columns=arrays))

    path = Path(model_path) if model_path is not None else default_model_path(extract)
    trained = False
    report: dict[str, Any] = {}
    if not retrain and link_model.model_is_current(path):
        linker = make(json.loads(path.read_text(encoding="utf-8")))
    else:
        if n_staff == 0 or n_nominals == 0:
            raise UsageError("cannot train a link model: the staff or nominals table is empty")
        linker, report = link_model.train_linker(
            make(), rebuild=lambda model: make(model_to_duckdb(model)), seed=seed)
        expected = report["probability_two_random_records_match"] * n_staff * n_nominals
        report["expected_matches"] = round(expected, 1)
        trained_model, notes = link_model.plausible_model(
            model_to_duckdb(linker.misc.save_model_to_json(out_path=None)),
            expected_matches=expected)
        report["guard"] = notes
        trained_model["probability_two_random_records_match"] = report[
            "probability_two_random_records_match"]
        linker = make(trained_model)
        trained = True
        if save:
            _save_duckdb_form(linker, path, meta={
                "force_code": _force_code(extract), "engine": "spark",
                "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "staff": int(n_staff), "nominals": int(n_nominals), "report": report,
            })
    lap("train" if trained else "load_model")
    predictions = linker.inference.predict(threshold_match_probability=threshold,
                                           warning_mode="never")
    pairs = predictions.physical_name
    lap("predict")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __probity_links AS
        SELECT staff_id, nominal_id, max(match_probability) AS match_probability
        FROM (SELECT CASE WHEN source_dataset_l LIKE 'staff%' THEN unique_id_l
                          ELSE unique_id_r END AS staff_id,
                     CASE WHEN source_dataset_l LIKE 'staff%' THEN unique_id_r
                          ELSE unique_id_l END AS nominal_id, match_probability
              FROM {pairs})
        WHERE match_probability >= {threshold}
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
        links_table="__probity_links", has_declarations=extract.has("declarations"),
        has_flags=extract.has("nominal_flags"), staff_records=staff_table,
        nominal_records=nominal_table)).df()
    lap("findings")
    return LinkResult(links=pd.DataFrame(links, columns=LINK_COLUMNS), findings=findings,
                      model_path=path if (save or not trained) else None, trained=trained,
                      training_report=report, screened="all staff against all nominal records",
                      timings=timings)


def _save_duckdb_form(linker: Any, path: Path, *, meta: dict[str, Any]) -> None:
    from probity.analytics.internals.linkage import model as link_model

    class _Saved:
        class misc:  # noqa: N801 - mimics Splink's linker.misc
            @staticmethod
            def save_model_to_json(out_path: Any = None) -> dict[str, Any]:
                return model_to_duckdb(linker.misc.save_model_to_json(out_path=None))

    link_model.save_model(_Saved(), path, meta=meta)
