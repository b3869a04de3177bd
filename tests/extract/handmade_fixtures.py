"""Hand-built Force Extracts (CSV files + manifest.json in tmp dirs): fixtures shared by the
vetting and app-review tests, whose conftest.py files import them."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from probity.extract.schema import REQUIRED_TABLES, TABLES

MakeExtract = Callable[..., Path]


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    # open_extract caches validation reports in the data dir: keep tests away from the user's.
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path_factory.mktemp("probity-data")))


def write_extract(path: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]], *,
                  period_start: str = "2024-01-01", period_end: str = "2024-12-31",
                  force_code: str = "TST") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    names = set(REQUIRED_TABLES) | set(tables)
    for name in sorted(names):
        rows = list(tables.get(name, ()))
        columns = [c for c in TABLES[name].column_names
                   if any(c in r for r in rows)] or TABLES[name].required_columns
        with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    manifest = {"format": "force-extract", "version": 1, "force_code": force_code,
                "force_name": "Test Constabulary", "period_start": period_start,
                "period_end": period_end, "extracted_at": "2025-01-02T03:00:00Z"}
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return path


@pytest.fixture
def make_extract(tmp_path: Path) -> MakeExtract:
    counter = iter(range(1000))

    def make(tables: Mapping[str, Sequence[Mapping[str, Any]]], **kwargs: Any) -> Path:
        return write_extract(tmp_path / f"extract{next(counter)}", tables, **kwargs)

    return make
