"""Writing the extract (Force Extract v1) and the ground truth, atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from probity.extract.schema import FORMAT_NAME, FORMAT_VERSION, TABLES, Column
from probity.synth._util import DAY, IntArray, StrArray, choice_codes, opaque_ids, phone_style_table
from probity.synth.activity import REASON_ASKED, REASON_CONTEXTS, REASONS, Activity, event_devices
from probity.synth.scenarios import Truth
from probity.synth.world import JOBS, World, service_window

FORCE_CODE = "SYN"
FORCE_NAME = "Synthetic Constabulary"
TRUTH_FORMAT = "probity-synth-truth"
TRUTH_VERSION = 2
FORMATS = ("parquet", "csv", "csv.gz")
EVENT_CHUNK = 2_000_000
NULL_DAY = -(10**5)  # any day number at or below this is a null date


def _arrow_type(col: Column) -> pa.DataType:
    if col.type == "date":
        return pa.date32()
    if col.type == "timestamp":
        return pa.timestamp("s", tz="UTC")
    if col.type == "integer":
        return pa.int64()
    return pa.string()


def _schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, _arrow_type(c)) for c in TABLES[table].columns])


def _dates(days: IntArray) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=days <= NULL_DAY)


def _times(ts: IntArray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(ts, dtype=np.int64), type=pa.timestamp("s", tz="UTC"), mask=null)


def _strings(values: StrArray | Sequence[object]) -> pa.Array:
    return pa.array(list(values) if not isinstance(values, np.ndarray) else values,
                    type=pa.string(), from_pandas=True)


class TableSink:
    """Writes one table in the chosen format, in batches, to `directory`."""

    def __init__(self, directory: Path, table: str, fmt: str) -> None:
        self.table = table
        self.fmt = fmt
        self.schema = _schema(table)
        self.rows = 0
        self.path = directory / f"{table}.{fmt}"
        self._pq: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        self._stream: pa.NativeFile | None = None
        if fmt == "parquet":
            self._pq = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        else:
            self._stream = (pa.CompressedOutputStream(str(self.path), "gzip") if fmt == "csv.gz"
                            else pa.OSFile(str(self.path), "wb"))
            self._csv_schema = pa.schema([pa.field(f.name, pa.string()
                                                   if pa.types.is_timestamp(f.type) else f.type)
                                          for f in self.schema])
            self._csv = pacsv.CSVWriter(self._stream, self._csv_schema,
                                        write_options=pacsv.WriteOptions(quoting_style="needed"))

    def write(self, columns: dict[str, pa.Array]) -> None:
        arrays = []
        for f in self.schema:
            arr = columns[f.name]
            if not arr.type.equals(f.type):
                arr = arr.cast(f.type)
            arrays.append(arr)
        batch = pa.table(arrays, schema=self.schema)
        self.rows += batch.num_rows
        if self._pq is not None:
            self._pq.write_table(batch, row_group_size=1_000_000)
            return
        assert self._csv is not None
        out = []
        for f, arr in zip(self.schema, batch.columns, strict=True):
            if pa.types.is_timestamp(f.type):
                out.append(pc.strftime(arr, format="%Y-%m-%dT%H:%M:%SZ"))
            else:
                out.append(arr)
        self._csv.write_table(pa.table(out, schema=self._csv_schema))

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._csv is not None:
            self._csv.close()
        if self._stream is not None:
            self._stream.close()


class Ids:
    """Opaque identifiers for every internal row number."""

    def __init__(self, w: World, act: Activity) -> None:
        rng = np.random.default_rng([w.seed, 77])
        self.staff = opaque_ids(rng, w.n_staff, "S", 6 if w.n_staff < 200_000 else 7)
        nom_all = opaque_ids(rng, w.n_nominals + act.objects.n_outside_nominals, "N", 8)
        self.nominal = nom_all[: w.n_nominals]
        self.outside_nominal = nom_all[w.n_nominals:]
        self.incident = opaque_ids(rng, w.n_incidents, "I", 8)
        self.unit = opaque_ids(rng, len(w.unit_name), "U", 5)
        self.post = opaque_ids(rng, len(w.p_title), "P", 6)
        self.device = opaque_ids(rng, len(act.d_kind), "D", 7)
        o = act.objects
        letters = np.array(list("ABCDEFGHJKLMNOPRSTUVWXY"))
        vrm = (letters[rng.integers(0, 23, o.n_vehicles)].astype(object)
               + letters[rng.integers(0, 23, o.n_vehicles)].astype(object)
               + rng.integers(10, 75, o.n_vehicles).astype(str).astype(object)
               + letters[rng.integers(0, 23, o.n_vehicles)].astype(object)
               + letters[rng.integers(0, 23, o.n_vehicles)].astype(object)
               + letters[rng.integers(0, 23, o.n_vehicles)].astype(object))
        self.objects = np.concatenate([
            self.nominal, self.incident, vrm,
            opaque_ids(rng, o.n_locations, "UPRN", 11),
            opaque_ids(rng, o.n_intel, "IR", 7),
            opaque_ids(rng, o.n_call_logs, "CL", 9),
            self.outside_nominal,
        ])
        self.event_base = int(rng.integers(10**9, 4 * 10**9))
        self.complaint_rng = rng


def _manifest(w: World, counts: dict[str, int]) -> dict[str, object]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "force_code": FORCE_CODE,
        "force_name": FORCE_NAME,
        "period_start": w.period_start.isoformat(),
        "period_end": w.period_end.isoformat(),
        "extracted_at": (dt.datetime.combine(w.period_end + dt.timedelta(days=1), dt.time(3, 0))
                         .isoformat() + "Z"),
        "row_counts": counts,
    }


def write_all(w: World, act: Activity, truth: Truth, *, out: Path, fmt: str,
              step: Callable[[str], None]) -> tuple[dict[str, int], dict[str, object]]:
    """Write every table into `out` (a fresh directory) and return row counts and truth."""
    ids = Ids(w, act)
    counts: dict[str, int] = {}

    def simple(table: str, columns: dict[str, pa.Array]) -> None:
        sink = TableSink(out, table, fmt)
        sink.write(columns)
        sink.close()
        counts[table] = sink.rows

    step("units, staff, posts, vetting")
    parent = np.array(w.unit_parent)
    simple("units", {
        "unit_id": _strings(ids.unit),
        "name": _strings(w.unit_name),
        "function": _strings(w.unit_function),
        "parent_unit_id": _strings([ids.unit[p] if p >= 0 else None for p in parent]),
    })
    emails = _staff_emails(w)
    staff_phone_styles = w.rng.integers(0, 7, w.n_staff)
    simple("staff", {
        "staff_id": _strings(ids.staff),
        "forename": _strings(w.s_forename),
        "surname": _strings(w.s_surname),
        "date_of_birth": _dates(w.s_dob),
        "gender": _strings(np.where(w.s_female, "female", "male").astype(object)),
        "staff_type": _strings([JOBS[j].staff_type for j in w.s_job]),
        "rank": _strings(w.s_rank),
        "unit_id": _strings(ids.unit[w.s_unit]),
        "post_id": _strings([ids.post[p] if p >= 0 else None for p in w.s_post]),
        "start_date": _dates(w.s_start),
        "end_date": _dates(np.where(w.s_end < 0, NULL_DAY - 1, w.s_end)),
        "work_phone": _strings(_phones(w.s_work_phone, np.full(w.n_staff, 0))),
        "personal_phone": _strings(_phones(w.s_personal_phone, staff_phone_styles)),
        "home_address": _strings(w.s_house.astype(str).astype(object) + " " + w.s_street),
        "home_postcode": _strings(w.s_postcode),
        "email": _strings(emails),
    })
    simple("posts", {
        "post_id": _strings(ids.post),
        "title": _strings(w.p_title),
        "unit_id": _strings(ids.unit[np.array(w.p_unit)]),
        "required_vetting": _strings(w.p_vetting),
    })
    simple("vetting", {
        "staff_id": _strings(ids.staff[act.v_staff]),
        "level": _strings(act.v_level),
        "status": _strings(act.v_status),
        "decided_on": _dates(act.v_decided),
        "expires_on": _dates(act.v_expires),
    })
    step("shifts")
    simple("shifts", {
        "staff_id": _strings(ids.staff[w.sh_staff]),
        "start": _times(w.sh_start),
        "end": _times(w.sh_end),
    })
    step("incidents and person records")
    simple("incidents", {
        "incident_id": _strings(ids.incident),
        "opened_at": _times(w.i_opened),
        "closed_at": _times(np.maximum(w.i_closed, 0), w.i_closed < 0),
        "category": _strings([_cat(c) for c in w.i_category]),
        "postcode": _strings(w.i_postcode),
    })
    simple("nominals", {
        "nominal_id": _strings(ids.nominal),
        "forename": _strings(w.n_forename),
        "surname": _strings(w.n_surname),
        "date_of_birth": _dates(w.n_dob),
        "gender": _strings(w.n_gender),
        "address": _strings(w.n_address),
        "postcode": _strings(w.n_postcode),
        "phone": _strings(_phones(w.n_phone, w.n_phone_style)),
        "email": _strings(w.n_email),
    })
    from probity.extract.schema import ASSIGNMENT_ROLES, NOMINAL_FLAGS, NOMINAL_ROLES

    simple("nominal_flags", {
        "nominal_id": _strings(ids.nominal[w.f_nominal]),
        "flag": _strings(np.array(NOMINAL_FLAGS, dtype=object)[w.f_flag]),
        "from_date": _dates(w.f_from),
        "to_date": _dates(w.f_to),
    })
    simple("incident_nominals", {
        "incident_id": _strings(ids.incident[w.in_incident]),
        "nominal_id": _strings(ids.nominal[w.in_nominal]),
        "role": _strings(np.array(NOMINAL_ROLES, dtype=object)[w.in_role]),
    })
    order = np.lexsort((w.a_start, w.a_incident))
    simple("assignments", {
        "incident_id": _strings(ids.incident[w.a_incident[order]]),
        "staff_id": _strings(ids.staff[w.a_staff[order]]),
        "role": _strings(np.array(ASSIGNMENT_ROLES, dtype=object)[w.a_role[order]]),
        "start": _times(w.a_start[order]),
        "end": _times(np.maximum(w.a_end[order], 0), w.a_end[order] < 0),
    })
    step("devices and apps")
    simple("devices", {
        "device_id": _strings(ids.device),
        "staff_id": _strings([ids.staff[s] if s >= 0 else None for s in act.d_staff]),
        "kind": _strings(act.d_kind),
        "platform": _strings(act.d_platform),
        "enrolled_on": _dates(act.d_enrolled),
    })
    from probity.synth.names import PHONE_APPS

    app_dev = np.concatenate(act.app_device)
    app_idx = np.concatenate(act.app_index)
    simple("device_apps", {
        "device_id": _strings(ids.device[app_dev]),
        "app_id": _strings(np.array([a[0] for a in PHONE_APPS], dtype=object)[app_idx]),
        "app_name": _strings(np.array([a[1] for a in PHONE_APPS], dtype=object)[app_idx]),
        "version": _strings(np.concatenate(act.app_version)),
        "first_seen": _dates(np.concatenate(act.app_first)),
        "last_seen": _dates(np.concatenate(act.app_last)),
    })
    step("calls and texts")
    _write_comms(w, act, ids, out, fmt, counts)
    step("complaints and declarations")
    cs = np.concatenate(act.c_staff)
    order = np.argsort(np.concatenate(act.c_received), kind="stable")
    crec = np.concatenate(act.c_received)[order]
    ccompl = np.concatenate(act.c_complainant)[order]
    complaint_ids = opaque_ids(ids.complaint_rng, cs.size, "C", 7)
    complainant = _refs(ccompl, ids)
    simple("complaints", {
        "complaint_id": _strings(complaint_ids),
        "received_on": _dates(crec),
        "staff_id": _strings(ids.staff[cs[order]]),
        "complainant_nominal_id": _strings(complainant),
        "category": _strings(np.concatenate([np.asarray(c, dtype=object)
                                             for c in act.c_category])[order]),
        "outcome": _strings(np.concatenate([np.asarray(c, dtype=object)
                                            for c in act.c_outcome])[order]),
    })
    dn = np.concatenate(act.dc_nominal)
    dstyle = w.rng.integers(0, 7, dn.size)
    simple("declarations", {
        "staff_id": _strings(ids.staff[np.concatenate(act.dc_staff)]),
        "declared_on": _dates(np.concatenate(act.dc_day)),
        "kind": _strings(np.concatenate(act.dc_kind)),
        "nominal_id": _strings(_refs(dn, ids)),
        "phone": _strings(_phones(np.concatenate(act.dc_phone), dstyle)),
    })
    step("audit events")
    _write_events(w, act, ids, out, fmt, counts)
    return counts, _truth(w, truth, ids)


def _refs(rows: IntArray, ids: Ids) -> StrArray:
    """Person ids: a record in the extract (row >= 0), someone outside it (-2), or none (-1)."""
    out = np.full(rows.size, None, dtype=object)
    inside = rows >= 0
    out[inside] = ids.nominal[rows[inside]]
    outside = np.flatnonzero(rows == -2)
    out[outside] = ids.outside_nominal[outside % max(1, ids.outside_nominal.size)]
    return out


def _staff_emails(w: World) -> list[str]:
    """forename.surname@..., with a number only for the second and later of a name."""
    import pandas as pd

    local = (pd.Series(w.s_forename).astype(str).str.lower() + "."
             + pd.Series(w.s_surname).astype(str).str.lower().str.replace("'", "", regex=False))
    nth = local.groupby(local).cumcount()
    suffix = nth.where(nth == 0, nth + 1).astype(str).where(nth > 0, "")
    return list(local + suffix + "@syn.police.example")


def _cat(c: int) -> str:
    from probity.synth.world import CATEGORIES

    return CATEGORIES[int(c)]


def _phones(nsn: IntArray, style: IntArray) -> StrArray:
    nsn = np.asarray(nsn, dtype=np.int64)
    out = np.full(nsn.size, None, dtype=object)
    has = nsn > 0
    if has.any():
        uniq, inv = np.unique(nsn[has], return_inverse=True)
        table = phone_style_table(uniq)
        out[has] = table[inv, np.asarray(style)[has] % table.shape[1]]
    return out


def _write_comms(w: World, act: Activity, ids: Ids, out: Path, fmt: str,
                 counts: dict[str, int]) -> None:
    cm = act.comms
    sink = TableSink(out, "comms", fmt)
    if cm.ts:
        ts = np.concatenate(cm.ts)
        owner = act.d_staff[np.concatenate(cm.device)]
        lo, hi = service_window(w, np.maximum(owner, 0))
        serving = (owner < 0) | ((ts >= lo) & (ts < hi))
        order = np.flatnonzero(serving)
        order = order[np.argsort(ts[order], kind="stable")]
        number = np.concatenate(cm.number)[order]
        style = np.concatenate(cm.style)[order]
        uniq, inv = np.unique(number, return_inverse=True)
        table = phone_style_table(uniq)
        flat = pa.array(table.ravel(), type=pa.string())
        idx = inv * table.shape[1] + style % table.shape[1]
        dur = np.concatenate(cm.duration)[order]
        sink.write({
            "device_id": pa.array(ids.device, type=pa.string()).take(
                pa.array(np.concatenate(cm.device)[order])),
            "ts": _times(ts[order]),
            "direction": pa.array(np.array(["in", "out"], dtype=object)).take(
                pa.array(np.concatenate(cm.direction)[order])),
            "channel": pa.array(np.array(["call", "sms", "other"], dtype=object)).take(
                pa.array(np.concatenate(cm.channel)[order])),
            "counterpart": flat.take(pa.array(idx)),
            "duration_s": pa.array(np.maximum(dur, 0), type=pa.int64(), mask=dur < 0),
        })
    else:
        sink.write({f.name: pa.array([], type=f.type) for f in sink.schema})
    sink.close()
    counts["comms"] = sink.rows


def _chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for a in range(0, n, size):
        yield a, min(n, a + size)


def _write_events(w: World, act: Activity, ids: Ids, out: Path, fmt: str,
                  counts: dict[str, int]) -> None:
    from probity.extract.schema import ACTIONS, OBJECT_TYPES, SYSTEMS

    cols = act.events.columns()
    # no account is used before its owner joined or after they left
    lo, hi = service_window(w, cols["staff"].astype(np.int64))
    serving = (cols["ts"] >= lo) & (cols["ts"] < hi)
    del lo, hi
    if not serving.all():
        cols = {k: v[serving] for k, v in cols.items()}
    ts = cols["ts"]
    np.clip(ts, w.t0, w.t1 - 1, out=ts)
    order = np.argsort(ts, kind="stable")
    rng = np.random.default_rng([w.seed, 91])
    objects = pa.array(ids.objects, type=pa.string())
    reasons = pa.array(list(REASONS), type=pa.string())
    systems = pa.array(list(SYSTEMS), type=pa.string())
    actions = pa.array(list(ACTIONS), type=pa.string())
    otypes = pa.array(list(OBJECT_TYPES), type=pa.string())
    staff_ids = pa.array(ids.staff, type=pa.string())
    device_ids = pa.array(ids.device, type=pa.string())
    hosts = pa.array(act.d_host, type=pa.string())
    ctx_probs = []
    for probs in REASON_CONTEXTS.values():
        p = np.zeros(len(REASONS))
        for r, v in probs.items():
            p[REASONS.index(r)] = v
        ctx_probs.append(p)
    sink = TableSink(out, "audit_events", fmt)
    for a, b in _chunks(ts.size, EVENT_CHUNK):
        sel = order[a:b]
        n = sel.size
        t = ts[sel]
        staff = cols["staff"][sel].astype(np.int64)
        system = cols["system"][sel].astype(np.int64)
        ctx = cols["context"][sel]
        reason = np.zeros(n, dtype=np.int64)
        for c, p in enumerate(ctx_probs):
            m = ctx == c
            if m.any():
                reason[m] = choice_codes(rng, int(m.sum()), p)
        asked = rng.random(n) < REASON_ASKED[system]
        dev = event_devices(w, act, staff, t)
        obj = cols["obj"][sel]
        ev = pa.array(np.arange(ids.event_base + a, ids.event_base + b, dtype=np.int64))
        sink.write({
            "event_id": pc.binary_join_element_wise("E", pc.cast(ev, pa.string()), ""),
            "ts": _times(t),
            "staff_id": staff_ids.take(pa.array(staff)),
            "system": systems.take(pa.array(system)),
            "action": actions.take(pa.array(cols["action"][sel])),
            "object_type": otypes.take(pa.array(cols["otype"][sel])),
            "object_id": objects.take(pa.array(obj, mask=obj < 0)),
            "reason": reasons.take(pa.array(reason, mask=~asked)),
            "workstation": hosts.take(pa.array(dev, mask=dev < 0)),
            "device_id": device_ids.take(pa.array(dev, mask=dev < 0)),
        })
    sink.close()
    counts["audit_events"] = sink.rows


def _truth(w: World, truth: Truth, ids: Ids) -> dict[str, object]:
    links = [{"staff_id": str(ids.staff[s]), "nominal_id": str(ids.nominal[n]),
              "roles": roles, "declared": declared}
             for s, n, roles, declared in truth.links]
    linked = {(s, n) for s, n, _, _ in truth.links}
    injected = {(s, n): same for s, n, same in truth.injected_namesakes}
    # every other record with exactly the same name as a member of staff is a namesake too
    staff_key = np.char.add(np.char.add(np.char.lower(w.s_forename.astype(str)), "|"),
                            np.char.lower(w.s_surname.astype(str)))
    nom_key = np.char.add(np.char.add(np.char.lower(np.where(w.n_forename == None, "",  # noqa: E711
                                                             w.n_forename).astype(str)), "|"),
                          np.char.lower(np.where(w.n_surname == None, "",  # noqa: E711
                                                 w.n_surname).astype(str)))
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(nom_key.tolist()):
        by_key.setdefault(k, []).append(i)
    namesakes = []
    staff_year = (w.s_dob // 365.2425).astype(np.int64)
    for s, k in enumerate(staff_key.tolist()):
        for n in by_key.get(k, []):
            if (s, n) in linked or w.n_true_staff[n] == s:
                continue
            same_year = bool(w.n_dob[n] > NULL_DAY and
                             np.datetime64(int(w.n_dob[n]), "D").astype("datetime64[Y]")
                             == np.datetime64(int(w.s_dob[s]), "D").astype("datetime64[Y]"))
            namesakes.append({"staff_id": str(ids.staff[s]), "nominal_id": str(ids.nominal[n]),
                              "same_birth_year": same_year, "injected": (s, n) in injected})
    for (s, n), same in injected.items():
        if staff_key[s] != nom_key[n]:
            namesakes.append({"staff_id": str(ids.staff[s]), "nominal_id": str(ids.nominal[n]),
                              "same_birth_year": same, "injected": True})
    del staff_year
    return {
        "format": TRUTH_FORMAT,
        "version": 1,
        "generator_version": TRUTH_VERSION,
        "seed": w.seed,
        "force_code": FORCE_CODE,
        "staff": w.n_staff,
        "months": w.months,
        "scale": w.scale,
        "period_start": w.period_start.isoformat(),
        "period_end": w.period_end.isoformat(),
        "perpetrators": [{"staff_id": str(ids.staff[p.staff]), "scenario": p.scenario,
                          "victims": [str(ids.nominal[v]) for v in p.victims],
                          "subtle": p.subtle, "signals": p.signals,
                          "staff_type": JOBS[w.s_job[p.staff]].staff_type,
                          "job": JOBS[w.s_job[p.staff]].title}
                         for p in truth.perpetrators],
        "lookalikes": [{"staff_id": str(ids.staff[s]), "kind": kind}
                       for s, kind in truth.lookalikes],
        "staff_nominal_links": links,
        "namesakes": namesakes,
    }


def truth_path_for(out: Path) -> Path:
    return out.with_name(out.name + ".truth.json")


def publish(tmp_dir: Path, out: Path, truth: dict[str, object], *, overwrite: bool) -> Path:
    """Move the finished extract into place and write the truth file beside it."""
    truth_path = truth_path_for(out)
    tmp_truth = truth_path.with_name(f".{truth_path.name}.tmp-{os.getpid()}")
    tmp_truth.write_text(json.dumps(truth, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    try:
        if out.exists():
            if not overwrite:
                raise FileExistsError(out)
            trash = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, trash)
            os.replace(tmp_dir, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp_dir, out)
        os.replace(tmp_truth, truth_path)
    finally:
        if tmp_truth.exists():
            tmp_truth.unlink()
    return truth_path


def write_manifest(w: World, out: Path, counts: dict[str, int]) -> None:
    (out / "manifest.json").write_text(json.dumps(_manifest(w, counts), indent=2) + "\n",
                                       encoding="utf-8")


__all__ = ["FORMATS", "write_all", "publish", "write_manifest", "truth_path_for", "DAY"]
