"""A Spark session behind the few connection methods the stages call on DuckDB (`execute`,
`register`, `fetchone`/`fetchall`), so that the same stage code and the same SQL files run on both.

Every statement is DuckDB SQL, translated by pipelines/spark/translate.py. The audit's schemas
(`timeline.x`, `rules.y`) become session views named `timeline__x`: each table is computed once
and kept (a local checkpoint), in the order its statement gave it, as DuckDB keeps insertion order.

The DuckDB database stays the audit's record (the reports read it, and one writer writes every
output file): a table a statement reads that this run has not made on Spark is brought from DuckDB,
and the tables and views a stage made are written back to DuckDB when it ends (`publish`).
"""
from __future__ import annotations

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from pipelines.spark.rewrites import TranslationError, rewrite
from pipelines.spark.transfer import pull_table, push_table
from pipelines.spark.translate import bind_literals, expand_macros, literal

# Spark type (simpleString) -> the DuckDB name the unit contract compares with
_DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN", "int": "INTEGER", "bigint": "BIGINT",
                 "double": "DOUBLE", "timestamp": "TIMESTAMP", "array<string>": "VARCHAR[]", "float": "FLOAT",
                 "smallint": "SMALLINT", "tinyint": "TINYINT", "void": '"NULL"'}

DROPPED = "(dropped)"  # in SparkConnection.changed: a schema table the stage dropped

# session view -> the run that made it on Spark (views of other runs are stale: read again from DuckDB)
_MADE_BY_RUN: dict[str, str] = {}


def view_name(table: exp.Table) -> str:
    return f"{table.db}__{table.name}" if table.db else table.name


def duckdb_type(spark_type: str) -> str:
    return _DUCKDB_TYPES.get(spark_type, spark_type.upper())


def _positional(sql: str, values: list) -> str:
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


