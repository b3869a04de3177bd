"""What changed in the vetting register between two extracts.

A later extract must never silently overwrite the register: the web app records each change
this module finds (post requirement raised, clearance withdrawn, expiry moved, person moved
to another post) before it applies the new extract.

Identity: a post by `post_id`; a person's post by `staff_id`; a clearance by
(`staff_id`, `level`, `decided_on`) — the same decision seen again — with `#2`, `#3` added
when one extract holds several rows with the same identity (ordered by status and expiry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

__all__ = ["RegisterChange", "RegisterSnapshot", "register_changes", "register_snapshot"]

Entity = Literal["post", "clearance", "staff_post"]
Change = Literal["added", "removed", "changed"]


class _Extract(Protocol):
    @property
    def con(self) -> Any: ...

    def has(self, name: str) -> bool: ...


@dataclass(frozen=True)
class RegisterChange:
    entity: Entity
    key: str                  # post_id, staff_id, or "staff_id|level|decided_on[#n]"
    change: Change
    field: str | None = None  # for "changed": the field that differs
    before: str | None = None
    after: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "key": self.key, "change": self.change,
                "field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class RegisterSnapshot:
    posts: Mapping[str, Mapping[str, str | None]]
    clearances: Mapping[str, Mapping[str, str | None]]
    staff_posts: Mapping[str, str | None]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return str(value)


def register_snapshot(*, extract: _Extract) -> RegisterSnapshot:
    """The register as one extract states it."""
    con = extract.con
    posts: dict[str, dict[str, str | None]] = {}
    if extract.has("posts"):
        for post_id, title, unit_id, required in con.execute(
                "SELECT post_id, title, unit_id, required_vetting FROM posts").fetchall():
            posts[post_id] = {"title": title, "unit_id": unit_id,
                              "required_vetting": required}
    clearances: dict[str, dict[str, str | None]] = {}
    if extract.has("vetting"):
        rows = con.execute(
            "SELECT staff_id, level, decided_on, status, expires_on FROM vetting "
            "ORDER BY staff_id, level, decided_on NULLS FIRST, status, expires_on NULLS FIRST"
        ).fetchall()
        for staff_id, level, decided_on, status, expires_on in rows:
            base = f"{staff_id}|{level}|{_text(decided_on) or ''}"
            key, n = base, 1
            while key in clearances:
                n += 1
                key = f"{base}#{n}"
            clearances[key] = {"status": status, "expires_on": _text(expires_on)}
    staff_posts = {staff_id: post_id for staff_id, post_id in
                   con.execute("SELECT staff_id, post_id FROM staff").fetchall()}
    return RegisterSnapshot(posts=posts, clearances=clearances, staff_posts=staff_posts)


def _diff_records(entity: Entity, before: Mapping[str, Mapping[str, str | None]],
                  after: Mapping[str, Mapping[str, str | None]]) -> list[RegisterChange]:
    changes: list[RegisterChange] = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            changes.append(RegisterChange(entity, key, "removed"))
        elif key not in before:
            changes.append(RegisterChange(entity, key, "added"))
        else:
            for field in sorted(set(before[key]) | set(after[key])):
                old, new = before[key].get(field), after[key].get(field)
                if old != new:
                    changes.append(RegisterChange(entity, key, "changed", field, old, new))
    return changes


def register_changes(*, before: RegisterSnapshot, after: RegisterSnapshot
                     ) -> list[RegisterChange]:
    """Every difference from `before` to `after`: posts, clearances, then people's posts.

    A person who is in only one of the two extracts is not reported under staff_post (the
    workforce load records joiners and leavers); a person whose post changed, is.
    """
    changes = _diff_records("post", before.posts, after.posts)
    changes += _diff_records("clearance", before.clearances, after.clearances)
    for staff_id in sorted(set(before.staff_posts) & set(after.staff_posts)):
        old, new = before.staff_posts[staff_id], after.staff_posts[staff_id]
        if old != new:
            changes.append(RegisterChange("staff_post", staff_id, "changed", "post_id", old, new))
    return changes
