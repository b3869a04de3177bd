"""The scenario library: perpetrators of abuse of position for a sexual purpose, staff who
appear in person records (true identities and namesakes), and benign look-alikes.

Every injected trace goes through the same helpers as benign activity (same systems, actions,
reasons, devices, phone formats), and every signal is drawn with a probability, so that no
perpetrator is marked by a generator quirk and not every perpetrator shows every sign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from probity.synth import names
from probity.synth._util import (
    DAY,
    HOUR,
    MINUTE,
    IntArray,
    StrArray,
    choice_codes,
)
from probity.synth.activity import (
    CONTEXT,
    FLAG,
    NROLE,
    Activity,
    add_apps,
    add_complaints,
    add_declarations,
    incident_lookup,
    nominal_lookup,
)
from probity.synth.world import (
    CAT,
    JOB_INDEX,
    JOBS,
    World,
    add_nominals,
    on_duty_times,
    service_window,
    typo,
)

SCENARIOS = ("attend_then_pursue", "trawling", "complaint_pattern", "undeclared_suspect",
             "encrypted_channel", "subtle")
SCENARIO_WEIGHTS = (0.30, 0.15, 0.10, 0.10, 0.12, 0.23)
# jobs whose people meet members of the public through their work
MEETS_PUBLIC = {"response_pc", "response_sgt", "special", "neighbourhood_pc", "pcso", "detective",
                "staff_investigator", "safeguarding_officer", "safeguarding_staff",
                "public_protection", "custody_sgt", "detention_officer", "call_handler",
                "dispatcher", "roads", "specialist", "duty_inspector"}
NON_OFFICER_JOBS = {"pcso", "call_handler", "dispatcher", "detention_officer", "staff_investigator",
                    "safeguarding_staff", "analyst"}
OTHER_TYPES_JOBS = {"special", "volunteer", "contractor"}


@dataclass
class Perpetrator:
    staff: int
    scenario: str
    victims: list[int] = field(default_factory=list)
    subtle: bool = False
    signals: list[str] = field(default_factory=list)
    # people met through work: (nominal row, incident row, end of the assignment)
    met: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass
class Truth:
    perpetrators: list[Perpetrator] = field(default_factory=list)
    lookalikes: list[tuple[int, str]] = field(default_factory=list)
    links: list[tuple[int, int, list[str], bool]] = field(default_factory=list)
    injected_namesakes: list[tuple[int, int, bool]] = field(default_factory=list)


# --- choosing perpetrators ----------------------------------------------------------------------
def choose_perpetrators(w: World) -> list[Perpetrator]:
    rng = w.rng
    n = w.n_staff
    k = max(4, int(round(0.01 * n)))
    start_day = w.t0 // DAY
    stable = (w.s_start < start_day - 90) & (w.s_end < 0)
    job_codes = np.array([j.code for j in JOBS], dtype=object)[w.s_job]
    eligible = np.flatnonzero(stable & (job_codes != "psd"))
    chosen: list[int] = []

    def draw(mask: np.ndarray) -> None:
        pool = np.setdiff1d(eligible[mask[eligible]], np.array(chosen, dtype=np.int64))
        if pool.size:
            chosen.append(int(pool[rng.integers(0, pool.size)]))

    draw(np.isin(job_codes, list(NON_OFFICER_JOBS)))
    draw(np.isin(job_codes, list(OTHER_TYPES_JOBS)))
    draw(job_codes == "pcso")
    if k >= 20:
        draw(job_codes == "volunteer")
        draw(job_codes == "call_handler")
        draw(job_codes == "contractor")
    public = np.isin(job_codes, list(MEETS_PUBLIC))
    while len(chosen) < k:
        draw(public if rng.random() < 0.9 else np.ones(n, dtype=bool))
    chosen_arr = np.array(chosen[:k], dtype=np.int64)
    rng.shuffle(chosen_arr)
    perps: list[Perpetrator] = []
    for i, s in enumerate(chosen_arr):
        code = job_codes[s]
        ok = _eligible_scenarios(w, int(s), str(code))
        if i < len(SCENARIOS) and SCENARIOS[i] in ok:
            scen = SCENARIOS[i]
        else:
            weights = np.array([SCENARIO_WEIGHTS[SCENARIOS.index(x)] for x in ok])
            scen = ok[int(choice_codes(rng, 1, weights)[0])]
        perps.append(Perpetrator(staff=int(s), scenario=scen, subtle=scen == "subtle"))
    return perps


def _eligible_scenarios(w: World, staff: int, code: str) -> list[str]:
    out = ["trawling", "undeclared_suspect"]
    if code in MEETS_PUBLIC:
        out += ["attend_then_pursue", "subtle", "complaint_pattern"]
        if w.s_work_phone[staff] > 0:
            out.append("encrypted_channel")
    return [s for s in SCENARIOS if s in out]


# --- staff who appear in person records -----------------------------------------------------------
def _noisy_identity(w: World, staff: int) -> dict[str, object]:
    """How a records clerk might have written this member of staff: nicknames, typos, swapped
    names, missing or transposed dates of birth, another phone format, an old address."""
    rng = w.rng
    fore = str(w.s_forename[staff])
    sur = str(w.s_surname[staff])
    if fore in names.NICKNAMES and rng.random() < 0.3:
        opts = names.NICKNAMES[fore]
        fore = opts[int(rng.integers(0, len(opts)))]
    if rng.random() < 0.1:
        fore = typo(rng, fore)
    if rng.random() < 0.1:
        sur = typo(rng, sur)
    if rng.random() < 0.04:
        fore, sur = sur, fore
    fore = fore.upper() if rng.random() < 0.1 else fore
    dob = int(w.s_dob[staff])
    u = rng.random()
    if u < 0.12:
        dob = -(10**6)
    elif u < 0.2:
        d = np.datetime64(dob, "D").astype(object)
        if d.day <= 12 and d.day != d.month:
            try:
                dob = int(np.datetime64(d.replace(day=d.month, month=d.day), "D").astype(np.int64))
            except ValueError:
                pass
        else:
            dob += 1
    elif u < 0.25:
        dob += int(rng.choice([-365, 365]))
    v = rng.random()
    if v < 0.55:
        address = f"{w.s_house[staff]} {w.s_street[staff]}"
        postcode = w.s_postcode[staff]
    elif v < 0.8:
        address = f"{int(rng.integers(1, 150))} {names.STREET_NAMES[int(rng.integers(0, 44))]} Road"
        postcode = None
    else:
        address, postcode = None, None
    p = rng.random()
    phone = int(w.s_personal_phone[staff]) if p < 0.45 else (
        int(w.s_work_phone[staff]) if p < 0.5 else 0)
    return {"forename": fore, "surname": sur, "dob": dob, "address": address,
            "postcode": postcode, "phone": phone}


def _add_identity_record(w: World, staff: int, pool: int, fields: dict[str, object],
                         true_staff: int) -> int:
    rng = w.rng
    row = add_nominals(
        w, pool=np.array([pool]), district=np.array([w.s_district[staff]]),
        female=np.array([bool(w.s_female[staff])]), dob=np.array([fields["dob"]], dtype=np.int64),
        forename=np.array([fields["forename"]], dtype=object),
        surname=np.array([fields["surname"]], dtype=object),
        address=np.array([fields["address"]], dtype=object),
        postcode=np.array([fields["postcode"]], dtype=object),
        phone=np.array([fields["phone"]], dtype=np.int64),
        phone_style=rng.integers(0, 7, 1), staff=np.array([true_staff], dtype=np.int64))
    return int(row[0])


def _replace_role(w: World, nominal: int, role: str, categories: tuple[str, ...],
                  district: int, early: bool = False) -> int | None:
    """Put `nominal` into one incident in `role` (replacing the person there); returns the
    incident row, or None when no incident fits."""
    rng = w.rng
    cat_ok = np.isin(w.i_category[w.in_incident], [CAT[c] for c in categories])
    cand = np.flatnonzero(cat_ok & (w.in_role == NROLE[role]))
    if early:
        cand = cand[w.i_opened[w.in_incident[cand]] < w.t0 + (w.t1 - w.t0) * 0.7]
    local = cand[w.i_district[w.in_incident[cand]] == district]
    if local.size:
        cand = local
    taken = w.n_true_staff[w.in_nominal[cand]] >= 0
    cand = cand[~taken]
    if cand.size == 0:
        return None
    r = int(cand[rng.integers(0, cand.size)])
    w.in_nominal[r] = nominal
    return int(w.in_incident[r])


def place_staff_identities(w: World, perps: list[Perpetrator], truth: Truth) -> None:
    rng = w.rng
    n = w.n_staff
    perp_staff = {p.staff for p in perps}
    # undeclared suspects first: the perpetrator is the suspect in a domestic abuse case
    for p in perps:
        if p.scenario != "undeclared_suspect":
            continue
        rec = _add_identity_record(w, p.staff, 1, _noisy_identity(w, p.staff), p.staff)
        inc = _replace_role(w, rec, "suspect", ("domestic_abuse",), int(w.s_district[p.staff]),
                            early=True)
        if inc is None:
            continue
        roles = ["suspect"]
        victims = w.in_nominal[(w.in_incident == inc) & (w.in_role == NROLE["victim"])]
        p.victims = [int(v) for v in victims]
        p.signals.append("suspect_in_domestic_abuse_case")
        if rng.random() < 0.3 and victims.size:  # the abuse happens again
            inc2 = _replace_role(w, rec, "suspect", ("domestic_abuse",),
                                 int(w.s_district[p.staff]))
            if inc2 is not None:
                vrow = np.flatnonzero((w.in_incident == inc2) & (w.in_role == NROLE["victim"]))
                w.in_nominal[vrow] = victims[0]
                p.signals.append("repeat_domestic_abuse_case")
        truth.links.append((p.staff, rec, roles, False))
    # other staff on record: victims, witnesses, associates, a few declared suspects
    others = np.setdiff1d(np.flatnonzero(rng.random(n) < 0.025), np.array(sorted(perp_staff)))
    plans = (("victim", ("theft", "burglary", "fraud", "violence", "road_traffic"), 0, 0.2),
             ("victim", ("domestic_abuse", "stalking_harassment"), 0, 0.35),
             # benign staff are suspects in minor matters they mostly declared; being the
             # undeclared suspect of domestic abuse is the undeclared_suspect scenario
             ("suspect", ("violence", "public_order", "theft"), 1, 0.7),
             ("witness", ("violence", "theft", "road_traffic", "public_order"), 2, 0.15),
             ("reporting_person", ("concern_for_welfare", "antisocial_behaviour",
                                   "missing_person"), 2, 0.1),
             ("associate", ("domestic_abuse", "child_protection"), 2, 0.3),
             ("", (), 2, 0.2))
    choice = choice_codes(rng, others.size, [0.3, 0.08, 0.1, 0.17, 0.12, 0.1, 0.13])
    for s, c in zip(others, choice, strict=True):
        role, cats, pool, p_declared = plans[int(c)]
        rec = _add_identity_record(w, int(s), pool, _noisy_identity(w, int(s)), int(s))
        placed: list[str] = []
        if role:
            inc = _replace_role(w, rec, role, cats, int(w.s_district[s]))
            if inc is not None:
                placed.append(role)
        declared = bool(rng.random() < p_declared)
        truth.links.append((int(s), rec, placed, declared))
        if rng.random() < 0.2:  # an older, separate record of the same person
            rec2 = _add_identity_record(w, int(s), 2, _noisy_identity(w, int(s)), int(s))
            role2 = str(rng.choice(["witness", "reporting_person", "victim"]))
            inc2 = _replace_role(w, rec2, role2, ("theft", "road_traffic", "antisocial_behaviour",
                                                  "burglary", "concern_for_welfare"),
                                 int(w.s_district[s]))
            truth.links.append((int(s), rec2, [role2] if inc2 is not None else [], False))


def place_namesakes(w: World, perps: list[Perpetrator], truth: Truth) -> None:
    """Records of other people who share a member of staff's common name."""
    rng = w.rng
    n = w.n_staff
    fore_rank = {f: i for i, f in enumerate(names.FEMALE_FORENAMES + names.MALE_FORENAMES)}
    sur_rank = {s: i for i, s in enumerate(names.COMMON_SURNAMES)}
    common = np.array([fore_rank.get(str(f), 99) % 90 < 30 and sur_rank.get(str(s), 999) < 40
                       for f, s in zip(w.s_forename, w.s_surname, strict=True)])
    cand = np.flatnonzero(common)
    k = min(cand.size, max(3, int(0.025 * n)))
    chosen = rng.choice(cand, k, replace=False) if k else np.empty(0, np.int64)
    start_days = w.t0 // DAY
    for s in chosen:
        for _ in range(int(rng.integers(1, 3))):
            same_year = bool(rng.random() < 0.35)
            if same_year:
                year_start = int(np.datetime64(int(w.s_dob[s]), "D").astype("datetime64[Y]")
                                 .astype("datetime64[D]").astype(np.int64))
                dob = year_start + int(rng.integers(0, 365))
                if dob == int(w.s_dob[s]):
                    dob += 17
            else:
                dob = start_days - int(rng.uniform(17, 70) * 365.25)
            fore = str(w.s_forename[s])
            pool = 1 if rng.random() < 0.4 else 2
            dist = int(rng.integers(0, w.n_districts))
            house = int(rng.integers(1, 180))
            street = (f"{names.STREET_NAMES[int(rng.integers(0, len(names.STREET_NAMES)))]} "
                      f"{names.STREET_KINDS[int(rng.integers(0, len(names.STREET_KINDS)))]}")
            from probity.synth._util import random_mobiles
            from probity.synth.world import make_postcodes

            rec = int(add_nominals(
                w, pool=np.array([pool]), district=np.array([dist]),
                female=np.array([bool(w.s_female[s])]), dob=np.array([dob], dtype=np.int64),
                forename=np.array([fore], dtype=object),
                surname=np.array([w.s_surname[s]], dtype=object),
                address=np.array([f"{house} {street}"], dtype=object),
                postcode=make_postcodes(rng, np.array([dist])),
                phone=np.where(rng.random(1) < 0.6, random_mobiles(rng, 1), 0),
                phone_style=rng.integers(0, 7, 1), staff=np.array([-1], dtype=np.int64))[0])
            if rng.random() < 0.6:
                role = "suspect" if pool == 1 else str(rng.choice(["witness", "victim",
                                                                    "reporting_person"]))
                cats: tuple[str, ...] = ("domestic_abuse", "violence", "theft", "public_order",
                                         "burglary") \
                    if role == "suspect" else ("theft", "violence", "road_traffic", "burglary",
                                               "antisocial_behaviour")
                if role == "reporting_person":
                    cats = ("antisocial_behaviour", "concern_for_welfare", "missing_person")
                _replace_role(w, rec, role, cats, dist)
            truth.injected_namesakes.append((int(s), rec, same_year))


