"""Phone numbers to E.164, one value at a time (Python) or a whole column at once (DuckDB).

The contract allows "any usual UK writing" of a phone number; comparisons are made on E.164.
`normalise_phone` uses `phonenumbers` (Google's libphonenumber metadata) with the UK as
default region. `install_phone_macro(con)` adds the SQL macro `probity_e164(x)`, which applies
the same rules to millions of rows inside DuckDB without a Python call per row:

- spaces, brackets, dots, dashes and slashes are removed;
- `+44 (0)161 ...` and `+440161...` drop the trunk 0;
- `0044...` becomes `+44...`; `07...` and `0161...` become `+447...` and `+44161...`;
- `447700900123` (12 digits starting 44) becomes `+447700900123`;
- another country's number written `+CC...` or `00CC...` keeps its country code;
- anything else (too short, letters, extensions) gives NULL.

UK numbers must have 9 or 10 digits after `+44`, which is what `phonenumbers` calls a
possible number in the UK; other countries 7 to 15 digits in all. The tests check that the two
agree on the usual writings.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

__all__ = ["normalise_phone", "install_phone_macro", "PHONE_MACRO", "PHONE_MACRO_SQL"]

PHONE_MACRO = "probity_e164"

_STRIP = re.compile(r"[\s()\-./]")
_ALLOWED = re.compile(r"\+?[0-9]+")

PHONE_MACRO_SQL = r"""
CREATE OR REPLACE MACRO _probity_e164_clean(s) AS (
  CASE
    WHEN regexp_full_match(s, '\+440?[1-9][0-9]{8,9}')
      THEN '+44' || regexp_extract(s, '^\+440?([1-9][0-9]+)$', 1)
    WHEN regexp_full_match(s, '00440?[1-9][0-9]{8,9}')
      THEN '+44' || regexp_extract(s, '^00440?([1-9][0-9]+)$', 1)
    WHEN regexp_full_match(s, '0[1-9][0-9]{8,9}') THEN '+44' || substr(s, 2)
    WHEN regexp_full_match(s, '44[1-9][0-9]{9}') THEN '+' || s
    WHEN s LIKE '+44%' OR s LIKE '0044%' THEN NULL
    WHEN regexp_full_match(s, '\+[1-9][0-9]{6,14}') THEN s
    WHEN regexp_full_match(s, '00[1-9][0-9]{6,14}') THEN '+' || substr(s, 3)
    ELSE NULL
  END
);
CREATE OR REPLACE MACRO probity_e164(p) AS (
  _probity_e164_clean(regexp_replace(CAST(p AS VARCHAR), '[\s()\-./]', '', 'g'))
);
"""


def install_phone_macro(con: Any) -> None:
    """Add `probity_e164(x)` (VARCHAR -> E.164 VARCHAR or NULL) to a DuckDB connection."""
    con.execute(PHONE_MACRO_SQL)


def normalise_phone(value: str | None) -> str | None:
    """One phone number in any usual UK writing as E.164 (`+447700900123`), or None.

    None when the value is empty, holds letters, or cannot be a phone number by its length.
    """
    if value is None:
        return None
    cleaned = _STRIP.sub("", value)
    if not cleaned or not _ALLOWED.fullmatch(cleaned):
        return None
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    elif cleaned.startswith("44") and len(cleaned) == 12:
        cleaned = "+" + cleaned
    if cleaned.startswith("+440"):
        cleaned = "+44" + cleaned[4:]
    try:
        number = phonenumbers.parse(cleaned, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    if number.country_code == 44:
        national = str(number.national_number)
        if len(national) not in (9, 10):
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
