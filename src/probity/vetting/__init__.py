"""Vetting register: levels, renewal periods and compliance figures.

Public API (plain Python, no Django): the web app calls these service functions.
"""

from __future__ import annotations

from probity.vetting.compliance import (
    ComplianceReport,
    GroupFigures,
    StaffCompliance,
    compliance_from_connection,
    vetting_compliance,
)
from probity.vetting.register import (
    RegisterChange,
    RegisterSnapshot,
    register_changes,
    register_snapshot,
)
from probity.vetting.settings import (
    DEFAULT_RENEWAL_YEARS,
    VettingSettings,
    load_vetting_settings,
)
from probity.vetting.triggers import TriggerRules, read_links, revetting_triggers

__all__ = [
    "ComplianceReport",
    "GroupFigures",
    "RegisterChange",
    "RegisterSnapshot",
    "StaffCompliance",
    "TriggerRules",
    "VettingSettings",
    "DEFAULT_RENEWAL_YEARS",
    "compliance_from_connection",
    "load_vetting_settings",
    "register_changes",
    "register_snapshot",
    "read_links",
    "revetting_triggers",
    "vetting_compliance",
]