def separate_exact_namesakes(w: World) -> int:
    """Move the date of birth of any other person's record that matches a member of staff on
    name and date of birth exactly (a coincidence no data could resolve); returns how many."""
    import pandas as pd

    rng = w.rng
    others = np.flatnonzero(w.n_true_staff < 0)
    people = pd.DataFrame({"row": others,
                           "f": pd.Series(w.n_forename[others]).astype(str).str.lower(),
                           "s": pd.Series(w.n_surname[others]).astype(str).str.lower(),
                           "d": w.n_dob[others]})
    staff = pd.DataFrame({"f": pd.Series(w.s_forename).astype(str).str.lower(),
                          "s": pd.Series(w.s_surname).astype(str).str.lower(),
                          "d": w.s_dob}).drop_duplicates()
    clash = np.sort(people.merge(staff, on=["f", "s", "d"])["row"].to_numpy())
    shift = rng.integers(30, 400, clash.size) * np.where(rng.random(clash.size) < 0.5, -1, 1)
    w.n_dob[clash] += shift
    return int(clash.size)


# --- perpetrator behaviour ----------------------------------------------------------------------
def _evening(rng: np.random.Generator, ts: IntArray, lo: int, hi: int) -> IntArray:
    """Move off-duty times into the evening of the same day, staying inside [lo, hi)."""
    day = ts // DAY * DAY
    out = day + ((17.5 + rng.random(ts.size) * 6.4) * HOUR).astype(np.int64)
    out = np.where(out >= hi, out - DAY, out)
    return np.where((out < lo) | (out >= hi), ts, out)


