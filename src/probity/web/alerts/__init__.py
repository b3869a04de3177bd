"""Alerts: scan output loaded for human triage (a score only orders review)."""
