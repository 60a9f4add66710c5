"""The translation layer: DuckDB constructs sqlglot does not carry to Spark, each rewritten here.

Every entry is one construct of our SQL files (tests/spark/test_translate.py holds a case for each);
anything else sqlglot transpiles alone. Constructs we chose not to translate are written in the
portable subset both engines run (docs/spark.md lists them): list lengths as `array_length`, list
elements by literal index or `list_extract`, slices as `list_slice`, string characters with `substr`.
"""
from __future__ import annotations

import re

from sqlglot import exp, parse_one

# DuckDB strptime -> Java DateTimeFormatter; one letter accepts one or two digits, as %d and %m do
_STRPTIME = {"%Y": "yyyy", "%m": "M", "%d": "d", "%H": "H", "%M": "m", "%S": "s"}


class TranslationError(ValueError):
    """A statement uses a construct the translation layer does not carry to Spark."""


def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _lambda(body: str, *names: str) -> exp.Lambda:
    return exp.Lambda(this=parse_one(body, read="spark"), expressions=[exp.to_identifier(n) for n in names])


def _java_format(duckdb_format: str) -> str:
    java = re.sub(r"%[YmdHMS]", lambda m: "\0" + _STRPTIME[m.group(0)] + "\0", duckdb_format)
    if "%" in java:
        raise TranslationError(f"strptime format {duckdb_format!r}: only %Y %m %d %H %M %S are translated")
    # literal text between the pattern letters is quoted for Java
    parts = java.split("\0")
    return "".join(p if i % 2 else (f"'{p}'" if re.search("[A-Za-z]", p) else p) for i, p in enumerate(parts))


def _try_strptime(text: exp.Expression, formats: exp.Expression) -> exp.Expression:
    """try_strptime(s, ['%d/%m/%Y', ...]) -> coalesce(try_to_timestamp(s, 'd/M/yyyy'), ...): the first
    format that parses, as in DuckDB."""
    literals = formats.expressions if isinstance(formats, exp.Array) else [formats]
    if not all(isinstance(f, exp.Literal) and f.is_string for f in literals):
        raise TranslationError("try_strptime: the formats must be literal strings")
    attempts = [_fn("TRY_TO_TIMESTAMP", text.copy(), exp.Literal.string(_java_format(f.this))) for f in literals]
    return attempts[0] if len(attempts) == 1 else exp.Coalesce(this=attempts[0], expressions=attempts[1:])


def _regexp_full_match(text: exp.Expression, pattern: exp.Expression) -> exp.Expression:
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise TranslationError("regexp_full_match: the pattern must be a literal string")
    return exp.RegexpLike(this=text, expression=exp.Literal.string(f"^(?:{pattern.this})$"))


def _list_slice(items: exp.Expression, start: exp.Expression, end: exp.Expression) -> exp.Expression:
    """DuckDB list_slice(x, begin, end) is 1-based and inclusive; Spark slice takes a length."""
    length = exp.Add(this=exp.Sub(this=exp.Paren(this=end), expression=exp.Paren(this=start.copy())),
                     expression=exp.Literal.number(1))
    return _fn("SLICE", items, start, length)


# DuckDB function (as sqlglot leaves it: an unknown function) -> its Spark equivalent
FUNCTIONS = {
    # 1-based element, NULL when out of range (Spark's x[i] is 0-based and fails in ANSI mode)
    "list_extract": lambda items, index: _fn("TRY_ELEMENT_AT", items, index),
    "list_slice": _list_slice,
    # DuckDB: NULL when absent; Spark array_position: 0
    "list_position": lambda items, value: exp.Nullif(this=_fn("ARRAY_POSITION", items, value),
                                                     expression=exp.Literal.number(0)),
    "list_has_all": lambda items, wanted: _fn("FORALL", wanted, _lambda("array_contains(__items, __x)", "__x")
                                                .transform(lambda n: items.copy() if isinstance(n, exp.Column)
                                                           and n.name == "__items" else n)),
    "list_bool_or": lambda items: _fn("EXISTS", items, _lambda("__x", "__x")),
    "list_sum": lambda items: _fn("AGGREGATE", items, exp.Literal.number(0), _lambda("__acc + __x", "__acc", "__x")),
    "try_strptime": _try_strptime,
}


