"""Vetting categories computed the plain way: Python over row dicts of ISO date strings (as
csv.DictReader gives them; "" = empty), straight from the definitions in docs/vetting.md.
No DuckDB, no SQL, no code shared with probity.vetting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from probity.extract.schema import VETTING_LEVEL_ORDER

CATEGORIES = ("serving", "no_clearance", "below_requirement", "expired", "due", "lapsed")


def independent_counts(*, staff: Iterable[Mapping[str, str]], posts: Iterable[Mapping[str, str]],
                       vetting: Iterable[Mapping[str, str]], as_of: str,
                       due_days: int) -> dict[str, set[str]]:
    required_by_post = {p["post_id"]: p["required_vetting"] for p in posts}
    by_staff: dict[str, list[Mapping[str, str]]] = {}
    for v in vetting:
        by_staff.setdefault(v["staff_id"], []).append(v)
    due_end = (dt.date.fromisoformat(as_of) + dt.timedelta(days=due_days)).isoformat()
    out: dict[str, set[str]] = {k: set() for k in CATEGORIES}
    for s in staff:
        if not (s["start_date"] <= as_of and (s["end_date"] == "" or s["end_date"] > as_of)):
            continue
        sid = s["staff_id"]
        out["serving"].add(sid)
        known = [v for v in by_staff.get(sid, [])
                 if v["decided_on"] == "" or v["decided_on"] <= as_of]
        current = [v for v in known if v["status"] == "granted"
                   and (v["expires_on"] == "" or v["expires_on"] > as_of)]
        if not current:
            out["no_clearance"].add(sid)
            if any(v["status"] == "granted" and v["expires_on"] != ""
                   and v["expires_on"] <= as_of for v in known):
                out["expired"].add(sid)
            if any(v["status"] == "lapsed" for v in known):
                out["lapsed"].add(sid)
            continue
        if any(v["expires_on"] != "" and as_of < v["expires_on"] <= due_end for v in current):
            out["due"].add(sid)
        required = required_by_post.get(s.get("post_id") or "")
        best = max(VETTING_LEVEL_ORDER[v["level"]] for v in current)
        if required is not None and best < VETTING_LEVEL_ORDER[required]:
            out["below_requirement"].add(sid)
    return out
