"""DuckDB SQL -> Spark SQL: the SQL files under sql/ stay the only definition of the audit.

sqlglot transpiles the DuckDB dialect to Spark's. What it cannot carry is handled here, in three
steps, each tested: parameters are bound as literals (Spark has no `$name`), our macros
(sql/macros/*.sql) are expanded in place (Spark has no SQL macros), and the DuckDB-only functions
and constructs listed in REWRITES become Spark equivalents. Stars with `exclude` are expanded
from the schemas of the tables a statement reads (`schema`), as Spark has no `* except`.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import cache

import sqlglot
from sqlglot import exp

from pipelines.spark.rewrites import TranslationError, rewrite
from pipelines.sql_runner import parameters_used
from sql import SQL_DIR

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_MACRO = re.compile(r"create\s+or\s+replace\s+temp\s+macro\s+([a-z_][a-z0-9_]*)\s*\(([^)]*)\)\s+as\s+(.*)",
                    re.IGNORECASE | re.DOTALL)


def literal(value) -> str:
    """A bound parameter as a DuckDB literal (parsed again with the statement)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TranslationError(f"cannot bind a parameter of type {type(value).__name__}: {value!r}")


def bind_literals(text: str, params: dict, where: str = "statement") -> str:
    text = _COMMENT.sub("", text)
    missing = parameters_used(text) - set(params)
    if missing:
        raise KeyError(f"{where} needs parameters {sorted(missing)}")
    return _PARAMETER.sub(lambda m: literal(params[m.group(1)]), text)


class Macro:
    def __init__(self, name: str, parameters: list[tuple[str, exp.Expression | None]], body: exp.Expression):
        self.name, self.parameters, self.body = name, parameters, body

    def expand(self, call: exp.Anonymous) -> exp.Expression:
        args = list(call.expressions)
        if len(args) > len(self.parameters):
            raise TranslationError(f"macro {self.name} takes {len(self.parameters)} arguments, got {len(args)}")
        values = {}
        for position, (name, default) in enumerate(self.parameters):
            value = args[position] if position < len(args) else default
            if value is None:
                raise TranslationError(f"macro {self.name} needs its argument {name}")
            values[name] = value

        def substitute(node):
            if isinstance(node, exp.Column) and not node.table and node.name in values:
                return exp.Paren(this=values[node.name].copy())
            return node

        return exp.Paren(this=self.body.copy().transform(substitute))


@cache
def macros() -> dict[str, Macro]:
    """The macros of sql/macros/*.sql, parsed once."""
    found: dict[str, Macro] = {}
    for path in sorted((SQL_DIR / "macros").glob("*.sql")):
        text = _COMMENT.sub("", path.read_text(encoding="utf-8"))
        for chunk in re.split(r"(?i)(?=\bcreate\s+or\s+replace\s+temp\s+macro\b)", text):
            if not chunk.strip():
                continue
            match = _MACRO.match(chunk.strip())
            if not match:
                raise TranslationError(f"{path.name}: not a macro definition: {chunk.strip()[:60]}")
            name, parameter_text, body = match.groups()
            parameters = []
            for parameter in filter(None, (p.strip() for p in parameter_text.split(","))):
                parameter_name, _, default = parameter.partition(":=")
                parameters.append((parameter_name.strip(),
                                   sqlglot.parse_one(default, read="duckdb") if default.strip() else None))
            found[name] = Macro(name, parameters, sqlglot.parse_one(body.strip().rstrip(";"), read="duckdb"))
    return found


def expand_macros(tree: exp.Expression) -> exp.Expression:
    known = macros()
    for _ in range(20):  # macros call macros; each pass expands one level
        calls = [node for node in tree.find_all(exp.Anonymous) if node.name.lower() in known]
        if not calls:
            return tree

        def expand(node):
            if isinstance(node, exp.Anonymous) and node.name.lower() in known:
                return known[node.name.lower()].expand(node)
            return node

        tree = tree.transform(expand, copy=False)
    raise TranslationError("macros nest more than 20 deep")


def _no_schema(table):
    raise TranslationError(f"the columns of {table.sql()} are needed to translate this statement")


def to_spark(text: str, params: dict | None = None, columns_of=None, where: str = "statement") -> list[str]:
    """Every statement of `text` (DuckDB SQL with `$parameters`) as Spark SQL; `columns_of(table)`
    gives a table's columns where a star must be expanded."""
    bound = bind_literals(text, params or {}, where)
    try:
        trees = [t for t in sqlglot.parse(bound, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as error:
        raise TranslationError(f"{where}: sqlglot cannot parse it: {error}") from None
    out = []
    for tree in trees:
        if isinstance(tree, exp.Command):
            raise TranslationError(f"{where}: sqlglot reads it as an opaque command: {tree.sql()[:80]}")
        tree = expand_macros(tree)
        tree = rewrite(tree, columns_of or _no_schema, where)
        out.append(tree.sql(dialect="spark"))
    return out