def _rewrite_function(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.RegexpFullMatch):  # sqlglot knows it, but writes it as Spark has no such function
        return _regexp_full_match(node.this, node.expression)
    if isinstance(node, exp.Anonymous) and node.name.lower() in FUNCTIONS:
        try:
            return FUNCTIONS[node.name.lower()](*node.expressions)
        except TypeError:
            raise TranslationError(f"{node.name}: unexpected arguments in {node.sql('duckdb')}") from None
    return node


def _rewrite_bracket(node: exp.Expression) -> exp.Expression:
    """x[1] (a literal DuckDB index, which sqlglot's parser has made 0-based) -> try_element_at(x, 1);
    a struct's x['field'] stays."""
    if not isinstance(node, exp.Bracket) or len(node.expressions) != 1:
        return node
    index = node.expressions[0]
    if isinstance(index, exp.Literal) and index.is_string:
        return node
    if isinstance(index, exp.Slice):
        raise TranslationError(f"{node.sql('duckdb')}: write slices as list_slice(list, begin, end)")
    if isinstance(index, exp.Literal) and index.is_int:
        return _fn("TRY_ELEMENT_AT", node.this, exp.Literal.number(int(index.this) + 1))
    raise TranslationError(f"{node.sql('duckdb')}: index lists by a literal or with list_extract(list, i)")


def _reject_struct_text(node: exp.Expression) -> exp.Expression:
    """A table alias cast to text (`e::varchar`) prints differently in each engine: refused."""
    if isinstance(node, exp.Cast) and node.to.is_type("text", "varchar") and isinstance(node.this, exp.Column) \
            and not node.this.table and node.this.name in {
                t.alias_or_name for t in (node.find_ancestor(exp.Select) or exp.Select()).find_all(exp.Table)}:
        raise TranslationError(f"{node.sql('duckdb')}: a whole row as text differs between engines; name its columns")
    return node


def _rewrite_list_aggregate(node: exp.Expression) -> exp.Expression:
    """DuckDB list(x) keeps NULL elements and is NULL over no rows; Spark collect_list drops NULLs and
    gives [], and takes no order. Collected as structs (never NULL) of the order keys and the value,
    sorted by the keys, and unwrapped; NULL when nothing was collected."""
    aggregate = node.this if isinstance(node, exp.Filter) else node
    if not isinstance(aggregate, exp.ArrayAgg) or (isinstance(node, exp.ArrayAgg) and isinstance(node.parent, exp.Filter)):
        return node
    value, keys = aggregate.this, []
    if isinstance(value, exp.Order):  # list(x order by k1, k2): collected with its keys, sorted by them
        value, keys = value.this, value.expressions
        if any(key.args.get("desc") for key in keys):
            raise TranslationError("list(x order by k desc) is not translated: order it ascending")
    fields = [exp.alias_(key.this.copy(), f"k{n}") for n, key in enumerate(keys)] + [exp.alias_(value.copy(), "v")]
    boxed = exp.ArrayAgg(this=exp.Struct(expressions=fields))
    count = exp.Count(this=exp.Star())
    if isinstance(node, exp.Filter):
        boxed = exp.Filter(this=boxed, expression=node.expression.copy())
        count = exp.Filter(this=count, expression=node.expression.copy())
    if keys:
        boxed = _fn("ARRAY_SORT", boxed)
    unboxed = _fn("TRANSFORM", boxed, _lambda("__s.v", "__s"))
    return exp.If(this=exp.EQ(this=count, expression=exp.Literal.number(0)), true=exp.null(), false=unboxed)


def _source_aliases(select: exp.Select) -> set[str]:
    sources = [select.args["from_"].this] if select.args.get("from_") else []
    sources += [join.this for join in select.args.get("joins") or []]
    return {source.alias_or_name for source in sources}


def _lambda_parameter(column: exp.Column) -> bool:
    scope = column.find_ancestor(exp.Lambda)
    while scope is not None:
        if column.name in {p.name for p in scope.expressions}:
            return True
        scope = scope.find_ancestor(exp.Lambda)
    return False


