"""Turn the staff and nominals tables into the two record tables Splink compares.

Both tables get the same columns (Splink's link_only mode needs that):

| column | staff | nominals |
|---|---|---|
| unique_id | staff_id | nominal_id |
| forename1 | first forename token, lower case, letters only | same |
| forename_groups | name-variant groups of forename1 (given_name_variants.txt), or [forename1] | same |
| surname | lower case, letters only (O'Brien-Smith -> obriensmith) | same |
| surname_sx | Soundex of surname | same |
| full_name | forename1 || ' ' || surname (term frequencies of the whole name) | same |
| forename_initial, surname_initial | first letters (blocking) | same |
| dob, dob_str, dob_ym, dob_md, birth_year, dob_key | date of birth (dob_key: year and {day, month} unordered) | same |
| gender | female/male/other, NULL for unknown | same |
| postcode, postcode_sector, postcode_district | upper case, one space before the inward code (M14 5AB, M14 5, M14) | same |
| address, house_number | lower case, punctuation removed, spaces collapsed; first number | same |
| phones | E.164 list: personal then work phone | [phone] |
| phone1, phone2 | personal, work | phone, phone (so each rule is one equi-join) |
| email, email_user | lower case; the part before @ | same |
| first_seen | start_date | first incident opened_at date (only for --since; else NULL) |

Everything runs inside DuckDB; the only Python loop is over the distinct raw names\n(cleaning, Soundex, variant groups), a few thousand values even for millions of records.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "STAFF_RECORDS",
    "NOMINAL_RECORDS",
    "prepare_records",
    "load_name_variants",
    "soundex",
    "name_variant_pairs",
]

STAFF_RECORDS = "__probity_link_staff"
NOMINAL_RECORDS = "__probity_link_nominals"

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def soundex(name: str | None) -> str | None:
    """American Soundex (Robert Russell's rules, with the H/W rule): 'Robert' -> 'R163'."""
    if not name:
        return None
    letters = [c for c in name.lower() if "a" <= c <= "z"]
    if not letters:
        return None
    first = letters[0]
    code = [first.upper()]
    previous = _SOUNDEX_CODES.get(first, "")
    for char in letters[1:]:
        digit = _SOUNDEX_CODES.get(char, "")
        if digit and digit != previous:
            code.append(digit)
            if len(code) == 4:
                break
        if char not in "hw":  # H and W do not separate letters with the same code
            previous = digit
    return "".join(code).ljust(4, "0")


@lru_cache(maxsize=1)
def load_name_variants() -> tuple[tuple[str, ...], ...]:
    """The given-name variant groups shipped with Probity, canonical name first."""
    text = (
        resources.files("probity.analytics.internals.linkage")
        .joinpath("given_name_variants.txt")
        .read_text(encoding="utf-8")
    )
    groups: list[tuple[str, ...]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = tuple(dict.fromkeys(n.strip().lower() for n in line.split(",") if n.strip()))
        if len(names) > 1:
            groups.append(names)
    return tuple(groups)


def name_variant_pairs() -> list[tuple[str, str]]:
    """(name, group key) rows: a name belongs to every group it is listed in."""
    rows: list[tuple[str, str]] = []
    for index, group in enumerate(load_name_variants()):
        key = f"{group[0]}#{index}"
        rows.extend((name, key) for name in group)
    return rows


_NAMES_TABLE = "__probity_name_keys"
_NON_LETTERS = re.compile(r"[^a-z]")


def clean_name(raw: str | None) -> str | None:
    """Lower case, letters only: "O'Brien-Smith" -> "obriensmith"; None when nothing is left."""
    if raw is None:
        return None
    cleaned = _NON_LETTERS.sub("", raw.lower())
    return cleaned or None


def first_token(raw: str | None) -> str | None:
    """The first forename: "Mary  Jane" -> "mary"."""
    if raw is None:
        return None
    parts = raw.split()
    return clean_name(parts[0]) if parts else None


def _install_name_keys(con: Any) -> None:
    """One row per distinct raw name written in staff or nominals (a few thousand values,
    even for millions of records), with its cleaned forms, Soundex and variant groups; the
    record tables join it on the raw value, so no per-record Python runs."""
    import pyarrow as pa

    variants: dict[str, list[str]] = {}
    for name, key in name_variant_pairs():
        variants.setdefault(name, []).append(key)
    raw_values = [row[0] for row in con.execute(
        "SELECT DISTINCT v FROM (SELECT forename AS v FROM staff UNION ALL "
        "SELECT surname FROM staff UNION ALL SELECT forename FROM nominals UNION ALL "
        "SELECT surname FROM nominals) WHERE v IS NOT NULL").fetchall()]
    firsts = [first_token(v) for v in raw_values]
    cleans = [clean_name(v) for v in raw_values]
    arrow = pa.table({
        "raw": raw_values,
        "first_token": firsts,
        "clean": cleans,
        "soundex": [soundex(c) for c in cleans],
        "groups": [sorted(variants[f]) if f in variants else ([f] if f else None)
                   for f in firsts],
    })
    con.register("__probity_names_arrow", arrow)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_NAMES_TABLE} AS "
                "SELECT * FROM __probity_names_arrow").fetchall()
    con.unregister("__probity_names_arrow")