def _lookup_context(w: World, staff: int, k: int) -> IntArray:
    """Reasons drawn from the contexts this person's job uses anyway (no tell-tale reason)."""
    job = JOBS[w.s_job[staff]]
    base = {"contact_centre": "call", "safeguarding": "safeguarding", "custody": "custody",
            "intelligence": "intel", "professional_standards": "intel",
            "investigation": "case"}.get(job.function, "patrol" if job.patrol else "general")
    does_cases = job.code in ("response_pc", "response_sgt", "special", "neighbourhood_pc",
                              "detective", "staff_investigator", "safeguarding_officer",
                              "public_protection")
    if does_cases:
        opts = np.array([CONTEXT[base], CONTEXT["general"], CONTEXT["case"],
                         CONTEXT["post_closure"]])
        weights = [0.45, 0.15, 0.3, 0.1]
    else:
        opts = np.array([CONTEXT[base], CONTEXT["general"]])
        weights = [0.7, 0.3]
    return opts[choice_codes(w.rng, k, weights)]


def _met_through_work(w: World, staff: int, *, k: int, latest: int) -> list[tuple[int, int, int]]:
    """People this member of staff met through their assignments: (nominal, incident, end)."""
    rng = w.rng
    a = np.flatnonzero((w.a_staff == staff) & (w.a_start < latest))
    if a.size == 0:
        return []
    inc = w.a_incident[a]
    end = np.where(w.a_end[a] < 0, w.a_start[a] + 2 * DAY, w.a_end[a])
    rows = np.flatnonzero(np.isin(w.in_incident, inc))
    nom = w.in_nominal[rows]
    start_days = w.t0 // DAY
    age = (start_days - w.n_dob[nom]) / 365.25
    ok = (w.n_female[nom] != bool(w.s_female[staff]) if rng.random() < 0.9 else True) & (
        (age >= 16) & (age <= 55) | (w.n_dob[nom] < -(10**5))) & (w.n_true_staff[nom] < 0) & np.isin(
        w.in_role[rows], [NROLE["victim"], NROLE["other"], NROLE["witness"],
                          NROLE["reporting_person"]])
    rows, nom = rows[ok], nom[ok]
    if rows.size == 0:
        return []
    age = (start_days - w.n_dob[nom]) / 365.25
    vulnerable = np.isin(nom, w.f_nominal[np.isin(w.f_flag, [
        FLAG["domestic_abuse_victim"], FLAG["vulnerable_adult"], FLAG["mental_health"],
        FLAG["sexual_offence_victim"], FLAG["substance_misuse"]])])
    cat = w.i_category[w.in_incident[rows]]
    # most are victims of domestic abuse or otherwise vulnerable, and young adults
    weight = 0.3 + 4.0 * vulnerable + 3.0 * np.isin(cat, [CAT["domestic_abuse"],
                                                          CAT["sexual_offence"],
                                                          CAT["stalking_harassment"]])
    weight += 1.0 * (w.in_role[rows] == NROLE["victim"])
    weight *= np.where((age >= 16) & (age <= 40), 1.5, 1.0)
    pick = rng.choice(rows.size, size=min(k, rows.size), replace=False, p=weight / weight.sum())
    out = []
    seen: set[int] = set()
    for r in pick:
        nm = int(nom[r])
        if nm in seen:
            continue
        seen.add(nm)
        incident = int(w.in_incident[rows[r]])
        e = int(end[inc == incident].max())
        out.append((nm, incident, e))
    return out


