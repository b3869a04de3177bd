"""Linkage quality against a synthetic force's ground truth (`probity evaluate link`).

Pairs are (staff_id, nominal_id). A pair is predicted when its match probability is at least
the threshold (0.9 by default). The truth is `staff_nominal_links` of OUT.truth.json; its
`namesakes` (same name, another person) are counted separately: every predicted namesake pair
is a false link. The baseline is exact matching on forename, surname and date of birth
(lower case, trimmed), computed on the same extract in the same run.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from probity.errors import UsageError

__all__ = ["PairScores", "LinkEvaluation", "load_truth", "score_pairs", "exact_match_pairs",
           "read_links_csv", "evaluate_link"]


@dataclass(frozen=True)
class PairScores:
    method: str
    predicted: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    namesake_false_links: int


@dataclass(frozen=True)
class LinkEvaluation:
    extract: str
    truth: str
    threshold: float
    true_pairs: int
    namesake_pairs: int
    probabilistic: PairScores
    exact: PairScores
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_truth(path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(true pairs, namesake pairs) from a probity-synth-truth file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the ground truth file: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != "probity-synth-truth":
        raise UsageError(f"{path}: not a probity-synth-truth file (format field); "
                         "give the OUT.truth.json that `probity synth OUT` wrote")
    try:
        links = {(str(x["staff_id"]), str(x["nominal_id"]))
                 for x in data.get("staff_nominal_links", [])}
        namesakes = {(str(x["staff_id"]), str(x["nominal_id"]))
                     for x in data.get("namesakes", [])}
    except (KeyError, TypeError) as exc:
        raise UsageError(f"{path}: staff_nominal_links/namesakes entries need staff_id and "
                         f"nominal_id ({exc})") from exc
    return links, namesakes


def score_pairs(method: str, predicted: set[tuple[str, str]], truth: set[tuple[str, str]],
                namesakes: set[tuple[str, str]]) -> PairScores:
    tp = len(predicted & truth)
    fp = len(predicted - truth)
    fn = len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(method=method, predicted=len(predicted), true_positives=tp,
                      false_positives=fp, false_negatives=fn, precision=round(precision, 4),
                      recall=round(recall, 4), f1=round(f1, 4),
                      namesake_false_links=len(predicted & namesakes))


def exact_match_pairs(con: Any) -> set[tuple[str, str]]:
    """Exact forename + surname + date of birth matching, the usual deterministic baseline."""
    rows = con.execute("""
        SELECT DISTINCT s.staff_id, n.nominal_id
        FROM staff AS s JOIN nominals AS n
          ON lower(trim(s.forename)) = lower(trim(n.forename))
         AND lower(trim(s.surname)) = lower(trim(n.surname))
         AND s.date_of_birth = n.date_of_birth
    """).fetchall()
    return {(str(a), str(b)) for a, b in rows}


def read_links_csv(path: Path, threshold: float) -> set[tuple[str, str]]:
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"staff_id", "nominal_id", "match_probability"} - set(
                reader.fieldnames or [])
            if missing:
                raise UsageError(f"{path}: missing column(s) {sorted(missing)}; expected the "
                                 "links.csv that `probity link` writes")
            pairs = set()
            for line, row in enumerate(reader, start=2):
                try:
                    p = float(row["match_probability"])
                except ValueError as exc:
                    raise UsageError(f"{path}, row {line}, match_probability: "
                                     f"{row['match_probability']!r} is not a number") from exc
                if p >= threshold:
                    pairs.add((row["staff_id"], row["nominal_id"]))
            return pairs
    except OSError as exc:
        raise UsageError(f"{path}: cannot read links: {exc}") from exc


def evaluate_link(*, extract_dir: Path, truth_path: Path, links_path: Path | None = None,
                  threshold: float = 0.9, model_path: Path | None = None) -> LinkEvaluation:
    """Score `probity link` (run now with a model trained on this extract, unless `links_path`
    gives an earlier run's links.csv) and exact matching against the ground truth."""
    import tempfile
    import time

    from probity.analytics.link import link
    from probity.extract import open_extract

    truth, namesakes = load_truth(truth_path)
    started = time.perf_counter()
    with open_extract(extract_dir) as extract:
        exact = exact_match_pairs(extract.con)
        if links_path is not None:
            predicted = read_links_csv(links_path, threshold)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                result = link(extract, model_path=model_path or Path(tmp) / "model.json",
                              retrain=model_path is None, save=model_path is None)
            frame = result.links
            predicted = {(str(s), str(n)) for s, n, p in zip(
                frame["staff_id"], frame["nominal_id"], frame["match_probability"], strict=True)
                if p >= threshold}
    return LinkEvaluation(
        extract=str(extract_dir), truth=str(truth_path), threshold=threshold,
        true_pairs=len(truth), namesake_pairs=len(namesakes),
        probabilistic=score_pairs("probity link (Splink)", predicted, truth, namesakes),
        exact=score_pairs("exact name + date of birth", exact, truth, namesakes),
        seconds=round(time.perf_counter() - started, 2),
    )
