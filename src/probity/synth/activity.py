"""What the workforce does on the systems: devices, apps, audit events, calls and texts,
complaints, declarations and vetting. Events are generated in bulk from shifts and
assignments; scenario events are appended through the same `EventLog` so that they share
every vocabulary and distribution with the benign population."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from probity.extract.schema import (
    ACTIONS,
    ASSIGNMENT_ROLES,
    NOMINAL_FLAGS,
    NOMINAL_ROLES,
    OBJECT_TYPES,
    SYSTEMS,
)
from probity.synth import names
from probity.synth._util import (
    DAY,
    HOUR,
    BoolArray,
    GroupIndex,
    IntArray,
    StrArray,
    choice_codes,
    random_mobiles,
    where_or_none,
)
from probity.synth.world import (
    JOBS,
    PATROL_JOBS,
    World,
    on_duty_mask,
    on_duty_times,
    service_window,
)

SYS = {s: i for i, s in enumerate(SYSTEMS)}
ACT = {a: i for i, a in enumerate(ACTIONS)}
OBJ = {o: i for i, o in enumerate(OBJECT_TYPES)}
AROLE = {r: i for i, r in enumerate(ASSIGNMENT_ROLES)}
NROLE = {r: i for i, r in enumerate(NOMINAL_ROLES)}
FLAG = {f: i for i, f in enumerate(NOMINAL_FLAGS)}

REASONS: tuple[str, ...] = (
    "Incident", "Investigation", "Safeguarding", "Intelligence", "Enquiry", "Enquiries",
    "Custody", "Court preparation", "File preparation", "Admin", "Training", "Vehicle check",
    "Person check", "Warrant", "Missing person", "Welfare check", "Briefing", "Statement",
    "Call handling", "Domestic abuse", "Ongoing investigation", "Other",
)
_R = {r: i for i, r in enumerate(REASONS)}
REASON_CONTEXTS: dict[str, dict[str, float]] = {
    "call": {"Call handling": 0.6, "Incident": 0.3, "Person check": 0.1},
    "attend": {"Incident": 0.5, "Person check": 0.2, "Domestic abuse": 0.1, "Welfare check": 0.1,
               "Enquiry": 0.1},
    "case": {"Investigation": 0.3, "Ongoing investigation": 0.2, "Enquiry": 0.15,
             "Enquiries": 0.1, "Statement": 0.08, "File preparation": 0.07,
             "Domestic abuse": 0.05, "Court preparation": 0.05},
    "post_closure": {"Court preparation": 0.35, "File preparation": 0.3, "Enquiry": 0.15,
                     "Investigation": 0.1, "Admin": 0.1},
    "safeguarding": {"Safeguarding": 0.6, "Welfare check": 0.15, "Domestic abuse": 0.15,
                     "Missing person": 0.1},
    "patrol": {"Person check": 0.35, "Vehicle check": 0.3, "Incident": 0.15, "Briefing": 0.1,
               "Enquiry": 0.1},
    "intel": {"Intelligence": 0.7, "Enquiry": 0.2, "Briefing": 0.1},
    "general": {"Enquiry": 0.4, "Admin": 0.3, "Training": 0.15, "Person check": 0.15, "Other": 0.05},
    "custody": {"Custody": 0.9, "Person check": 0.1},
}
CONTEXT = {c: i for i, c in enumerate(REASON_CONTEXTS)}
# probability that a system records a reason at all
REASON_ASKED = np.array([{"pnc": 0.97, "pnd": 0.97, "intelligence": 0.95, "rms": 0.4,
                          "case_file": 0.2, "command_control": 0.1, "custody": 0.3}.get(s, 0.1)
                         for s in SYSTEMS])


@dataclass
class Objects:
    """The object-id space of audit events: nominals, incidents, then things outside."""

    n_nominals: int
    n_incidents: int
    n_vehicles: int
    n_locations: int
    n_intel: int
    n_call_logs: int
    n_outside_nominals: int

    @property
    def incidents0(self) -> int:
        return self.n_nominals

    @property
    def vehicles0(self) -> int:
        return self.incidents0 + self.n_incidents

    @property
    def locations0(self) -> int:
        return self.vehicles0 + self.n_vehicles

    @property
    def intel0(self) -> int:
        return self.locations0 + self.n_locations

    @property
    def call_logs0(self) -> int:
        return self.intel0 + self.n_intel

    @property
    def outside0(self) -> int:
        return self.call_logs0 + self.n_call_logs

    @property
    def total(self) -> int:
        return self.outside0 + self.n_outside_nominals


@dataclass
class EventLog:
    """Audit events as columns of codes; converted to strings only when written."""

    ts: list[IntArray] = field(default_factory=list)
    staff: list[IntArray] = field(default_factory=list)
    system: list[IntArray] = field(default_factory=list)
    action: list[IntArray] = field(default_factory=list)
    otype: list[IntArray] = field(default_factory=list)
    obj: list[IntArray] = field(default_factory=list)
    context: list[IntArray] = field(default_factory=list)

    def add(self, *, ts: IntArray, staff: IntArray, system: IntArray, action: IntArray,
            otype: IntArray, obj: IntArray, context: IntArray) -> None:
        n = len(ts)
        for name, arr in (("ts", ts), ("staff", staff), ("system", system), ("action", action),
                          ("otype", otype), ("obj", obj), ("context", context)):
            dtype = self.DTYPES[name]
            a = np.asarray(arr)
            if a.ndim == 0 or a.size == 1 and n != 1:
                a = np.full(n, int(a.reshape(-1)[0]) if a.size else 0)
            getattr(self, name).append(a.astype(dtype))

    # compact columns: about 20 bytes an event before writing
    DTYPES = {"ts": np.int64, "staff": np.int32, "system": np.int8, "action": np.int8,
              "otype": np.int8, "obj": np.int32, "context": np.int8}

    def columns(self) -> dict[str, IntArray]:
        out = {}
        for k in ("ts", "staff", "system", "action", "otype", "obj", "context"):
            parts = getattr(self, k)
            out[k] = np.concatenate(parts) if parts else np.empty(0, self.DTYPES[k])
            parts.clear()
        return out


@dataclass
class Comms:
    device: list[IntArray] = field(default_factory=list)
    ts: list[IntArray] = field(default_factory=list)
    direction: list[IntArray] = field(default_factory=list)  # 0 in, 1 out
    channel: list[IntArray] = field(default_factory=list)  # 0 call, 1 sms, 2 other
    number: list[IntArray] = field(default_factory=list)  # nsn
    style: list[IntArray] = field(default_factory=list)
    duration: list[IntArray] = field(default_factory=list)  # -1 null

    def add(self, w: World, *, device: IntArray, ts: IntArray, number: IntArray,
            p_out: float = 0.6, p_call: float = 0.6) -> None:
        rng = w.rng
        n = len(ts)
        self.device.append(device)
        self.ts.append(ts)
        self.direction.append((rng.random(n) < p_out).astype(np.int64))
        ch = (rng.random(n) >= p_call).astype(np.int64)
        self.channel.append(ch)
        self.number.append(number)
        self.style.append(rng.integers(0, 7, n))
        dur = np.exp(rng.normal(4.3, 1.0, n)).astype(np.int64) + 3
        dur[rng.random(n) < 0.1] = 0
        self.duration.append(np.where(ch == 0, dur, -1))


@dataclass
class Activity:
    objects: Objects
    events: EventLog
    comms: Comms
    # devices
    d_staff: IntArray
    d_kind: StrArray
    d_platform: StrArray
    d_enrolled: IntArray  # days
    d_unit: IntArray
    d_host: StrArray
    s_phone_dev: IntArray
    s_laptop_dev: IntArray
    s_desk_dev: IntArray
    desk_by_unit: GroupIndex
    # device apps
    app_device: list[IntArray]
    app_index: list[IntArray]
    app_first: list[IntArray]
    app_last: list[IntArray]  # -1e6 null
    app_version: list[StrArray]
    # complaints
    c_staff: list[IntArray]
    c_received: list[IntArray]
    c_complainant: list[IntArray]  # nominal row, -2 outside extract, -1 none
    c_category: list[str | StrArray]
    c_outcome: list[str | StrArray]
    # declarations
    dc_staff: list[IntArray]
    dc_day: list[IntArray]
    dc_kind: list[StrArray]
    dc_nominal: list[IntArray]  # -1 none
    dc_phone: list[IntArray]  # 0 none
    # vetting
    v_staff: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    v_level: StrArray = field(default_factory=lambda: np.empty(0, object))
    v_status: StrArray = field(default_factory=lambda: np.empty(0, object))
    v_decided: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    v_expires: IntArray = field(default_factory=lambda: np.empty(0, np.int64))


NULL_DAY = -(10**6)
BACKGROUND_CHUNK = 2_000_000


def build_devices(w: World) -> Activity:
    rng = w.rng
    n = w.n_staff
    start_day = w.t0 // DAY
    kinds: list[StrArray] = []
    owner: list[IntArray] = []
    platform: list[StrArray] = []
    unit: list[IntArray] = []
    s_phone = np.full(n, -1, dtype=np.int64)
    s_laptop = np.full(n, -1, dtype=np.int64)
    count = 0
    has_phone = w.s_work_phone > 0
    phone_staff = np.flatnonzero(has_phone)
    s_phone[phone_staff] = count + np.arange(phone_staff.size)
    count += phone_staff.size
    kinds.append(np.full(phone_staff.size, "phone", dtype=object))
    owner.append(phone_staff)
    platform.append(np.where(rng.random(phone_staff.size) < 0.85, "android", "ios").astype(object))
    unit.append(w.s_unit[phone_staff])
    lap = np.flatnonzero(rng.random(n) < np.array([JOBS[k].laptop for k in w.s_job]))
    s_laptop[lap] = count + np.arange(lap.size)
    count += lap.size
    kinds.append(np.full(lap.size, "laptop", dtype=object))
    owner.append(lap)
    platform.append(np.full(lap.size, "windows", dtype=object))
    unit.append(w.s_unit[lap])
    # shared desktops: about one for every two people in a unit
    n_units = len(w.unit_name)
    per_unit = np.bincount(w.s_unit, minlength=n_units)
    desks = np.maximum(np.ceil(per_unit * 0.5).astype(np.int64), (per_unit > 0).astype(np.int64))
    d_unit = np.repeat(np.arange(n_units), desks)
    kinds.append(np.full(d_unit.size, "desktop", dtype=object))
    owner.append(np.full(d_unit.size, -1, dtype=np.int64))
    platform.append(np.full(d_unit.size, "windows", dtype=object))
    unit.append(d_unit)
    desk0 = count
    count += d_unit.size
    # shared tablets in custody and response
    tab_units = np.array([u for u, f in enumerate(w.unit_function) if f in ("custody", "response")])
    kinds.append(np.full(tab_units.size, "tablet", dtype=object))
    owner.append(np.full(tab_units.size, -1, dtype=np.int64))
    platform.append(np.full(tab_units.size, "ios", dtype=object))
    unit.append(tab_units)
    count += tab_units.size
    d_kind = np.concatenate(kinds)
    d_owner = np.concatenate(owner)
    d_platform = np.concatenate(platform)
    d_unit_all = np.concatenate(unit)
    enrolled = start_day - rng.integers(10, 3 * 365, count)
    joined = (d_owner >= 0)
    enrolled = np.where(joined, np.maximum(enrolled, w.s_start[np.maximum(d_owner, 0)]), enrolled)
    host_num = rng.choice(90000, count, replace=False) + 10000
    prefix = np.where(d_kind == "laptop", "LT", np.where(d_kind == "desktop", "WS", ""))
    host = where_or_none(np.isin(d_kind, ["laptop", "desktop"]),
                         np.char.add(prefix.astype(str), host_num.astype(str)).astype(object))
    desk_by_unit = GroupIndex.build(np.where(d_kind == "desktop", d_unit_all, -1))
    usual = desk_by_unit.sample(rng, w.s_unit)
    del desk0
    act = Activity(
        objects=Objects(0, 0, 0, 0, 0, 0, 0), events=EventLog(), comms=Comms(),
        d_staff=d_owner, d_kind=d_kind, d_platform=d_platform, d_enrolled=enrolled,
        d_unit=d_unit_all, d_host=host, s_phone_dev=s_phone, s_laptop_dev=s_laptop,
        s_desk_dev=usual, desk_by_unit=desk_by_unit, app_device=[], app_index=[], app_first=[],
        app_last=[], app_version=[], c_staff=[], c_received=[], c_complainant=[],
        c_category=[], c_outcome=[], dc_staff=[], dc_day=[], dc_kind=[], dc_nominal=[],
        dc_phone=[])
    _install_apps(w, act)
    return act


def _install_apps(w: World, act: Activity) -> None:
    rng = w.rng
    mobiles = np.flatnonzero(np.isin(act.d_kind, ["phone", "tablet"]))
    end_day = w.t1 // DAY - 1
    for k, (_, _, prevalence, _) in enumerate(names.PHONE_APPS):
        dev = mobiles[rng.random(mobiles.size) < prevalence]
        first = None
        if prevalence < 0.5:  # optional apps: installed at any time since enrolment
            span = np.maximum(end_day - act.d_enrolled[dev], 1)
            first = act.d_enrolled[dev] + (rng.random(dev.size) * span).astype(np.int64)
        add_apps(w, act, dev, np.full(dev.size, k), first=first, end_day=end_day)


def add_apps(w: World, act: Activity, dev: IntArray, app: IntArray, *, first: IntArray | None,
             end_day: int) -> None:
    rng = w.rng
    n = dev.size
    if first is None:
        first = np.maximum(act.d_enrolled[dev] + rng.integers(0, 400, n), act.d_enrolled[dev])
        first = np.minimum(first, end_day)
    last = np.where(rng.random(n) < 0.93, end_day - rng.integers(0, 3, n),
                    np.minimum(first + rng.integers(1, 200, n), end_day))
    last = np.maximum(last, first)
    version = np.char.add(np.char.add(rng.integers(1, 30, n).astype(str), "."),
                          np.char.add(np.char.add(rng.integers(0, 20, n).astype(str), "."),
                                      rng.integers(0, 99, n).astype(str))).astype(object)
    act.app_device.append(dev)
    act.app_index.append(app)
    act.app_first.append(first)
    act.app_last.append(last)
    act.app_version.append(version)


def event_devices(w: World, act: Activity, staff: IntArray, ts: IntArray) -> IntArray:
    """The device each event came from, by job and whether the person was on duty."""
    rng = w.rng
    n = staff.size
    on = on_duty_mask(w, staff, ts)
    phone = act.s_phone_dev[staff]
    laptop = act.s_laptop_dev[staff]
    desk = np.where(rng.random(n) < 0.85, act.s_desk_dev[staff],
                    act.desk_by_unit.sample(rng, w.s_unit[staff]))
    u = rng.random(n)
    patrol = PATROL_JOBS[w.s_job[staff]]
    dev = desk.copy()
    on_phone = on & patrol & (u < 0.4) & (phone >= 0)
    dev[on_phone] = phone[on_phone]
    on_lap = on & ~patrol & (u < 0.08) & (laptop >= 0)
    dev[on_lap] = laptop[on_lap]
    off_lap = ~on & (u < 0.6) & (laptop >= 0)
    dev[off_lap] = laptop[off_lap]
    off_phone = ~on & ~off_lap & (u < 0.9) & (phone >= 0)
    dev[off_phone] = phone[off_phone]
    return dev


# --- audit events ------------------------------------------------------------------------------
def _nominal_system(rng: np.random.Generator, n: int, custody: BoolArray | None = None) -> IntArray:
    s = np.array([SYS["rms"], SYS["pnc"], SYS["pnd"], SYS["intelligence"], SYS["case_file"]])
    out = s[choice_codes(rng, n, [0.47, 0.2, 0.12, 0.11, 0.10])]
    if custody is not None:
        out[custody & (rng.random(n) < 0.5)] = SYS["custody"]
    return out


def _nominal_action(rng: np.random.Generator, n: int) -> IntArray:
    a = np.array([ACT["search"], ACT["view"], ACT["update"], ACT["print"], ACT["export"]])
    return a[choice_codes(rng, n, [0.32, 0.55, 0.09, 0.025, 0.015])]


def _incident_system(rng: np.random.Generator, n: int) -> IntArray:
    s = np.array([SYS["command_control"], SYS["rms"], SYS["case_file"]])
    return s[choice_codes(rng, n, [0.45, 0.35, 0.2])]


def _incident_action(rng: np.random.Generator, n: int) -> IntArray:
    a = np.array([ACT["view"], ACT["update"], ACT["search"], ACT["print"]])
    return a[choice_codes(rng, n, [0.7, 0.2, 0.08, 0.02])]


def nominal_lookup(w: World, log: EventLog, *, staff: IntArray, ts: IntArray, nominal: IntArray,
                   context: str | IntArray) -> None:
    """Searches and views of person records, in the same mix everyone uses."""
    rng = w.rng
    n = staff.size
    ctx = np.full(n, CONTEXT[context]) if isinstance(context, str) else context
    custody = np.array([j.function == "custody" for j in JOBS])[w.s_job[staff]]
    log.add(ts=ts, staff=staff, system=_nominal_system(rng, n, custody),
            action=_nominal_action(rng, n), otype=np.full(n, OBJ["nominal"]), obj=nominal,
            context=ctx)


def incident_lookup(w: World, log: EventLog, *, staff: IntArray, ts: IntArray, incident: IntArray,
                    context: str | IntArray, objects: Objects) -> None:
    rng = w.rng
    n = staff.size
    ctx = np.full(n, CONTEXT[context]) if isinstance(context, str) else context
    log.add(ts=ts, staff=staff, system=_incident_system(rng, n), action=_incident_action(rng, n),
            otype=np.full(n, OBJ["incident"]), obj=objects.incidents0 + incident, context=ctx)


def build_audit(w: World, act: Activity, *, off_duty_casework: IntArray) -> None:
    """Look-ups that follow assignments, background work on every shift, and a little
    off-duty and curiosity use by everyone."""
    rng = w.rng
    scale = w.scale
    n_inc = w.n_incidents
    act.objects = objs = Objects(
        n_nominals=w.n_nominals, n_incidents=n_inc,
        n_vehicles=max(100, n_inc), n_locations=max(100, n_inc), n_intel=max(50, n_inc // 2),
        n_call_logs=max(100, int(n_inc * 2 * scale)), n_outside_nominals=max(100, w.n_nominals))
    log = act.events
    inc_nom = GroupIndex.build(w.in_incident)
    # 1. assignment-driven work
    role = w.a_role
    mean = np.array([{"call_handler": 3.5, "dispatcher": 2.5, "attending": 4.0,
                      "officer_in_case": 6.0, "investigator": 4.0, "supervisor": 2.0,
                      "safeguarding": 5.0, "other": 2.0}[r] for r in ASSIGNMENT_ROLES])
    end = np.where(w.a_end < 0, w.t1, w.a_end)
    span_days = (end - w.a_start) / DAY
    long_role = np.isin(role, [AROLE["officer_in_case"], AROLE["investigator"],
                               AROLE["safeguarding"]])
    lam = (mean[role] + np.where(long_role, np.minimum(span_days * 0.15, 25), 0)) * scale
    k = rng.poisson(lam) + 1
    a = np.repeat(np.arange(role.size), k)
    st, en, staff = w.a_start[a], end[a], w.a_staff[a]
    p_off = np.where(np.isin(staff, off_duty_casework), 0.35, 0.05)
    ts_long, _ = on_duty_times(w, staff, st, en, p_off)
    short_window = np.minimum(en, st + 6 * HOUR)
    ts_short = st + (rng.random(a.size) * (short_window - st)).astype(np.int64)
    ts = np.where(long_role[a], ts_long, ts_short)
    inc = w.a_incident[a]
    p_inc = np.array([{"call_handler": 0.5, "dispatcher": 0.85, "attending": 0.35,
                       "officer_in_case": 0.3, "investigator": 0.3, "supervisor": 0.6,
                       "safeguarding": 0.2, "other": 0.3}[r] for r in ASSIGNMENT_ROLES])
    pick = inc_nom.sample(rng, inc)
    use_inc = (rng.random(a.size) < p_inc[role[a]]) | (pick < 0)
    ctx_of_role = np.array([CONTEXT[{"call_handler": "call", "dispatcher": "call",
                                     "attending": "attend", "officer_in_case": "case",
                                     "investigator": "case", "supervisor": "attend",
                                     "safeguarding": "safeguarding", "other": "custody"}[r]]
                            for r in ASSIGNMENT_ROLES])
    ctx = ctx_of_role[role[a]]
    sel = use_inc
    incident_lookup(w, log, staff=staff[sel], ts=ts[sel], incident=inc[sel], context=ctx[sel],
                    objects=objs)
    sel = ~use_inc
    nominal_lookup(w, log, staff=staff[sel], ts=ts[sel],
                   nominal=w.in_nominal[np.maximum(pick[sel], 0)], context=ctx[sel])
    # call handlers create the incident record, dispatchers update it
    ch = np.flatnonzero(role == AROLE["call_handler"])
    log.add(ts=w.a_start[ch], staff=w.a_staff[ch], system=np.full(ch.size, SYS["command_control"]),
            action=np.full(ch.size, ACT["create"]), otype=np.full(ch.size, OBJ["incident"]),
            obj=objs.incidents0 + w.a_incident[ch], context=np.full(ch.size, CONTEXT["call"]))
    # 1b. follow-ups after the assignment ended: statements, outcome checks, a repeat caller
    fol = np.flatnonzero(np.isin(role, [AROLE["attending"], AROLE["call_handler"],
                                        AROLE["supervisor"], AROLE["other"]])
                         & (rng.random(role.size) < 0.12 * min(scale, 3.0)))
    k = 1 + rng.poisson(0.6, fol.size)
    a = np.repeat(fol, k)
    after = end[a]
    ts, _ = on_duty_times(w, w.a_staff[a], after + HOUR,
                          np.minimum(w.t1, after + rng.integers(1, 21, a.size) * DAY), 0.1)
    pick = inc_nom.sample(rng, w.a_incident[a])
    ok = (pick >= 0) & (ts < w.t1) & (after + HOUR < w.t1)
    nominal_lookup(w, log, staff=w.a_staff[a][ok], ts=ts[ok], nominal=w.in_nominal[pick[ok]],
                   context=ctx_of_role[role[a][ok]])
    # 2. background work on every shift
    job = w.s_job[w.sh_staff]
    k = rng.poisson(np.array([j.background_per_shift for j in JOBS])[job] * scale)
    sh = np.repeat(np.arange(w.sh_staff.size), k)
    for chunk_start in range(0, sh.size, BACKGROUND_CHUNK):
        part = sh[chunk_start:chunk_start + BACKGROUND_CHUNK]
        staff = w.sh_staff[part]
        ts = w.sh_start[part] + (rng.random(part.size) * (w.sh_end[part] - w.sh_start[part])
                                 ).astype(np.int64)
        _background(w, act, staff=staff, ts=ts)
    del sh
    # 3. off-duty use by everyone (finishing work at home, early starts) and curiosity
    per_month = np.where(np.array([j.staff_type for j in JOBS])[w.s_job] == "officer", 2.0, 0.8)
    k = rng.poisson(per_month * w.months * scale)
    staff = np.repeat(np.arange(w.n_staff), k)
    lo, hi = service_window(w, staff)
    ts = lo + (rng.random(staff.size) * (hi - lo)).astype(np.int64)
    _background(w, act, staff=staff, ts=ts)
    k = rng.poisson(0.6 * w.months * scale, w.n_staff)
    staff = np.repeat(np.arange(w.n_staff), k)
    lo, hi = service_window(w, staff)
    ts, _ = on_duty_times(w, staff, lo, hi, 0.15)
    nominal_lookup(w, log, staff=staff, ts=ts, nominal=rng.integers(0, w.n_nominals, staff.size),
                   context="general")


def _background(w: World, act: Activity, *, staff: IntArray, ts: IntArray) -> None:
    rng = w.rng
    objs = act.objects
    log = act.events
    n = staff.size
    job = w.s_job[staff]
    mix = np.array([j.object_mix for j in JOBS])[job]
    cum = np.cumsum(mix, axis=1)
    cum /= cum[:, -1:]
    kind = (rng.random(n)[:, None] > cum).sum(axis=1)  # 0 nominal .. 4 intelligence
    function = np.array([j.function for j in JOBS], dtype=object)[job]
    ctx = np.full(n, CONTEXT["general"])
    ctx[np.isin(function, ["response", "neighbourhood", "roads_policing", "specialist"])] = \
        CONTEXT["patrol"]
    ctx[function == "contact_centre"] = CONTEXT["call"]
    ctx[np.isin(function, ["intelligence", "professional_standards"])] = CONTEXT["intel"]
    ctx[np.isin(function, ["safeguarding", "public_protection"])] = CONTEXT["safeguarding"]
    ctx[function == "custody"] = CONTEXT["custody"]
    ctx[np.isin(function, ["investigation"])] = CONTEXT["case"]
    # recent incidents (the command-and-control log of the last few days)
    opened = w.i_opened
    before = np.searchsorted(opened, ts) - 1
    recent_n = max(1, int(3 * n_per_day(w)))
    recent = np.clip(before - (rng.random(n) ** 2 * recent_n).astype(np.int64), 0,
                     max(w.n_incidents - 1, 0))
    # nominals
    sel = np.flatnonzero(kind == 0)
    nmix = np.array([j.nominal_mix for j in JOBS])[job[sel]]
    ncum = np.cumsum(nmix, axis=1)
    ncum /= ncum[:, -1:]
    nk = (rng.random(sel.size)[:, None] > ncum).sum(axis=1)
    nom = rng.integers(0, w.n_nominals, sel.size)  # anyone
    loc = np.flatnonzero(nk == 0)  # local frequent offenders
    offenders = GroupIndex.build(np.where(w.n_pool == 1, w.n_district, -1))
    got = offenders.sample(rng, w.s_district[staff[sel[loc]]], skew=3.0)
    nom[loc] = np.where(got >= 0, got, nom[loc])
    rec = np.flatnonzero(nk == 1)
    inc_nom = GroupIndex.build(w.in_incident)
    got = inc_nom.sample(rng, recent[sel[rec]])
    nom[rec] = np.where(got >= 0, w.in_nominal[np.maximum(got, 0)], nom[rec])
    vul = np.flatnonzero(nk == 3)
    flagged = np.unique(w.f_nominal[np.isin(w.f_flag, [FLAG["child"], FLAG["domestic_abuse_victim"],
                                                       FLAG["vulnerable_adult"],
                                                       FLAG["missing_person"],
                                                       FLAG["mental_health"]])])
    if flagged.size:
        nom[vul] = flagged[rng.integers(0, flagged.size, vul.size)]
    outside = rng.random(sel.size) < 0.08  # people not in this extract
    obj = np.where(outside, objs.outside0 + rng.integers(0, objs.n_outside_nominals, sel.size), nom)
    nominal_lookup(w, log, staff=staff[sel], ts=ts[sel], nominal=obj, context=ctx[sel])
    # incidents (and, for the contact centre, call logs that never became incidents)
    sel = np.flatnonzero(kind == 1)
    cc = function[sel] == "contact_centre"
    call_log = cc & (rng.random(sel.size) < 0.6)
    obj = np.where(call_log, objs.call_logs0 + rng.integers(0, objs.n_call_logs, sel.size),
                   objs.incidents0 + recent[sel])
    log.add(ts=ts[sel], staff=staff[sel],
            system=np.where(cc, SYS["command_control"], _incident_system(rng, sel.size)),
            action=_incident_action(rng, sel.size), otype=np.full(sel.size, OBJ["incident"]),
            obj=obj, context=ctx[sel])
    # vehicles, locations, intelligence
    for code, otype, pool0, size, systems, weights in (
            (2, "vehicle", objs.vehicles0, objs.n_vehicles, ("pnc", "rms", "other"),
             (0.8, 0.15, 0.05)),
            (3, "location", objs.locations0, objs.n_locations, ("command_control", "rms", "other"),
             (0.5, 0.4, 0.1)),
            (4, "intelligence", objs.intel0, objs.n_intel, ("intelligence", "pnd"), (0.8, 0.2))):
        sel = np.flatnonzero(kind == code)
        sysarr = np.array([SYS[s] for s in systems])[choice_codes(rng, sel.size, weights)]
        target = pool0 + np.minimum((rng.random(sel.size) ** 2.2 * size).astype(np.int64),
                                    size - 1)
        act_codes = np.where(rng.random(sel.size) < 0.55, ACT["search"], ACT["view"])
        c = ctx[sel].copy()
        if otype == "vehicle":
            c[c == CONTEXT["patrol"]] = CONTEXT["patrol"]
        log.add(ts=ts[sel], staff=staff[sel], system=sysarr, action=act_codes,
                otype=np.full(sel.size, OBJ[otype]), obj=target, context=c)


def n_per_day(w: World) -> float:
    return w.n_incidents / max(1, w.days)


def external_numbers(w: World) -> IntArray:
    """Numbers outside the force: family, suppliers, partner agencies."""
    from probity.synth._util import random_landlines

    rng = np.random.default_rng([w.seed, 5])
    n = max(200, w.n_staff * 3)
    return np.concatenate([random_mobiles(rng, n), random_landlines(rng, n // 4)])


# --- calls and texts ---------------------------------------------------------------------------
def build_comms(w: World, act: Activity, *, external: IntArray) -> None:
    rng = w.rng
    scale = w.scale
    cm = act.comms
    phone_dev = act.s_phone_dev
    holders = np.flatnonzero(phone_dev >= 0)
    if holders.size == 0:
        return
    # colleagues, on duty
    on_shift = np.isin(w.sh_staff, holders)
    sh = np.flatnonzero(on_shift)
    k = rng.poisson(2.2 * scale, sh.size)
    rows = np.repeat(sh, k)
    staff = w.sh_staff[rows]
    ts = w.sh_start[rows] + (rng.random(rows.size) * (w.sh_end[rows] - w.sh_start[rows])).astype(
        np.int64)
    by_unit = GroupIndex.build(np.where(w.s_work_phone > 0, w.s_unit, -1))
    mate = by_unit.sample(rng, w.s_unit[staff])
    anyone = holders[rng.integers(0, holders.size, rows.size)]
    mate = np.where((mate >= 0) & (mate != staff) & (rng.random(rows.size) < 0.7), mate, anyone)
    cm.add(w, device=phone_dev[staff], ts=ts, number=w.s_work_phone[mate])
    # other numbers (partners' offices, suppliers, family), at any time
    k = rng.poisson(0.12 * w.days * scale, holders.size)
    staff = np.repeat(holders, k)
    lo, hi = service_window(w, staff)
    ts = lo + (rng.random(staff.size) * (hi - lo)).astype(np.int64)
    number = external[rng.integers(0, external.size, staff.size)]
    cm.add(w, device=phone_dev[staff], ts=ts, number=number, p_out=0.5)
    # victims, witnesses and reporting people of one's own cases, mostly on duty
    p_contact = np.array([{"officer_in_case": 0.6, "attending": 0.12, "safeguarding": 0.5,
                           "investigator": 0.3}.get(r, 0.0) for r in ASSIGNMENT_ROLES])
    a = np.flatnonzero(rng.random(w.a_role.size) < p_contact[w.a_role])
    a = a[phone_dev[w.a_staff[a]] >= 0]
    inc_nom = GroupIndex.build(w.in_incident)
    pick = inc_nom.sample(rng, w.a_incident[a])
    ok = pick >= 0
    a, pick = a[ok], pick[ok]
    nom = w.in_nominal[pick]
    contactable = (w.n_phone[nom] > 0) & np.isin(w.in_role[pick], [
        NROLE["victim"], NROLE["witness"], NROLE["reporting_person"], NROLE["other"]])
    a, nom = a[contactable], nom[contactable]
    k = rng.poisson(2.0 * scale, a.size) + 1
    rows = np.repeat(np.arange(a.size), k)
    aa = a[rows]
    st = w.a_start[aa]
    end = np.where(w.a_end[aa] < 0, w.t1, w.a_end[aa])
    en = np.minimum(end, st + 45 * DAY)
    ts, _ = on_duty_times(w, w.a_staff[aa], st, en, 0.06)
    cm.add(w, device=phone_dev[w.a_staff[aa]], ts=ts, number=w.n_phone[nom[rows]], p_out=0.7)
    # some of those people call back after the case has closed (incoming, at any hour)
    back = np.flatnonzero(rng.random(a.size) < 0.08)
    k = 1 + rng.poisson(0.7, back.size)
    rows = np.repeat(back, k)
    aa = a[rows]
    after = np.where(w.a_end[aa] < 0, w.a_start[aa] + 30 * DAY, w.a_end[aa])
    ts = after + (rng.exponential(20, rows.size) * DAY).astype(np.int64)
    ok = ts < w.t1
    cm.add(w, device=phone_dev[w.a_staff[aa[ok]]], ts=ts[ok], number=w.n_phone[nom[rows[ok]]],
           p_out=0.1)


# --- complaints, declarations, vetting ------------------------------------------------------------
COMPLAINT_MIX = {"service_delivery": 0.40, "use_of_force": 0.15, "discriminatory_behaviour": 0.08,
                 "honesty_integrity": 0.08, "improper_disclosure": 0.04, "other": 0.20,
                 "abuse_of_position": 0.03, "sexual_conduct": 0.02}


def build_complaints(w: World, act: Activity) -> None:
    rng = w.rng
    end_day = w.t1 // DAY - 1
    public = np.array([j.patrol or j.function in ("investigation", "safeguarding", "custody",
                                                   "contact_centre") for j in JOBS])
    rate = np.where(public[w.s_job], 0.35, 0.04)
    k = rng.poisson(rate)
    staff = np.repeat(np.arange(w.n_staff), k)
    received = end_day - rng.integers(0, 5 * 365, staff.size)
    received = np.maximum(received, w.s_start[staff])
    cats = np.array(list(COMPLAINT_MIX), dtype=object)[choice_codes(rng, staff.size,
                                                                    list(COMPLAINT_MIX.values()))]
    # complainants: people from their incidents, other people on record, or no record
    att = GroupIndex.build(w.a_staff)
    got = att.sample(rng, staff)
    inc_nom = GroupIndex.build(w.in_incident)
    nom_pick = inc_nom.sample(rng, w.a_incident[np.maximum(got, 0)])
    complainant = np.where((got >= 0) & (nom_pick >= 0), w.in_nominal[np.maximum(nom_pick, 0)], -2)
    u = rng.random(staff.size)
    complainant = np.where(u < 0.2, rng.integers(0, w.n_nominals, staff.size), complainant)
    complainant = np.where(u > 0.75, -2, complainant)
    add_complaints(w, act, staff=staff, received=received, complainant=complainant, category=cats)


def add_complaints(w: World, act: Activity, *, staff: IntArray, received: IntArray,
                   complainant: IntArray, category: StrArray,
                   outcome: StrArray | None = None) -> None:
    rng = w.rng
    end_day = w.t1 // DAY - 1
    if outcome is None:
        outcome = np.array(["not_upheld", "no_further_action", "upheld", "withdrawn", "other"],
                           dtype=object)[choice_codes(rng, staff.size, [0.48, 0.27, 0.1, 0.1, 0.05])]
        outcome = np.where(received > end_day - 120, "ongoing", outcome).astype(object)
    act.c_staff.append(staff)
    act.c_received.append(received)
    act.c_complainant.append(complainant)
    act.c_category.append(category)
    act.c_outcome.append(outcome)


def build_declarations(w: World, act: Activity) -> IntArray:
    """Declared associations and relationships; returns staff with a declared relationship."""
    rng = w.rng
    n = w.n_staff
    staff = np.flatnonzero(rng.random(n) < 0.05)
    kind = np.array(["association", "relationship", "business_interest", "other"],
                    dtype=object)[choice_codes(rng, staff.size, [0.4, 0.3, 0.2, 0.1])]
    day = w.t1 // DAY - 1 - rng.integers(0, 6 * 365, staff.size)
    day = np.maximum(day, w.s_start[staff])
    offenders = np.flatnonzero(w.n_pool == 1)
    nominal = np.where(np.isin(kind, ["association", "relationship"]) & (rng.random(staff.size) < 0.6),
                       offenders[rng.integers(0, offenders.size, staff.size)], -1)
    nominal = np.where(nominal >= 0, nominal, np.where(
        np.isin(kind, ["association", "relationship"]) & (rng.random(staff.size) < 0.3), -2, -1))
    phone = np.where(rng.random(staff.size) < 0.4, random_mobiles(rng, staff.size), 0)
    phone = np.where(nominal >= 0, np.where(w.n_phone[np.maximum(nominal, 0)] > 0,
                                            w.n_phone[np.maximum(nominal, 0)], phone), phone)
    add_declarations(w, act, staff=staff, day=day, kind=kind, nominal=nominal, phone=phone)
    return staff[(kind == "relationship") & (nominal >= 0)]


def add_declarations(w: World, act: Activity, *, staff: IntArray, day: IntArray, kind: StrArray,
                     nominal: IntArray, phone: IntArray) -> None:
    act.dc_staff.append(staff)
    act.dc_day.append(day)
    act.dc_kind.append(kind)
    act.dc_nominal.append(nominal)
    act.dc_phone.append(phone)


VETTING_YEARS = {"rv": 10, "mv": 7, "nppv1": 5, "nppv2a": 5, "nppv2f": 5, "nppv3": 5, "ctc": 5,
                 "sc": 10, "dv": 7}
LOWER = {"mv": "rv", "rv": "nppv2f", "nppv3": "nppv2f", "nppv2f": "nppv2a", "nppv2a": "nppv1",
         "sc": "ctc", "ctc": "rv", "dv": "sc", "nppv1": "nppv1"}


def build_vetting(w: World, act: Activity) -> None:
    rng = w.rng
    n = w.n_staff
    end_day = w.t1 // DAY - 1
    required = np.array([w.p_vetting[p] if p >= 0 else JOBS[w.s_job[s]].vetting
                         for s, p in enumerate(w.s_post)], dtype=object)
    outcome = choice_codes(rng, n, [0.80, 0.045, 0.045, 0.04, 0.02, 0.025, 0.01, 0.015])
    # 0 current, 1 expired (still "granted"), 2 lapsed, 3 below requirement, 4 missing,
    # 5 pending, 6 withdrawn, 7 refused then granted lower
    joiners = w.s_start > w.t0 // DAY - 60
    outcome[joiners & (rng.random(n) < 0.5)] = 5
    level = required.copy()
    years = np.array([VETTING_YEARS[v] for v in required])
    decided = np.maximum(w.s_start - rng.integers(30, 200, n),
                         end_day - (rng.random(n) * years * 365).astype(np.int64))
    expires = decided + years * 365
    status = np.full(n, "granted", dtype=object)
    exp = np.isin(outcome, [1, 2])
    expires[exp] = end_day - rng.integers(1, 400, exp.sum())
    decided[exp] = expires[exp] - years[exp] * 365
    status[outcome == 2] = "lapsed"
    low = outcome == 3
    level[low] = np.array([LOWER[v] for v in required[low]], dtype=object)
    status[outcome == 5] = "pending"
    decided[outcome == 5] = NULL_DAY
    expires[outcome == 5] = NULL_DAY
    status[outcome == 6] = "withdrawn"
    status[outcome == 7] = "refused"
    keep = outcome != 4
    s_idx = np.arange(n)[keep]
    rows_staff = [s_idx]
    rows_level = [level[keep]]
    rows_status = [status[keep]]
    rows_dec = [decided[keep]]
    rows_exp = [expires[keep]]
    # history: earlier clearances that lapsed or were superseded
    hist = np.flatnonzero(keep & (rng.random(n) < 0.3) & (decided > NULL_DAY))
    h_exp = decided[hist] - rng.integers(0, 30, hist.size)
    h_dec = h_exp - years[hist] * 365
    rows_staff.append(hist)
    rows_level.append(level[hist])
    rows_status.append(np.full(hist.size, "lapsed", dtype=object))
    rows_dec.append(h_dec)
    rows_exp.append(h_exp)
    # refused at the required level, granted a lower one
    ref = np.flatnonzero(outcome == 7)
    rows_staff.append(ref)
    rows_level.append(np.array([LOWER[v] for v in required[ref]], dtype=object))
    rows_status.append(np.full(ref.size, "granted", dtype=object))
    rows_dec.append(decided[ref] + 20)
    rows_exp.append(decided[ref] + 20 + years[ref] * 365)
    act.v_staff = np.concatenate(rows_staff)
    act.v_level = np.concatenate(rows_level)
    act.v_status = np.concatenate(rows_status)
    act.v_decided = np.concatenate(rows_dec)
    act.v_expires = np.concatenate(rows_exp)


__all__ = ["Activity", "EventLog", "Comms", "Objects", "REASONS", "REASON_CONTEXTS", "CONTEXT",
           "REASON_ASKED", "build_devices", "build_audit", "build_comms", "build_complaints",
           "build_declarations", "build_vetting", "add_apps", "add_complaints",
           "add_declarations", "nominal_lookup", "incident_lookup", "event_devices", "NULL_DAY",
           "SYS", "ACT", "OBJ", "AROLE", "NROLE", "FLAG", "external_numbers"]