def _ensure_meeting(w: World, staff: int) -> None:
    """Give the perpetrator an assignment to a domestic abuse incident if they have none with
    someone they could pursue (as the benign population would have)."""
    from probity.extract.schema import ASSIGNMENT_ROLES

    rng = w.rng
    code = JOBS[w.s_job[staff]].code
    role = {"call_handler": "call_handler", "dispatcher": "dispatcher",
            "detention_officer": "other", "custody_sgt": "other",
            "safeguarding_staff": "safeguarding", "safeguarding_officer": "safeguarding",
            "detective": "officer_in_case", "staff_investigator": "officer_in_case",
            "public_protection": "officer_in_case"}.get(code, "attending")
    cats = [CAT["domestic_abuse"], CAT["stalking_harassment"], CAT["concern_for_welfare"],
            CAT["sexual_offence"], CAT["mental_health"]]
    shifts = np.flatnonzero((w.sh_staff == staff) & (w.sh_start < w.t0 + (w.t1 - w.t0) * 0.6))
    if shifts.size == 0:
        return
    rng.shuffle(shifts)
    inc = -1
    st = 0
    for sh in shifts[:40]:  # an incident raised while they were on duty
        s0, s1 = int(w.sh_start[sh]), int(w.sh_end[sh])
        lo, hi = np.searchsorted(w.i_opened, [s0 - 2 * HOUR, s1 - HOUR])
        cand = np.arange(lo, hi)
        cand = cand[np.isin(w.i_category[cand], cats)]
        if JOBS[w.s_job[staff]].district:
            local = cand[w.i_district[cand] == w.s_district[staff]]
            cand = local if local.size else cand
        if cand.size:
            inc = int(cand[rng.integers(0, cand.size)])
            st = max(int(w.i_opened[inc]) + int(rng.integers(5, 60)) * MINUTE, s0)
            break
    if inc < 0:
        return
    en = st + int(rng.integers(1, 4)) * HOUR
    w.a_incident = np.append(w.a_incident, inc)
    w.a_staff = np.append(w.a_staff, staff)
    w.a_role = np.append(w.a_role, ASSIGNMENT_ROLES.index(role))
    w.a_start = np.append(w.a_start, st)
    w.a_end = np.append(w.a_end, en)


