"""Re-vetting triggers found in the data: who should be re-vetted, and why.

Since the 2023 Vetting Code of Practice a material change - including misconduct where the
person is not dismissed - triggers re-vetting. From an extract (and optionally the output of
`probity link`) this finds, for staff serving on the as-of date:

- `misconduct_upheld`: an upheld complaint or conduct matter received after the person's
  latest known clearance decision (so vetting has not yet considered it) and on or before
  the as-of date. The person is still serving, so the outcome fell short of dismissal.
- `complaint_pattern`: at least `pattern_count` complaints (any outcome except withdrawn)
  received in the `pattern_days` before the as-of date, or at least `serious_count` in the
  serious categories (sexual conduct, abuse of position, improper disclosure) in that time.
- `screening_finding`: a `probity link` match to a person record with match_probability at
  least `link_threshold` whose incident roles include suspect or offender.

The web app raises a re-vetting case from each row; the rules are transparent parameters.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

from probity.errors import ProbityError, UsageError

__all__ = ["TRIGGER_COLUMNS", "TriggerRules", "LinksInvalid", "read_links", "revetting_triggers"]

TRIGGER_COLUMNS = ("staff_id", "trigger", "date", "detail")
SERIOUS_CATEGORIES = ("sexual_conduct", "abuse_of_position", "improper_disclosure")
ADVERSE_ROLES = ("suspect", "offender")
LINK_COLUMNS = ("staff_id", "nominal_id", "match_probability", "incident_roles")


class LinksInvalid(ProbityError):
    """A `probity link` output file could not be read."""

    exit_code = 2


class _Extract(Protocol):
    @property
    def con(self) -> Any: ...

    @property
    def period_end(self) -> Any: ...

    def has(self, name: str) -> bool: ...


@dataclass(frozen=True)
class TriggerRules:
    pattern_days: int = 365
    pattern_count: int = 3
    serious_count: int = 2
    link_threshold: float = 0.9

    def __post_init__(self) -> None:
        if self.pattern_days < 1 or self.pattern_count < 1 or self.serious_count < 1:
            raise UsageError("trigger rules: pattern_days, pattern_count and serious_count "
                             "must be at least 1")
        if not 0.5 <= self.link_threshold <= 1.0:
            raise UsageError(f"trigger rules: link_threshold {self.link_threshold} must be "
                             "between 0.5 and 1")


def read_links(path: Path | str) -> pd.DataFrame:
    """Read `probity link --out` (contract: staff_id, nominal_id, match_probability,
    incident_roles); every bad row is reported at once with its row, field and value."""
    import pandas as pd

    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LinksInvalid(f"cannot read links file {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LINK_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LinksInvalid(f"{path}: missing column(s) {', '.join(missing)}; a "
                               f"`probity link` file has {', '.join(LINK_COLUMNS)}")
        rows: list[dict[str, Any]] = []
        problems: list[str] = []
        for number, row in enumerate(reader, start=1):
            text = (row.get("match_probability") or "").strip()
            try:
                probability = float(text)
                if not 0.0 <= probability <= 1.0:
                    raise ValueError
            except ValueError:
                problems.append(f"{path} row {number}, field match_probability, value "
                                f"{text!r}: expected a number from 0 to 1")
                continue
            if not (row.get("staff_id") or "").strip():
                problems.append(f"{path} row {number}, field staff_id: empty")
                continue
            rows.append({"staff_id": row["staff_id"].strip(),
                         "nominal_id": (row.get("nominal_id") or "").strip(),
                         "match_probability": probability,
                         "incident_roles": (row.get("incident_roles") or "").strip()})
    if problems:
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise LinksInvalid(f"{path}: {len(problems)} bad row(s); nothing was read:\n  "
                           f"{shown}{more}")
    return pd.DataFrame(rows, columns=list(LINK_COLUMNS))


def revetting_triggers(*, extract: _Extract, as_of: dt.date | None = None,
                       links: pd.DataFrame | None = None,
                       rules: TriggerRules | None = None) -> pd.DataFrame:
    """One row per (staff_id, trigger) with TRIGGER_COLUMNS, ordered by staff_id, trigger.

    `date` is the date of the most recent event behind the trigger (None for link findings);
    `detail` says what was found.
    """
    import pandas as pd

    rules = rules or TriggerRules()
    day = as_of or extract.period_end
    if isinstance(day, dt.datetime):
        day = day.date()
    con = extract.con
    serving = {r[0] for r in con.execute(
        "SELECT staff_id FROM staff WHERE start_date <= $d AND (end_date IS NULL OR "
        "end_date > $d)", {"d": day}).fetchall()}
    found: list[tuple[str, str, dt.date | None, str]] = []
    if extract.has("complaints"):
        last_decision = "NULL::DATE"
        vetting_join = ""
        if extract.has("vetting"):
            vetting_join = ("LEFT JOIN (SELECT staff_id, max(decided_on) AS last_decided "
                            "FROM vetting WHERE status = 'granted' AND decided_on <= $d "
                            "GROUP BY staff_id) v ON v.staff_id = c.staff_id")
            last_decision = "v.last_decided"
        upheld = con.execute(f"""
            SELECT c.staff_id, max(c.received_on), count(*),
                   string_agg(DISTINCT c.category, ';' ORDER BY c.category)
            FROM complaints c {vetting_join}
            WHERE c.outcome = 'upheld' AND c.received_on <= $d
              AND ({last_decision} IS NULL OR c.received_on > {last_decision})
            GROUP BY c.staff_id
        """, {"d": day}).fetchall()
        for staff_id, latest, count, categories in upheld:
            found.append((staff_id, "misconduct_upheld", latest,
                          f"{count} upheld complaint(s) since the last clearance decision "
                          f"({categories})"))
        start = day - dt.timedelta(days=rules.pattern_days)
        serious = ", ".join(f"'{c}'" for c in SERIOUS_CATEGORIES)
        pattern = con.execute(f"""
            SELECT staff_id, max(received_on), count(*),
                   count(*) FILTER (WHERE category IN ({serious}))
            FROM complaints
            WHERE received_on > $start AND received_on <= $d
              AND (outcome IS NULL OR outcome <> 'withdrawn')
            GROUP BY staff_id
        """, {"start": start, "d": day}).fetchall()
        for staff_id, latest, count, serious_n in pattern:
            if count >= rules.pattern_count or serious_n >= rules.serious_count:
                found.append((staff_id, "complaint_pattern", latest,
                              f"{count} complaint(s), {serious_n} serious, in the "
                              f"{rules.pattern_days} days to {day.isoformat()}"))
    if links is not None and len(links):
        hits: dict[str, list[str]] = {}
        for link in links.to_dict("records"):
            roles = {r.strip() for r in str(link["incident_roles"] or "").split(";")
                     if r.strip()}
            probability = float(link["match_probability"])
            if probability >= rules.link_threshold and roles & set(ADVERSE_ROLES):
                hits.setdefault(str(link["staff_id"]), []).append(
                    f"{link['nominal_id']} ({';'.join(sorted(roles & set(ADVERSE_ROLES)))}, "
                    f"p={probability:.2f})")
        for staff_id, notes in hits.items():
            found.append((staff_id, "screening_finding", None,
                          "matches person record(s) recorded as suspect/offender: "
                          + ", ".join(sorted(notes))))
    rows = sorted((f for f in found if f[0] in serving), key=lambda f: (f[0], f[1]))
    return pd.DataFrame(rows, columns=list(TRIGGER_COLUMNS))
