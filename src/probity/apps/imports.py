"""App inventory imports: the extract's device_apps, a Microsoft Intune export, a generic CSV.

Every reader returns an *inventory* DataFrame with the columns INVENTORY_COLUMNS (one row per
source row; missing fields are None), so that one classifier serves all of them.

Intune (docs/apps.md has the full list): headers are matched ignoring case, spaces and
underscores, so both the admin-centre export ("Application", "Version", "Device count",
"Platform") and the per-device report ("Device ID", "Device name", "Application name",
"Application ID", "Application version", "Platform", "User principal name"; or the Graph
export names "DeviceId", "ApplicationName", "ApplicationId", ...) are read.

Bad input: every problem is collected and raised at once in AppImportInvalid, each naming the
file, the data row (1 = the first row after the header), the field and the value.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from probity.apps.catalogue import Catalogue, classify_apps, default_catalogue
from probity.errors import ProbityError, UsageError

__all__ = [
    "CLASSIFY_COLUMNS",
    "FIELDS",
    "INTUNE_ALIASES",
    "INTUNE_IGNORED",
    "INVENTORY_COLUMNS",
    "AppImportInvalid",
    "ImportIssue",
    "classify_inventory",
    "load_mapping",
    "parse_mapping_options",
    "read_extract_device_apps",
    "read_generic_csv",
    "read_intune_csv",
]

# Fields an inventory row can carry.
FIELDS = ("device_id", "device_name", "staff_id", "user", "app_id", "app_name", "version",
          "platform", "device_count")
INVENTORY_COLUMNS = ("source", "source_row", *FIELDS)
CLASSIFY_COLUMNS = ("device_id", "device_name", "staff_id", "user", "app_id", "app_name",
                    "version", "platform", "device_count", "risk_class", "reason", "match",
                    "source_row")
MAX_ISSUES = 100
MAX_TEXT = 1000

# Intune header (normalised: lower case, letters and digits only) -> field, in priority order:
# when two headers give the same field, the first listed wins and the other is ignored.
INTUNE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "device_id": ("deviceid", "intunedeviceid", "manageddeviceid"),
    "device_name": ("devicename",),
    "app_id": ("applicationid", "appid", "bundleid", "packageid", "packagename"),
    "app_name": ("applicationname", "appname", "application", "displayname", "name"),
    "version": ("applicationversion", "appversion", "version", "applicationshortversion"),
    "platform": ("platform", "operatingsystem", "os"),
    "device_count": ("devicecount",),
    "user": ("userprincipalname", "primaryuserupn", "upn", "emailaddress", "email",
             "username", "user"),
}
# Headers Intune exports that we read past on purpose.
INTUNE_IGNORED = ("applicationkey", "applicationpublisher", "publisher", "osdescription",
                  "osversion", "userid", "sizeinbyte", "size", "lastsynctime",
                  "lastmodifieddatetime")


class AppImportInvalid(ProbityError):
    """An app inventory file could not be read; `issues` lists every problem."""

    exit_code = 2

    def __init__(self, message: str, issues: Sequence[ImportIssue] = ()) -> None:
        super().__init__(message)
        self.issues = list(issues)


@dataclass(frozen=True)
class ImportIssue:
    file: str
    row: int | None          # data row, 1 = first row after the header; None = whole file
    field: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row} (line {self.row + 1})"
        if self.field is not None:
            where += f", field {self.field}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:80] + "..."
            where += f", value {shown!r}"
        return f"{where}: {self.message}"


def _norm_header(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def _norm_platform(value: str) -> str:
    v = _norm_header(value)
    if v.startswith("android"):
        return "android"
    if v in ("ios", "ipados", "iphone", "ipad") or v.startswith("ios"):
        return "ios"
    if v.startswith("windows"):
        return "windows"
    return "other"


def _raise(issues: list[ImportIssue], path: Path, count: int | None = None) -> None:
    total = count if count is not None else len(issues)
    shown = "\n  ".join(str(i) for i in issues[:MAX_ISSUES])
    more = f"\n  ... and {total - MAX_ISSUES} more" if total > MAX_ISSUES else ""
    raise AppImportInvalid(f"{path}: {total} problem(s) in the app inventory; nothing was "
                           f"imported:\n  {shown}{more}", issues)


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AppImportInvalid(f"cannot read {path}: {exc.strerror}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise AppImportInvalid(
            f"{path}: byte {exc.start} is not valid {encoding.upper()}; save the export as "
            "UTF-8 CSV") from exc
    reader = csv.reader(text.splitlines(), strict=True)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise AppImportInvalid(f"{path}: the file is empty; expected a header row") from exc
    except csv.Error as exc:
        raise AppImportInvalid(f"{path}: header row is not valid CSV: {exc}") from exc
    rows: list[tuple[int, list[str]]] = []
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise AppImportInvalid(f"{path} row {number + 1}: not valid CSV ({exc}); nothing "
                                   "was imported") from exc
        number += 1
        if not row or all(not cell.strip() for cell in row):
            continue
        rows.append((number, row))
    return [h.strip() for h in header], rows


def _build(path: Path, header: list[str], rows: list[tuple[int, list[str]]],
           columns: Mapping[str, int], source: str) -> pd.DataFrame:
    """Rows to inventory records, checking each; `columns` maps field -> header index."""
    issues: list[ImportIssue] = []
    count = 0
    records: list[dict[str, Any]] = []
    per_device = "device_id" in columns
    name = str(path)
    width = len(header)

    def issue(row: int, fld: str | None, value: str | None, message: str) -> None:
        nonlocal count
        count += 1
        if len(issues) < MAX_ISSUES:
            issues.append(ImportIssue(name, row, fld, value, message))

    for number, row in rows:
        if len(row) != width:
            issue(number, None, None, f"row has {len(row)} fields but the header has {width}")
            continue
        rec: dict[str, Any] = {"source": source, "source_row": number}
        for fld in FIELDS:
            index = columns.get(fld)
            value = row[index].strip() if index is not None else ""
            rec[fld] = value or None
            if value and len(value) > MAX_TEXT:
                issue(number, header[index] if index is not None else fld, value,
                      f"longer than {MAX_TEXT} characters")
        if not rec["app_id"] and not rec["app_name"]:
            issue(number, "app_id/app_name", "", "row has neither an app id nor an app name")
        if per_device and not rec["device_id"]:
            issue(number, header[columns["device_id"]], "", "device id is empty")
        if rec["device_count"] is not None:
            text = str(rec["device_count"]).replace(",", "")
            if not text.isdigit():
                issue(number, header[columns["device_count"]], str(rec["device_count"]),
                      "device count is not a whole number >= 0")
            else:
                rec["device_count"] = int(text)
        if rec["platform"] is not None:
            rec["platform"] = _norm_platform(rec["platform"])
        records.append(rec)
    if issues:
        _raise(issues, path, count)
    frame = pd.DataFrame.from_records(records, columns=list(INVENTORY_COLUMNS))
    frame["device_count"] = frame["device_count"].astype("Int64")
    return frame


def read_intune_csv(path: Path | str, *, ignore_unknown_columns: bool = False) -> pd.DataFrame:
    """Read a Microsoft Intune "Discovered apps" export (per-device or aggregate).

    Per-device exports need a device id column; aggregate exports (no device) need a device
    count column. Either needs an application name or id column. Unknown columns are an error
    (listing the supported ones) unless `ignore_unknown_columns`.
    """
    path = Path(path)
    header, rows = _read_rows(path)
    columns: dict[str, int] = {}
    used: set[int] = set()
    normalised = [_norm_header(h) for h in header]
    issues: list[ImportIssue] = []
    for index, key in enumerate(normalised):
        if normalised.index(key) != index:
            issues.append(ImportIssue(str(path), None, header[index], None,
                                      "column appears twice"))
    for fld, aliases in INTUNE_ALIASES.items():
        for alias in aliases:
            if alias in normalised and normalised.index(alias) not in used:
                columns[fld] = normalised.index(alias)
                used.add(columns[fld])
                break
    alias_set = {a for aliases in INTUNE_ALIASES.values() for a in aliases}
    for index, key in enumerate(normalised):
        if index in used or key in INTUNE_IGNORED or key in alias_set:
            continue
        if not ignore_unknown_columns:
            supported = sorted({*alias_set, *INTUNE_IGNORED})
            issues.append(ImportIssue(
                str(path), None, header[index], None,
                "unknown column for an Intune discovered-apps export; supported (ignoring "
                f"case, spaces and _): {', '.join(supported)}; or pass "
                "--ignore-unknown-columns"))
    if "app_name" not in columns and "app_id" not in columns:
        issues.append(ImportIssue(str(path), None, None, None,
                                  "no application name or id column (expected e.g. "
                                  "'Application', 'Application name' or 'Application ID')"))
    if "device_id" not in columns and "device_count" not in columns:
        issues.append(ImportIssue(str(path), None, None, None,
                                  "no 'Device ID' column (per-device export) and no "
                                  "'Device count' column (aggregate export)"))
    if issues:
        _raise(issues, path)
    return _build(path, header, rows, columns, source="intune")


def read_generic_csv(path: Path | str, *, mapping: Mapping[str, str],
                     ignore_unknown_columns: bool = False) -> pd.DataFrame:
    """Read any CSV app inventory through a column mapping {field: header}.

    Fields are those of FIELDS; `app_id` or `app_name` must be mapped. Columns of the file that
    are not mapped are an error unless `ignore_unknown_columns`.
    """
    path = Path(path)
    issues: list[ImportIssue] = []
    for fld in mapping:
        if fld not in FIELDS:
            issues.append(ImportIssue(str(path), None, fld, None,
                                      f"unknown field in the column mapping; expected one of "
                                      f"{', '.join(FIELDS)}"))
    if "app_id" not in mapping and "app_name" not in mapping:
        issues.append(ImportIssue(str(path), None, None, None,
                                  "the column mapping must map app_id or app_name"))
    if issues:
        _raise(issues, path)
    header, rows = _read_rows(path)
    columns: dict[str, int] = {}
    for fld, column in mapping.items():
        if column not in header:
            issues.append(ImportIssue(str(path), None, fld, column,
                                      f"mapped column not in the file; its columns are "
                                      f"{', '.join(header)}"))
        else:
            columns[fld] = header.index(column)
    for index, column in enumerate(header):
        if header.index(column) != index:
            issues.append(ImportIssue(str(path), None, column, None, "column appears twice"))
        elif index not in columns.values() and not ignore_unknown_columns:
            issues.append(ImportIssue(str(path), None, column, None,
                                      "column is not in the mapping; map it or pass "
                                      "--ignore-unknown-columns"))
    if issues:
        _raise(issues, path)
    return _build(path, header, rows, columns, source="generic")


def parse_mapping_options(options: Iterable[str]) -> dict[str, str]:
    """`--map field=column` options to a mapping."""
    mapping: dict[str, str] = {}
    for option in options:
        fld, sep, column = option.partition("=")
        if not sep or not fld.strip() or not column.strip():
            raise UsageError(f"--map {option!r}: expected FIELD=COLUMN, e.g. app_id=Bundle ID")
        mapping[fld.strip()] = column.strip()
    return mapping


def load_mapping(path: Path | str) -> dict[str, str]:
    """A column mapping file: JSON or TOML holding {field: column}."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = (json.loads(text) if path.suffix.lower() == ".json"
                     else tomllib.loads(text))
    except OSError as exc:
        raise UsageError(f"cannot read column mapping {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"column mapping {path} is not valid JSON/TOML: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise UsageError(f"column mapping {path}: expected {{field: column name}} with text "
                         "values")
    return {str(k): v for k, v in data.items()}


class _Extract(Protocol):
    @property
    def con(self) -> Any: ...

    def has(self, name: str) -> bool: ...


def read_extract_device_apps(*, extract: _Extract) -> pd.DataFrame:
    """The extract's device_apps as an inventory (staff_id and platform from devices)."""
    if not extract.has("device_apps"):
        return pd.DataFrame(columns=list(INVENTORY_COLUMNS))
    if extract.has("devices"):
        join = "LEFT JOIN devices d ON d.device_id = a.device_id"
        cols = "d.staff_id, d.platform"
    else:
        join = ""
        cols = "NULL::VARCHAR AS staff_id, NULL::VARCHAR AS platform"
    frame: pd.DataFrame = extract.con.execute(f"""
        SELECT 'extract' AS source, row_number() OVER () AS source_row, a.device_id,
               NULL::VARCHAR AS device_name, {cols}, NULL::VARCHAR AS "user", a.app_id,
               a.app_name, a.version, NULL::BIGINT AS device_count
        FROM device_apps a {join}
    """).df()
    return frame[list(INVENTORY_COLUMNS)]


def classify_inventory(*, inventory: pd.DataFrame, catalogue: Catalogue | None = None
                       ) -> pd.DataFrame:
    """Rows of an inventory that the catalogue lists (by id; by name when a row has no id or
    an id the catalogue does not know, as aggregate exports often carry only names), with
    CLASSIFY_COLUMNS."""
    found = classify_apps(apps=inventory, catalogue=catalogue or default_catalogue(),
                          match_names=True)
    for col in CLASSIFY_COLUMNS:
        if col not in found.columns:
            found[col] = None
    return found[list(CLASSIFY_COLUMNS)].reset_index(drop=True)