def _lookups_after(w: World, act: Activity, p: Perpetrator, nominal: int, after: int, k: int,
                   p_off: float, incident: int | None = None) -> int:
    rng = w.rng
    if after >= w.t1 - HOUR or k <= 0:
        return 0
    staff = np.full(k, p.staff)
    horizon = np.minimum(w.t1, after + (rng.exponential(35, k) * DAY).astype(np.int64) + DAY)
    a = np.full(k, after + HOUR)
    ts, off = on_duty_times(w, staff, a, horizon, p_off)
    ts = np.where(off & (rng.random(k) < 0.7), _evening(rng, ts, after + HOUR, w.t1), ts)
    ctx = _lookup_context(w, p.staff, k)
    nominal_lookup(w, act.events, staff=staff, ts=ts, nominal=np.full(k, nominal), context=ctx)
    if incident is not None and rng.random() < 0.4:
        incident_lookup(w, act.events, staff=staff[:1],
                        ts=np.maximum(ts[:1] - rng.integers(10, 1800, 1), w.t0),
                        incident=np.array([incident]), context=ctx[:1], objects=act.objects)
    return k


def _contact(w: World, act: Activity, p: Perpetrator, nominal: int, after: int, k: int,
             p_off: float) -> int:
    rng = w.rng
    dev = int(act.s_phone_dev[p.staff])
    number = int(w.n_phone[nominal])
    if dev < 0 or number <= 0 or k <= 0 or after >= w.t1 - HOUR:
        return 0
    staff = np.full(k, p.staff)
    horizon = np.minimum(w.t1, after + (rng.exponential(40, k) * DAY).astype(np.int64) + DAY)
    ts, off = on_duty_times(w, staff, np.full(k, after), horizon, p_off)
    ts = np.where(off, _evening(rng, ts, after, w.t1), ts)
    act.comms.add(w, device=np.full(k, dev), ts=ts, number=np.full(k, number), p_out=0.75,
                  p_call=0.45)
    return k


def choose_victims(w: World, perps: list[Perpetrator]) -> None:
    """Who each perpetrator pursues: people met through their own assignments. Runs before
    the audit trail is generated, because a perpetrator who is the officer in case may steer
    the case to a quick close (and everyone's case work follows the shorter case)."""
    from probity.extract.schema import ASSIGNMENT_ROLES

    rng = w.rng
    latest = w.t1 - 21 * DAY
    oic = ASSIGNMENT_ROLES.index("officer_in_case")
    for p in perps:
        if p.scenario not in ("attend_then_pursue", "subtle", "encrypted_channel",
                              "complaint_pattern"):
            continue
        n_vict = 1 if p.scenario in ("subtle", "encrypted_channel") else int(
            choice_codes(rng, 1, [0.7, 0.22, 0.08])[0]) + 1
        if p.scenario == "complaint_pattern":
            n_vict = int(rng.integers(2, 5))
        met = _met_through_work(w, p.staff, k=n_vict, latest=latest)
        if not met:
            _ensure_meeting(w, p.staff)
            met = _met_through_work(w, p.staff, k=n_vict, latest=latest)
        if p.scenario == "attend_then_pursue" and rng.random() < 0.35:
            steered = []
            for nom, inc, end in met:
                rows = np.flatnonzero(w.a_incident == inc)
                mine = rows[(w.a_staff[rows] == p.staff) & (w.a_role[rows] == oic)]
                quick = int(w.i_opened[inc]) + int(rng.integers(20, 96)) * HOUR
                if mine.size == 0 or (0 <= w.i_closed[inc] <= quick) or \
                        (w.a_start[rows] >= quick).any():
                    steered.append((nom, inc, end))
                    continue
                w.i_closed[inc] = quick
                late = rows[(w.a_end[rows] < 0) | (w.a_end[rows] > quick)]
                w.a_end[late] = quick
                steered.append((nom, inc, quick))
                p.signals.append("case_closed_quickly")
            met = steered
        p.met = met
        p.victims = [m[0] for m in met]


