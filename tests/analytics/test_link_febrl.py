"""Probity's link model on the public FEBRL4 benchmark (first 1,000 people of each file).

Measured on this subset (benchmarks/bench_febrl.py --n 1000): precision 1.0, recall 0.909,
F1 0.952 at p >= 0.9 (docs/quality.md, "Link on a public benchmark"). The thresholds below
leave a margin for platform differences; a regression in preparation, comparisons, blocking
or training shows as a drop well past it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from probity.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    path = ROOT / "benchmarks" / "bench_febrl.py"
    spec = importlib.util.spec_from_file_location("probity_bench_febrl", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_febrl4_subset_f1_at_p09() -> None:
    bench = _bench()
    result = bench.run(n=1000, threshold=0.9, with_ssid=False)
    assert result["true_matches"] == 1000
    probity = result["probity"]
    assert probity["precision"] >= 0.98, result
    assert probity["recall"] >= 0.87, result
    assert probity["f1"] >= 0.93, result
    # far better than exact name + date of birth matching (recall 0.41 here)
    assert probity["recall"] >= result["exact_baseline"]["recall"] + 0.3, result


def test_febrl_adapter_maps_columns() -> None:
    bench = _bench()
    febrl = pd.DataFrame({
        "rec_id": ["rec-1-org"], "given_name": ["mary"], "surname": ["o'brien"],
        "street_number": ["12"], "address_1": ["smith street"], "address_2": [None],
        "suburb": ["dapto"], "postcode": ["2530"], "state": ["nsw"],
        "date_of_birth": ["19560231"], "soc_sec_id": ["123 456"],
    })
    frame = bench.to_person_frame(febrl, with_ssid=True)
    row = frame.iloc[0]
    assert row["address"] == "12 smith street dapto nsw"
    assert row["date_of_birth"] is None  # 31 February is not a date
    assert row["phone"] == "123456"
    assert bench._iso_date("19560229") == "1956-02-29"


def test_link_frames_rejects_duplicate_ids() -> None:
    from probity.analytics.internals.linkage.frames import link_frames

    left = pd.DataFrame({"id": ["a", "a"], "forename": ["x", "y"]})
    right = pd.DataFrame({"id": ["b"], "forename": ["x"]})
    with pytest.raises(UsageError, match="left frame: id 'a' appears more than once"):
        link_frames(left, right)