class SparkConnection:
    def __init__(self, session, database: duckdb.DuckDBPyConnection, run_id: str):
        self.spark, self.database, self.run_id = session, database, run_id
        self.changed: dict[str, str | None] = {}  # schema table -> None (a table), its DuckDB view text or DROPPED

    # --- what the stages call -------------------------------------------------------------------
    def execute(self, sql: str, params=None) -> SparkCursor:
        if isinstance(params, (list, tuple)):
            sql, params = _positional(sql, list(params)), None
        cursor = SparkCursor()
        for tree in sqlglot.parse(bind_literals(sql, params or {}), read="duckdb"):
            if tree is not None:
                cursor = self._run(tree)
        return cursor

    def register(self, name: str, frame) -> None:
        from pyspark.sql.pandas.types import from_arrow_schema
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self._keep(name, self.spark.createDataFrame(table) if table.num_rows else
                   self.spark.createDataFrame([], from_arrow_schema(table.schema)))

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        _MADE_BY_RUN.pop(name, None)

    def table_exists(self, table: str) -> bool:
        return self._bring(exp.to_table(table))

    def publish(self) -> None:
        """The schema tables and views this stage made, written to DuckDB (tables first), and those
        it dropped dropped there too."""
        for name, view_text in sorted(self.changed.items(), key=lambda item: item[1] is not None):
            schema = name.split(".")[0]
            self.database.execute(f"create schema if not exists {schema}")
            if view_text is DROPPED:
                kind = self.database.execute("""select max(kind) from (
                    select 'table' as kind from duckdb_tables() where schema_name || '.' || table_name = $n
                    union all select 'view' from duckdb_views() where schema_name || '.' || view_name = $n)""",
                                             {"n": name}).fetchone()[0]
                if kind:
                    self.database.execute(f"drop {kind} {name}")
            elif view_text is None:
                pull_table(self.spark.table(name.replace(".", "__")), self.database, name)
            else:
                self.database.execute(view_text)
        self.changed.clear()

    # --- statements ------------------------------------------------------------------------------
    def sql(self, tree: exp.Expression):
        """A query tree (DuckDB) as a Spark DataFrame."""
        return self.spark.sql(self.translate(tree))

    def translate(self, tree: exp.Expression) -> str:
        """A query tree (DuckDB) as Spark SQL, the tables it reads brought to Spark."""
        for table in tree.find_all(exp.Table):
            if table.db:
                self._bring(table)
        tree = rewrite(expand_macros(tree.copy()), self._columns_of, "statement").transform(_unqualified, copy=False)
        return tree.sql(dialect="spark")

    def _bring(self, table: exp.Table) -> bool:
        """Whether `schema.table` is on Spark for this run, bringing it from DuckDB if it is there."""
        name = view_name(table)
        if _MADE_BY_RUN.get(name) == self.run_id:  # kept by this run and not dropped since (no catalog call)
            return True
        found = self.database.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                                      [table.db, table.name]).fetchall()[0][0]
        if not found:
            return False
        self._keep(name, push_table(self.database, self.spark, f"{table.db}.{table.name}"))
        return True

    def _columns_of(self, table: exp.Table) -> list[str]:
        return self.spark.table(view_name(table)).columns

    def _keep(self, name: str, frame) -> None:
        frame.localCheckpoint().createOrReplaceTempView(name)
        _MADE_BY_RUN[name] = self.run_id

    def _changed(self, table: exp.Table, view_text: str | None = None) -> None:
        if table.db:
            self.changed[f"{table.db}.{table.name}"] = view_text

    def _run(self, tree: exp.Expression) -> SparkCursor:
        if isinstance(tree, exp.Create):
            return self._create(tree)
        if isinstance(tree, exp.Insert):
            target = tree.this if isinstance(tree.this, exp.Table) else tree.this.this
            existing = self.spark.table(view_name(target)) if self._bring(target) else None
            added = self.sql(tree.expression)
            self._keep(view_name(target), existing.union(added.toDF(*existing.columns)))
            self._changed(target)
        elif isinstance(tree, exp.Delete):
            self._bring(tree.this)
            where = tree.args["where"].this
            kept = exp.select("*").from_(tree.this.copy()).where(
                exp.not_(exp.Coalesce(this=where, expressions=[exp.false()])))
            self._keep(view_name(tree.this), self.sql(kept))
            self._changed(tree.this)
        elif isinstance(tree, exp.Drop):
            for table in tree.args.get("tables") or [tree.this]:
                self.spark.catalog.dropTempView(view_name(table))
                _MADE_BY_RUN.pop(view_name(table), None)
                self._changed(table, DROPPED)
        elif isinstance(tree, exp.Describe):
            self._bring(tree.this)
            frame = self.spark.table(view_name(tree.this))
            return SparkCursor(rows=[(f.name, duckdb_type(f.dataType.simpleString()), "YES", None, None, None)
                                     for f in frame.schema.fields])
        elif isinstance(tree, exp.Command):
            raise TranslationError(f"not carried to Spark: {tree.sql()[:80]}")
        else:
            return SparkCursor(self.sql(tree))
        return SparkCursor(rows=[])

    def _create(self, tree: exp.Create) -> SparkCursor:
        kind = tree.args.get("kind", "").upper()
        if kind == "SCHEMA":
            return SparkCursor(rows=[])  # schemas are name prefixes of session views
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        name = view_name(target)
        if tree.args.get("exists") and self._bring(target):
            return SparkCursor(rows=[])
        if kind == "VIEW":  # a view stays lazy, as in DuckDB: it reads the tables as they are when used
            self.sql(tree.expression).createOrReplaceTempView(name)
            _MADE_BY_RUN[name] = self.run_id
            self._changed(target, tree.sql(dialect="duckdb"))
            return SparkCursor(rows=[])
        if tree.expression is not None:
            self._keep(name, self.sql(tree.expression))
        elif isinstance(tree.this, exp.Schema):  # create table t (column type, ...)
            columns = ", ".join(c.sql(dialect="spark") for c in tree.this.expressions)
            self._keep(name, self.spark.createDataFrame([], columns))
        else:
            raise TranslationError(f"cannot create {tree.sql()[:80]}")
        self._changed(target)
        return SparkCursor(rows=[])


def _unqualified(node: exp.Expression) -> exp.Expression:
    """`timeline.x` -> the session view `timeline__x`."""
    if isinstance(node, exp.Table) and node.db:
        table = node.copy()  # keeps its alias and any pivot
        table.set("this", exp.to_identifier(view_name(node)))
        table.set("db", None)
        table.set("catalog", None)
        return table
    return node
