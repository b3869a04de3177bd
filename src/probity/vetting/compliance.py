"""Vetting compliance: who falls short of the clearance their post needs, on a given date.

Definitions (docs/vetting.md is the long form; tests/vetting pin every edge):

- serving on AS_OF: `start_date <= AS_OF` and (`end_date` is null or `end_date > AS_OF`).
  Only serving staff are counted in any category.
- a vetting row is *known on AS_OF* when `decided_on` is null or `decided_on <= AS_OF`; rows
  decided after AS_OF are ignored entirely.
- a *current clearance* is a known row with status `granted` whose expiry is null or
  `> AS_OF` (expiry = `expires_on`; with `derive_expiry_from_renewal` a missing `expires_on`
  becomes `decided_on + renewal_years[level]`).
- `no_clearance`: serving and holding no current clearance (for any reason: never vetted,
  expired, lapsed, withdrawn, refused, pending). Each such person has exactly one
  `no_clearance_reason`, the first that applies of: expired, lapsed, withdrawn, refused,
  pending, never_vetted.
- `expired`: in `no_clearance` and has a known granted row whose expiry is `<= AS_OF`.
- `lapsed`: in `no_clearance` and has a known row with status `lapsed` (may overlap
  `expired`; the reason partition above does not overlap).
- `below_requirement`: holds a current clearance, has a post with a required level, and the
  best current clearance ranks below it (settings.level_order). Disjoint from `no_clearance`;
  staff with no post (or no posts table) have no requirement and are never here.
- `due_within_N_days`: holds a current clearance with an expiry in `(AS_OF, AS_OF + N days]`.
- `renewal_overdue` (information): a current clearance with no `expires_on` whose
  `decided_on + renewal_years[level]` is `<= AS_OF` (only when not deriving expiries).
- `compliant`: serving, holds a current clearance, not below requirement.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from probity.errors import ProbityError, UsageError
from probity.vetting.settings import VettingSettings

__all__ = [
    "CATEGORIES",
    "NO_CLEARANCE_REASONS",
    "ComplianceReport",
    "GroupFigures",
    "StaffCompliance",
    "VettingDataMissing",
    "compliance_from_connection",
    "vetting_compliance",
]

CATEGORIES = ("no_clearance", "below_requirement", "expired", "due", "lapsed", "renewal_overdue")
NO_CLEARANCE_REASONS = ("expired", "lapsed", "withdrawn", "refused", "pending", "never_vetted")


class VettingDataMissing(ProbityError):
    """The extract has no vetting table, so no compliance figures can be given."""

    exit_code = 2


class _Extract(Protocol):  # the part of probity.extract.Extract this module uses
    @property
    def con(self) -> Any: ...

    @property
    def period_end(self) -> Any: ...

    @property
    def manifest(self) -> Any: ...

    def has(self, name: str) -> bool: ...


@dataclass(frozen=True)
class StaffCompliance:
    """One serving person's position on the as-of date."""

    staff_id: str
    staff_type: str
    unit_id: str
    unit_name: str
    post_id: str | None
    required_level: str | None
    held_levels: tuple[str, ...]       # current clearances, most sufficient first
    best_level: str | None
    next_expiry: dt.date | None        # earliest expiry among current clearances
    no_clearance: bool
    no_clearance_reason: str | None
    below_requirement: bool
    expired: bool
    due: bool
    lapsed: bool
    renewal_overdue: bool

    @property
    def compliant(self) -> bool:
        return not self.no_clearance and not self.below_requirement

    def to_dict(self) -> dict[str, Any]:
        return {
            "staff_id": self.staff_id, "staff_type": self.staff_type, "unit_id": self.unit_id,
            "unit_name": self.unit_name, "post_id": self.post_id,
            "required_level": self.required_level, "held_levels": list(self.held_levels),
            "best_level": self.best_level,
            "next_expiry": self.next_expiry.isoformat() if self.next_expiry else None,
            "compliant": self.compliant, "no_clearance": self.no_clearance,
            "no_clearance_reason": self.no_clearance_reason,
            "below_requirement": self.below_requirement, "expired": self.expired,
            "due": self.due, "lapsed": self.lapsed, "renewal_overdue": self.renewal_overdue,
        }


