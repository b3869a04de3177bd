"""Link two person tables given as data frames with the same model and training as `link`.

`probity link` works on a force extract; this runs the identical pipeline (record preparation
in `prepare.py`, comparisons, blocking, unsupervised training and the plausibility guard in
`model.py`) on any two tables of people, so the model can be measured on public benchmarks
(benchmarks/bench_febrl.py). No labels are used.

Input frames: one row per record, column `id` (unique) and any of

| column | meaning |
|---|---|
| forename, surname | as written |
| date_of_birth | ISO date (YYYY-MM-DD) or date; anything else is treated as missing |
| gender | female/male/other |
| postcode, address | as written (address: house number first if known) |
| phone, phone2 | already normalised phone numbers (compared as exact strings) |
| email | as written |

The left frame takes the staff side of the model, the right frame the nominal side.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from probity.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRAME_COLUMNS", "FrameLinkResult", "link_frames", "train_model"]

FRAME_COLUMNS = ("forename", "surname", "date_of_birth", "gender", "postcode", "address",
                 "phone", "phone2", "email")

# frame column -> (staff column, nominal column) of the force extract
_STAFF = {"id": "staff_id", "forename": "forename", "surname": "surname",
          "date_of_birth": "date_of_birth", "gender": "gender", "postcode": "home_postcode",
          "address": "home_address", "phone": "personal_phone_e164",
          "phone2": "work_phone_e164", "email": "email"}
_NOMINAL = {"id": "nominal_id", "forename": "forename", "surname": "surname",
            "date_of_birth": "date_of_birth", "gender": "gender", "postcode": "postcode",
            "address": "address", "phone": "phone_e164", "email": "email"}


@dataclass(frozen=True)
class FrameLinkResult:
    """Scored pairs (left_id, right_id, match_probability) at or above the threshold."""

    pairs: pd.DataFrame
    training_report: dict[str, Any] = field(default_factory=dict)
    model: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class _FrameExtract:
    """The two members of an extract that `prepare_records` uses: `.con`, `.has_column`."""

    def __init__(self, con: Any, columns: dict[str, set[str]]) -> None:
        self.con = con
        self._columns = columns

    def has_column(self, table: str, column: str) -> bool:
        # the reader gives `<phone>_e164`; prepare asks for the raw name
        cols = self._columns.get(table, set())
        return column in cols or f"{column}_e164" in cols


def _check(frame: pd.DataFrame, name: str) -> None:
    if "id" not in frame.columns:
        raise UsageError(f"{name} frame: no 'id' column (expected one unique id per record)")
    ids = frame["id"].astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise UsageError(f"{name} frame: id {dup!r} appears more than once; ids must be unique")
    unknown = set(frame.columns) - {"id", *FRAME_COLUMNS}
    if unknown:
        raise UsageError(f"{name} frame: unknown columns {sorted(unknown)}; expected id and "
                         f"any of {list(FRAME_COLUMNS)}")
    if frame.empty:
        raise UsageError(f"{name} frame is empty; cannot train a link model")


def _register(con: Any, frame: pd.DataFrame, table: str, mapping: dict[str, str]) -> set[str]:
    import pandas as pd

    out = pd.DataFrame({"__row": range(len(frame))})
    for src, dst in mapping.items():
        if src in frame.columns:
            out[dst] = frame[src].astype("string").where(frame[src].notna(), None).to_numpy(
                dtype=object)
    if table == "staff":
        out["start_date"] = None  # prepare reads it (only used by `link --since`)
    out = out.drop(columns="__row")
    con.register(f"__frame_{table}", out)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM __frame_{table}")
    con.unregister(f"__frame_{table}")
    return set(out.columns)


def train_model(con: Any, left_table: str, right_table: str, *, seed: int = 42
                ) -> tuple[Any, dict[str, Any]]:
    """Train exactly as `probity link` does (no labels): returns the guarded linker and the
    training report."""
    from splink import DuckDBAPI

    from probity.analytics.internals.linkage import model as link_model

    n_left = con.execute(f"SELECT count(*) FROM {left_table}").fetchall()[0][0]
    n_right = con.execute(f"SELECT count(*) FROM {right_table}").fetchall()[0][0]
    linker = link_model.make_linker(DuckDBAPI(connection=con), left_table, right_table)

    def rebuild(model: dict[str, Any]) -> Any:
        return link_model.make_linker(DuckDBAPI(connection=con), left_table, right_table,
                                      model=model)

    linker, report = link_model.train_linker(linker, rebuild=rebuild, seed=seed)
    expected = report["probability_two_random_records_match"] * n_left * n_right
    report["expected_matches"] = round(expected, 1)
    trained, notes = link_model.plausible_model(
        linker.misc.save_model_to_json(out_path=None), expected_matches=expected)
    report["guard"] = notes
    trained["probability_two_random_records_match"] = report[
        "probability_two_random_records_match"]
    return rebuild(trained), report


def link_frames(left: pd.DataFrame, right: pd.DataFrame, *, threshold: float = 0.5,
                seed: int = 42) -> FrameLinkResult:
    """Train the link model on `left` x `right` (unsupervised) and return the pairs with
    match probability >= `threshold`."""
    import duckdb
    import pandas as pd

    from probity.analytics.internals.linkage.prepare import prepare_records

    if not 0.0 < threshold <= 1.0:
        raise UsageError(f"threshold must be in (0, 1], got {threshold}")
    _check(left, "left")
    _check(right, "right")
    if "phone2" in right.columns:
        raise UsageError("right frame: 'phone2' is only for the left side (the model compares "
                         "the left record's phones with the right record's one phone)")
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    con = duckdb.connect()
    try:
        columns = {"staff": _register(con, left, "staff", _STAFF),
                   "nominals": _register(con, right, "nominals", _NOMINAL)}
        left_table, right_table = prepare_records(_FrameExtract(con, columns))
        timings["prepare"] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        linker, report = train_model(con, left_table, right_table, seed=seed)
        timings["train"] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        predictions = linker.inference.predict(threshold_match_probability=threshold,
                                               warning_mode="never")
        pairs = con.execute(f"""
            SELECT CASE WHEN source_dataset_l LIKE 'staff%' THEN unique_id_l ELSE unique_id_r
                   END AS left_id,
                   CASE WHEN source_dataset_l LIKE 'staff%' THEN unique_id_r ELSE unique_id_l
                   END AS right_id,
                   max(match_probability) AS match_probability
            FROM {predictions.physical_name} WHERE match_probability >= {threshold}
            GROUP BY 1, 2 ORDER BY 1, 2
        """).df()
        timings["predict"] = round(time.perf_counter() - clock, 2)
        model = linker.misc.save_model_to_json(out_path=None)
    finally:
        con.close()
    return FrameLinkResult(pairs=pd.DataFrame(pairs, columns=["left_id", "right_id",
                                                              "match_probability"]),
                           training_report=report, model=model, timings=timings)
