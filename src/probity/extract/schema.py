"""Force Extract v1, as data.

This module is the single machine-readable statement of ../shared/contract/force-extract-v1.md.
The validator, the reader, the generator and the analytics all take table and column
definitions from here, so that the contract is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ColumnType",
    "Column",
    "Table",
    "TABLES",
    "REQUIRED_TABLES",
    "OPTIONAL_TABLES",
    "VETTING_LEVELS",
    "VETTING_LEVEL_ORDER",
    "ID_MAX_LENGTH",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "table",
]

FORMAT_NAME = "force-extract"
FORMAT_VERSION = 1
ID_MAX_LENGTH = 64

ColumnType = Literal["id", "text", "date", "timestamp", "enum", "phone", "integer", "list"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    enum: tuple[str, ...] = ()
    references: str | None = None  # "table.column" that must hold the value
    note: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required: bool = False
    primary_key: str | None = None  # ids that must be unique
    # (start, end) column pairs where end must not precede start
    intervals: tuple[tuple[str, str], ...] = ()
    # further column combinations that must be unique (beside primary_key)
    unique_together: tuple[tuple[str, ...], ...] = ()
    # indicators that need this table (shown when the table is missing)
    purpose: str = ""
    column_map: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", {c.name: c for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def unique_keys(self) -> list[tuple[str, ...]]:
        """Every column combination that must be unique: the primary key first."""
        keys = [(self.primary_key,)] if self.primary_key else []
        return keys + list(self.unique_together)


UNIT_FUNCTIONS = (
    "response", "neighbourhood", "investigation", "safeguarding", "public_protection",
    "custody", "intelligence", "contact_centre", "professional_standards", "roads_policing",
    "specialist", "training", "support", "other",
)
GENDERS = ("female", "male", "other", "unknown")
STAFF_TYPES = ("officer", "staff", "special_constable", "volunteer", "contractor")
VETTING_LEVELS = ("rv", "mv", "nppv1", "nppv2a", "nppv2f", "nppv3", "ctc", "sc", "dv")
# Order of sufficiency, lowest first. A clearance satisfies a post when its rank is at least
# the post's. Force levels and national security levels are not strictly comparable in law;
# this order is the configurable default (see docs/decisions) used by the vetting register.
VETTING_LEVEL_ORDER = {
    "nppv1": 1, "nppv2a": 2, "nppv2f": 3, "rv": 3, "nppv3": 4, "mv": 4,
    "ctc": 4, "sc": 5, "dv": 6,
}
VETTING_STATUSES = ("granted", "refused", "withdrawn", "pending", "lapsed")
INCIDENT_CATEGORIES = (
    "domestic_abuse", "sexual_offence", "stalking_harassment", "missing_person",
    "mental_health", "concern_for_welfare", "child_protection", "violence", "theft",
    "burglary", "fraud", "road_traffic", "public_order", "antisocial_behaviour", "other",
)
NOMINAL_FLAGS = (
    "vulnerable_adult", "domestic_abuse_victim", "sexual_offence_victim", "child",
    "missing_person", "mental_health", "substance_misuse", "sex_worker",
    "modern_slavery_victim", "homeless", "other",
)
NOMINAL_ROLES = ("victim", "witness", "suspect", "offender", "reporting_person", "associate", "other")
ASSIGNMENT_ROLES = (
    "call_handler", "dispatcher", "attending", "officer_in_case", "investigator",
    "supervisor", "safeguarding", "other",
)
SYSTEMS = ("rms", "pnc", "pnd", "command_control", "intelligence", "custody", "case_file", "other")
ACTIONS = ("search", "view", "create", "update", "print", "export", "delete")
OBJECT_TYPES = ("nominal", "incident", "vehicle", "location", "intelligence", "other")
DEVICE_KINDS = ("desktop", "laptop", "phone", "tablet", "other")
PLATFORMS = ("windows", "ios", "android", "other")
DIRECTIONS = ("in", "out")
CHANNELS = ("call", "sms", "other")
COMPLAINT_CATEGORIES = (
    "sexual_conduct", "abuse_of_position", "discriminatory_behaviour", "use_of_force",
    "honesty_integrity", "improper_disclosure", "service_delivery", "other",
)
COMPLAINT_OUTCOMES = ("upheld", "not_upheld", "no_further_action", "ongoing", "withdrawn", "other")
DECLARATION_KINDS = ("association", "relationship", "business_interest", "other")


def _c(name: str, type_: ColumnType, required: bool = False, enum: tuple[str, ...] = (),
       references: str | None = None, note: str = "") -> Column:
    return Column(name=name, type=type_, required=required, enum=enum, references=references,
                  note=note)


_TABLE_LIST: tuple[Table, ...] = (
    Table("units", required=True, primary_key="unit_id", columns=(
        _c("unit_id", "id", True),
        _c("name", "text", True),
        _c("function", "enum", True, UNIT_FUNCTIONS),
        _c("parent_unit_id", "id", references="units.unit_id"),
    ), purpose="peer groups by unit function"),
    Table("staff", required=True, primary_key="staff_id", intervals=(("start_date", "end_date"),),
          columns=(
        _c("staff_id", "id", True),
        _c("forename", "text", True),
        _c("surname", "text", True),
        _c("date_of_birth", "date"),
        _c("gender", "enum", enum=GENDERS),
        _c("staff_type", "enum", True, STAFF_TYPES),
        _c("rank", "text"),
        _c("unit_id", "id", True, references="units.unit_id"),
        _c("post_id", "id", references="posts.post_id"),
        _c("start_date", "date", True),
        _c("end_date", "date"),
        _c("work_phone", "phone"),
        _c("personal_phone", "phone"),
        _c("home_address", "text"),
        _c("home_postcode", "text"),
        _c("email", "text"),
    ), purpose="the workforce"),
    Table("posts", primary_key="post_id", columns=(
        _c("post_id", "id", True),
        _c("title", "text", True),
        _c("unit_id", "id", True, references="units.unit_id"),
        _c("required_vetting", "enum", True, VETTING_LEVELS),
    ), purpose="vetting register: required level per post"),
    Table("vetting", columns=(
        _c("staff_id", "id", True, references="staff.staff_id"),
        _c("level", "enum", True, VETTING_LEVELS),
        _c("status", "enum", True, VETTING_STATUSES),
        _c("decided_on", "date"),
        _c("expires_on", "date"),
    ), intervals=(("decided_on", "expires_on"),), purpose="vetting register: clearances held"),
    Table("shifts", intervals=(("start", "end"),), columns=(
        _c("staff_id", "id", True, references="staff.staff_id"),
        _c("start", "timestamp", True),
        _c("end", "timestamp", True),
    ), purpose="look-ups and contact outside rostered duty"),
    Table("incidents", required=True, primary_key="incident_id",
          intervals=(("opened_at", "closed_at"),), columns=(
        _c("incident_id", "id", True),
        _c("opened_at", "timestamp", True),
        _c("closed_at", "timestamp"),
        _c("category", "enum", True, INCIDENT_CATEGORIES),
        _c("postcode", "text"),
    ), purpose="operational links"),
    Table("nominals", required=True, primary_key="nominal_id", columns=(
        _c("nominal_id", "id", True),
        _c("forename", "text"),
        _c("surname", "text"),
        _c("date_of_birth", "date"),
        _c("gender", "enum", enum=GENDERS),
        _c("address", "text"),
        _c("postcode", "text"),
        _c("phone", "phone"),
        _c("email", "text"),
    ), purpose="person records"),
    Table("nominal_flags", intervals=(("from_date", "to_date"),), columns=(
        _c("nominal_id", "id", True, references="nominals.nominal_id"),
        _c("flag", "enum", True, NOMINAL_FLAGS),
        _c("from_date", "date"),
        _c("to_date", "date"),
    ), purpose="vulnerability of person records"),
    Table("incident_nominals", required=True, columns=(
        _c("incident_id", "id", True, references="incidents.incident_id"),
        _c("nominal_id", "id", True, references="nominals.nominal_id"),
        _c("role", "enum", True, NOMINAL_ROLES),
    ), purpose="who was involved in which incident"),
    Table("assignments", required=True, intervals=(("start", "end"),), columns=(
        _c("incident_id", "id", True, references="incidents.incident_id"),
        _c("staff_id", "id", True, references="staff.staff_id"),
        _c("role", "enum", True, ASSIGNMENT_ROLES),
        _c("start", "timestamp", True),
        _c("end", "timestamp"),
    ), purpose="operational links"),
    Table("audit_events", required=True, primary_key="event_id", columns=(
        _c("event_id", "id", True),
        _c("ts", "timestamp", True),
        _c("staff_id", "id", True, references="staff.staff_id"),
        _c("system", "enum", True, SYSTEMS),
        _c("action", "enum", True, ACTIONS),
        _c("object_type", "enum", True, OBJECT_TYPES),
        _c("object_id", "id", note="no reference check"),
        _c("reason", "text"),
        _c("workstation", "text"),
        _c("device_id", "id", references="devices.device_id"),
    ), purpose="record look-ups"),
    Table("devices", primary_key="device_id", columns=(
        _c("device_id", "id", True),
        _c("staff_id", "id", references="staff.staff_id"),
        _c("kind", "enum", True, DEVICE_KINDS),
        _c("platform", "enum", enum=PLATFORMS),
        _c("enrolled_on", "date"),
    ), purpose="force devices and who holds them"),
    Table("device_apps", intervals=(("first_seen", "last_seen"),), columns=(
        _c("device_id", "id", True, references="devices.device_id"),
        _c("app_id", "text", True),
        _c("app_name", "text", True),
        _c("version", "text"),
        _c("first_seen", "date", True),
        _c("last_seen", "date"),
    ), purpose="encrypted and ephemeral apps on force devices"),
    Table("comms", columns=(
        _c("device_id", "id", True, references="devices.device_id"),
        _c("ts", "timestamp", True),
        _c("direction", "enum", True, DIRECTIONS),
        _c("channel", "enum", True, CHANNELS),
        _c("counterpart", "phone", True),
        _c("duration_s", "integer"),
    ), purpose="calls and texts from force devices to victims"),
    # one row per subject: a complaint about two people is two rows with one complaint_id
    Table("complaints", primary_key=None, unique_together=(("complaint_id", "staff_id"),), columns=(
        _c("complaint_id", "id", True),
        _c("received_on", "date", True),
        _c("staff_id", "id", True, references="staff.staff_id"),
        _c("complainant_nominal_id", "id", note="no reference check"),
        _c("category", "enum", True, COMPLAINT_CATEGORIES),
        _c("outcome", "enum", enum=COMPLAINT_OUTCOMES),
    ), purpose="complaint history"),
    Table("declarations", columns=(
        _c("staff_id", "id", True, references="staff.staff_id"),
        _c("declared_on", "date", True),
        _c("kind", "enum", True, DECLARATION_KINDS),
        _c("nominal_id", "id", note="may point outside the extract"),
        _c("phone", "phone"),
    ), purpose="declared associations"),
)

TABLES: dict[str, Table] = {t.name: t for t in _TABLE_LIST}
REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in _TABLE_LIST if t.required)
OPTIONAL_TABLES: tuple[str, ...] = tuple(t.name for t in _TABLE_LIST if not t.required)


def table(name: str) -> Table:
    """The definition of one table; KeyError names the table when it is not in the contract."""
    return TABLES[name]