def _postcode_sql(expr: str) -> str:
    return f"regexp_replace(upper(CAST({expr} AS VARCHAR)), '[^A-Z0-9]', '', 'g')"


def _address_sql(expr: str) -> str:
    return (f"nullif(trim(lower(regexp_replace(CAST({expr} AS VARCHAR), '[^A-Za-z0-9]+', ' ', "
            "'g'))), '')")


def _email_sql(expr: str) -> str:
    return f"nullif(lower(trim(CAST({expr} AS VARCHAR))), '')"


def _gender_sql(expr: str) -> str:
    return f"CASE WHEN {expr} IN ('female', 'male', 'other') THEN CAST({expr} AS VARCHAR) END"


def _date_sql(expr: str) -> str:
    return f"TRY_CAST({expr} AS DATE)"


def _records_sql(
    *,
    source: str,
    id_col: str,
    forename: str,
    surname: str,
    dob: str,
    gender: str,
    postcode: str,
    address: str,
    phone1: str,
    phone2: str,
    email: str,
    first_seen: str,
    extra_from: str = "",
) -> str:
    return f"""
    WITH base AS (
      SELECT
        CAST({id_col} AS VARCHAR) AS unique_id,
        CAST({forename} AS VARCHAR) AS raw_forename,
        CAST({surname} AS VARCHAR) AS raw_surname,
        {_date_sql(dob)} AS dob,
        {_gender_sql(gender)} AS gender,
        {_postcode_sql(postcode)} AS postcode_squashed,
        {_address_sql(address)} AS address,
        CAST({phone1} AS VARCHAR) AS phone1,
        CAST({phone2} AS VARCHAR) AS phone2,
        {_email_sql(email)} AS email,
        {first_seen} AS first_seen
      FROM {source} AS src
      {extra_from}
    ),
    named AS (
      SELECT b.*, f.first_token AS forename1, f.groups AS forename_groups,
             s.clean AS surname, s.soundex AS surname_sx,
             CASE WHEN length(b.postcode_squashed) BETWEEN 5 AND 7
                  THEN left(b.postcode_squashed, length(b.postcode_squashed) - 3) || ' '
                       || right(b.postcode_squashed, 3)
                  ELSE nullif(b.postcode_squashed, '') END AS postcode
      FROM base AS b
      LEFT JOIN {_NAMES_TABLE} AS f ON f.raw = b.raw_forename
      LEFT JOIN {_NAMES_TABLE} AS s ON s.raw = b.raw_surname
    )
    SELECT
      unique_id,
      forename1,
      forename_groups,
      surname,
      surname_sx,
      CASE WHEN forename1 IS NOT NULL AND surname IS NOT NULL
           THEN forename1 || ' ' || surname END AS full_name,
      left(forename1, 1) AS forename_initial,
      left(surname, 1) AS surname_initial,
      dob,
      strftime(dob, '%Y-%m-%d') AS dob_str,
      strftime(dob, '%Y-%m') AS dob_ym,
      strftime(dob, '%m-%d') AS dob_md,
      year(dob) AS birth_year,
      -- equal for the same date and for its day/month transposition (blocking key)
      CAST(year(dob) AS VARCHAR) || '-' || CAST(least(month(dob), day(dob)) AS VARCHAR)
        || '-' || CAST(greatest(month(dob), day(dob)) AS VARCHAR) AS dob_key,
      gender,
      postcode,
      CASE WHEN postcode LIKE '% _%' THEN left(postcode, strpos(postcode, ' ') + 1) END
        AS postcode_sector,
      CASE WHEN postcode LIKE '% %' THEN left(postcode, strpos(postcode, ' ') - 1)
           ELSE postcode END AS postcode_district,
      address,
      regexp_extract(address, '[0-9]+') AS house_number,
      list_filter([phone1, phone2], lambda x: x IS NOT NULL) AS phones,
      phone1,
      phone2,
      email,
      split_part(email, '@', 1) AS email_user,
      first_seen
    FROM named
    """


