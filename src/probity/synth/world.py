"""The force itself: units, workforce, posts, vetting, rosters, incidents and person records.

Everything is held as numpy arrays indexed by internal row numbers; opaque identifiers are
attached only when the tables are written. Loops run over small fixed vocabularies (jobs,
categories, roles), never over events or people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from probity.synth import names
from probity.synth._util import (
    DAY,
    HOUR,
    MINUTE,
    BoolArray,
    FloatArray,
    GroupIndex,
    IntArray,
    StrArray,
    bernoulli_plus_poisson,
    choice_codes,
    random_landlines,
    random_mobiles,
    where_or_none,
)


@dataclass(frozen=True)
class Job:
    code: str
    title: str
    function: str
    staff_type: str
    ranks: tuple[tuple[str, float], ...]
    share: float
    pattern: str
    district: bool
    vetting: str
    background_per_shift: float
    # share of background look-ups by object: nominal, incident, vehicle, location, intelligence
    object_mix: tuple[float, float, float, float, float]
    # where background nominal look-ups go: local frequent offenders, recent incidents,
    # anyone, flagged vulnerable people
    nominal_mix: tuple[float, float, float, float]
    phone: float
    laptop: float
    female: float
    patrol: bool


def _j(code: str, title: str, function: str, staff_type: str, ranks: tuple[tuple[str, float], ...],
       share: float, pattern: str, district: bool, vetting: str, bg: float,
       objects: tuple[float, float, float, float, float],
       nominals: tuple[float, float, float, float], phone: float, laptop: float,
       female: float, patrol: bool) -> Job:
    return Job(code, title, function, staff_type, ranks, share, pattern, district, vetting, bg,
               objects, nominals, phone, laptop, female, patrol)


JOBS: tuple[Job, ...] = (
    _j("response_pc", "Response Constable", "response", "officer", (("PC", 1.0),), 0.20,
       "response", True, "rv", 9, (0.36, 0.22, 0.24, 0.14, 0.04), (0.35, 0.40, 0.25, 0.0),
       1.0, 0.25, 0.34, True),
    _j("response_sgt", "Response Sergeant", "response", "officer", (("PS", 0.7), ("Sergeant", 0.3)),
       0.03, "response", True, "rv", 11, (0.30, 0.40, 0.15, 0.10, 0.05), (0.3, 0.5, 0.2, 0.0),
       1.0, 0.6, 0.30, True),
    _j("duty_inspector", "Duty Inspector", "response", "officer", (("Insp", 0.6), ("Inspector", 0.4)),
       0.008, "response", True, "mv", 8, (0.25, 0.55, 0.05, 0.10, 0.05), (0.2, 0.6, 0.2, 0.0),
       1.0, 0.9, 0.30, False),
    _j("special", "Special Constable", "response", "special_constable",
       (("SC", 0.8), ("Special Sergeant", 0.12), ("Special Inspector", 0.08)), 0.04, "special",
       True, "rv", 6, (0.35, 0.20, 0.30, 0.12, 0.03), (0.35, 0.40, 0.25, 0.0), 0.6, 0.05, 0.30, True),
    _j("neighbourhood_pc", "Neighbourhood Constable", "neighbourhood", "officer", (("PC", 1.0),),
       0.06, "day_rota", True, "rv", 8, (0.50, 0.18, 0.14, 0.15, 0.03), (0.65, 0.15, 0.20, 0.0),
       1.0, 0.4, 0.40, True),
    _j("pcso", "Police Community Support Officer", "neighbourhood", "staff", (("PCSO", 1.0),),
       0.05, "day_rota", True, "rv", 4, (0.50, 0.20, 0.10, 0.18, 0.02), (0.70, 0.15, 0.15, 0.0),
       0.9, 0.1, 0.50, True),
    _j("volunteer", "Police Support Volunteer", "neighbourhood", "volunteer",
       (("Volunteer", 1.0),), 0.01, "volunteer", True, "nppv2a", 1.5,
       (0.30, 0.30, 0.10, 0.30, 0.0), (0.2, 0.4, 0.4, 0.0), 0.1, 0.0, 0.55, False),
    _j("detective", "Detective Constable", "investigation", "officer",
       (("DC", 0.8), ("DS", 0.15), ("DI", 0.05)), 0.09, "day_rota", True, "rv", 10,
       (0.55, 0.20, 0.10, 0.08, 0.07), (0.30, 0.30, 0.40, 0.0), 1.0, 0.8, 0.42, False),
    _j("staff_investigator", "Police Staff Investigator", "investigation", "staff",
       (("Investigator", 0.6), ("Grade 5", 0.4)), 0.02, "office", True, "rv", 8,
       (0.55, 0.25, 0.10, 0.05, 0.05), (0.25, 0.35, 0.40, 0.0), 0.7, 0.9, 0.58, False),
    _j("safeguarding_officer", "Safeguarding Detective", "safeguarding", "officer",
       (("DC", 0.75), ("DS", 0.2), ("PC", 0.05)), 0.04, "day_rota", True, "mv", 14,
       (0.70, 0.20, 0.02, 0.05, 0.03), (0.05, 0.30, 0.15, 0.50), 1.0, 0.8, 0.62, False),
    _j("safeguarding_staff", "Safeguarding Practitioner", "safeguarding", "staff",
       (("Grade 5", 0.7), ("Grade 6", 0.3)), 0.02, "office", True, "rv", 12,
       (0.75, 0.20, 0.0, 0.03, 0.02), (0.0, 0.30, 0.10, 0.60), 0.6, 0.9, 0.78, False),
    _j("public_protection", "Public Protection Officer", "public_protection", "officer",
       (("DC", 0.8), ("DS", 0.2)), 0.02, "day_rota", False, "mv", 12,
       (0.72, 0.10, 0.05, 0.10, 0.03), (0.10, 0.20, 0.20, 0.50), 1.0, 0.8, 0.50, False),
    _j("custody_sgt", "Custody Sergeant", "custody", "officer", (("PS", 1.0),), 0.01, "twelve",
       False, "rv", 12, (0.80, 0.15, 0.0, 0.0, 0.05), (0.60, 0.30, 0.10, 0.0), 0.3, 0.0, 0.35,
       False),
    _j("detention_officer", "Detention Officer", "custody", "staff", (("Detention Officer", 1.0),),
       0.03, "twelve", False, "rv", 10, (0.85, 0.15, 0.0, 0.0, 0.0), (0.60, 0.30, 0.10, 0.0),
       0.1, 0.0, 0.45, False),
    _j("call_handler", "Call Handler", "contact_centre", "staff",
       (("Call Handler", 0.85), ("Grade 3", 0.15)), 0.07, "twelve", False, "rv", 60,
       (0.25, 0.45, 0.08, 0.22, 0.0), (0.10, 0.45, 0.45, 0.0), 0.0, 0.0, 0.65, False),
    _j("dispatcher", "Radio Dispatcher", "contact_centre", "staff",
       (("Dispatcher", 0.8), ("Grade 4", 0.2)), 0.03, "twelve", False, "rv", 35,
       (0.15, 0.60, 0.10, 0.15, 0.0), (0.10, 0.60, 0.30, 0.0), 0.0, 0.0, 0.55, False),
    _j("analyst", "Intelligence Analyst", "intelligence", "staff",
       (("Analyst", 0.7), ("Grade 6", 0.3)), 0.02, "office", False, "mv", 50,
       (0.50, 0.10, 0.10, 0.10, 0.20), (0.25, 0.10, 0.55, 0.10), 0.3, 1.0, 0.60, False),
    _j("intel_officer", "Intelligence Officer", "intelligence", "officer",
       (("DC", 0.7), ("PC", 0.2), ("DS", 0.1)), 0.02, "day_rota", False, "mv", 25,
       (0.50, 0.10, 0.10, 0.05, 0.25), (0.35, 0.15, 0.45, 0.05), 1.0, 0.9, 0.40, False),
    _j("psd", "Professional Standards Investigator", "professional_standards", "officer",
       (("DS", 0.5), ("DI", 0.2), ("Investigator", 0.3)), 0.01, "office", False, "mv", 12,
       (0.50, 0.30, 0.05, 0.05, 0.10), (0.0, 0.30, 0.70, 0.0), 1.0, 1.0, 0.45, False),
    _j("roads", "Roads Policing Constable", "roads_policing", "officer",
       (("PC", 0.9), ("PS", 0.1)), 0.03, "response", False, "rv", 10,
       (0.25, 0.15, 0.50, 0.08, 0.02), (0.30, 0.40, 0.30, 0.0), 1.0, 0.3, 0.22, True),
    _j("specialist", "Authorised Firearms Officer", "specialist", "officer",
       (("PC", 0.85), ("PS", 0.15)), 0.03, "response", False, "ctc", 4,
       (0.30, 0.40, 0.15, 0.10, 0.05), (0.30, 0.40, 0.30, 0.0), 1.0, 0.2, 0.15, True),
    _j("trainer", "Trainer", "training", "staff", (("Grade 5", 0.5), ("PS", 0.5)), 0.01,
       "office", False, "rv", 2, (0.40, 0.30, 0.10, 0.20, 0.0), (0.0, 0.3, 0.7, 0.0),
       0.5, 1.0, 0.50, False),
    _j("support_staff", "Business Support Officer", "support", "staff",
       (("Grade 3", 0.35), ("Grade 4", 0.35), ("Grade 5", 0.2), ("Grade 6", 0.1)), 0.07,
       "office", False, "nppv2f", 1.0, (0.40, 0.40, 0.05, 0.15, 0.0), (0.0, 0.4, 0.6, 0.0),
       0.2, 0.6, 0.65, False),
    _j("contractor", "ICT Contractor", "support", "contractor", (("Contractor", 1.0),), 0.02,
       "office", False, "nppv3", 1.0, (0.30, 0.40, 0.10, 0.20, 0.0), (0.0, 0.3, 0.7, 0.0),
       0.1, 0.8, 0.25, False),
)
JOB_INDEX = {j.code: i for i, j in enumerate(JOBS)}
PATROL_JOBS = np.array([j.patrol for j in JOBS])

CATEGORY_WEIGHTS: dict[str, float] = {
    "domestic_abuse": 0.17, "antisocial_behaviour": 0.11, "theft": 0.11, "violence": 0.11,
    "concern_for_welfare": 0.08, "mental_health": 0.06, "road_traffic": 0.06, "burglary": 0.04,
    "missing_person": 0.04, "public_order": 0.04, "fraud": 0.04, "stalking_harassment": 0.04,
    "sexual_offence": 0.03, "child_protection": 0.02, "other": 0.05,
}
CATEGORIES = tuple(CATEGORY_WEIGHTS)
CAT = {c: i for i, c in enumerate(CATEGORIES)}

# expected people per incident, by category and role; pools: v victim-like adults,
# o offenders, g general public, c children
ROLE_TEMPLATES: dict[str, tuple[tuple[str, float, str], ...]] = {
    "domestic_abuse": (("victim", 1.0, "v"), ("suspect", 0.95, "o"), ("witness", 0.25, "g"),
                       ("associate", 0.45, "c"), ("reporting_person", 0.2, "g")),
    "sexual_offence": (("victim", 1.0, "v"), ("suspect", 0.7, "o"), ("witness", 0.2, "g"),
                       ("reporting_person", 0.3, "g")),
    "stalking_harassment": (("victim", 1.0, "v"), ("suspect", 0.85, "o"), ("witness", 0.2, "g")),
    "missing_person": (("other", 1.0, "c"), ("reporting_person", 0.9, "g")),
    "mental_health": (("other", 1.0, "v"), ("reporting_person", 0.6, "g")),
    "concern_for_welfare": (("other", 1.0, "v"), ("reporting_person", 0.8, "g")),
    "child_protection": (("victim", 1.0, "c"), ("suspect", 0.5, "o"),
                         ("reporting_person", 0.5, "g"), ("associate", 0.5, "g")),
    "violence": (("victim", 1.0, "g"), ("suspect", 0.8, "o"), ("witness", 0.6, "g")),
    "theft": (("victim", 0.6, "g"), ("suspect", 0.35, "o"), ("witness", 0.2, "g")),
    "burglary": (("victim", 0.9, "g"), ("suspect", 0.2, "o"), ("witness", 0.2, "g")),
    "fraud": (("victim", 0.9, "g"), ("suspect", 0.3, "o")),
    "road_traffic": (("other", 1.3, "g"), ("witness", 0.4, "g"), ("victim", 0.3, "g")),
    "public_order": (("suspect", 0.8, "o"), ("witness", 0.4, "g"), ("victim", 0.3, "g")),
    "antisocial_behaviour": (("suspect", 0.5, "o"), ("reporting_person", 0.8, "g")),
    "other": (("other", 0.7, "g"), ("reporting_person", 0.4, "g")),
}
POOLS = ("v", "o", "g", "c")
CRIMES = {"domestic_abuse", "sexual_offence", "stalking_harassment", "violence", "theft",
          "burglary", "fraud", "child_protection", "public_order"}
DISTRICT_NAMES = ("Northgate", "Riverside", "Eastfield", "Westmoor", "Southbank", "Hillcrest",
                  "Lowton", "Castlebrook", "Ashby", "Fernlea")
POSTCODE_AREA = "XM"

# roster patterns: per day of the cycle, (start hour, hours) or None for a rest day
_E, _L, _N = (7, 10), (14, 10), (22, 9)
_D12, _N12 = (7, 12), (19, 12)
_DE, _DL = (8, 8), (14, 8)
PATTERNS: dict[str, tuple[tuple[int, int] | None, ...]] = {
    "response": (_E, _E, _L, _L, _N, _N, None, None, None, None),
    "twelve": (_D12, _D12, _N12, _N12, None, None, None, None),
    "night_fixed": (_N12, _N12, _N12, _N12, None, None, None, None),
    "day_rota": (_DE, _DE, _DE, _DL, _DL, None, None, _DE, _DL, _DL, _DL, _DE, None, None),
    "office": ((8, 8), (8, 8), (8, 8), (8, 8), (8, 8), None, None),
}


@dataclass
class World:
    """Every generated fact, as arrays of internal row numbers."""

    rng: np.random.Generator
    seed: int
    n_staff_target: int
    months: int
    scale: float
    period_start: dt.date
    period_end: dt.date  # inclusive
    t0: int = 0
    t1: int = 0  # exclusive, seconds
    n_districts: int = 0
    # units
    unit_name: list[str] = field(default_factory=list)
    unit_function: list[str] = field(default_factory=list)
    unit_parent: list[int] = field(default_factory=list)
    unit_district: list[int] = field(default_factory=list)
    # staff
    s_job: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    s_district: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    s_unit: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    s_team: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    s_female: BoolArray = field(default_factory=lambda: np.empty(0, bool))
    s_forename: StrArray = field(default_factory=lambda: np.empty(0, object))
    s_surname: StrArray = field(default_factory=lambda: np.empty(0, object))
    s_dob: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # days since epoch
    s_rank: StrArray = field(default_factory=lambda: np.empty(0, object))
    s_start: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # days
    s_end: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # days, -1 serving
    s_pattern: list[str] = field(default_factory=list)
    s_work_phone: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # nsn or 0
    s_personal_phone: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    s_house: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    s_street: StrArray = field(default_factory=lambda: np.empty(0, object))
    s_postcode: StrArray = field(default_factory=lambda: np.empty(0, object))
    s_post: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    # posts
    p_title: list[str] = field(default_factory=list)
    p_unit: list[int] = field(default_factory=list)
    p_vetting: list[str] = field(default_factory=list)
    # shifts (sorted by staff, start)
    sh_staff: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    sh_start: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    sh_end: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    duty: GroupIndex | None = None
    duty_slot_staff: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    by_job: GroupIndex | None = None
    # incidents (sorted by opened)
    i_opened: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    i_closed: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # -1 open
    i_category: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    i_district: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    i_postcode: StrArray = field(default_factory=lambda: np.empty(0, object))
    # nominals
    n_pool: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    n_female: BoolArray = field(default_factory=lambda: np.empty(0, bool))
    n_gender: StrArray = field(default_factory=lambda: np.empty(0, object))
    n_dob: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # days; -10**6 missing
    n_forename: StrArray = field(default_factory=lambda: np.empty(0, object))
    n_surname: StrArray = field(default_factory=lambda: np.empty(0, object))
    n_address: StrArray = field(default_factory=lambda: np.empty(0, object))
    n_postcode: StrArray = field(default_factory=lambda: np.empty(0, object))
    n_district: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    n_phone: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # nsn or 0
    n_phone_style: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    n_email: StrArray = field(default_factory=lambda: np.empty(0, object))
    n_partner: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    n_true_staff: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # true identity, -1
    # incident_nominals
    in_incident: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    in_nominal: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    in_role: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    # nominal flags
    f_nominal: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    f_flag: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    f_from: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # days, missing -1e6
    f_to: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    # assignments
    a_incident: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    a_staff: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    a_role: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    a_start: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    a_end: IntArray = field(default_factory=lambda: np.empty(0, np.int64))  # -1 open

    @property
    def n_staff(self) -> int:
        return len(self.s_job)

    @property
    def n_nominals(self) -> int:
        return len(self.n_pool)

    @property
    def n_incidents(self) -> int:
        return len(self.i_opened)

    @property
    def days(self) -> int:
        return (self.t1 - self.t0) // DAY


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def _epoch_days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def new_world(*, staff: int, months: int, seed: int, scale: float,
              period_start: dt.date) -> World:
    end_excl = _add_months(period_start, months)
    w = World(rng=np.random.default_rng(seed), seed=seed, n_staff_target=staff, months=months,
              scale=scale, period_start=period_start, period_end=end_excl - dt.timedelta(days=1))
    w.t0 = _epoch_days(period_start) * DAY
    w.t1 = _epoch_days(end_excl) * DAY
    w.n_districts = int(np.clip(round(staff / 450), 2, len(DISTRICT_NAMES)))
    return w


# --- names -----------------------------------------------------------------------------------
def _zipf_weights(n: int, a: float) -> FloatArray:
    return (1.0 / np.arange(1, n + 1) ** a).astype(np.float64)


_SURNAMES = np.array(list(names.COMMON_SURNAMES) + [h + t for h in names.SURNAME_HEADS
                                                     for t in names.SURNAME_TAILS], dtype=object)
# the common surnames carry 40% of people, the compound tail the rest: about 1.7 records of
# other people share a member of staff's exact name (before recording noise; see docs)
_SURNAME_W = np.concatenate([_zipf_weights(len(names.COMMON_SURNAMES), 0.6) * 0.4
                             / _zipf_weights(len(names.COMMON_SURNAMES), 0.6).sum(),
                             np.full(len(_SURNAMES) - len(names.COMMON_SURNAMES),
                                     0.6 / (len(_SURNAMES) - len(names.COMMON_SURNAMES)))])
_FEMALE = np.array(names.FEMALE_FORENAMES, dtype=object)
_MALE = np.array(names.MALE_FORENAMES, dtype=object)


def draw_names(rng: np.random.Generator, female: BoolArray) -> tuple[StrArray, StrArray]:
    n = len(female)
    fi = choice_codes(rng, n, _zipf_weights(len(_FEMALE), 0.5))
    mi = choice_codes(rng, n, _zipf_weights(len(_MALE), 0.5))
    fore = np.where(female, _FEMALE[fi], _MALE[mi]).astype(object)
    sur = _SURNAMES[choice_codes(rng, n, _SURNAME_W)]
    return fore, sur


def draw_addresses(rng: np.random.Generator, district: IntArray) -> tuple[IntArray, StrArray,
                                                                          StrArray]:
    n = len(district)
    house = rng.integers(1, 180, n)
    street = np.char.add(np.char.add(
        np.array(names.STREET_NAMES, dtype=object)[rng.integers(0, len(names.STREET_NAMES), n)]
        .astype(str), " "),
        np.array(names.STREET_KINDS)[rng.integers(0, len(names.STREET_KINDS), n)]).astype(object)
    postcode = make_postcodes(rng, district)
    return house, street, postcode


_PC_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def make_postcodes(rng: np.random.Generator, district: IntArray) -> StrArray:
    n = len(district)
    outward = 1 + np.asarray(district) * 4 + rng.integers(0, 4, n)
    inward = (rng.integers(1, 10, n).astype(str).astype(object)
              + _PC_LETTERS[rng.integers(0, 20, n)].astype(object)
              + _PC_LETTERS[rng.integers(0, 20, n)].astype(object))
    return (POSTCODE_AREA + outward.astype(str).astype(object) + " " + inward).astype(object)


# --- organisation ------------------------------------------------------------------------------
def build_organisation(w: World) -> None:
    rng = w.rng
    nd = w.n_districts
    units: dict[tuple[str, int, int], int] = {}

    def add(name: str, function: str, parent: int, district: int = -1) -> int:
        w.unit_name.append(name)
        w.unit_function.append(function)
        w.unit_parent.append(parent)
        w.unit_district.append(district)
        return len(w.unit_name) - 1

    hq = add("Chief Officer Group", "other", -1)
    ops = add("Operational Support", "other", hq)
    crime = add("Crime and Public Protection", "other", hq)
    contact = add("Contact Management", "other", hq)
    corporate = add("Corporate Services", "support", hq)
    for d in range(nd):
        dname = DISTRICT_NAMES[d]
        div = add(f"{dname} Division", "other", hq, d)
        for t in range(5):
            units[("response", d, t)] = add(f"{dname} Response Team {'ABCDE'[t]}", "response", div, d)
        for t, area in enumerate(("North", "South", "Central")):
            units[("neighbourhood", d, t)] = add(f"{dname} {area} Neighbourhood Team",
                                                 "neighbourhood", div, d)
        units[("investigation", d, 0)] = add(f"{dname} CID", "investigation", div, d)
        units[("safeguarding", d, 0)] = add(f"{dname} Safeguarding Hub", "safeguarding", div, d)
    for t in range(4):
        units[("contact_centre", -1, t)] = add(f"Force Contact Centre Team {t + 1}",
                                               "contact_centre", contact)
    n_custody = max(1, nd // 2)
    for t in range(n_custody):
        units[("custody", -1, t)] = add(f"{DISTRICT_NAMES[t * 2]} Custody Suite", "custody", ops)
    units[("intelligence", -1, 0)] = add("Force Intelligence Bureau", "intelligence", crime)
    units[("public_protection", -1, 0)] = add("Public Protection Unit", "public_protection", crime)
    units[("professional_standards", -1, 0)] = add("Professional Standards Department",
                                                   "professional_standards", hq)
    units[("roads_policing", -1, 0)] = add("Roads Policing Unit", "roads_policing", ops)
    units[("specialist", -1, 0)] = add("Tactical Firearms Unit", "specialist", ops)
    units[("specialist", -1, 1)] = add("Dog Section", "specialist", ops)
    units[("training", -1, 0)] = add("Learning and Development", "training", corporate)
    units[("support", -1, 0)] = add("Information Services", "support", corporate)
    units[("support", -1, 1)] = add("People Services", "support", corporate)
    units[("support", -1, 2)] = add("Estates and Facilities", "support", corporate)

    shares = np.array([j.share for j in JOBS])
    n = w.n_staff_target
    counts = np.floor(shares / shares.sum() * n).astype(np.int64)
    counts[np.argsort(-(shares / shares.sum() * n - counts))[: n - counts.sum()]] += 1
    job = np.repeat(np.arange(len(JOBS)), counts)
    rng.shuffle(job)
    district = rng.integers(0, nd, n)
    team = rng.integers(0, 5, n)
    unit = np.empty(n, dtype=np.int64)
    patterns: list[str] = []
    for k, j in enumerate(JOBS):
        sel = np.flatnonzero(job == k)
        for r in sel.tolist():
            d = int(district[r]) if j.district else -1
            if j.function == "response":
                key = ("response", d if j.district else -1, int(team[r]))
            elif j.function == "neighbourhood":
                key = ("neighbourhood", d, int(team[r]) % 3)
            elif j.function == "contact_centre":
                key = ("contact_centre", -1, int(team[r]) % 4)
            elif j.function == "custody":
                key = ("custody", -1, int(team[r]) % n_custody)
            elif j.function == "specialist":
                key = ("specialist", -1, int(team[r]) % 2)
            elif j.function == "support":
                key = ("support", -1, 0 if j.code == "contractor" else int(team[r]) % 3)
            else:
                key = (j.function, d if j.district else -1, 0)
            if key not in units:  # roads and specialists on the response pattern
                key = (key[0], -1, 0)
            unit[r] = units[key]
    patterns.extend(JOBS[k].pattern for k in job)
    # a few contact-centre and custody staff work permanent nights
    twelve = np.flatnonzero(np.isin(job, [JOB_INDEX[c] for c in
                                          ("call_handler", "dispatcher", "detention_officer")]))
    for r in twelve[rng.random(len(twelve)) < 0.12]:
        patterns[r] = "night_fixed"
    w.s_job, w.s_district, w.s_team, w.s_unit, w.s_pattern = job, district, team, unit, patterns

    female = rng.random(n) < np.array([JOBS[k].female for k in job])
    w.s_female = female
    w.s_forename, w.s_surname = draw_names(rng, female)
    start_days = _epoch_days(w.period_start)
    age_years = np.clip(rng.normal(39, 9.5, n), 18.5, 66)
    w.s_dob = (start_days - age_years * 365.25).astype(np.int64)
    service = np.minimum(rng.exponential(9.0, n), age_years - 18)
    w.s_start = (start_days - service * 365.25).astype(np.int64)
    # joiners during the period and leavers
    joiners = rng.random(n) < 0.025
    w.s_start[joiners] = start_days + rng.integers(0, max(1, w.days // 2), joiners.sum())
    w.s_end = np.full(n, -1, dtype=np.int64)
    leavers = (rng.random(n) < 0.03) & ~joiners
    w.s_end[leavers] = start_days + rng.integers(w.days // 3, w.days, leavers.sum())
    ranks = np.empty(n, dtype=object)
    for k, j in enumerate(JOBS):
        sel = job == k
        labels = np.array([r for r, _ in j.ranks], dtype=object)
        ranks[sel] = labels[choice_codes(rng, int(sel.sum()), [p for _, p in j.ranks])]
    w.s_rank = ranks
    has_phone = rng.random(n) < np.array([JOBS[k].phone for k in job])
    w.s_work_phone = np.where(has_phone, random_mobiles(rng, n), 0)
    w.s_personal_phone = np.where(rng.random(n) < 0.85, random_mobiles(rng, n), 0)
    home_district = np.where(rng.random(n) < 0.7, district, rng.integers(0, nd, n))
    w.s_house, w.s_street, w.s_postcode = draw_addresses(rng, home_district)

    # posts: one per member of staff (some hold no post), plus vacancies
    post_titles: list[str] = []
    post_units: list[int] = []
    post_vetting: list[str] = []
    s_post = np.full(n, -1, dtype=np.int64)
    for r in range(n):
        j = JOBS[job[r]]
        if rng.random() < 0.03:
            continue
        vet = j.vetting
        rank = str(ranks[r])
        if j.staff_type == "officer" and rank in ("PS", "DS", "Sergeant", "Insp", "Inspector",
                                                  "DI") and vet == "rv":
            vet = "mv" if rng.random() < 0.5 else "rv"
        if j.function == "intelligence" and rng.random() < 0.25:
            vet = "sc"
        post_titles.append(j.title if not rank.startswith(("DS", "PS", "DI", "Insp"))
                           else f"{j.title} ({rank})")
        post_units.append(int(unit[r]))
        post_vetting.append(vet)
        s_post[r] = len(post_titles) - 1
    for _ in range(max(2, n // 50)):
        holder = int(rng.integers(0, n))
        j = JOBS[job[holder]]
        post_titles.append(j.title)
        post_units.append(int(unit[holder]))
        post_vetting.append(j.vetting)
    w.s_post = s_post
    w.p_title, w.p_unit, w.p_vetting = post_titles, post_units, post_vetting


# --- rosters ------------------------------------------------------------------------------------
def build_shifts(w: World) -> None:
    rng = w.rng
    n, days = w.n_staff, w.days
    start_h = np.full((n, days), -1, dtype=np.int64)
    hours = np.zeros((n, days), dtype=np.int64)
    weekday0 = w.period_start.weekday()
    pats = np.array(w.s_pattern, dtype=object)
    day_idx = np.arange(days)
    for name, cycle in PATTERNS.items():
        sel = np.flatnonzero(pats == name)
        if sel.size == 0:
            continue
        L = len(cycle)
        sh = np.array([c[0] if c else -1 for c in cycle])
        hr = np.array([c[1] if c else 0 for c in cycle])
        if name == "office":
            offset = np.full(sel.size, weekday0)
        elif name == "response":
            offset = w.s_team[sel] * 2
        elif name in ("twelve", "night_fixed"):
            offset = (w.s_team[sel] % 4) * 2
        else:
            offset = rng.integers(0, L, sel.size)
        pos = (day_idx[None, :] + offset[:, None]) % L
        start_h[sel] = sh[pos]
        hours[sel] = hr[pos]
    for name, p_day, sh_choices in (("special", 0.2, (18, 10, 19)), ("volunteer", 0.12, (10, 13))):
        sel = np.flatnonzero(pats == name)
        if sel.size == 0:
            continue
        on = rng.random((sel.size, days)) < p_day
        sh = np.array(sh_choices)[rng.integers(0, len(sh_choices), (sel.size, days))]
        start_h[sel] = np.where(on, sh, -1)
        hours[sel] = np.where(on, 8 if name == "special" else 4, 0)
    # leave, sickness and training days
    start_h[rng.random((n, days)) < 0.11] = -1
    # not serving yet / any more
    day_abs = _epoch_days(w.period_start) + day_idx
    serving = (day_abs[None, :] >= w.s_start[:, None]) & (
        (w.s_end[:, None] < 0) | (day_abs[None, :] <= w.s_end[:, None]))
    start_h[~serving] = -1
    staff_i, day_i = np.nonzero(start_h >= 0)
    jitter = np.zeros(staff_i.size, dtype=np.int64)
    office = pats[staff_i] == "office"
    jitter[office] = rng.integers(-60, 75, office.sum()) * MINUTE
    st = w.t0 + day_i * DAY + start_h[staff_i, day_i] * HOUR + jitter
    en = st + hours[staff_i, day_i] * HOUR + np.where(office, rng.integers(0, 60, staff_i.size)
                                                      * MINUTE, 0)
    w.sh_staff, w.sh_start, w.sh_end = staff_i.astype(np.int64), st, en  # sorted by staff, day
    # on-duty index: (job, district, hour slot) -> staff on duty
    slots0 = (st - w.t0) // HOUR
    nslots = (en - 1 - w.t0) // HOUR - slots0 + 1
    rep = np.repeat(np.arange(st.size), nslots)
    slot = np.repeat(slots0, nslots) + (np.arange(rep.size) - np.repeat(np.cumsum(nslots) - nslots,
                                                                         nslots))
    s = w.sh_staff[rep]
    w.duty_slot_staff = s
    w.duty = GroupIndex.build(_duty_key(w, w.s_job[s], _district_key(w, s), slot))
    w.by_job = GroupIndex.build(w.s_job * (w.n_districts + 1) + _district_key(w, np.arange(n)))


def _district_key(w: World, staff: IntArray) -> IntArray:
    is_d = np.array([j.district for j in JOBS])[w.s_job[staff]]
    return np.where(is_d, w.s_district[staff] + 1, 0)


def _duty_key(w: World, job: IntArray, dkey: IntArray, slot: IntArray) -> IntArray:
    nslots = w.days * 24 + 48
    return (job * (w.n_districts + 1) + dkey) * nslots + np.clip(slot, 0, nslots - 1)


def pick_on_duty(w: World, job: IntArray, district: IntArray, t: IntArray) -> IntArray:
    """A member of staff of `job` (in `district`, for district jobs) on duty at `t`.

    Falls back to the next hours, then to anyone in the job (called in off duty)."""
    assert w.duty is not None and w.by_job is not None
    rng = w.rng
    is_d = np.array([j.district for j in JOBS])[job]
    dkey = np.where(is_d, district + 1, 0)
    slot = (t - w.t0) // HOUR
    out = np.full(len(job), -1, dtype=np.int64)
    for extra in (0, 1, 2, 4, 8):
        todo = out < 0
        if not todo.any():
            break
        row = w.duty.sample(rng, _duty_key(w, job[todo], dkey[todo], slot[todo] + extra))
        out[todo] = np.where(row >= 0, w.duty_slot_staff[np.maximum(row, 0)], -1)
    todo = out < 0
    if todo.any():
        out[todo] = w.by_job.sample(rng, job[todo] * (w.n_districts + 1) + dkey[todo])
    todo = out < 0
    if todo.any():  # no one in the district: anyone in the job
        out[todo] = w.by_job.sample(rng, job[todo] * (w.n_districts + 1))
    todo = out < 0
    if todo.any():
        out[todo] = rng.integers(0, w.n_staff, todo.sum())
    return out


def on_duty_times(w: World, staff: IntArray, a: IntArray, b: IntArray,
                  p_off: float | FloatArray) -> tuple[IntArray, BoolArray]:
    """A random time in [a, b) for each row, inside one of the staff member's shifts unless
    drawn off duty (probability `p_off`) or no shift falls in the window."""
    rng = w.rng
    n = len(staff)
    b = np.maximum(b, a + 1)
    key = w.sh_staff * (1 << 40) + (w.sh_start - w.t0 + DAY)
    base = staff * (1 << 40)
    lo = np.searchsorted(key, base + np.maximum(a - w.t0 + DAY - 14 * HOUR, 0))
    hi = np.searchsorted(key, base + (b - w.t0 + DAY))
    cnt = hi - lo
    pick = lo + np.minimum((rng.random(n) * cnt).astype(np.int64), np.maximum(cnt - 1, 0))
    pick = np.minimum(pick, len(key) - 1)
    s0 = w.sh_start[pick]
    s1 = w.sh_end[pick]
    t_on = s0 + (rng.random(n) * (s1 - s0)).astype(np.int64)
    ok = (cnt > 0) & (t_on >= a) & (t_on < b) & (w.sh_staff[pick] == staff)
    off = (rng.random(n) < p_off) | ~ok
    t_any = a + (rng.random(n) * (b - a)).astype(np.int64)
    return np.where(off, t_any, t_on), off


def service_window(w: World, staff: IntArray) -> tuple[IntArray, IntArray]:
    """[from, to) seconds of the period during which each member of staff was serving."""
    a = np.maximum(w.t0, w.s_start[staff] * DAY)
    b = np.where(w.s_end[staff] < 0, w.t1, np.minimum(w.t1, (w.s_end[staff] + 1) * DAY))
    return a, np.maximum(b, a + 1)


def on_duty_mask(w: World, staff: IntArray, t: IntArray) -> BoolArray:
    """Whether each (staff, t) falls inside a rostered shift."""
    key = w.sh_staff * (1 << 40) + (w.sh_start - w.t0 + DAY)
    pos = np.searchsorted(key, staff * (1 << 40) + (t - w.t0 + DAY), side="right") - 1
    pos_c = np.maximum(pos, 0)
    return (pos >= 0) & (w.sh_staff[pos_c] == staff) & (w.sh_end[pos_c] > t)


# --- incidents and people -----------------------------------------------------------------------
def build_incidents(w: World) -> None:
    rng = w.rng
    n = int(round(w.n_staff * w.months * 2.5))
    day = rng.integers(0, w.days, n)
    hour_w = np.array([3, 2, 1.5, 1, 1, 1, 1.5, 2.5, 3.5, 4, 4.5, 4.5, 5, 5, 5, 5.5, 6, 6.5,
                       6.5, 6.5, 6, 5.5, 5, 4])
    hour = choice_codes(rng, n, hour_w)
    opened = w.t0 + day * DAY + hour * HOUR + rng.integers(0, HOUR, n)
    order = np.argsort(opened, kind="stable")
    opened = opened[order]
    cat = choice_codes(rng, n, list(CATEGORY_WEIGHTS.values()))
    district = rng.integers(0, w.n_districts, n)
    crime = np.isin(cat, [CAT[c] for c in CRIMES])
    median_days = np.array([{"domestic_abuse": 21, "sexual_offence": 75, "stalking_harassment": 30,
                             "violence": 25, "theft": 10, "burglary": 14, "fraud": 45,
                             "child_protection": 40, "public_order": 12}.get(c, 0.6)
                            for c in CATEGORIES])
    dur = np.exp(np.log(median_days[cat] * DAY) + rng.normal(0, 0.8, n))
    dur = np.where(crime, dur, np.minimum(dur, 5 * DAY))
    closed = opened + dur.astype(np.int64) + HOUR
    closed = np.where(closed >= w.t1, -1, closed)
    w.i_opened, w.i_closed, w.i_category, w.i_district = opened, closed, cat, district
    w.i_postcode = make_postcodes(rng, district)


def build_people(w: World) -> None:
    """Person records and their roles in incidents (with repeat victims and prolific offenders)."""
    rng = w.rng
    rows_inc: list[IntArray] = []
    rows_role: list[IntArray] = []
    rows_pool: list[IntArray] = []
    from probity.extract.schema import NOMINAL_ROLES

    role_code = {r: i for i, r in enumerate(NOMINAL_ROLES)}
    for c, template in ROLE_TEMPLATES.items():
        inc = np.flatnonzero(w.i_category == CAT[c])
        for role, mean, pool in template:
            k = bernoulli_plus_poisson(rng, np.full(inc.size, mean))
            rows_inc.append(np.repeat(inc, k))
            rows_role.append(np.full(int(k.sum()), role_code[role]))
            rows_pool.append(np.full(int(k.sum()), POOLS.index(pool)))
    inc_r = np.concatenate(rows_inc)
    role_r = np.concatenate(rows_role)
    pool_r = np.concatenate(rows_pool)
    # pool sizes and members
    size_factor = {"v": 0.75, "o": 0.55, "g": 0.95, "c": 0.7}
    skew = {"v": 1.8, "o": 2.6, "g": 1.15, "c": 1.5}
    pool_of: list[IntArray] = []
    dist_of: list[IntArray] = []
    for p, name in enumerate(POOLS):
        need = int((pool_r == p).sum())
        size = max(10, int(need * size_factor[name]) + w.n_districts * 3)
        pool_of.append(np.full(size, p))
        dist_of.append(rng.integers(0, w.n_districts, size))
    n_pool = np.concatenate(pool_of)
    n_dist = np.concatenate(dist_of)
    n_nom = n_pool.size
    # people sampled within (pool, district), heavy-tailed
    gi = GroupIndex.build(n_pool * 100 + n_dist)
    nominal = np.full(inc_r.size, -1, dtype=np.int64)
    for p, name in enumerate(POOLS):
        sel = pool_r == p
        nominal[sel] = gi.sample(rng, p * 100 + w.i_district[inc_r[sel]], skew=skew[name])
    # domestic abuse suspects are usually the victim's (ex-)partner
    partner = np.full(n_nom, -1, dtype=np.int64)
    vpool = np.flatnonzero(n_pool == POOLS.index("v"))
    partner[vpool] = gi.sample(rng, POOLS.index("o") * 100 + n_dist[vpool], skew=1.3)
    da = w.i_category[inc_r] == CAT["domestic_abuse"]
    for inc_set in (da,):
        vic = inc_set & (role_r == role_code["victim"])
        first_victim = np.full(w.n_incidents, -1, dtype=np.int64)
        first_victim[inc_r[vic][::-1]] = nominal[vic][::-1]
        sus = inc_set & (role_r == role_code["suspect"]) & (rng.random(inc_r.size) < 0.85)
        pv = first_victim[inc_r[sus]]
        nominal[sus] = np.where(pv >= 0, partner[np.maximum(pv, 0)], nominal[sus])
    # no person twice in one incident
    key = inc_r * (n_nom + 1) + nominal
    _, first = np.unique(key, return_index=True)
    keep = np.zeros(inc_r.size, dtype=bool)
    keep[first] = True
    w.in_incident, w.in_nominal, w.in_role = inc_r[keep], nominal[keep], role_r[keep]
    # attributes
    w.n_pool, w.n_district, w.n_partner = n_pool, n_dist, partner
    female_p = np.array([0.8, 0.2, 0.5, 0.5])[n_pool]
    w.n_female = rng.random(n_nom) < female_p
    w.n_gender = np.where(w.n_female, "female", "male").astype(object)
    w.n_gender[rng.random(n_nom) < 0.01] = "unknown"
    # partners of female victims are mostly male; keep as drawn (pool skew handles it)
    start_days = _epoch_days(w.period_start)
    age = np.where(n_pool == 0, rng.gamma(6.0, 5.2, n_nom) + 14,
                   np.where(n_pool == 1, rng.gamma(5.0, 6.0, n_nom) + 14,
                            np.where(n_pool == 2, rng.uniform(16, 85, n_nom),
                                     rng.uniform(1, 17.9, n_nom))))
    w.n_dob = (start_days - age * 365.25).astype(np.int64)
    w.n_dob[rng.random(n_nom) < 0.04] = -(10**6)
    w.n_forename, w.n_surname = draw_names(rng, w.n_female)
    add_recording_noise(rng, w.n_forename, w.n_surname)
    house, street, postcode = draw_addresses(rng, n_dist)
    w.n_address = (house.astype(str).astype(object) + " " + street)
    no_addr = rng.random(n_nom) < 0.08
    w.n_address[no_addr] = None
    w.n_postcode = postcode
    w.n_postcode[no_addr & (rng.random(n_nom) < 0.7)] = None
    has_phone = rng.random(n_nom) < np.array([0.88, 0.7, 0.6, 0.25])[n_pool]
    phones = np.where(rng.random(n_nom) < 0.88, random_mobiles(rng, n_nom),
                      random_landlines(rng, n_nom))
    w.n_phone = np.where(has_phone, phones, 0)
    w.n_phone_style = rng.integers(0, 7, n_nom)
    has_email = rng.random(n_nom) < 0.2
    w.n_email = where_or_none(
        has_email,
        np.char.add(np.char.add(np.char.lower(w.n_forename.astype(str)),
                                rng.integers(1, 999, n_nom).astype(str)), "@example.com"
                    ).astype(object))
    w.n_true_staff = np.full(n_nom, -1, dtype=np.int64)


def typo(rng: np.random.Generator, s: str) -> str:
    """One keying slip: two letters swapped, one dropped or one doubled."""
    if len(s) < 4:
        return s
    i = int(rng.integers(1, len(s) - 2))
    k = int(rng.integers(0, 3))
    if k == 0:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if k == 1:
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]


def add_recording_noise(rng: np.random.Generator, forename: StrArray, surname: StrArray) -> None:
    """In place: nicknames, typos and upper case, as records clerks write names."""
    n = len(forename)
    nick = np.flatnonzero(rng.random(n) < 0.08)
    for i in nick:
        opts = names.NICKNAMES.get(str(forename[i]))
        if opts:
            forename[i] = opts[int(rng.integers(0, len(opts)))]
    for arr, p in ((forename, 0.015), (surname, 0.02)):
        for i in np.flatnonzero(rng.random(n) < p):
            arr[i] = typo(rng, str(arr[i]))
    upper = rng.random(n) < 0.04
    surname[upper] = np.char.upper(surname[upper].astype(str)).astype(object)


def add_nominals(w: World, *, pool: IntArray, district: IntArray, female: BoolArray,
                 dob: IntArray, forename: StrArray, surname: StrArray, address: StrArray,
                 postcode: StrArray, phone: IntArray, phone_style: IntArray,
                 staff: IntArray) -> IntArray:
    """Append person records; returns their row numbers."""
    k = len(pool)
    first = w.n_nominals
    w.n_pool = np.concatenate([w.n_pool, pool])
    w.n_district = np.concatenate([w.n_district, district])
    w.n_partner = np.concatenate([w.n_partner, np.full(k, -1, dtype=np.int64)])
    w.n_female = np.concatenate([w.n_female, female])
    w.n_gender = np.concatenate([w.n_gender, np.where(female, "female", "male").astype(object)])
    w.n_dob = np.concatenate([w.n_dob, dob])
    w.n_forename = np.concatenate([w.n_forename, forename])
    w.n_surname = np.concatenate([w.n_surname, surname])
    w.n_address = np.concatenate([w.n_address, address])
    w.n_postcode = np.concatenate([w.n_postcode, postcode])
    w.n_phone = np.concatenate([w.n_phone, phone])
    w.n_phone_style = np.concatenate([w.n_phone_style, phone_style])
    w.n_email = np.concatenate([w.n_email, np.full(k, None, dtype=object)])
    w.n_true_staff = np.concatenate([w.n_true_staff, staff])
    return np.arange(first, first + k)


def build_flags(w: World) -> None:
    """Vulnerability flags from what happened to each person, plus background conditions."""
    from probity.extract.schema import NOMINAL_FLAGS, NOMINAL_ROLES

    rng = w.rng
    fl = {f: i for i, f in enumerate(NOMINAL_FLAGS)}
    role = {r: i for i, r in enumerate(NOMINAL_ROLES)}
    start_days = _epoch_days(w.period_start)
    opened_day = w.i_opened // DAY
    nom: list[IntArray] = []
    flag: list[IntArray] = []
    frm: list[IntArray] = []

    def add(nominals: IntArray, f: str, from_day: IntArray) -> None:
        nom.append(nominals)
        flag.append(np.full(len(nominals), fl[f]))
        frm.append(from_day)

    cat = w.i_category[w.in_incident]
    for c, r, f in (("domestic_abuse", "victim", "domestic_abuse_victim"),
                    ("sexual_offence", "victim", "sexual_offence_victim"),
                    ("missing_person", "other", "missing_person"),
                    ("mental_health", "other", "mental_health"),
                    ("stalking_harassment", "victim", "vulnerable_adult")):
        sel = (cat == CAT[c]) & (w.in_role == role[r])
        if c == "stalking_harassment":
            sel &= rng.random(sel.size) < 0.3
        add(w.in_nominal[sel], f, opened_day[w.in_incident[sel]])
    n = w.n_nominals
    all_n = np.arange(n)
    hist_from = start_days - rng.integers(30, 3000, n)
    child = (w.n_dob > start_days - 18 * 365) & (w.n_dob > -(10**6))
    add(all_n[child], "child", np.maximum(w.n_dob[child], start_days - 5000))
    for pool, f, p in ((0, "vulnerable_adult", 0.15), (0, "substance_misuse", 0.08),
                       (1, "substance_misuse", 0.25), (0, "mental_health", 0.12),
                       (1, "mental_health", 0.06), (0, "sex_worker", 0.012),
                       (1, "homeless", 0.03), (2, "homeless", 0.005), (0, "homeless", 0.01),
                       (0, "modern_slavery_victim", 0.004), (2, "vulnerable_adult", 0.02),
                       (0, "domestic_abuse_victim", 0.2), (2, "other", 0.01)):
        sel = all_n[(w.n_pool == pool) & (rng.random(n) < p)]
        add(sel, f, hist_from[sel])
    f_nom = np.concatenate(nom)
    f_flag = np.concatenate(flag)
    f_from = np.concatenate(frm)
    key = f_nom * 32 + f_flag
    order = np.lexsort((f_from, key))
    key_s = key[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = key_s[1:] != key_s[:-1]
    sel = order[first]
    w.f_nominal, w.f_flag, w.f_from = f_nom[sel], f_flag[sel], f_from[sel]
    w.f_to = np.full(sel.size, -(10**6), dtype=np.int64)
    ch = w.f_flag == fl["child"]
    w.f_to[ch] = w.n_dob[w.f_nominal[ch]] + int(18 * 365.25)
    w.f_from[rng.random(sel.size) < 0.05] = -(10**6)


# --- assignments ------------------------------------------------------------------------------
def build_assignments(w: World) -> None:
    from probity.extract.schema import ASSIGNMENT_ROLES

    rng = w.rng
    ar = {r: i for i, r in enumerate(ASSIGNMENT_ROLES)}
    J = JOB_INDEX
    n = w.n_incidents
    cat = w.i_category
    opened, closed, dist = w.i_opened, w.i_closed, w.i_district
    end_or_period = np.where(closed < 0, w.t1, closed)
    inc_l: list[IntArray] = []
    staff_l: list[IntArray] = []
    role_l: list[IntArray] = []
    st_l: list[IntArray] = []
    en_l: list[IntArray] = []

    def add(inc: IntArray, staff: IntArray, role: str, st: IntArray, en: IntArray) -> None:
        inc_l.append(inc)
        staff_l.append(staff)
        role_l.append(np.full(len(inc), ar[role]))
        st_l.append(st)
        en_l.append(en)

    def jobs(k: int, options: dict[str, float]) -> IntArray:
        codes = np.array([J[c] for c in options])
        return codes[choice_codes(rng, k, list(options.values()))]

    idx = np.arange(n)
    # call handling and dispatch
    sel = idx[rng.random(n) < 0.92]
    st = opened[sel]
    add(sel, pick_on_duty(w, np.full(sel.size, J["call_handler"]), dist[sel], st), "call_handler",
        st, st + rng.integers(3, 16, sel.size) * MINUTE)
    sel = idx[rng.random(n) < 0.75]
    st = opened[sel] + rng.integers(2, 20, sel.size) * MINUTE
    add(sel, pick_on_duty(w, np.full(sel.size, J["dispatcher"]), dist[sel], st), "dispatcher",
        st, st + rng.integers(20, 180, sel.size) * MINUTE)
    # attendance
    p_attend = np.array([0.1 if c == "fraud" else 0.7 if c == "antisocial_behaviour" else 0.88
                         for c in CATEGORIES])
    sel = idx[rng.random(n) < p_attend[cat]]
    job = jobs(sel.size, {"response_pc": 0.80, "special": 0.05, "neighbourhood_pc": 0.07,
                          "pcso": 0.03, "roads": 0.05})
    asb = np.isin(cat[sel], [CAT["antisocial_behaviour"], CAT["concern_for_welfare"]])
    job[asb & (rng.random(sel.size) < 0.45)] = J["pcso"]
    rt = cat[sel] == CAT["road_traffic"]
    job[rt & (rng.random(sel.size) < 0.5)] = J["roads"]
    st = opened[sel] + rng.integers(8, 90, sel.size) * MINUTE
    first_att = pick_on_duty(w, job, dist[sel], st)
    att_en = st + rng.integers(40, 240, sel.size) * MINUTE
    add(sel, first_att, "attending", st, att_en)
    first_attender = np.full(n, -1, dtype=np.int64)
    first_attender[sel] = first_att
    attend_start = np.zeros(n, dtype=np.int64)
    attend_start[sel] = st
    p2 = np.array([0.8 if c == "domestic_abuse" else 0.5 if c in ("violence", "sexual_offence",
                                                                   "public_order") else 0.15
                   for c in CATEGORIES])
    sel2 = sel[rng.random(sel.size) < p2[cat[sel]]]
    st2 = attend_start[sel2] + rng.integers(0, 20, sel2.size) * MINUTE
    second = pick_on_duty(w, jobs(sel2.size, {"response_pc": 0.9, "special": 0.1}), dist[sel2], st2)
    ok = second != first_attender[sel2]
    add(sel2[ok], second[ok], "attending", st2[ok], st2[ok] + rng.integers(40, 240, ok.sum()) * MINUTE)
    # officer in case
    oic_opts: dict[str, dict[str, float]] = {
        "domestic_abuse": {"attend": 0.55, "safeguarding_officer": 0.30, "detective": 0.15},
        "sexual_offence": {"detective": 0.5, "safeguarding_officer": 0.4, "public_protection": 0.1},
        "stalking_harassment": {"attend": 0.5, "safeguarding_officer": 0.3, "detective": 0.2},
        "violence": {"attend": 0.5, "detective": 0.5},
        "burglary": {"detective": 0.6, "attend": 0.4},
        "theft": {"attend": 0.6, "staff_investigator": 0.4},
        "fraud": {"staff_investigator": 0.7, "detective": 0.3},
        "child_protection": {"safeguarding_officer": 0.7, "detective": 0.3},
        "public_order": {"attend": 1.0},
    }
    p_oic = {"theft": 0.6, "public_order": 0.5}
    oic_of = np.full(n, -1, dtype=np.int64)
    for c, opts in oic_opts.items():
        inc = idx[(cat == CAT[c]) & (rng.random(n) < p_oic.get(c, 1.0))]
        names_ = list(opts)
        choice = choice_codes(rng, inc.size, list(opts.values()))
        st = opened[inc] + rng.integers(1, 30, inc.size) * HOUR
        who = np.full(inc.size, -1, dtype=np.int64)
        att = np.array([nm == "attend" for nm in names_])[choice] & (first_attender[inc] >= 0)
        who[att] = first_attender[inc[att]]
        st[att] = attend_start[inc[att]]
        rest = who < 0
        rest_job = np.array([J.get(nm, J["response_pc"]) for nm in names_])[choice[rest]]
        who[rest] = pick_on_duty(w, rest_job, dist[inc[rest]], st[rest])
        en = np.where(closed[inc] < 0, -1, np.maximum(closed[inc], st + HOUR))
        add(inc, who, "officer_in_case", st, en)
        oic_of[inc] = who
    # investigators on the bigger crimes
    crime = np.isin(cat, [CAT[c] for c in CRIMES])
    inc = idx[crime & (rng.random(n) < 0.2)]
    st = opened[inc] + rng.integers(1, 10 * 24, inc.size) * HOUR
    who = pick_on_duty(w, jobs(inc.size, {"detective": 0.7, "staff_investigator": 0.3}),
                       dist[inc], st)
    en = np.minimum(end_or_period[inc], st + rng.integers(5, 60, inc.size) * DAY)
    ok = (who != oic_of[inc]) & (st < w.t1)
    en = np.where(en >= w.t1, -1, np.maximum(en, st + HOUR))
    add(inc[ok], who[ok], "investigator", st[ok], en[ok])
    # safeguarding
    p_sg = np.array([{"domestic_abuse": 0.55, "child_protection": 0.9, "missing_person": 0.5,
                      "mental_health": 0.3, "sexual_offence": 0.5, "stalking_harassment": 0.3,
                      "concern_for_welfare": 0.2}.get(c, 0.0) for c in CATEGORIES])
    inc = idx[rng.random(n) < p_sg[cat]]
    st = opened[inc] + rng.integers(4, 72, inc.size) * HOUR
    who = pick_on_duty(w, jobs(inc.size, {"safeguarding_staff": 0.5, "safeguarding_officer": 0.5}),
                       dist[inc], st)
    en = np.minimum(end_or_period[inc], st + rng.integers(3, 45, inc.size) * DAY)
    ok = st < w.t1
    en = np.where(en >= w.t1, -1, np.maximum(en, st + HOUR))
    add(inc[ok], who[ok], "safeguarding", st[ok], en[ok])
    # supervision
    inc = idx[rng.random(n) < 0.25]
    st = opened[inc] + rng.integers(10, 180, inc.size) * MINUTE
    who = pick_on_duty(w, jobs(inc.size, {"response_sgt": 0.85, "duty_inspector": 0.15}),
                       dist[inc], st)
    add(inc, who, "supervisor", st, st + rng.integers(1, 48, inc.size) * HOUR)
    # custody staff for arrests
    p_arrest = np.array([{"domestic_abuse": 0.4, "violence": 0.3, "public_order": 0.4,
                          "sexual_offence": 0.2, "burglary": 0.15, "theft": 0.1}.get(c, 0.0)
                         for c in CATEGORIES])
    inc = idx[rng.random(n) < p_arrest[cat]]
    st = opened[inc] + rng.integers(1, 6, inc.size) * HOUR
    for job_code in ("custody_sgt", "detention_officer"):
        who = pick_on_duty(w, np.full(inc.size, J[job_code]), dist[inc], st)
        add(inc, who, "other", st, st + rng.integers(4, 20, inc.size) * HOUR)
    w.a_incident = np.concatenate(inc_l)
    w.a_staff = np.concatenate(staff_l)
    w.a_role = np.concatenate(role_l)
    w.a_start = np.concatenate(st_l)
    en_all = np.concatenate(en_l)
    w.a_end = np.where((en_all >= w.t1) & (en_all > 0), -1, en_all)
    # leavers hand their cases over on the day they leave
    _, leave = service_window(w, w.a_staff)
    left = leave < w.t1
    w.a_end = np.where(left & ((w.a_end < 0) | (w.a_end > leave)), leave, w.a_end)
    # nothing may start after the extract was taken, or after the person left
    keep = (w.a_start < w.t1) & (w.a_start < leave) & ((w.a_end < 0) | (w.a_end > w.a_start))
    for name in ("a_incident", "a_staff", "a_role", "a_start", "a_end"):
        setattr(w, name, getattr(w, name)[keep])
