"""The privacy guard: an extract holding direct identifiers is refused before anything is audited.

Column names that suggest an identifier are refused with the other header checks
(pipelines/ingest/structure.py); this module reads the values.

Messages name the table and column and count the rows; they never print a value.
"""
from __future__ import annotations

import duckdb

from pipelines.contract import Contract
from pipelines.ingest.reader import ExtractRefused, parser_rejects_table, quote_identifier, raw_column_name

# Value checks on every text column (each a macro in sql/macros): what it finds, and what to do.
VALUE_CHECKS = (
    ("contains_nhs_number", "valid NHS numbers", "pseudonymise the extract"),
    ("contains_postcode", "postcodes", "remove addresses and postcodes from the extract"),
)
# Contract columns that may hold only a year of birth; a full date there is a full date of birth.
# Extra columns named as a year of birth (`year_of_birth`: Contract.is_year_of_birth) are checked too.
BIRTH_YEAR_COLUMNS = {"patients": "birth_year"}


def refuse_identifier_values(con: duckdb.DuckDBPyConnection, contract: Contract, table: str,
                             columns: list[str], extra_columns: list[str]) -> None:
    """Counts, per column, the rows holding an identifier; refuses at the first column with any.
    Columns are named as the extract names them (normalised), as in the messages."""
    columns = list(columns) + list(extra_columns)
    if not columns:
        return
    checks = [(macro, column, found, advice) for macro, found, advice in VALUE_CHECKS for column in columns]
    birth_years = [c for c in columns if c == BIRTH_YEAR_COLUMNS.get(table)
                   or (c in extra_columns and contract.is_year_of_birth(c))]
    checks += [("is_full_date", c, "full dates of birth", "send the year of birth only") for c in birth_years]
    counts = ", ".join(f"count_if({macro}({quote_identifier(raw_column_name(column))}))"
                       for macro, column, _, _ in checks)
    found = con.execute(f"select {counts} from raw.{table}").fetchone()
    for (_, column, what, advice), rows in zip(checks, found):
        if rows:
            raise ExtractRefused(f"direct identifier refused: {table}.{column} holds {what} in {rows} row(s); {advice}")


def refuse_identifiers_in_unreadable_lines(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Lines the CSV parser could not read are quarantined by number only, but an identifier in one
    is still an identifier in the extract: refused like any other."""
    rejects = parser_rejects_table(table)
    if not con.execute("select count(*) from duckdb_tables() where table_name = ? and temporary",
                       [rejects]).fetchone()[0]:
        return  # Parquet, or an absent optional table
    for macro, what, advice in VALUE_CHECKS:
        lines = con.execute(f"select count(distinct line) from {rejects} where {macro}(csv_line)").fetchone()[0]
        if lines:
            raise ExtractRefused(f"direct identifier refused: {table} holds {what} in {lines} line(s) "
                                 f"that could not be read as CSV; {advice}")
