"""The Splink model that links staff to nominal (person) records: comparisons, blocking,
training and persistence.

Comparisons are written as Splink comparison dictionaries (plain SQL), so the saved model
JSON is complete and readable. m probabilities given here are only starting values: training
replaces them with estimates from the force's own data (see docs/linkage.md):

1. probability_two_random_records_match from deterministic rules (exact name and date of
   birth; same phone and surname), divided by an assumed recall;
2. u probabilities by random sampling of record pairs (almost all are non-matches);
3. m probabilities by expectation maximisation, in sessions that block on different
   columns (date of birth; full name and postcode; phone), so that every comparison is
   estimated at least once (Splink takes the median over sessions);
4. a plausibility guard (`plausible_model`) against a degenerate EM solution.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "MODEL_VERSION",
    "settings_dict",
    "prediction_blocking_rules",
    "train_linker",
    "plausible_model",
    "EM_BLOCKING_RULES",
    "make_linker",
    "save_model",
    "model_is_current",
]

# Bump when comparisons or blocking change: a saved model of another version is retrained.
MODEL_VERSION = "probity-link-12"

logger = logging.getLogger(__name__)


def _level(
    sql: str,
    label: str,
    *,
    m: float | None = None,
    null: bool = False,
    tf: str | None = None,
    tf_min_u: float | None = None,
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if m is not None:
        level["m_probability"] = m
    if tf is not None:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
        if tf_min_u is not None:
            level["tf_minimum_u_value"] = tf_min_u
    return level


def _else(m: float) -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "All other", "m_probability": m}


def _comparisons() -> list[dict[str, Any]]:
    jw = "jaro_winkler_similarity"
    dl = "damerau_levenshtein"
    swapped = ("forename1_l <> forename1_r AND (forename1_l = surname_r AND "
               "surname_l = forename1_r OR "
               f"{jw}(forename1_l, surname_r) >= 0.9 AND {jw}(surname_l, forename1_r) >= 0.9)")
    forename = {
        "output_column_name": "forename",
        "comparison_description": "forename: exact, name variant, typo, swapped with surname",
        "comparison_levels": [
            _level("forename1_l IS NULL OR forename1_r IS NULL", "null", null=True),
            _level("forename1_l = forename1_r", "exact", m=0.80, tf="forename1",
                   tf_min_u=2e-5),
            _level("list_has_any(forename_groups_l, forename_groups_r)", "name variant",
                   m=0.06),
            _level(f"{dl}(forename1_l, forename1_r) <= 1 OR {jw}(forename1_l, forename1_r) >= 0.92",
                   "typo", m=0.06),
            _level(swapped, "swapped with surname", m=0.02),
            _level(f"{jw}(forename1_l, forename1_r) >= 0.8 OR "
                   "(length(forename1_l) = 1 OR length(forename1_r) = 1) AND "
                   "left(forename1_l, 1) = left(forename1_r, 1)",
                   "similar or initial", m=0.03),
            _else(0.03),
        ],
    }
    surname = {
        "output_column_name": "surname",
        "comparison_description": "surname: exact (term frequency), typo, swapped, sounds alike",
        "comparison_levels": [
            # a full swap is counted once, by the forename comparison
            _level("surname_l IS NULL OR surname_r IS NULL OR "
                   f"({swapped})", "null, or swapped (counted under forename)", null=True),
            _level("surname_l = surname_r", "exact", m=0.85, tf="surname", tf_min_u=2e-5),
            _level(f"{dl}(surname_l, surname_r) <= 1 OR {jw}(surname_l, surname_r) >= 0.92",
                   "typo", m=0.06),
            _level(f"surname_sx_l = surname_sx_r OR {jw}(surname_l, surname_r) >= 0.8",
                   "sounds alike or similar", m=0.03),
            _else(0.04),
        ],
    }
    dob = {
        "output_column_name": "dob",
        "comparison_description": "date of birth: exact, day/month transposed, one-character "
                                  "typo, partial, else",
        "comparison_levels": [
            _level("dob_l IS NULL OR dob_r IS NULL", "null", null=True),
            _level("dob_l = dob_r", "exact", m=0.85),
            _level("year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) "
                   "AND day(dob_l) = month(dob_r)", "day and month transposed", m=0.03),
            _level("year(dob_l) = year(dob_r) AND month(dob_l) = month(dob_r) AND "
                   f"(abs(day(dob_l) - day(dob_r)) <= 3 OR {dl}(dob_str_l, dob_str_r) <= 1)",
                   "day slightly wrong", m=0.04),
            _level(f"{dl}(dob_str_l, dob_str_r) <= 1", "one character typo elsewhere",
                   m=0.03),
            _level("(year(dob_l) = year(dob_r) AND month(dob_l) = month(dob_r)) OR "
                   "(month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r) "
                   "AND abs(year(dob_l) - year(dob_r)) <= 10) OR "
                   f"{dl}(dob_str_l, dob_str_r) <= 2", "partial match", m=0.03),
            _else(0.03),
        ],
    }
    same_district = "postcode_district_l = postcode_district_r"
    same_sector = "postcode_sector_l = postcode_sector_r"
    near_address = (f"house_number_l = house_number_r AND {jw}(address_l, address_r) >= 0.93")
    # Address and postcode are one comparison: they agree or disagree together (a move
    # changes both), so two separate comparisons would count the same evidence twice.
    residence = {
        "output_column_name": "residence",
        "comparison_description": "home address and postcode together",
        "comparison_levels": [
            _level("(postcode_l IS NULL OR postcode_r IS NULL) AND "
                   "(address_l IS NULL OR address_r IS NULL)", "null", null=True),
            _level("address_l = address_r AND postcode_l = postcode_r",
                   "same address and postcode", m=0.5),
            _level(f"postcode_l = postcode_r AND ({near_address} OR address_l IS NULL "
                   "OR address_r IS NULL)", "same postcode, address near-identical or "
                   "missing", m=0.1),
            _level(f"{near_address}", "address near-identical, postcode differs", m=0.05),
            _level("postcode_l = postcode_r", "same postcode, other address", m=0.02),
            _level(same_sector, "same postcode sector", m=0.03),
            _level(same_district, "same postcode district", m=0.05),
            _else(0.25),
        ],
    }
    phone = {
        "output_column_name": "phone",
        "comparison_description": "phone (E.164): any staff phone equals the record's phone",
        "comparison_levels": [
            _level("len(phones_l) = 0 OR len(phones_r) = 0 OR phones_l IS NULL "
                   "OR phones_r IS NULL", "null", null=True),
            _level("list_has_any(phones_l, phones_r)", "same number", m=0.6),
            _else(0.4),
        ],
    }
    email = {
        "output_column_name": "email",
        "comparison_description": "email: exact, same username, similar, else",
        "comparison_levels": [
            _level("email_l IS NULL OR email_r IS NULL", "null", null=True),
            _level("email_l = email_r", "exact", m=0.6),
            _level("email_user_l = email_user_r", "same username", m=0.1),
            _level(f"{jw}(email_l, email_r) >= 0.88", "similar", m=0.1),
            _else(0.2),
        ],
    }
    gender = {
        "output_column_name": "gender",
        "comparison_description": "gender: same, different",
        "comparison_levels": [
            _level("gender_l IS NULL OR gender_r IS NULL", "null", null=True),
            _level("gender_l = gender_r", "same", m=0.97),
            _else(0.03),
        ],
    }
    return [forename, surname, dob, residence, phone, email, gender]


def prediction_blocking_rules() -> list[str]:
    """The union of equi-join rules that generate candidate pairs.

    Each rule is one hash join, so the pair count grows with the size of each block, not
    with staff x records. A true pair is admitted when one strong identifier survives:

    - date of birth (exact or day/month transposed) with the surname sound, or the forename
      initial, or the initials crossed (forename and surname swapped);
    - surname sound with year and month of birth (day wrong) or day and month (year wrong);
    - the same phone (E.164) or email;
    - the same postcode with the surname sound;
    - forename and surname swapped exactly.

    A date of birth alone is not a block: at 2 million records it would pair every staff
    member with about 80 strangers born the same day.
    """
    return [
        "l.dob_key = r.dob_key AND l.surname_sx = r.surname_sx",
        "l.dob_key = r.dob_key AND l.forename_initial = r.forename_initial",
        "l.dob_key = r.dob_key AND l.forename_initial = r.surname_initial",
        "l.dob_key = r.dob_key AND l.surname_initial = r.forename_initial",
        "l.surname_sx = r.surname_sx AND l.dob_ym = r.dob_ym",
        "l.surname_sx = r.surname_sx AND l.dob_md = r.dob_md",
        "l.phone1 = r.phone1",
        "l.phone2 = r.phone2",
        "l.email = r.email",
        "l.postcode = r.postcode AND l.surname_sx = r.surname_sx",
        "l.forename1 = r.surname AND l.surname = r.forename1",
    ]


def settings_dict() -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-5,
        "blocking_rules_to_generate_predictions": prediction_blocking_rules(),
        "comparisons": _comparisons(),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }


def make_linker(
    db_api: Any, staff_table: str, nominal_table: str, *, model: dict[str, Any] | None = None
) -> Any:
    """A Splink Linker over the prepared record tables (untrained unless `model` is given)."""
    from splink import Linker

    staff = db_api.register(staff_table, dataset_display_name="staff")
    nominals = db_api.register(nominal_table, dataset_display_name="nominals")
    return Linker([staff, nominals], model if model is not None else settings_dict(),
                  log_level=logging.ERROR)


# EM sessions: each blocks on columns whose comparisons it then cannot estimate, so between
# them every comparison is estimated at least once (Splink keeps the median over sessions).
# Each block is narrow enough to hold a fair share of true matches even in a big force with
# common names (EM needs that; blocking on the date of birth alone leaves 1 match in 1,000
# pairs at 2 million records and EM collapses).
EM_BLOCKING_RULES = (
    "l.dob = r.dob AND l.surname_sx = r.surname_sx",
    "l.dob = r.dob AND l.forename1 = r.forename1",
    "l.forename1 = r.forename1 AND l.surname = r.surname AND l.postcode = r.postcode",
    "l.phone1 = r.phone1",
)


def train_linker(
    linker: Any, *, rebuild: Callable[[dict[str, Any]], Any], seed: int = 42,
    max_pairs_u: float = 1e6, recall: float = 0.7,
) -> tuple[Any, dict[str, Any]]:
    """Estimate every parameter from the data (no labels).

    Returns the trained linker (a failed EM session leaves Splink's settings half-changed, so
    the linker is rebuilt with `rebuild(model_dict)` from the state before that session) and
    a training report.
    """
    report: dict[str, Any] = {}
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.forename1 = r.forename1 AND l.surname = r.surname AND l.dob = r.dob",
            "l.phone1 = r.phone1 AND l.surname = r.surname",
            "l.email = r.email AND l.surname = r.surname",
        ],
        recall=recall,
    )
    report["probability_two_random_records_match"] = (
        linker._settings_obj._probability_two_random_records_match
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_u, seed=seed)
    sessions = []
    for rule in EM_BLOCKING_RULES:
        before = linker.misc.save_model_to_json(out_path=None)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
            sessions.append({"blocking_rule": rule, "ok": True})
        except Exception as exc:  # too few pairs, or EM collapsed: the other sessions count
            logger.warning("EM on %s did not run: %s", rule, exc)
            sessions.append({"blocking_rule": rule, "ok": False, "error": str(exc)[:300]})
            linker = rebuild(before)
    report["em_sessions"] = sessions
    return linker, report


def plausible_model(model: dict[str, Any], *, expected_matches: float | None = None
                    ) -> tuple[dict[str, Any], list[str]]:
    """Make a trained model safe to use on a small force.

    1. Guard against a degenerate EM solution (it happens when a blocked set has few true
       matches): in every comparison the strongest agreement level must be evidence for a
       match and the 'all other' level evidence against. A comparison that breaks this gets
       its documented starting m values back; the u values (from random sampling) stay.
    2. Shrink m towards the starting values as a Dirichlet prior worth `PRIOR_MATCHES`
       pseudo-matches: m = (n * m_EM + a * m_start) / (n + a), where n is the expected number
       of true matches in the data (probability_two_random_records_match x staff x records).
       A force with 60 staff on its records keeps sensible weights for rare recording errors
       (a one-digit date of birth typo) that EM saw too few times; with thousands the data
       decide.
    3. Floor every m and u (see M_FLOOR, U_FLOOR), so no single field decides alone.
    """
    import copy

    fixed = copy.deepcopy(model)
    if expected_matches is not None:
        n, a = max(expected_matches, 0.0), PRIOR_MATCHES
        starting_levels = {c["output_column_name"]: c["comparison_levels"]
                           for c in _comparisons()}
        for comparison in fixed["comparisons"]:
            for level, start in zip(comparison["comparison_levels"],
                                    starting_levels[comparison["output_column_name"]],
                                    strict=True):
                m_em, m_start = level.get("m_probability"), start.get("m_probability")
                if isinstance(m_start, (int, float)):
                    m_em = float(m_em) if isinstance(m_em, (int, float)) else 0.0
                    level["m_probability"] = (n * m_em + a * m_start) / (n + a)
    starting = {c["output_column_name"]: c for c in _comparisons()}
    notes: list[str] = []
    for comparison in fixed["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        top, other = levels[0], levels[-1]

        def bayes_factor(level: dict[str, Any]) -> float | None:
            m, u = level.get("m_probability"), level.get("u_probability")
            if not isinstance(m, (int, float)) or not isinstance(u, (int, float)) or u <= 0:
                return None
            return float(m) / float(u)

        top_bf, other_bf = bayes_factor(top), bayes_factor(other)
        top_m = top.get("m_probability")
        bad = (isinstance(top_m, (int, float)) and top_m < 0.3) or (
            top_bf is not None and top_bf <= 1) or (other_bf is not None and other_bf >= 1)
        if bad:
            name = comparison["output_column_name"]
            for level, start in zip(comparison["comparison_levels"],
                                    starting[name]["comparison_levels"], strict=True):
                if "m_probability" in start:
                    level["m_probability"] = start["m_probability"]
            notes.append(f"{name}: EM estimate implausible, starting m values kept")
        _floor_and_normalise(comparison, "m_probability", M_FLOOR)
        _floor_and_normalise(comparison, "u_probability", U_FLOOR)
    return fixed, notes


# No agreement pattern is impossible: EM on a few hundred pairs, or random sampling of a
# million, can return 0 for a level never seen, which would make one field decide a link
# alone (a staff phone on a victim's record would become an identity link). Floors keep every
# Bayes factor finite.
M_FLOOR = 0.005
U_FLOOR = 1e-6
PRIOR_MATCHES = 20.0


def _floor_and_normalise(comparison: dict[str, Any], key: str, floor: float) -> None:
    levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
    # A level never observed in training has no value at all; Splink would then give it a
    # Bayes factor of 1 (no evidence), so a shared phone number would count for nothing.
    values = [lv.get(key) for lv in levels]
    floored = [max(float(v), floor) if isinstance(v, (int, float)) else floor for v in values]
    total = sum(floored)
    for level, value in zip(levels, floored, strict=True):
        level[key] = value / total


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(linker: Any, path: Path, *, meta: dict[str, Any]) -> None:
    """Write the trained model JSON (Splink's own format) with Probity's metadata beside it."""
    model = linker.misc.save_model_to_json(out_path=None)
    _atomic_write_text(path, json.dumps(model, indent=2))
    _atomic_write_text(path.with_suffix(".meta.json"),
                       json.dumps({"model_version": MODEL_VERSION, **meta}, indent=2))


def model_is_current(path: Path) -> bool:
    """True when a saved model exists and was made by this version of the comparisons."""
    meta = path.with_suffix(".meta.json")
    if not path.exists() or not meta.exists():
        return False
    try:
        return bool(json.loads(meta.read_text(encoding="utf-8")).get("model_version")
                    == MODEL_VERSION)
    except (OSError, ValueError):
        return False