def inject_perpetrators(w: World, act: Activity, perps: list[Perpetrator]) -> None:
    rng = w.rng
    end_day = w.t1 // DAY - 1
    for p in perps:
        s = p.staff
        met = p.met
        if p.scenario == "attend_then_pursue":
            for nom, inc, end in met:
                if rng.random() < 0.85:
                    k = 2 + int(rng.poisson(3.5))
                    if _lookups_after(w, act, p, nom, end, k, 0.6, inc):
                        p.signals.append("lookups_after_assignment")
                if rng.random() < 0.55:
                    if _contact(w, act, p, nom, end, 1 + int(rng.poisson(5)), 0.65):
                        p.signals.append("contact_off_duty")
            if rng.random() < 0.2 and act.s_phone_dev[s] >= 0:
                _encrypted_app(w, act, p)
            if rng.random() < 0.12 and met:
                _complaint(w, act, p, met[0][0], met[0][2])
        elif p.scenario == "subtle":
            for nom, inc, end in met:
                if _lookups_after(w, act, p, nom, end, int(rng.integers(2, 4)), 0.5):
                    p.signals.append("lookups_after_assignment")
                del inc
        elif p.scenario == "encrypted_channel":
            _encrypted_app(w, act, p)
            for nom, inc, end in met:
                if _contact(w, act, p, nom, end, 1 + int(rng.poisson(2)), 0.6):
                    p.signals.append("contact_off_duty")
                if rng.random() < 0.6 and _lookups_after(w, act, p, nom, end,
                                                          1 + int(rng.poisson(2)), 0.5, inc):
                    p.signals.append("lookups_after_assignment")
        elif p.scenario == "complaint_pattern":
            for nom, _inc, end in met:
                _complaint(w, act, p, nom, end, historic=True)
            if met and rng.random() < 0.4:
                nom, inc, end = met[0]
                if _lookups_after(w, act, p, nom, end, int(rng.integers(1, 4)), 0.5, inc):
                    p.signals.append("lookups_after_assignment")
        elif p.scenario == "trawling":
            _trawl(w, act, p)
        elif p.scenario == "undeclared_suspect" and p.victims:
            if rng.random() < 0.5:
                own = np.flatnonzero(w.n_true_staff == s)
                v = p.victims[0]
                k = int(rng.integers(2, 7))
                ts, _ = on_duty_times(w, np.full(k, s), np.full(k, w.t0), np.full(k, w.t1), 0.4)
                targets = np.where(rng.random(k) < 0.5, v, own[0] if own.size else v)
                nominal_lookup(w, act.events, staff=np.full(k, s), ts=ts, nominal=targets,
                               context=_lookup_context(w, s, k))
                p.signals.append("looks_up_own_case")
        p.signals = sorted(set(p.signals))
    del end_day


def _encrypted_app(w: World, act: Activity, p: Perpetrator) -> None:
    rng = w.rng
    dev = int(act.s_phone_dev[p.staff])
    if dev < 0:
        return
    enc = [i for i, a in enumerate(names.PHONE_APPS) if a[0] in names.ENCRYPTED_APPS]
    k = 1 if rng.random() < 0.75 else 2
    apps = rng.choice(enc, k, replace=False)
    start_day = w.t0 // DAY
    end_day = w.t1 // DAY - 1
    first = start_day + rng.integers(0, max(1, end_day - start_day - 10), k)
    add_apps(w, act, np.full(k, dev), apps, first=first, end_day=end_day)
    p.signals.append("encrypted_app")


