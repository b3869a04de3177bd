"""Probity's linkage model on the public FEBRL4 benchmark (two files of 5,000 people, 5,000
true matches; synthetic data made with the FEBRL generator, as shipped in the
`recordlinkage` package, copied to benchmarks/data/febrl/).

The model, training (unsupervised: labels are used only to score) and threshold are those of
`probity link`; this script only maps FEBRL's columns onto the person columns:

| FEBRL | Probity |
|---|---|
| given_name, surname | forename, surname |
| date_of_birth YYYYMMDD | date_of_birth (invalid dates -> missing) |
| street_number address_1 address_2 suburb state | address |
| postcode | postcode |
| soc_sec_id | phone (an exact-match identifier; only with --with-ssid) |

    .venv/bin/python benchmarks/bench_febrl.py [--n 5000] [--threshold 0.9] [--with-ssid]

Prints precision, recall and F1 of the pairs at p >= threshold against the true links, with
the exact-match baseline (same given name, surname and date of birth) and the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

DATA = Path(__file__).resolve().parent / "data" / "febrl"


def load_febrl4(n: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """dataset4a (originals) and dataset4b (one duplicate each), all columns as strings.
    With `n`, the first n originals and their duplicates (so n true matches)."""
    frames = []
    for name in ("dataset4a", "dataset4b"):
        frame = pd.read_csv(DATA / f"{name}.csv.gz", dtype=str, skipinitialspace=True,
                            keep_default_na=False, na_values=[""])
        frame.columns = [c.strip() for c in frame.columns]
        frame["entity"] = frame["rec_id"].str.extract(r"^rec-(\d+)-")[0].astype(int)
        frames.append(frame)
    a, b = frames
    if n is not None:
        a = a[a["entity"] < n]
        b = b[b["entity"] < n]
    return a.reset_index(drop=True), b.reset_index(drop=True)


def _iso_date(raw: Any) -> str | None:
    if not isinstance(raw, str) or len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
    except ValueError:
        return None


def to_person_frame(febrl: pd.DataFrame, *, with_ssid: bool) -> pd.DataFrame:
    """FEBRL columns -> the frame columns of `link_frames`."""
    parts = ["street_number", "address_1", "address_2", "suburb", "state"]
    address = febrl[parts].apply(
        lambda row: " ".join(str(v) for v in row if isinstance(v, str) and v.strip()) or None,
        axis=1)
    out = pd.DataFrame({
        "id": febrl["rec_id"],
        "forename": febrl["given_name"],
        "surname": febrl["surname"],
        "date_of_birth": febrl["date_of_birth"].map(_iso_date),
        "postcode": febrl["postcode"],
        "address": address,
    })
    if with_ssid:
        out["phone"] = febrl["soc_sec_id"].str.replace(r"\D", "", regex=True).replace("", None)
    return out


def score(pairs: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(pairs & truth)
    precision = tp / len(pairs) if pairs else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(pairs), "true_positives": tp, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4)}


def truth_pairs(a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    merged = a[["rec_id", "entity"]].merge(b[["rec_id", "entity"]], on="entity")
    return set(zip(merged["rec_id_x"], merged["rec_id_y"], strict=True))


def exact_baseline(a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    keys = ["given_name", "surname", "date_of_birth"]
    merged = a.dropna(subset=keys).merge(b.dropna(subset=keys), on=keys)
    return set(zip(merged["rec_id_x"], merged["rec_id_y"], strict=True))


def run(*, n: int | None, threshold: float, with_ssid: bool, seed: int = 42
        ) -> dict[str, Any]:
    from probity.analytics.internals.linkage.frames import link_frames

    a, b = load_febrl4(n)
    truth = truth_pairs(a, b)
    started = time.perf_counter()
    baseline = score(exact_baseline(a, b), truth)
    floor_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = link_frames(to_person_frame(a, with_ssid=with_ssid),
                         to_person_frame(b, with_ssid=with_ssid), threshold=threshold,
                         seed=seed)
    seconds = time.perf_counter() - started
    pairs = set(zip(result.pairs["left_id"], result.pairs["right_id"], strict=True))
    return {
        "dataset": "FEBRL4", "records": [len(a), len(b)], "true_matches": len(truth),
        "threshold": threshold, "with_ssid": with_ssid,
        "probity": score(pairs, truth),
        "exact_baseline": baseline | {"seconds": round(floor_seconds, 3)},
        "seconds": round(seconds, 2), "timings": result.timings,
        "ratio_to_exact_baseline_time": round(seconds / max(floor_seconds, 1e-6), 1),
        "em_sessions": [s["ok"] for s in result.training_report.get("em_sessions", [])],
        "guard": result.training_report.get("guard", []),
        "probability_two_random_records_match": result.training_report.get(
            "probability_two_random_records_match"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="first n entities (default all)")
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--with-ssid", action="store_true",
                        help="also compare soc_sec_id (exact) in the phone slot")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(json.dumps(run(n=args.n, threshold=args.threshold, with_ssid=args.with_ssid,
                         seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