def _rewrite_row_reference(node: exp.Expression) -> exp.Expression:
    """A table alias used as a value (`arg_min(l, l.start_date)`: the whole row, a struct in DuckDB)
    -> struct(l.*)."""
    if isinstance(node, exp.Column) and not node.table and not _lambda_parameter(node):
        select = node.find_ancestor(exp.Select)
        if select is not None and node.name in _source_aliases(select):
            return exp.Struct(expressions=[exp.Column(this=exp.Star(), table=exp.to_identifier(node.name))])
    return node


def _rewrite_overlap(node: exp.Expression) -> exp.Expression:
    """list_has_any(a, b): sqlglot writes `a && b`, which Spark does not parse."""
    if isinstance(node, exp.ArrayOverlaps):
        return _fn("ARRAYS_OVERLAP", node.this, node.expression)
    return node


def _rewrite_list_distinct(node: exp.Expression) -> exp.Expression:
    """DuckDB list_distinct drops NULLs; Spark array_distinct keeps one."""
    if isinstance(node, exp.ArrayDistinct) and not (isinstance(node.this, exp.Anonymous) and node.this.name == "FILTER"):
        return exp.ArrayDistinct(this=_fn("FILTER", node.this, _lambda("__x IS NOT NULL", "__x")))
    return node


def _star_columns(columns: exp.Columns, available: list[str]) -> list[str]:
    star = columns.this
    if not isinstance(star, exp.Star):
        raise TranslationError(f"{columns.sql('duckdb')}: only columns(* exclude (...)) is translated")
    excluded = {c.name for c in star.args.get("except_") or []}
    return [name for name in available if name not in excluded]


def _expand_columns_items(select: exp.Select, columns_of) -> None:
    """select f(columns(* exclude (a))) from t -> select f(x) as x, f(y) as y from t (t's columns)."""
    items = []
    for item in select.expressions:
        found = item.find(exp.Columns)
        if found is None:
            items.append(item)
            continue
        source = select.args["from_"].this
        if not isinstance(source, exp.Table):
            raise TranslationError("columns(...) is translated only when selecting from a table")
        for name in _star_columns(found, columns_of(source)):
            expanded = item.copy().transform(lambda n: exp.column(name) if isinstance(n, exp.Columns) else n)
            items.append(exp.alias_(expanded, name))
    select.set("expressions", items)


def _cte_columns(tree: exp.Expression, name: str) -> list[str]:
    for cte in tree.find_all(exp.CTE):
        if cte.alias == name:
            return cte.this.named_selects
    raise TranslationError(f"unpivot {name}: only a CTE of the same statement can be unpivoted")


def _rewrite_unpivot(node: exp.Expression, root: exp.Expression) -> exp.Expression:
    """DuckDB's `unpivot t on columns(* exclude (k)) into name n value v` -> Spark's
    `select * from t unpivot (v for n in (c1, c2, ...))`, t's columns read from its CTE."""
    if not (isinstance(node, exp.Pivot) and node.args.get("unpivot") and node.args.get("into")):
        return node
    table, into = node.this, node.args["into"]
    names = []
    for on in node.expressions:
        names += _star_columns(on, _cte_columns(root, table.name)) if isinstance(on, exp.Columns) else [on.name]
    spark = (f"select * from {table.name} unpivot ({into.expressions[0].name} for {into.this.name} in "
             f"({', '.join(names)}))")
    return parse_one(spark, read="spark")


def rewrite(tree: exp.Expression, columns_of, where: str) -> exp.Expression:
    """`columns_of(table)`: the column names of a table, for the constructs that expand stars."""
    try:
        for select in list(tree.find_all(exp.Select)):
            if any(item.find(exp.Columns) for item in select.expressions):
                _expand_columns_items(select, columns_of)
        root = tree
        tree = tree.transform(lambda node: _rewrite_unpivot(node, root), copy=False)
        tree = tree.transform(_reject_struct_text, copy=False)
        tree = tree.transform(_rewrite_bracket, copy=False)
        tree = tree.transform(_rewrite_row_reference, copy=False)
        tree = tree.transform(_rewrite_list_aggregate, copy=False)
        tree = tree.transform(_rewrite_list_distinct, copy=False)
        tree = tree.transform(_rewrite_overlap, copy=False)
        return tree.transform(_rewrite_function, copy=False)
    except TranslationError as error:
        raise TranslationError(f"{where}: {error}") from None
