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
| dob, dob_str, birth_year, dob_key | date of birth (dob_key: year and {day, month} unordered) | same |
| gender | female/male/other, NULL for unknown | same |
| postcode | upper case, one space before the inward code | same |
| address | lower case, punctuation removed, spaces collapsed | same |
| phones | E.164 list: personal then work phone | [phone] |
| phone1, phone2 | personal, work | phone, phone (so each rule is one equi-join) |
| email | lower case | same |
| first_seen | start_date | first incident opened_at date (NULL when none) |

Everything runs inside DuckDB; the only Python loop is Soundex over the distinct surnames.
"""

from __future__ import annotations

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
_VARIANTS_TABLE = "__probity_name_variants"
_SOUNDEX_TABLE = "__probity_surname_soundex"

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


def _install_variant_table(con: Any) -> None:
    import pyarrow as pa

    pairs = name_variant_pairs()
    arrow = pa.table({"name": [p[0] for p in pairs], "group_key": [p[1] for p in pairs]})
    con.register("__probity_variant_arrow", arrow)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_VARIANTS_TABLE} AS "
        "SELECT name, list(group_key ORDER BY group_key) AS groups "
        "FROM __probity_variant_arrow GROUP BY name"
    )
    con.unregister("__probity_variant_arrow")


def _clean_name_sql(expr: str) -> str:
    return f"nullif(regexp_replace(lower(trim(CAST({expr} AS VARCHAR))), '[^a-z]', '', 'g'), '')"


def _first_token_sql(expr: str) -> str:
    # first whitespace-separated token, letters only
    return _clean_name_sql(
        f"split_part(regexp_replace(trim(CAST({expr} AS VARCHAR)), '\\s+', ' ', 'g'), ' ', 1)"
    )


def _postcode_sql(expr: str) -> str:
    squashed = f"regexp_replace(upper(CAST({expr} AS VARCHAR)), '[^A-Z0-9]', '', 'g')"
    return (
        f"CASE WHEN length({squashed}) BETWEEN 5 AND 7 "
        f"THEN substr({squashed}, 1, length({squashed}) - 3) || ' ' || right({squashed}, 3) "
        f"ELSE nullif({squashed}, '') END"
    )


def _address_sql(expr: str) -> str:
    return (
        "nullif(trim(regexp_replace(regexp_replace(lower(CAST("
        f"{expr} AS VARCHAR)), '[^a-z0-9 ]', ' ', 'g'), '\\s+', ' ', 'g')), '')"
    )


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
        {_first_token_sql(forename)} AS forename1,
        {_clean_name_sql(surname)} AS surname,
        {_date_sql(dob)} AS dob,
        {_gender_sql(gender)} AS gender,
        {_postcode_sql(postcode)} AS postcode,
        {_address_sql(address)} AS address,
        CAST({phone1} AS VARCHAR) AS phone1,
        CAST({phone2} AS VARCHAR) AS phone2,
        {_email_sql(email)} AS email,
        {first_seen} AS first_seen
      FROM {source} AS src
      {extra_from}
    )
    SELECT
      b.unique_id,
      b.forename1,
      coalesce(v.groups, CASE WHEN b.forename1 IS NOT NULL THEN [b.forename1] END)
        AS forename_groups,
      b.surname,
      sx.code AS surname_sx,
      CASE WHEN b.forename1 IS NOT NULL AND b.surname IS NOT NULL
           THEN b.forename1 || ' ' || b.surname END AS full_name,
      b.dob,
      strftime(b.dob, '%Y-%m-%d') AS dob_str,
      year(b.dob) AS birth_year,
      -- equal for the same date and for its day/month transposition (blocking key)
      CAST(year(b.dob) AS VARCHAR) || '-' || CAST(least(month(b.dob), day(b.dob)) AS VARCHAR)
        || '-' || CAST(greatest(month(b.dob), day(b.dob)) AS VARCHAR) AS dob_key,
      b.gender,
      b.postcode,
      b.address,
      list_filter([b.phone1, b.phone2], lambda x: x IS NOT NULL) AS phones,
      b.phone1,
      b.phone2,
      b.email,
      b.first_seen
    FROM base AS b
    LEFT JOIN {_VARIANTS_TABLE} AS v ON v.name = b.forename1
    LEFT JOIN {_SOUNDEX_TABLE} AS sx ON sx.surname = b.surname
    """


def _phone_expr(extract: Any, table: str, column: str) -> str:
    """The E.164 form of a phone column as the reader provides it (`<col>_e164`)."""
    return f"src.{column}_e164" if extract.has_column(table, column) else "NULL"


def _col(extract: Any, table: str, column: str) -> str:
    return f"src.{column}" if extract.has_column(table, column) else "NULL"


def _install_soundex(con: Any) -> None:
    import pyarrow as pa

    surnames = [
        row[0]
        for row in con.execute(
            f"""SELECT DISTINCT s FROM (
                  SELECT {_clean_name_sql('surname')} AS s FROM staff
                  UNION SELECT {_clean_name_sql('surname')} FROM nominals
                  UNION SELECT {_clean_name_sql('forename')} FROM staff
                  UNION SELECT {_clean_name_sql('forename')} FROM nominals
                ) WHERE s IS NOT NULL"""
        ).fetchall()
    ]
    arrow = pa.table({"surname": surnames, "code": [soundex(s) for s in surnames]})
    con.register("__probity_soundex_arrow", arrow)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SOUNDEX_TABLE} AS SELECT * FROM __probity_soundex_arrow"
    )
    con.unregister("__probity_soundex_arrow")


def prepare_records(extract: Any) -> tuple[str, str]:
    """Create the staff and nominal record tables in the extract's DuckDB connection.

    Returns their names. The extract must provide `.con` with views `staff`, `nominals`,
    `incident_nominals` and `incidents`, and `.has_column(table, column)`.
    """
    con = extract.con
    from probity.extract.phones import install_phone_macro

    install_phone_macro(con)
    _install_variant_table(con)
    _install_soundex(con)
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
        first_seen="fs.first_seen",
        extra_from=(
            "LEFT JOIN (SELECT i_n.nominal_id, min(CAST(i.opened_at AS DATE)) AS first_seen "
            "FROM incident_nominals AS i_n JOIN incidents AS i USING (incident_id) "
            "GROUP BY i_n.nominal_id) AS fs ON fs.nominal_id = src.nominal_id"
        ),
    )
    con.execute(f"CREATE OR REPLACE TABLE {STAFF_RECORDS} AS {staff_sql}")
    con.execute(f"CREATE OR REPLACE TABLE {NOMINAL_RECORDS} AS {nominal_sql}")
    return STAFF_RECORDS, NOMINAL_RECORDS
