"""Encrypted-app review: the maintained app catalogue, inventory imports and reports.

Public API (plain Python, no Django): the web app and the scan indicator call these.
"""

from __future__ import annotations

from probity.apps.catalogue import (
    AppEntry,
    Catalogue,
    CatalogueInvalid,
    RiskClass,
    classify_apps,
    default_catalogue,
    load_catalogue,
)

__all__ = [
    "AppEntry",
    "Catalogue",
    "CatalogueInvalid",
    "RiskClass",
    "classify_apps",
    "default_catalogue",
    "load_catalogue",
]
