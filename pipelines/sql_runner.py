"""Runs the SQL files under sql/: one statement per file, named `$parameters` bound from a dict."""
from __future__ import annotations

import re
from functools import cache

import duckdb

from sql import SQL_DIR

_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def sql_text(relative_path: str) -> str:
    return (SQL_DIR / relative_path).read_text(encoding="utf-8")


def parameters_used(text: str) -> set[str]:
    return set(_PARAMETER.findall(_COMMENT.sub("", text)))


def bind(text: str, params: dict, where: str) -> dict:
    """DuckDB wants exactly the parameters a statement uses."""
    used = parameters_used(text)
    missing = used - set(params)
    if missing:
        raise KeyError(f"{where} needs parameters {sorted(missing)}")
    return {name: params[name] for name in sorted(used)}


def run_sql(con: duckdb.DuckDBPyConnection, relative_path: str, params: dict | None = None):
    text = sql_text(relative_path)
    return con.execute(text, bind(text, params or {}, relative_path))


def create_table(con: duckdb.DuckDBPyConnection, table: str, relative_path: str,
                 params: dict | None = None) -> int:
    """`create or replace table <table> as <select in file>`; returns the row count."""
    text = sql_text(relative_path)
    con.execute(f"create or replace table {table} as\n{text}", bind(text, params or {}, relative_path))
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def table_exists(con, table: str) -> bool:
    """Whether `schema.table` exists (on DuckDB, or on Spark through its connection)."""
    if hasattr(con, "table_exists"):
        return con.table_exists(table)
    schema, name = table.split(".")
    return con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                       [schema, name]).fetchone()[0] > 0


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Temporary macros shared by every stage (the files of sql/macros, in name order)."""
    for path in sorted((SQL_DIR / "macros").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


_TABLE_REFERENCE = re.compile(r"\b(validated|timeline|rules)\.([a-z_][a-z0-9_]*)")


def upstream_assets(relative_path: str) -> list[str]:
    """Asset names a SQL file reads, from its `validated.x` / `timeline.x` / `rules.x` references."""
    names = set()
    for schema, table in _TABLE_REFERENCE.findall(_COMMENT.sub("", sql_text(relative_path))):
        if schema == "validated":
            names.add("validated_patients" if table == "quarantine" else f"validated_{table}")
        elif schema == "rules" and table == "catalogue":
            names.add("rule_catalogue")
        else:
            names.add(table)
    return sorted(names)
