"""Findings: what each staff-to-record link means, ranked by seriousness.

Two kinds of finding:

- `identity_link`: the staff member is (probably) the person on a nominal record. The record's
  incident roles and categories, its flags, and whether the staff member declared it give the
  seriousness.
- `staff_phone_on_record` / `staff_address_on_record`: a staff member's phone number or home
  address appears on somebody else's record (a record not linked to them), for example on a
  domestic abuse victim's record. That is how an undeclared relationship often first shows.

Seriousness is a number from 0 to 100 (weights below; see docs/linkage.md). It only orders
human review: no decision is made on it.
"""

from __future__ import annotations

__all__ = ["SERIOUS_CATEGORIES", "ROLE_WEIGHTS", "findings_sql", "FINDING_COLUMNS"]

# Incident categories where being the suspect or offender is the gravest vetting concern.
SERIOUS_CATEGORIES = ("domestic_abuse", "sexual_offence", "stalking_harassment",
                      "child_protection")
VULNERABLE_FLAGS = ("vulnerable_adult", "domestic_abuse_victim", "sexual_offence_victim",
                    "child", "mental_health", "substance_misuse", "sex_worker",
                    "modern_slavery_victim", "homeless", "missing_person")

# (role, serious category?) -> weight, 0..100
ROLE_WEIGHTS: dict[tuple[str, bool], float] = {
    ("suspect", True): 100, ("offender", True): 100,
    ("suspect", False): 65, ("offender", False): 70,
    ("associate", True): 55, ("associate", False): 40,
    ("victim", True): 45, ("victim", False): 20,
    ("witness", True): 15, ("witness", False): 10,
    ("reporting_person", True): 15, ("reporting_person", False): 10,
    ("other", True): 10, ("other", False): 5,
}
CONTACT_WEIGHT_VULNERABLE = 80.0  # staff phone/address on a victim's or vulnerable person's record
CONTACT_WEIGHT_OTHER = 45.0
UNDECLARED_FACTOR = 1.0
DECLARED_FACTOR = 0.5  # a declared association still stands, at half weight

FINDING_COLUMNS = [
    "rank", "staff_id", "nominal_id", "finding", "seriousness", "match_probability",
    "incident_roles", "categories", "flags", "declared", "incident_count", "detail",
]


def _role_weight_case(role: str, category: str) -> str:
    serious = ", ".join(f"'{c}'" for c in SERIOUS_CATEGORIES)
    parts = [
        f"WHEN {role} = '{r}' AND {category} IN ({serious}) THEN {w}"
        if s else f"WHEN {role} = '{r}' THEN {w}"
        for (r, s), w in sorted(ROLE_WEIGHTS.items(), key=lambda kv: (kv[0][0], not kv[0][1]))
    ]
    return "CASE " + " ".join(parts) + " ELSE 0 END"