def _phone_expr(extract: Any, table: str, column: str) -> str:
    """The E.164 form of a phone column as the reader provides it (`<col>_e164`)."""
    return f"src.{column}_e164" if extract.has_column(table, column) else "NULL"


def _col(extract: Any, table: str, column: str) -> str:
    return f"src.{column}" if extract.has_column(table, column) else "NULL"


def prepare_records(extract: Any, *, with_first_seen: bool = False) -> tuple[str, str]:
    """Create the staff and nominal record tables in the extract's DuckDB connection.

    Returns their names. The extract must provide `.con` with views `staff`, `nominals`,
    `incident_nominals` and `incidents`, and `.has_column(table, column)`.
    """
    con = extract.con
    from probity.extract.phones import install_phone_macro

    install_phone_macro(con)
    _install_name_keys(con)
    staff_sql = _records_sql(
        source="staff",
        id_col="src.staff_id",
        forename="src.forename",
        surname="src.surname",
        dob=_col(extract, "staff", "date_of_birth"),
        gender=_col(extract, "staff", "gender"),
        postcode=_col(extract, "staff", "home_postcode"),
        address=_col(extract, "staff", "home_address"),
        phone1=_phone_expr(extract, "staff", "personal_phone"),
        phone2=_phone_expr(extract, "staff", "work_phone"),
        email=_col(extract, "staff", "email"),
        first_seen=f"{_date_sql('src.start_date')}",
    )
    nominal_phone = _phone_expr(extract, "nominals", "phone")
    nominal_sql = _records_sql(
        source="nominals",
        id_col="src.nominal_id",
        forename=_col(extract, "nominals", "forename"),
        surname=_col(extract, "nominals", "surname"),
        dob=_col(extract, "nominals", "date_of_birth"),
        gender=_col(extract, "nominals", "gender"),
        postcode=_col(extract, "nominals", "postcode"),
        address=_col(extract, "nominals", "address"),
        phone1=nominal_phone,
        phone2=nominal_phone,
        email=_col(extract, "nominals", "email"),
        first_seen="fs.first_seen" if with_first_seen else "CAST(NULL AS DATE)",
        extra_from=(
            "LEFT JOIN (SELECT i_n.nominal_id, min(CAST(i.opened_at AS DATE)) AS first_seen "
            "FROM incident_nominals AS i_n JOIN incidents AS i USING (incident_id) "
            "GROUP BY i_n.nominal_id) AS fs ON fs.nominal_id = src.nominal_id"
        ) if with_first_seen else "",
    )
    con.execute(f"CREATE OR REPLACE TABLE {STAFF_RECORDS} AS {staff_sql}")
    con.execute(f"CREATE OR REPLACE TABLE {NOMINAL_RECORDS} AS {nominal_sql}")
    return STAFF_RECORDS, NOMINAL_RECORDS
