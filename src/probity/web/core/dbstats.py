"""Planner statistics for the database (ANALYZE), gathered after every bulk load and, on
SQLite, when the server starts.

Without statistics SQLite's planner guesses: on 100,000 reports it joined the whole team table
before looking at a few hundred referrals, and the alert queue's watch-list query walked the
queue index instead of the staff index (docs/benchmarks.md, Web). PostgreSQL's autovacuum
gathers them eventually; a load should not have to wait for it."""

from __future__ import annotations

from django.db import connection

# SQLite reads about this many rows per index (an approximate ANALYZE: fast on millions)
SQLITE_ANALYSIS_LIMIT = 1000


def database_analyze() -> None:
    """Refresh the planner's statistics for every table (outside any transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
