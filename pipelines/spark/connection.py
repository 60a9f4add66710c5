"""A Spark session behind the few connection methods the stages call on DuckDB (`execute`,
`register`, `fetchone`/`fetchall`), so that the same stage code and the same SQL files run on both.

Every statement is DuckDB SQL, translated by pipelines/spark/translate.py. The audit's schemas
(`timeline.x`, `rules.y`) become session views named `timeline__x`: each table is computed once
and kept (a local checkpoint), in the order its statement gave it, as DuckDB keeps insertion order.
"""
from __future__ import annotations

import pyarrow as pa
import sqlglot
from sqlglot import exp

from pipelines.spark.rewrites import TranslationError, rewrite
from pipelines.spark.translate import bind_literals, expand_macros

# Spark type (simpleString) -> the DuckDB name the unit contract compares with
_DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "int": "INTEGER", "bigint": "BIGINT",
                 "double": "DOUBLE", "timestamp": "TIMESTAMP", "array<string>": "VARCHAR[]", "float": "FLOAT",
                 "smallint": "SMALLINT", "tinyint": "TINYINT", "void": '"NULL"'}


def view_name(table: exp.Table) -> str:
    return f"{table.db}__{table.name}" if table.db else table.name


def duckdb_type(spark_type: str) -> str:
    return _DUCKDB_TYPES.get(spark_type, spark_type.upper())


def _positional(sql: str, values: list) -> str:
    from pipelines.spark.translate import literal
    pieces = sql.split("?")
    if len(pieces) - 1 != len(values):
        raise TranslationError(f"{len(values)} values for {len(pieces) - 1} placeholders")
    return "".join(p + (literal(values[i]) if i < len(values) else "") for i, p in enumerate(pieces))


class SparkCursor:
    def __init__(self, frame=None, rows: list[tuple] | None = None):
        self.frame, self._rows = frame, rows

    def _all(self) -> list[tuple]:
        if self._rows is None:
            self._rows = [tuple(row) for row in self.frame.collect()] if self.frame is not None else []
        return self._rows

    def fetchall(self) -> list[tuple]:
        return self._all()

    def fetchone(self):
        rows = self._all()
        return rows[0] if rows else None

    def arrow(self) -> pa.Table:
        return self.frame.toArrow()

    def df(self):
        return self.arrow().to_pandas()


class SparkConnection:
    def __init__(self, session):
        self.spark = session

    # --- what the stages call -------------------------------------------------------------------
    def execute(self, sql: str, params=None) -> SparkCursor:
        if isinstance(params, (list, tuple)):
            sql, params = _positional(sql, list(params)), None
        text = bind_literals(sql, params or {})
        cursor = SparkCursor()
        for tree in sqlglot.parse(text, read="duckdb"):
            if tree is not None:
                cursor = self._run(tree)
        return cursor

    def register(self, name: str, frame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self._keep(name, self.spark.createDataFrame(table) if table.num_rows else
                   self.spark.createDataFrame([], _arrow_schema_ddl(table.schema)))

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def table_exists(self, table: str) -> bool:
        return self.spark.catalog.tableExists(table.replace(".", "__"))

    def close(self) -> None:  # the session outlives the connection
        pass

    # --- statements ------------------------------------------------------------------------------
    def sql(self, tree: exp.Expression):
        """A query tree (DuckDB) as a Spark DataFrame."""
        tree = rewrite(expand_macros(tree), self.columns_of, "statement").transform(_unqualified)
        return self.spark.sql(tree.sql(dialect="spark"))

    def columns_of(self, table: exp.Table) -> list[str]:
        return self.spark.table(view_name(table)).columns

    def _keep(self, name: str, frame) -> None:
        frame.localCheckpoint().createOrReplaceTempView(name)

    def _run(self, tree: exp.Expression) -> SparkCursor:
        if isinstance(tree, exp.Create):
            return self._create(tree)
        if isinstance(tree, exp.Insert):
            target = view_name(tree.this if isinstance(tree.this, exp.Table) else tree.this.this)
            existing = self.spark.table(target)
            added = self.sql(tree.expression)
            self._keep(target, existing.union(added.toDF(*existing.columns)))
            return SparkCursor(rows=[])
        if isinstance(tree, exp.Delete):
            target = view_name(tree.this)
            where = tree.args["where"].this
            kept = exp.select("*").from_(tree.this.copy()).where(
                exp.not_(exp.Coalesce(this=where, expressions=[exp.false()])))
            self._keep(target, self.sql(kept))
            return SparkCursor(rows=[])
        if isinstance(tree, exp.Drop):
            for table in tree.args.get("tables") or [tree.this]:
                self.spark.catalog.dropTempView(view_name(table))
            return SparkCursor(rows=[])
        if isinstance(tree, exp.Describe):
            frame = self.spark.table(view_name(tree.this))
            return SparkCursor(rows=[(f.name, duckdb_type(f.dataType.simpleString()), "YES", None, None, None)
                                     for f in frame.schema.fields])
        if isinstance(tree, exp.Command):
            raise TranslationError(f"not carried to Spark: {tree.sql()[:80]}")
        return SparkCursor(self.sql(tree))

    def _create(self, tree: exp.Create) -> SparkCursor:
        kind = tree.args.get("kind", "").upper()
        if kind == "SCHEMA":
            return SparkCursor(rows=[])  # schemas are name prefixes of session views
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        name = view_name(target)
        if tree.args.get("exists") and self.spark.catalog.tableExists(name):
            return SparkCursor(rows=[])
        if kind == "VIEW":  # a view stays lazy, as in DuckDB: it reads the tables as they are when used
            self.sql(tree.expression).createOrReplaceTempView(name)
        elif tree.expression is not None:
            self._keep(name, self.sql(tree.expression))
        elif isinstance(tree.this, exp.Schema):  # create table t (column type, ...)
            columns = ", ".join(c.sql(dialect="spark") for c in tree.this.expressions)
            self.spark.createDataFrame([], columns).createOrReplaceTempView(name)
        else:
            raise TranslationError(f"cannot create {tree.sql()[:80]}")
        return SparkCursor(rows=[])


def _arrow_schema_ddl(schema: pa.Schema) -> str:
    spark = {pa.string(): "string", pa.large_string(): "string", pa.int64(): "bigint", pa.int32(): "int",
             pa.float64(): "double", pa.bool_(): "boolean", pa.date32(): "date"}
    return ", ".join(f"`{f.name}` {spark.get(f.type, 'string')}" for f in schema)


def _unqualified(node: exp.Expression) -> exp.Expression:
    """`timeline.x` -> the session view `timeline__x`."""
    if isinstance(node, exp.Table) and node.db:
        table = node.copy()  # keeps its alias and any pivot
        table.set("this", exp.to_identifier(view_name(node)))
        table.set("db", None)
        table.set("catalog", None)
        return table
    return node
