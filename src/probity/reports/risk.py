"""A MoRiLE-style risk matrix per threat, with configurable scales.

MoRiLE (Management of Risk in Law Enforcement) scores each threat for harm, likelihood and the
organisation's position (its capacity and capability to respond). The public material does not
give the exact scales or weights (reference/domain-facts.md, section 6), so every scale, default
score, the volume-to-likelihood bands and the priority bands are configuration: a JSON file
passed with `--risk-config` overrides any part of `DEFAULT_RISK_CONFIG`.

Score = harm x likelihood x organisational position. Likelihood is proposed from the year's
report volume unless the configuration sets it for a threat; the matrix only orders the
analyst's attention, it decides nothing about anyone.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from probity.errors import UsageError
from probity.reports.figures import NoData, RiskMatrixFigures, RiskRow, VolumeFigures
from probity.reports.taxonomy import APSP_LABEL, CATEGORY_LABELS, NATIONAL_CATEGORIES

__all__ = ["DEFAULT_RISK_CONFIG", "THREATS", "load_risk_config", "risk_matrix"]

THREATS: tuple[str, ...] = ("apsp", *NATIONAL_CATEGORIES)

DEFAULT_RISK_CONFIG: dict[str, Any] = {
    "harm_scale": ["Negligible", "Minor", "Moderate", "Major", "Critical"],
    "likelihood_scale": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
    "position_scale": ["Well placed", "Partly placed", "Poorly placed"],
    # reports in the year at or above the number -> likelihood (1-based), highest first
    "likelihood_from_volume": [[11, 5], [6, 4], [3, 3], [1, 2], [0, 1]],
    # minimum score -> priority, highest first
    "priority_bands": [[45, "High"], [20, "Medium"], [0, "Low"]],
    "harm": {
        "apsp": 5, "infiltration": 5, "sexual_misconduct": 5, "perverting_the_course_of_justice": 4,
        "disclosure_of_information": 4, "assisting_an_offender": 4, "controlled_drugs": 4,
        "vulnerability": 3, "inappropriate_association": 3, "abuse_of_authority": 3,
        "misusing_force_systems": 3, "theft_and_fraud": 3, "other": 2,
    },
    "position": {"default": 2},
    "likelihood": {},
}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def load_risk_config(path: Path | None) -> dict[str, Any]:
    """The default configuration, overridden by the JSON file at `path`; checked in full."""
    if path is None:
        return copy.deepcopy(DEFAULT_RISK_CONFIG)
    try:
        override = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: risk configuration file not found") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(override, dict):
        raise UsageError(f"{path}: expected a JSON object of settings")
    config = _merge(DEFAULT_RISK_CONFIG, override)
    errors = _check(config)
    if errors:
        raise UsageError(f"{path}: invalid risk configuration:\n  " + "\n  ".join(errors))
    return config


def _check(config: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    unknown = set(config) - set(DEFAULT_RISK_CONFIG)
    errors += [f"unknown setting '{k}' (expected one of {sorted(DEFAULT_RISK_CONFIG)})"
               for k in sorted(unknown)]
    sizes = {}
    for scale in ("harm_scale", "likelihood_scale", "position_scale"):
        value = config[scale]
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            errors.append(f"{scale}: expected a non-empty list of labels, got {value!r}")
            sizes[scale] = 0
        else:
            sizes[scale] = len(value)
    for field, scale in (("harm", "harm_scale"), ("position", "position_scale"),
                         ("likelihood", "likelihood_scale")):
        for threat, score in config[field].items():
            if threat not in THREATS and threat != "default":
                errors.append(f"{field}.{threat}: unknown threat (expected one of {list(THREATS)})")
            elif not (isinstance(score, int) and 1 <= score <= sizes[scale]):
                errors.append(f"{field}.{threat}: {score!r} is not a score from 1 to {sizes[scale]}")
    for i, pair in enumerate(config["likelihood_from_volume"]):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, int) for v in pair)
                and 1 <= pair[1] <= sizes["likelihood_scale"]):
            errors.append(f"likelihood_from_volume[{i}]: {pair!r} is not [minimum reports, score]")
    for i, pair in enumerate(config["priority_bands"]):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int)
                and isinstance(pair[1], str)):
            errors.append(f"priority_bands[{i}]: {pair!r} is not [minimum score, label]")
    return errors


def risk_matrix(*, volumes: VolumeFigures | NoData, year: int,
                config: dict[str, Any]) -> RiskMatrixFigures:
    """Score every threat; likelihood from the year's volume unless configured."""
    volume_bands = sorted(config["likelihood_from_volume"], key=lambda p: -p[0])
    priority_bands = sorted(((int(s), str(p)) for s, p in config["priority_bands"]),
                            key=lambda p: -p[0])
    rows = []
    for threat in THREATS:
        harm = int(config["harm"].get(threat, config["harm"].get("default", 3)))
        position = int(config["position"].get(threat, config["position"].get("default", 2)))
        if threat in config["likelihood"]:
            likelihood, basis = int(config["likelihood"][threat]), "set by analyst"
        elif isinstance(volumes, VolumeFigures):
            count = (volumes.apsp_by_year.get(year, 0) if threat == "apsp"
                     else volumes.by_year.get(year, {}).get(threat, 0))
            likelihood = next((score for minimum, score in volume_bands if count >= minimum), 1)
            basis = f"{count} report{'s' if count != 1 else ''} in {year}"
        else:
            likelihood, basis = 1, "no casework figures: likelihood not assessed"
        score = harm * likelihood * position
        priority = next((p for minimum, p in priority_bands if score >= minimum), "Low")
        rows.append(RiskRow(
            threat=threat, label=APSP_LABEL if threat == "apsp" else CATEGORY_LABELS[threat],
            harm=harm, likelihood=likelihood, organisational_position=position, score=score,
            priority=priority, basis=basis,
        ))
    rows.sort(key=lambda r: (-r.score, THREATS.index(r.threat)))
    return RiskMatrixFigures(
        rows=tuple(rows),
        harm_scale=tuple(config["harm_scale"]),
        likelihood_scale=tuple(config["likelihood_scale"]),
        position_scale=tuple(config["position_scale"]),
        bands=tuple(priority_bands),
    )
