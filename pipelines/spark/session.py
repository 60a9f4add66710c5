"""The Spark session an audit runs on: local mode, Spark Connect (`sc://host`), or the caller's own
(inside Databricks, where a session already exists)."""
from __future__ import annotations

import os

# Settings the translated SQL relies on to give DuckDB's answers (each is checked by the parity tests):
SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "true",                   # errors rather than silent NULLs, as DuckDB
    "spark.sql.legacy.sizeOfNull": "false",             # size(NULL) is NULL, as DuckDB's array_length
    "spark.sql.jsonGenerator.ignoreNullFields": "false",  # to_json keeps null fields, as DuckDB
    "spark.sql.session.timeZone": "UTC",                # dates never shift with the machine's zone
    "spark.sql.caseSensitive": "false",
    # Spark 4.1 fails planning some of our statements ("NoSuchElementException: key not found") in two
    # optimisations: predicate pushdown into CTEs read twice, and constraints of a union of checkpoints
    "spark.sql.optimizer.excludedRules":
        "org.apache.spark.sql.catalyst.optimizer.PushdownPredicatesAndPruneColumnsForCTEDef",
    "spark.sql.constraintPropagation.enabled": "false",
}
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "4g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}


class SparkUnavailable(RuntimeError):
    """pyspark (the `spark` extra) or Java is missing."""


def spark_session(remote: str | None = None, master: str | None = None):
    """A session for the audit: Spark Connect when `remote` (sc://host:port) is given, else the
    active session if the caller made one (Databricks), else a local one (`local[*]`)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("--engine spark needs pyspark: pip install 'abc-audit[spark]' (and Java 17)") from None
    if remote:
        builder = SparkSession.builder.remote(remote)
    else:
        active = SparkSession.getActiveSession()
        if active is not None:
            session = active
            _apply(session, SESSION_SETTINGS)
            return session
        builder = SparkSession.builder.master(master or os.environ.get("ABC_AUDIT_SPARK_MASTER", "local[*]"))
        for key, value in LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
        if os.environ.get("ABC_AUDIT_SPARK_DRIVER_MEMORY"):  # a local Spark's whole heap (default 4g)
            builder = builder.config("spark.driver.memory", os.environ["ABC_AUDIT_SPARK_DRIVER_MEMORY"])
    for key, value in SESSION_SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.appName("abc-audit").getOrCreate()
    _apply(session, SESSION_SETTINGS)
    if not remote:
        session.sparkContext.setLogLevel("OFF")
    return session


def _apply(session, settings: dict) -> None:
    for key, value in settings.items():
        session.conf.set(key, value)
