"""DuckDB SQL -> Spark SQL, so that each indicator is written once (decision 0100).

`to_spark(sql)` parses the DuckDB SQL the engines write with SQLGlot, applies the few
rewrites SQLGlot's Spark dialect does not make, and returns Spark SQL:

- `ASOF LEFT JOIN t r ON l.k = r.k AND l.ts >= r.start` (the latest row of `t` at or before
  each `l` row) becomes a window over the union of the left keys and `t` (`last(...)
  IGNORE NULLS` ordered by time), joined back on (key, time): a sort per key, no range join;
- `len(<list>)` of a list aggregate becomes `size(...)`;
- decimal literals (`0.35`) become doubles, as DuckDB computes with them in the scan
  (Spark would otherwise do exact decimal arithmetic and could overflow to NULL);
- `jaro_winkler_similarity` becomes Splink's Scala UDF `jaro_winkler`;
- `regexp_full_match(s, p)` becomes `s RLIKE '^(?:p)$'`.

Anything else SQLGlot cannot express in Spark raises `DialectError` naming the construct,
so a new indicator that uses a DuckDB-only feature fails the parity tests, not silently.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from probity.errors import ProbityError

__all__ = ["to_spark", "to_spark_expression", "DialectError", "parse_macros", "inline_macros"]

_MACROS = re.compile(r"MACRO\s+(\w+)\((\w+)\)\s+AS\s+\((.*?)\);", re.S)


def parse_macros(text: str) -> dict[str, tuple[str, Any]]:
    """DuckDB one-parameter scalar macros (`CREATE MACRO f(x) AS (...);`) by name."""
    return {name.lower(): (param, sqlglot.parse_one(body, read="duckdb"))
            for name, param, body in _MACROS.findall(text)}


def inline_macros(tree: Any, macros: dict[str, tuple[str, Any]]) -> Any:
    """Replace calls of the macros by their bodies (Spark has no SQL macros)."""
    changed = True
    while changed:
        changed = False
        for call in list(tree.find_all(exp.Anonymous)):
            name = str(call.this).lower()
            if name not in macros:
                continue
            param, body = macros[name]
            new = body.copy()
            for col in list(new.find_all(exp.Column)):
                if col.name == param and not col.table:
                    col.replace(call.expressions[0].copy())
            call.replace(exp.Paren(this=new))
            changed = True
    return tree


class DialectError(ProbityError):
    """The DuckDB SQL uses a construct with no Spark translation here."""


def _column_key(column: exp.Column) -> tuple[str, str]:
    return (column.table, column.name)


def _asof_parts(join: exp.Join) -> tuple[exp.Column, exp.Column, exp.Column, exp.Column]:
    """(left key, right key, left time, right time) of `l.k = r.k AND l.t >= r.s`."""
    alias = join.alias_or_name
    condition = join.args.get("on")
    if not isinstance(condition, exp.And):
        raise DialectError(f"ASOF join condition not understood: {condition}")
    eq, ge = condition.this, condition.expression
    if isinstance(eq, exp.GTE | exp.LTE) and isinstance(ge, exp.EQ):
        eq, ge = ge, eq
    if not (isinstance(eq, exp.EQ) and isinstance(ge, exp.GTE | exp.LTE)):
        raise DialectError(f"ASOF join condition not understood: {condition}")
    a, b = eq.this, eq.expression
    if not (isinstance(a, exp.Column) and isinstance(b, exp.Column)):
        raise DialectError(f"ASOF join key not understood: {eq}")
    left_key, right_key = (b, a) if a.table == alias else (a, b)
    x, y = ge.this, ge.expression
    if not (isinstance(x, exp.Column) and isinstance(y, exp.Column)):
        raise DialectError(f"ASOF join time not understood: {ge}")
    if isinstance(ge, exp.LTE):
        x, y = y, x
    # now x >= y
    if x.table == alias:
        raise DialectError(f"ASOF join must be `left.time >= right.time`: {ge}")
    return left_key, right_key, x, y


def _rewrite_asof(select: exp.Select) -> None:
    joins = select.args.get("joins") or []
    for join in list(joins):
        if (join.args.get("method") or "").upper() != "ASOF":
            continue
        if (join.args.get("side") or "").upper() != "LEFT":
            raise DialectError("only ASOF LEFT JOIN is supported on Spark")
        right = join.this
        if not isinstance(right, exp.Table):
            raise DialectError(f"ASOF join of a subquery is not supported: {right}")
        alias = join.alias_or_name
        left_source = select.args["from_"].this
        if not isinstance(left_source, exp.Table):
            raise DialectError("ASOF join needs a named table or CTE on its left")
        left_key, right_key, left_time, right_time = _asof_parts(join)
        used = sorted({c.name for c in select.find_all(exp.Column) if c.table == alias}
                      | {right_time.name})
        fields = ", ".join(f"'f{i}', r.`{c}`" for i, c in enumerate(used))
        outs = ", ".join(f"__r.f{i} AS `{c}`" for i, c in enumerate(used))
        sub = f"""
            SELECT __key, __t, {outs} FROM (
                SELECT __key, __t, __k,
                       last(__r, true) OVER (PARTITION BY __key ORDER BY __t, __k
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                           AS __r
                FROM (
                    SELECT DISTINCT `{left_key.name}` AS __key, `{left_time.name}` AS __t,
                           1 AS __k, NULL AS __r
                    FROM {left_source.sql(dialect="spark")}
                    UNION ALL
                    SELECT r.`{right_key.name}`, r.`{right_time.name}`, 0,
                           named_struct({fields})
                    FROM {right.this.sql(dialect="spark")} r
                ) AS __u
            ) AS __w WHERE __k = 1"""
        left_ref = left_source.alias_or_name
        new_join = exp.Join(
            this=exp.Subquery(this=sqlglot.parse_one(sub, read="spark"),
                              alias=exp.TableAlias(this=exp.to_identifier(alias))),
            side="LEFT",
            on=sqlglot.parse_one(
                f"{alias}.__key = {left_ref}.`{left_key.name}` "
                f"AND {alias}.__t = {left_ref}.`{left_time.name}`", read="spark"),
        )
        join.replace(new_join)


def _rewrite_string_agg(node: exp.GroupConcat) -> None:
    """string_agg(DISTINCT x, sep ORDER BY x) -> the sorted distinct values joined (NULL when
    none), as `nullif(array_join(array_sort(collect_set(x)), sep), '')`."""
    inner = node.this
    order: list[exp.Expression] = []
    if isinstance(inner, exp.Order):
        order = [o.this for o in inner.expressions]
        inner = inner.this
    if not isinstance(inner, exp.Distinct) or len(inner.expressions) != 1:
        raise DialectError(f"string_agg on Spark needs DISTINCT: {node.sql(dialect='duckdb')}")
    value = inner.expressions[0]
    if order and (len(order) != 1 or order[0] != value):
        raise DialectError(f"string_agg on Spark orders by the value only: "
                           f"{node.sql(dialect='duckdb')}")
    separator = node.args.get("separator") or exp.Literal.string(",")
    aggregate = f"COLLECT_SET({value.sql(dialect='spark')})"
    target: Any = node
    if isinstance(node.parent, exp.Filter):
        target = node.parent
        aggregate += f" FILTER ({target.expression.sql(dialect='spark')})"
    target.replace(sqlglot.parse_one(
        f"NULLIF(ARRAY_JOIN(ARRAY_SORT({aggregate}), {separator.sql(dialect='spark')}), '')",
        read="spark"))


def _rewrite(tree: Any, array_columns: frozenset[str] = frozenset()
             ) -> Any:
    for select in list(tree.find_all(exp.Select)):
        _rewrite_asof(select)
    for node in list(tree.find_all(exp.GroupConcat)):
        _rewrite_string_agg(node)
    # name every bare column a query projects (`SELECT staff_id, ...` -> `staff_id AS
    # staff_id`): Spark 4 has been seen to drop an unaliased column of a subquery over a
    # checkpointed view from the subquery's output
    for select in list(tree.find_all(exp.Select)):
        select.set("expressions", [
            exp.alias_(e, e.name) if isinstance(e, exp.Column) and not isinstance(e.this, exp.Star)
            else e for e in select.expressions])
    list_aliases = {a.alias for a in tree.find_all(exp.Alias)
                    if isinstance(a.this, exp.ArrayAgg)} | set(array_columns)
    for length in list(tree.find_all(exp.Length)):
        arg = length.this
        if isinstance(arg, exp.ArrayAgg) or (isinstance(arg, exp.Column)
                                            and arg.name in list_aliases):
            length.replace(exp.ArraySize(this=arg))
    for lit in list(tree.find_all(exp.Literal)):
        if lit.is_number and "." in lit.this and "e" not in lit.this.lower():
            lit.replace(exp.Cast(this=lit.copy(), to=exp.DataType.build("DOUBLE")))
    for overlap in list(tree.find_all(exp.ArrayOverlaps)):
        overlap.replace(exp.Anonymous(this="arrays_overlap",
                                      expressions=[overlap.this, overlap.expression]))
    for fn in list(tree.find_all(exp.JarowinklerSimilarity)):
        fn.replace(exp.Anonymous(this="jaro_winkler", expressions=[fn.this, fn.expression]))
    for match in list(tree.find_all(exp.RegexpFullMatch)):
        pattern = match.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise DialectError(f"regexp_full_match needs a literal pattern: {match}")
        match.replace(exp.RegexpLike(this=match.this,
                                  expression=exp.Literal.string(f"^(?:{pattern.this})$")))
    return tree


@lru_cache(maxsize=512)
def to_spark(sql: str, array_columns: frozenset[str] = frozenset()) -> str:
    """One DuckDB statement as Spark SQL (see the module docstring). `array_columns`: names
    of list-typed columns of tables made earlier (their `len` is the list's size)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return _rewrite(tree, array_columns).sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def to_spark_expression(sql: str, array_columns: frozenset[str] = frozenset()) -> str:
    """A DuckDB scalar expression as a Spark expression."""
    tree = sqlglot.parse_one(f"SELECT {sql}", read="duckdb")
    out = _rewrite(tree, array_columns)
    assert isinstance(out, exp.Select)
    return out.expressions[0].sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
