"""The engine a SQL stage (validation, timeline, rules, measures) runs on: DuckDB, or Spark (`--engine spark`).

On Spark the stage's statements run on a Spark session through pipelines/spark/connection.py; the
DuckDB database stays the audit's record: the tables a stage reads come from it when Spark does not
hold them for this run, and the tables it makes are written back to it when the stage ends, so that
reports, exports and every later step read one database whichever engine computed it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

ENGINES = ("duckdb", "spark")
SPARK_STAGES = ("validate", "timeline", "rules", "measures")


def engine_description(engine: str, spark_remote: str | None) -> dict:
    """The engine of a run, for its manifest."""
    if engine == "duckdb":
        import duckdb
        return {"name": "duckdb", "version": duckdb.__version__}
    import pyspark
    return {"name": "spark", "version": pyspark.__version__, "session": spark_remote or "local or active session",
            "stages": list(SPARK_STAGES)}


@contextmanager
def stage_connection(audit, database, run_id: str) -> Iterator:
    """A connection to run a stage's SQL on: DuckDB's, or a Spark connection backed by it."""
    with database.connect() as con:
        if audit.engine == "duckdb":
            yield con
            return
        from pipelines.spark.connection import SparkConnection
        from pipelines.spark.session import spark_session
        spark = SparkConnection(spark_session(audit.spark_remote), con, run_id)
        yield spark
        spark.publish()


def on_spark(con) -> bool:
    """Whether a stage connection runs its statements on Spark."""
    return hasattr(con, "spark")


def record_of(con):
    """The DuckDB connection behind a stage connection: the run's record (bookkeeping is written there)."""
    return con.database if on_spark(con) else con
