"""Run bookkeeping in the `bookkeeping` schema: input files, validation results, row reconciliation.

Every stage records what it read and what it set aside here, so the run manifest can account
for every input row.
"""
from __future__ import annotations

import json

import duckdb
import pandas as pd

TABLES = {
    "input_files": """(table_name varchar, file_name varchar, file_format varchar, sha256 varchar,
        rows_parsed bigint, rows_rejected bigint, ignored_columns varchar[], missing_optional_columns varchar[])""",
    "validation_results": """(table_name varchar, check_name varchar, column_name varchar,
        expectation_type varchar, reason varchar, rows_evaluated bigint, rows_failed bigint, success boolean)""",
    "expectation_suites": "(table_name varchar, suite_json varchar)",
    "row_reconciliation": """(table_name varchar, rows_read bigint, rows_accepted bigint,
        rows_quarantined bigint, rows_rejected_by_parser bigint)""",
    # a national-format extract (pipelines/ingest/national/): empty in a canonical run
    "source_gaps": "(table_name varchar, reason varchar)",
    "national_files": """(table_name varchar, file_name varchar, sha256 varchar, rows_read bigint,
        rows_rejected_by_parser bigint, missing_columns varchar[], ignored_columns varchar[])""",
    "national_rows": "(table_name varchar, disposition varchar, reason varchar, rows bigint)",
    "national_unrecognised_codes": "(table_name varchar, column_name varchar, value varchar, rows bigint, reason varchar)",
    # the latest date a source vouches for beyond the audit's own tables (the registry's vital status
    # date: a living patient's last follow-up), read by sql/timeline/follow_up.sql
    "source_follow_up": "(table_name varchar, column_name varchar, latest_date date)",
}
NATIONAL_TABLES = ("source_gaps", "national_files", "national_rows", "national_unrecognised_codes", "source_follow_up")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists bookkeeping")
    for name, columns in TABLES.items():
        con.execute(f"create table if not exists bookkeeping.{name} {columns}")


def replace_rows(con: duckdb.DuckDBPyConnection, name: str, table_name: str, frame: pd.DataFrame) -> None:
    """Replace one contract table's rows in audit.<name> (reruns of a stage stay idempotent)."""
    ensure_schema(con)
    con.execute(f"delete from bookkeeping.{name} where table_name = $t", {"t": table_name})
    if len(frame):
        con.register("incoming_rows", frame)
        columns = ", ".join(frame.columns)
        con.execute(f"insert into bookkeeping.{name} ({columns}) select {columns} from incoming_rows")
        con.unregister("incoming_rows")


def record_input_file(con: duckdb.DuckDBPyConnection, loaded) -> None:
    replace_rows(con, "input_files", loaded.table, pd.DataFrame([{
        "table_name": loaded.table, "file_name": loaded.file_name, "file_format": loaded.file_format,
        "sha256": loaded.sha256, "rows_parsed": loaded.rows_parsed, "rows_rejected": loaded.rows_rejected,
        "ignored_columns": list(loaded.ignored_columns),
        "missing_optional_columns": list(loaded.missing_optional_columns),
    }]))


def record_validation(con: duckdb.DuckDBPyConnection, table: str, tallies, suite: dict,
                      reconciliation: dict) -> None:
    replace_rows(con, "validation_results", table, pd.DataFrame([{
        "table_name": table, "check_name": t.check, "column_name": t.column,
        "expectation_type": t.expectation_type, "reason": t.reason, "rows_evaluated": t.rows_evaluated,
        "rows_failed": t.rows_failed, "success": t.success} for t in tallies]))
    replace_rows(con, "expectation_suites", table, pd.DataFrame(
        [{"table_name": table, "suite_json": json.dumps(suite, sort_keys=True, default=str)}]))
    replace_rows(con, "row_reconciliation", table, pd.DataFrame([{"table_name": table, **reconciliation}]))
