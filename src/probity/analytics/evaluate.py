"""`evaluate_scan`: measure a scan against a synthetic force's ground truth.

Figures (docs/quality.md, section "Scan"):

- recall@1%: share of true perpetrators ranked in the top 1% of staff (at least one place);
- average precision over the whole ranking;
- victim hit: share of found perpetrators (in the top 1%) whose first three
  persons_of_concern include one of their true victims;
- look-alikes in the top 1%: benign staff the generator built to resemble perpetrators.

Two baselines are scored on the same data and the same features: (a) the count of look-ups of
flagged victims with no operational link, (b) an Isolation Forest over the scan's per-staff
features.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from probity.errors import UsageError

__all__ = ["evaluate_scan", "ranking_metrics", "load_truth", "isolation_forest_scores"]


def load_truth(path: Path) -> dict[str, Any]:
    try:
        truth = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read truth file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UsageError(f"truth file {path} is not JSON: {exc}") from exc
    if not isinstance(truth, dict) or truth.get("format") != "probity-synth-truth":
        raise UsageError(f"{path}: format is not 'probity-synth-truth' (a `probity synth` "
                         f"OUT.truth.json is expected)")
    for i, perp in enumerate(truth.get("perpetrators", [])):
        if "staff_id" not in perp:
            raise UsageError(f"{path}: perpetrators[{i}] has no staff_id")
    return truth


def ranking_metrics(*, ranked: pd.DataFrame, truth: dict[str, Any],
                    with_persons: bool = True) -> dict[str, Any]:
    """Metrics of one ranking (columns rank, staff_id[, persons_of_concern])."""
    ranked = ranked.sort_values("rank").reset_index(drop=True)
    n = len(ranked)
    top_n = max(1, math.ceil(0.01 * n))
    victims = {str(p["staff_id"]): {str(v) for v in p.get("victims", [])}
               for p in truth.get("perpetrators", [])}
    lookalikes = {str(x["staff_id"]) for x in truth.get("lookalikes", [])}
    staff = ranked["staff_id"].astype(str)
    y = staff.isin(victims.keys()).to_numpy()
    top = set(staff.iloc[:top_n])
    found = [s for s in victims if s in top]
    # average precision over the full ranking (precision at each true positive's rank)
    hits = np.cumsum(y)
    positions = np.flatnonzero(y)
    ap = float(np.mean(hits[positions] / (positions + 1))) if len(victims) else float("nan")
    if len(positions) < len(victims):  # perpetrators missing from the ranking count as misses
        ap = ap * len(positions) / len(victims)
    victim_hit: float | None = None
    if with_persons and found:
        persons = dict(zip(staff, ranked["persons_of_concern"].fillna("").astype(str),
                           strict=True))
        ok = sum(1 for s in found
                 if victims[s] & set(p for p in persons[s].split(";")[:3] if p))
        victim_hit = ok / len(found)
    return {
        "staff": n, "top_n": top_n, "perpetrators": len(victims), "found": len(found),
        "recall_at_1pct": len(found) / len(victims) if victims else float("nan"),
        "average_precision": ap, "victim_hit": victim_hit,
        "lookalikes_in_top": len(top & lookalikes),
        "missed": sorted(set(victims) - top),
    }


def _rank_by(staff_ids: pd.Series, score: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame({"staff_id": staff_ids.astype(str).to_numpy(), "score": score})
    df = df.sort_values(["score", "staff_id"], ascending=[False, True], kind="mergesort")
    df["rank"] = range(1, len(df) + 1)
    return df


def isolation_forest_scores(features: pd.DataFrame, *, seed: int = 0) -> np.ndarray:
    """Anomaly scores (higher = more anomalous) of an Isolation Forest on per-staff features."""
    from sklearn.ensemble import IsolationForest

    x = np.log1p(features.drop(columns=["staff_id"]).astype(float).clip(lower=0).to_numpy())
    model = IsolationForest(n_estimators=300, random_state=seed)
    model.fit(x)
    return -model.score_samples(x)


def evaluate_scan(*, truth_path: Path, extract_path: Path | None = None,
                  ranked_path: Path | None = None, since: date | None = None,
                  as_of: date | None = None, baselines: bool = True,
                  params: Any = None) -> dict[str, Any]:
    """Score the scan (and the baselines, when scanning) against ground truth."""
    truth = load_truth(truth_path)
    methods: dict[str, dict[str, Any]] = {}
    if ranked_path is not None:
        try:
            ranked = pd.read_csv(ranked_path, dtype={"staff_id": str, "persons_of_concern": str})
        except OSError as exc:
            raise UsageError(f"cannot read {ranked_path}: {exc}") from exc
        missing = {"rank", "staff_id", "persons_of_concern"} - set(ranked.columns)
        if missing:
            raise UsageError(f"{ranked_path}: columns {sorted(missing)} are missing (expected a "
                             f"`probity scan` ranked.csv)")
        methods["scan"] = ranking_metrics(ranked=ranked, truth=truth)
        return {"data": str(ranked_path), "methods": methods}
    assert extract_path is not None
    from probity.analytics.scan import scan
    from probity.extract import open_extract

    with open_extract(extract_path) as extract:
        result = scan(extract, since=since, as_of=as_of, params=params)
    methods["scan"] = ranking_metrics(ranked=result.ranked, truth=truth)
    if baselines and result.features is not None:
        feats = result.features
        base_a = _rank_by(feats["staff_id"], feats["unlinked_flagged_views"].to_numpy())
        methods["baseline: unlinked views of flagged victims"] = ranking_metrics(
            ranked=base_a, truth=truth, with_persons=False)
        base_b = _rank_by(feats["staff_id"], isolation_forest_scores(feats))
        methods["baseline: Isolation Forest"] = ranking_metrics(
            ranked=base_b, truth=truth, with_persons=False)
    window = (f" from {since:%Y-%m-%d}" if since else "") + (
        f" to {as_of:%Y-%m-%d}" if as_of else "")
    return {"data": f"{extract_path}{window}", "methods": methods,
            "skipped": [s.__dict__ for s in result.skipped]}
