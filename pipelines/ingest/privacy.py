"""The privacy guard: an extract holding direct identifiers is refused before anything is audited.

Messages name the table and column and count the rows; they never print a value.
"""
from __future__ import annotations

import duckdb

from pipelines.ingest.contract import Contract
from pipelines.ingest.reader import ExtractRefused


def refuse_identifier_columns(contract: Contract, table: str, columns: list[str]) -> None:
    flagged = [c for c in columns if contract.looks_like_identifier(c)]
    if flagged:
        raise ExtractRefused(
            f"direct identifier refused: {table}.{flagged[0]} looks like a personal identifier column; "
            "remove it from the extract")


def refuse_nhs_numbers(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    if not columns:
        return
    counts = ", ".join(f'count_if(contains_nhs_number("{c}"))' for c in columns)
    found = con.execute(f"select {counts} from raw.{table}").fetchone()
    for column, rows in zip(columns, found):
        if rows:
            raise ExtractRefused(
                f"direct identifier refused: {table}.{column} holds valid NHS numbers in {rows} row(s); "
                "pseudonymise the extract")
