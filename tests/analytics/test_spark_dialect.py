"""DuckDB -> Spark SQL translation (no Spark needed): the rewrites SQLGlot does not make."""

from __future__ import annotations

import pytest
import sqlglot

from probity.analytics.internals.spark.dialect import (
    DialectError,
    inline_macros,
    parse_macros,
    to_spark,
    to_spark_expression,
)
from probity.extract.phones import PHONE_MACRO_SQL


def test_asof_join_becomes_window_over_union_joined_on_key_and_time() -> None:
    out = to_spark("""
        WITH u AS (SELECT staff_id, ts FROM ev)
        SELECT u.staff_id, (sh."end" IS NOT NULL AND u.ts <= sh."end") AS on_duty
        FROM u ASOF LEFT JOIN shifts sh ON u.staff_id = sh.staff_id AND u.ts >= sh.start""")
    assert "ASOF" not in out.upper()
    assert "LAST(__r) IGNORE NULLS OVER (PARTITION BY __key ORDER BY __t, __k" in out
    assert "LEFT JOIN (" in out and "sh.__key = u.`staff_id` AND sh.__t = u.`ts`" in out
    # the shift's end is read from the struct carried by the window
    assert "AS `end`" in out


def test_asof_join_with_other_condition_is_refused() -> None:
    with pytest.raises(DialectError):
        to_spark("SELECT * FROM u ASOF LEFT JOIN s ON u.a = s.a AND u.b = s.b")


def test_string_agg_distinct_sorted_keeps_filter_and_null_when_empty() -> None:
    out = to_spark("SELECT string_agg(DISTINCT c, ';' ORDER BY c) FILTER (WHERE r = 'v') AS x "
                   "FROM t GROUP BY g")
    assert out == ("SELECT NULLIF(ARRAY_JOIN(ARRAY_SORT(COLLECT_SET(c) FILTER(WHERE r = 'v')), "
                   "';'), '') AS x FROM t GROUP BY g")


def test_len_of_list_is_size_and_decimals_are_doubles() -> None:
    assert to_spark("SELECT len(xs), len(name), 0.35 * w FROM t", frozenset({"xs"})) == (
        "SELECT SIZE(xs), LENGTH(name), CAST(0.35 AS DOUBLE) * w FROM t")


def test_similarity_functions_map_to_splink_udfs() -> None:
    assert to_spark_expression("jaro_winkler_similarity(a, b) >= 0.9") == (
        "JARO_WINKLER(a, b) >= CAST(0.9 AS DOUBLE)")
    assert to_spark_expression("list_has_any(a_l, a_r)") == "ARRAYS_OVERLAP(a_l, a_r)"


def test_phone_macro_is_inlined_as_anchored_rlike() -> None:
    macros = parse_macros(PHONE_MACRO_SQL)
    assert set(macros) == {"_probity_e164_clean", "probity_e164"}
    tree = inline_macros(sqlglot.parse_one("SELECT probity_e164(p) FROM t", read="duckdb"),
                         macros)
    out = to_spark(tree.sql(dialect="duckdb"))
    assert "PROBITY_E164" not in out.upper()
    assert "RLIKE '^(?:0[1-9][0-9]{8,9})$'" in out