def _complaint(w: World, act: Activity, p: Perpetrator, nominal: int, after: int,
               historic: bool = False) -> None:
    rng = w.rng
    end_day = w.t1 // DAY - 1
    if historic and rng.random() < 0.6:
        day = end_day - int(rng.integers(60, 4 * 365))
    else:
        day = min(end_day, after // DAY + int(rng.integers(5, 90)))
    day = max(day, int(w.s_start[p.staff]))
    cat = "sexual_conduct" if rng.random() < 0.6 else "abuse_of_position"
    complainant = nominal if day >= w.t0 // DAY - 30 or rng.random() < 0.5 else -2
    outcome = np.array([["not_upheld", "no_further_action", "ongoing", "withdrawn", "upheld"][
        int(choice_codes(rng, 1, [0.35, 0.25, 0.2, 0.15, 0.05])[0])]], dtype=object)
    if day > end_day - 120:
        outcome[0] = "ongoing"
    add_complaints(w, act, staff=np.array([p.staff]), received=np.array([day]),
                   complainant=np.array([complainant]), category=np.array([cat], dtype=object),
                   outcome=outcome)
    p.signals.append("complaint")


def _trawl(w: World, act: Activity, p: Perpetrator) -> None:
    rng = w.rng
    start_days = w.t0 // DAY
    age = (start_days - w.n_dob) / 365.25
    vulnerable = np.zeros(w.n_nominals, dtype=bool)
    vulnerable[w.f_nominal[np.isin(w.f_flag, [FLAG["domestic_abuse_victim"], FLAG["vulnerable_adult"],
                                              FLAG["mental_health"], FLAG["sexual_offence_victim"],
                                              FLAG["sex_worker"], FLAG["missing_person"],
                                              FLAG["substance_misuse"]])]] = True
    want_female = not bool(w.s_female[p.staff]) or rng.random() < 0.1
    linked = np.isin(np.arange(w.n_nominals),
                     w.in_nominal[np.isin(w.in_incident, w.a_incident[w.a_staff == p.staff])])
    cand = np.flatnonzero((w.n_female == want_female) & (age >= 16) & (age <= 35) & vulnerable
                          & ~linked & (w.n_true_staff < 0))
    if cand.size == 0:
        return
    k = min(cand.size, 10 + int(rng.poisson(22)))
    targets = rng.choice(cand, k, replace=False)
    repeats = 1 + rng.poisson(0.8, k)
    nom = np.repeat(targets, repeats)
    staff = np.full(nom.size, p.staff)
    ts, _ = on_duty_times(w, staff, np.full(nom.size, w.t0), np.full(nom.size, w.t1), 0.3)
    # a search first, then the view
    nominal_lookup(w, act.events, staff=staff, ts=ts, nominal=nom,
                   context=_lookup_context(w, p.staff, nom.size))
    p.victims = [int(t) for t in targets]
    p.signals.append("unlinked_vulnerable_lookups")
    if rng.random() < 0.25 and act.s_phone_dev[p.staff] >= 0:
        phoned = targets[w.n_phone[targets] > 0]
        if phoned.size and _contact(w, act, p, int(phoned[0]), w.t0 + DAY,
                                    1 + int(rng.poisson(3)), 0.7):
            p.signals.append("contact_off_duty")


# --- benign look-alikes -------------------------------------------------------------------------
def choose_off_duty_workers(w: World, perps: list[Perpetrator]) -> IntArray:
    rng = w.rng
    job_codes = np.array([j.code for j in JOBS], dtype=object)[w.s_job]
    cand = np.flatnonzero(np.isin(job_codes, ["detective", "safeguarding_officer",
                                              "staff_investigator", "response_pc",
                                              "public_protection"]))
    cand = np.setdiff1d(cand, [p.staff for p in perps])
    k = max(2, int(cand.size * 0.04))
    return rng.choice(cand, min(k, cand.size), replace=False) if cand.size else cand


def inject_lookalikes(w: World, act: Activity, perps: list[Perpetrator], truth: Truth,
                      off_duty_workers: IntArray, declared_relationships: IntArray) -> None:
    rng = w.rng
    perp_set = {p.staff for p in perps}
    job_codes = np.array([j.code for j in JOBS], dtype=object)[w.s_job]
    function = np.array([j.function for j in JOBS], dtype=object)[w.s_job]
    looks: list[tuple[int, str]] = []

    def add(staff: IntArray | list[int], kind: str) -> None:
        for s in staff:
            if int(s) not in perp_set:
                looks.append((int(s), kind))

    add(np.flatnonzero(np.isin(function, ["safeguarding", "public_protection"])), "safeguarding_team")
    add(np.flatnonzero(np.isin(job_codes, ["call_handler", "dispatcher", "analyst"])), "high_volume")
    add(np.flatnonzero(np.array(w.s_pattern, dtype=object) == "night_fixed"), "night_shift")
    add(np.flatnonzero(np.isin(job_codes, ["neighbourhood_pc", "pcso"])), "frequent_offender_checks")
    add(off_duty_workers, "off_duty_casework")
    add(declared_relationships, "declared_relationship")
    # officers in case who keep working on closed cases (court, file build, witness care)
    oic = np.flatnonzero((w.a_role == 3) & (w.a_end > 0) & (w.a_end < w.t1 - 10 * DAY))
    oic_staff = np.setdiff1d(np.unique(w.a_staff[oic]), list(perp_set))
    chosen = rng.choice(oic_staff, min(oic_staff.size, max(2, int(oic_staff.size * 0.08))),
                        replace=False) if oic_staff.size else oic_staff
    inc_rows_by = {}
    for s in chosen:
        mine = oic[w.a_staff[oic] == s]
        for a in rng.choice(mine, min(mine.size, int(rng.integers(1, 4))), replace=False):
            inc = int(w.a_incident[a])
            if inc not in inc_rows_by:
                inc_rows_by[inc] = np.flatnonzero(w.in_incident == inc)
            rows = inc_rows_by[inc]
            k = int(rng.integers(1, 6))
            staff = np.full(k, int(s))
            ts, _ = on_duty_times(w, staff, np.full(k, int(w.a_end[a])),
                                  np.minimum(w.t1, np.full(k, int(w.a_end[a]) + 60 * DAY)), 0.12)
            if rows.size:
                nom = w.in_nominal[rows[rng.integers(0, rows.size, k)]]
                nominal_lookup(w, act.events, staff=staff, ts=ts, nominal=nom,
                               context="post_closure")
                vic = w.in_nominal[rows[w.in_role[rows] == NROLE["victim"]]]
                dev = int(act.s_phone_dev[s])
                if vic.size and dev >= 0 and w.n_phone[vic[0]] > 0 and rng.random() < 0.4:
                    m = int(rng.integers(1, 4))
                    t2, _ = on_duty_times(w, np.full(m, int(s)), np.full(m, int(w.a_end[a])),
                                          np.minimum(w.t1, np.full(m, int(w.a_end[a]) + 60 * DAY)),
                                          0.15)
                    act.comms.add(w, device=np.full(m, dev), ts=t2,
                                  number=np.full(m, int(w.n_phone[vic[0]])), p_out=0.8)
            incident_lookup(w, act.events, staff=staff[:1], ts=ts[:1], incident=np.array([inc]),
                            context="post_closure", objects=act.objects)
        looks.append((int(s), "post_closure_work"))
    # curiosity and training look-ups with no vulnerable bias
    cur = np.setdiff1d(np.flatnonzero(rng.random(w.n_staff) < 0.03), list(perp_set))
    for s in cur:
        k = int(rng.integers(5, 16))
        staff = np.full(k, int(s))
        lo, hi = service_window(w, staff)
        ts, _ = on_duty_times(w, staff, lo, hi, 0.3)
        nominal_lookup(w, act.events, staff=staff, ts=ts,
                       nominal=rng.integers(0, w.n_nominals, k), context="general")
        looks.append((int(s), "curiosity_lookups"))
    # a complainant who makes sexual-conduct complaints against several officers
    public = np.flatnonzero(np.isin(job_codes, ["response_pc", "neighbourhood_pc", "detective"]))
    public = np.setdiff1d(public, list(perp_set))
    females = np.flatnonzero(w.n_female & (w.n_true_staff < 0))
    for _ in range(max(1, w.n_staff // 1500)):
        if public.size == 0 or females.size == 0:
            break
        complainant = int(females[rng.integers(0, females.size)])
        targets = rng.choice(public, min(public.size, int(rng.integers(3, 6))), replace=False)
        end_day = w.t1 // DAY - 1
        days = end_day - rng.integers(30, 3 * 365, targets.size)
        add_complaints(w, act, staff=targets, received=days,
                       complainant=np.full(targets.size, complainant),
                       category=np.full(targets.size, "sexual_conduct", dtype=object),
                       outcome=np.full(targets.size, "not_upheld", dtype=object))
        add(targets, "vexatious_complainant_target")
    # a single unfounded sexual-conduct or abuse-of-position complaint
    cs = np.concatenate(act.c_staff)
    cc = np.concatenate([np.asarray(c, dtype=object) for c in act.c_category])
    co = np.concatenate([np.asarray(c, dtype=object) for c in act.c_outcome])
    serious = np.isin(cc, ["sexual_conduct", "abuse_of_position"])
    counts = np.bincount(cs[serious], minlength=w.n_staff)
    unfounded = np.bincount(cs[serious & np.isin(co, ["not_upheld", "no_further_action",
                                                      "withdrawn"])], minlength=w.n_staff)
    add(np.flatnonzero((counts == 1) & (unfounded == 1)), "unfounded_complaint")
    # encrypted or ephemeral apps on a benign phone
    devs = np.concatenate(act.app_device)
    apps = np.concatenate(act.app_index)
    enc = [i for i, a in enumerate(names.PHONE_APPS) if a[0] in names.ENCRYPTED_APPS]
    owners = act.d_staff[devs[np.isin(apps, enc)]]
    add(np.unique(owners[owners >= 0]), "encrypted_app")
    # staff whose namesake is on record, and staff who declared their own record
    add(sorted({s for s, _, _ in truth.injected_namesakes}), "namesake_on_record")
    add(sorted({s for s, _, _, d in truth.links if d}), "declared_own_record")
    truth.lookalikes = sorted(set(looks))


def declare_links(w: World, act: Activity, truth: Truth) -> None:
    """Declarations for the staff who reported being on record."""
    rng = w.rng
    rows = [(s, nm) for s, nm, _, declared in truth.links if declared]
    if not rows:
        return
    staff = np.array([r[0] for r in rows], dtype=np.int64)
    nominal = np.array([r[1] for r in rows], dtype=np.int64)
    end_day = w.t1 // DAY - 1
    day = np.minimum(end_day, w.t0 // DAY + rng.integers(0, max(1, w.days), staff.size))
    kind = np.where(rng.random(staff.size) < 0.5, "other", "association").astype(object)
    add_declarations(w, act, staff=staff, day=day, kind=kind, nominal=nominal,
                     phone=np.where(w.n_phone[nominal] > 0, w.n_phone[nominal], 0))


__all__ = ["Perpetrator", "Truth", "SCENARIOS", "choose_perpetrators", "choose_victims", "place_staff_identities",
           "place_namesakes", "inject_perpetrators", "inject_lookalikes", "declare_links",
           "choose_off_duty_workers", "StrArray", "JOB_INDEX"]