@dataclass(frozen=True)
class GroupFigures:
    """Counts for one unit or one staff type."""

    key: str
    name: str
    serving: int
    compliant: int
    no_clearance: int
    below_requirement: int
    expired: int
    due: int
    lapsed: int

    @property
    def not_compliant(self) -> int:
        return self.no_clearance + self.below_requirement

    @property
    def not_compliant_pct(self) -> float:
        return round(100.0 * self.not_compliant / self.serving, 1) if self.serving else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "serving": self.serving,
                "compliant": self.compliant, "not_compliant": self.not_compliant,
                "not_compliant_pct": self.not_compliant_pct, "no_clearance": self.no_clearance,
                "below_requirement": self.below_requirement, "expired": self.expired,
                "due": self.due, "lapsed": self.lapsed}


@dataclass(frozen=True)
class ComplianceReport:
    as_of: dt.date
    settings: VettingSettings
    staff: tuple[StaffCompliance, ...]          # every serving person, by staff_id
    posts_present: bool
    force_code: str | None = None
    notes: tuple[str, ...] = ()
    by_unit: tuple[GroupFigures, ...] = field(init=False)
    by_staff_type: tuple[GroupFigures, ...] = field(init=False)

    def __post_init__(self) -> None:
        unit_names = {s.unit_id: s.unit_name for s in self.staff}
        object.__setattr__(self, "by_unit", _group(self.staff, lambda s: s.unit_id, unit_names))
        object.__setattr__(self, "by_staff_type",
                           _group(self.staff, lambda s: s.staff_type, {}))

    @property
    def due_days(self) -> int:
        return self.settings.due_days

    @property
    def due_key(self) -> str:
        return f"due_within_{self.settings.due_days}_days"

    @property
    def serving(self) -> int:
        return len(self.staff)

    def staff_ids(self, category: str) -> list[str]:
        """Sorted staff_ids in one category (see CATEGORIES, plus 'compliant')."""
        if category not in (*CATEGORIES, "compliant"):
            raise UsageError(f"unknown vetting category {category!r}; expected one of "
                             f"{', '.join((*CATEGORIES, 'compliant'))}")
        return sorted(s.staff_id for s in self.staff if getattr(s, category))

    def reason_counts(self) -> dict[str, int]:
        counts = Counter(s.no_clearance_reason for s in self.staff if s.no_clearance)
        return {reason: counts.get(reason, 0) for reason in NO_CLEARANCE_REASONS}

    def totals(self) -> GroupFigures:
        return _figures("all", "All serving staff", self.staff)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `probity vetting report --json`."""
        def block(category: str) -> dict[str, Any]:
            ids = self.staff_ids(category)
            return {"count": len(ids), "staff_ids": ids}

        totals = self.totals()
        return {
            "format": "probity-vetting-compliance", "version": 1,
            "force_code": self.force_code, "as_of": self.as_of.isoformat(),
            "due_days": self.due_days, "serving": self.serving,
            "compliant": totals.compliant, "not_compliant": totals.not_compliant,
            "not_compliant_pct": totals.not_compliant_pct,
            "no_clearance": block("no_clearance"),
            "below_requirement": block("below_requirement"),
            "expired": block("expired"),
            self.due_key: block("due"),
            "lapsed": block("lapsed"),
            "renewal_overdue": block("renewal_overdue"),
            "no_clearance_reasons": self.reason_counts(),
            "by_unit": [g.to_dict() for g in self.by_unit],
            "by_staff_type": [g.to_dict() for g in self.by_staff_type],
            "posts_present": self.posts_present,
            "notes": list(self.notes),
            "settings": self.settings.to_dict(),
        }


def _figures(key: str, name: str, people: Iterable[StaffCompliance]) -> GroupFigures:
    serving = compliant = no_clearance = below = expired = due = lapsed = 0
    for s in people:  # one pass: this runs once per unit over the whole workforce
        serving += 1
        no_clearance += s.no_clearance
        below += s.below_requirement
        compliant += not s.no_clearance and not s.below_requirement
        expired += s.expired
        due += s.due
        lapsed += s.lapsed
    return GroupFigures(key=key, name=name, serving=serving, compliant=compliant,
                        no_clearance=no_clearance, below_requirement=below, expired=expired,
                        due=due, lapsed=lapsed)


def _group(staff: Iterable[StaffCompliance], key: Any, names: Mapping[str, str]
           ) -> tuple[GroupFigures, ...]:
    groups: dict[str, list[StaffCompliance]] = defaultdict(list)
    for s in staff:
        groups[key(s)].append(s)
    return tuple(_figures(k, names.get(k, k), groups[k])
                 for k in sorted(groups, key=lambda k: (names.get(k, k), k)))


def _as_date(value: Any, *, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise UsageError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)") from exc
    raise UsageError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)")


def vetting_compliance(*, extract: _Extract, as_of: dt.date | str | None = None,
                       settings: VettingSettings | None = None) -> ComplianceReport:
    """Compliance of the workforce in an opened extract on `as_of` (default: period_end)."""
    if not extract.has("vetting"):
        raise VettingDataMissing(
            "the extract has no vetting table, so vetting compliance cannot be reported; "
            "add vetting.csv (see force-extract-v1: vetting) and run again")
    day = _as_date(extract.period_end if as_of is None else as_of,
                   what="--as-of" if as_of is not None else "manifest period_end")
    manifest = extract.manifest
    force_code = None
    if isinstance(manifest, Mapping):
        force_code = manifest.get("force_code")
    else:
        force_code = getattr(manifest, "force_code", None)
    return compliance_from_connection(con=extract.con, as_of=day,
                                      settings=settings or VettingSettings(),
                                      posts_present=extract.has("posts"),
                                      force_code=force_code)


def compliance_from_connection(*, con: Any, as_of: dt.date, settings: VettingSettings,
                               posts_present: bool, force_code: str | None = None
                               ) -> ComplianceReport:
    """The same figures from a DuckDB connection holding typed `staff`, `units`, `vetting` (and
    `posts` when `posts_present`) views, as `open_extract` provides."""
    ranks = ", ".join(f"('{lvl}', {int(r)})" for lvl, r in settings.level_order.items())
    years = ", ".join(f"('{lvl}', {int(y) if y else 'NULL'})"
                      for lvl, y in settings.renewal_years.items())
    if settings.derive_expiry_from_renewal:
        expiry = ("COALESCE(v.expires_on, CAST(v.decided_on + to_years(r.years) AS DATE))")
    else:
        expiry = "v.expires_on"
    post_join = ("LEFT JOIN posts p ON p.post_id = s.post_id" if posts_present
                 else "LEFT JOIN (SELECT NULL::VARCHAR AS post_id, NULL::VARCHAR AS "
                      "required_vetting) p ON FALSE")
    sql = f"""
    WITH lvl(level, rank) AS (VALUES {ranks}),
    renew(level, years) AS (VALUES {years}),
    serving AS (
        SELECT s.staff_id, s.staff_type, s.unit_id, COALESCE(u.name, s.unit_id) AS unit_name,
               s.post_id, p.required_vetting AS required_level
        FROM staff s
        LEFT JOIN units u ON u.unit_id = s.unit_id
        {post_join}
        WHERE s.start_date <= $as_of AND (s.end_date IS NULL OR s.end_date > $as_of)
    ),
    known AS (
        SELECT v.staff_id, v.level, v.status, v.decided_on, v.expires_on AS recorded_expiry,
               {expiry} AS expiry, l.rank, r.years
        FROM vetting v
        JOIN lvl l ON l.level = v.level
        LEFT JOIN renew r ON r.level = v.level
        WHERE v.decided_on IS NULL OR v.decided_on <= $as_of
    ),
    flagged AS (
        SELECT *, status = 'granted' AND (expiry IS NULL OR expiry > $as_of) AS is_current
        FROM known
    ),
    per AS (
        SELECT staff_id,
            bool_or(is_current) AS has_current,
            max(rank) FILTER (WHERE is_current) AS best_rank,
            list(level ORDER BY rank DESC, level) FILTER (WHERE is_current) AS held,
            min(expiry) FILTER (WHERE is_current AND expiry IS NOT NULL) AS next_expiry,
            bool_or(is_current AND expiry > $as_of
                    AND expiry <= CAST($as_of + to_days($due) AS DATE)) AS is_due,
            bool_or(status = 'granted' AND expiry <= $as_of) AS has_expired,
            bool_or(status = 'lapsed') AS has_lapsed,
            bool_or(status = 'withdrawn') AS has_withdrawn,
            bool_or(status = 'refused') AS has_refused,
            bool_or(status = 'pending') AS has_pending,
            bool_or(is_current AND recorded_expiry IS NULL AND decided_on IS NOT NULL
                    AND years IS NOT NULL
                    AND CAST(decided_on + to_years(years) AS DATE) <= $as_of)
                AS renewal_overdue
        FROM flagged GROUP BY staff_id
    )
    SELECT s.staff_id, s.staff_type, s.unit_id, s.unit_name, s.post_id, s.required_level,
           COALESCE(p.has_current, FALSE), p.best_rank, p.held, p.next_expiry,
           COALESCE(p.is_due, FALSE), COALESCE(p.has_expired, FALSE),
           COALESCE(p.has_lapsed, FALSE), COALESCE(p.has_withdrawn, FALSE),
           COALESCE(p.has_refused, FALSE), COALESCE(p.has_pending, FALSE),
           COALESCE(p.renewal_overdue, FALSE)
    FROM serving s LEFT JOIN per p ON p.staff_id = s.staff_id
    ORDER BY s.staff_id
    """
    rows = con.execute(sql, {"as_of": as_of, "due": settings.due_days}).fetchall()
    people: list[StaffCompliance] = []
    for (staff_id, staff_type, unit_id, unit_name, post_id, required, has_current, best_rank,
         held, next_expiry, is_due, has_expired, has_lapsed, has_withdrawn, has_refused,
         has_pending, overdue) in rows:
        reason: str | None = None
        if not has_current:
            for name, flag in (("expired", has_expired), ("lapsed", has_lapsed),
                               ("withdrawn", has_withdrawn), ("refused", has_refused),
                               ("pending", has_pending)):
                if flag:
                    reason = name
                    break
            else:
                reason = "never_vetted"
        required_rank = settings.level_order.get(required) if required else None
        below = bool(has_current and required_rank is not None and best_rank is not None
                     and best_rank < required_rank)
        held_levels = tuple(held or ())
        people.append(StaffCompliance(
            staff_id=staff_id, staff_type=staff_type, unit_id=unit_id, unit_name=unit_name,
            post_id=post_id, required_level=required, held_levels=held_levels,
            best_level=held_levels[0] if held_levels else None,
            next_expiry=next_expiry, no_clearance=not has_current, no_clearance_reason=reason,
            below_requirement=below, expired=bool(not has_current and has_expired),
            due=bool(has_current and is_due), lapsed=bool(not has_current and has_lapsed),
            renewal_overdue=bool(has_current and overdue)))
    notes: list[str] = []
    if not posts_present:
        notes.append("the extract has no posts table: no post requirements are known, so "
                      "below_requirement is empty")
    else:
        no_post = sum(1 for s in people if s.required_level is None)
        if no_post:
            notes.append(f"{no_post} serving staff have no post with a required level; they "
                         "cannot be below requirement")
    if settings.derive_expiry_from_renewal:
        notes.append("granted clearances with no expires_on expire decided_on + renewal period")
    return ComplianceReport(as_of=as_of, settings=settings, staff=tuple(people),
                            posts_present=posts_present, force_code=force_code,
                            notes=tuple(notes))