def findings_sql(*, links_table: str, has_declarations: bool, has_flags: bool,
                 staff_records: str, nominal_records: str) -> str:
    """One SQL query producing every finding, ranked (see FINDING_COLUMNS)."""
    vulnerable = ", ".join(f"'{f}'" for f in VULNERABLE_FLAGS)
    flags_cte = (
        "SELECT nominal_id, string_agg(DISTINCT CAST(flag AS VARCHAR), ';' "
        "ORDER BY CAST(flag AS VARCHAR)) AS flags, "
        f"bool_or(CAST(flag AS VARCHAR) IN ({vulnerable})) AS vulnerable "
        "FROM nominal_flags GROUP BY nominal_id"
        if has_flags else
        "SELECT CAST(NULL AS VARCHAR) AS nominal_id, CAST(NULL AS VARCHAR) AS flags, "
        "FALSE AS vulnerable WHERE FALSE"
    )
    declared_cte = (
        "SELECT DISTINCT CAST(staff_id AS VARCHAR) AS staff_id, "
        "CAST(nominal_id AS VARCHAR) AS nominal_id, "
        "CAST(phone_e164 AS VARCHAR) AS phone FROM declarations"
        if has_declarations else
        "SELECT CAST(NULL AS VARCHAR) AS staff_id, CAST(NULL AS VARCHAR) AS nominal_id, "
        "CAST(NULL AS VARCHAR) AS phone WHERE FALSE"
    )
    weight = _role_weight_case("CAST(i_n.role AS VARCHAR)", "CAST(i.category AS VARCHAR)")
    return f"""
    WITH phone_hits AS (
      SELECT p.unique_id AS staff_id, n.unique_id AS nominal_id, p.phone
      FROM (SELECT unique_id, unnest(phones) AS phone FROM {staff_records}) AS p
      JOIN {nominal_records} AS n ON n.phone1 = p.phone
    ),
    address_hits AS (
      SELECT s.unique_id AS staff_id, n.unique_id AS nominal_id
      FROM {staff_records} AS s
      JOIN {nominal_records} AS n ON n.address = s.address AND n.postcode = s.postcode
      WHERE s.address IS NOT NULL
    ),
    relevant AS (
      SELECT nominal_id FROM {links_table}
      UNION SELECT nominal_id FROM phone_hits
      UNION SELECT nominal_id FROM address_hits
    ),
    roles AS (
      SELECT CAST(i_n.nominal_id AS VARCHAR) AS nominal_id,
             CAST(i_n.role AS VARCHAR) AS role,
             CAST(i.category AS VARCHAR) AS category,
             CAST(i_n.incident_id AS VARCHAR) AS incident_id,
             {weight} AS weight,
             CAST(i_n.role AS VARCHAR) = 'victim' AS is_victim
      FROM incident_nominals AS i_n
      JOIN relevant AS rel ON rel.nominal_id = i_n.nominal_id
      JOIN incidents AS i ON i.incident_id = i_n.incident_id
    ),
    nominal_summary AS (
      SELECT nominal_id,
             string_agg(DISTINCT role, ';' ORDER BY role) AS incident_roles,
             string_agg(DISTINCT role || ':' || category, ';' ORDER BY role || ':' || category)
               AS categories,
             max(weight) AS top_weight,
             count(DISTINCT incident_id) AS incident_count,
             bool_or(is_victim) AS any_victim
      FROM roles GROUP BY nominal_id
    ),
    flags AS ({flags_cte}),
    declared AS ({declared_cte}),
    link_findings AS (
      SELECT l.staff_id, l.nominal_id, 'identity_link' AS finding, l.match_probability,
             coalesce(ns.incident_roles, '') AS incident_roles,
             coalesce(ns.categories, '') AS categories,
             coalesce(f.flags, '') AS flags,
             EXISTS (SELECT 1 FROM declared AS d WHERE d.staff_id = l.staff_id
                     AND (d.nominal_id = l.nominal_id OR (d.phone IS NOT NULL
                          AND list_contains(n.phones, d.phone)))) AS declared,
             coalesce(ns.incident_count, 0) AS incident_count,
             coalesce(ns.top_weight, 0) * l.match_probability AS base,
             'staff member is probably the person on this record' AS detail
      FROM {links_table} AS l
      JOIN {nominal_records} AS n ON n.unique_id = l.nominal_id
      LEFT JOIN nominal_summary AS ns ON ns.nominal_id = l.nominal_id
      LEFT JOIN flags AS f ON f.nominal_id = l.nominal_id
    ),
    contact AS (
      SELECT staff_id, nominal_id, 'staff_phone_on_record' AS finding,
             'staff phone ' || phone || ' is on this record' AS detail FROM phone_hits
      UNION ALL
      SELECT staff_id, nominal_id, 'staff_address_on_record' AS finding,
             'staff home address is on this record' AS detail FROM address_hits
    ),
    contact_findings AS (
      SELECT c.staff_id, c.nominal_id, c.finding, CAST(NULL AS DOUBLE) AS match_probability,
             coalesce(ns.incident_roles, '') AS incident_roles,
             coalesce(ns.categories, '') AS categories,
             coalesce(f.flags, '') AS flags,
             EXISTS (SELECT 1 FROM declared AS d WHERE d.staff_id = c.staff_id
                     AND (d.nominal_id = c.nominal_id OR (d.phone IS NOT NULL
                          AND list_contains(n.phones, d.phone)))) AS declared,
             coalesce(ns.incident_count, 0) AS incident_count,
             CASE WHEN coalesce(ns.any_victim, FALSE) OR coalesce(f.vulnerable, FALSE)
                  THEN {CONTACT_WEIGHT_VULNERABLE} ELSE {CONTACT_WEIGHT_OTHER} END AS base,
             c.detail
      FROM contact AS c
      JOIN {nominal_records} AS n ON n.unique_id = c.nominal_id
      LEFT JOIN nominal_summary AS ns ON ns.nominal_id = c.nominal_id
      LEFT JOIN flags AS f ON f.nominal_id = c.nominal_id
      -- the staff member's own record is an identity link, not someone else's record
      WHERE NOT EXISTS (SELECT 1 FROM {links_table} AS l
                        WHERE l.staff_id = c.staff_id AND l.nominal_id = c.nominal_id)
    ),
    everything AS (
      SELECT * FROM link_findings UNION ALL SELECT * FROM contact_findings
    ),
    scored AS (
      SELECT *, round(base * CASE WHEN declared THEN {DECLARED_FACTOR}
                                  ELSE {UNDECLARED_FACTOR} END, 2) AS seriousness
      FROM everything
    )
    SELECT row_number() OVER (ORDER BY seriousness DESC, finding, staff_id, nominal_id)
             AS rank,
           staff_id, nominal_id, finding, seriousness,
           round(match_probability, 6) AS match_probability,
           incident_roles, categories, flags,
           CASE WHEN declared THEN 'true' ELSE 'false' END AS declared,
           incident_count, detail
    FROM scored
    ORDER BY rank
    """
