"""Reads one contract table from the extract folder into DuckDB as text, with its row numbers.

Everything lands as VARCHAR in `raw.<table>` so that a bad value never stops the load: parsing
and checking the values is the validation stage's job. Lines the CSV parser cannot split into
the header's columns go to `raw.<table>__rejects` with their line number (never their text).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contract import RESERVED_COLUMNS, Table, load_contract
# ExtractRefused lives with the structural checks; ingest modules import it from here too.
from pipelines.ingest.structure import ExtractRefused, check_header, csv_encoding, read_csv_header  # noqa: F401


@dataclass(frozen=True)
class LoadedTable:
    table: str
    file_name: str | None
    file_format: str | None
    sha256: str | None
    rows_parsed: int
    rows_rejected: int
    ignored_columns: tuple[str, ...]
    missing_optional_columns: tuple[str, ...]

    @property
    def rows_read(self) -> int:
        return self.rows_parsed + self.rows_rejected


def quote_identifier(name: str) -> str:
    """A name as a DuckDB identifier: extract column names may hold quotes, spaces, anything."""
    return '"' + name.replace('"', '""') + '"'


def raw_column_name(column: str) -> str:
    """The column's name in raw.<table>. An extract column named like the audit's own row number
    (`source_row`, `Source Row`, DuckDB's `rowid`) is an extra column like any other, kept under
    another name so that it neither collides with nor stands in for the row number. Normalised
    names never hold a double underscore, so the new name is taken by no other column."""
    return f"{column}__in_extract" if column in RESERVED_COLUMNS else column


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parser_rejects_table(table: str) -> str:
    """DuckDB's temporary table of the lines of a CSV file its parser could not read (with their text)."""
    return f"rejects_{table}"


def _load_csv(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> tuple[list[str], int]:
    encoding = csv_encoding(path)
    columns = check_header(load_contract(), table, path.name, read_csv_header(path, encoding))
    # Normalised names are [a-z0-9_] only, safe inside the struct literal's quotes.
    column_types = "{" + ", ".join(f"'{raw_column_name(c)}': 'VARCHAR'" for c in columns) + "}"
    rejects = parser_rejects_table(table.name)
    con.execute(
        f"""create or replace temp table loaded as select * from read_csv($path,
            columns = {column_types}, header = true, auto_detect = false, delim = ',',
            quote = '"', escape = '"', encoding = $encoding, max_line_size = 20000000,
            store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')""",
        {"path": str(path), "encoding": encoding},
    )
    con.execute(
        f"""create or replace table raw.{table.name}__rejects as
            select distinct line as source_line, error_type::varchar as error_type,
                   regexp_replace(column_name, '__in_extract$', '') as column_name
            from {rejects} order by source_line""")
    rejected = con.execute(f"select count(distinct source_line) from raw.{table.name}__rejects").fetchone()[0]
    return columns, rejected


def _parquet_as_text(source: str, column: str, parquet_type: str, is_date: bool) -> str:
    """A Parquet column as text, named `column` in `loaded`. A DATE or TIMESTAMP in a date column is
    its calendar day, YYYY-MM-DD (pandas writes dates as midnight timestamps; a time of day only says
    when on that day). A timestamp with a time zone is the day in England, whatever the machine's zone."""
    src, dst = quote_identifier(source), quote_identifier(raw_column_name(column))
    if is_date and "TIME ZONE" in parquet_type:
        return f"timezone('Europe/London', {src})::date::varchar as {dst}"
    if is_date and (parquet_type == "DATE" or parquet_type.startswith("TIMESTAMP")):
        return f"{src}::date::varchar as {dst}"
    return f"{src}::varchar as {dst}"


def parquet_schema(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> list[tuple]:
    """The Parquet file's columns (name, type, ...), read from its footer only."""
    try:
        return con.execute("describe select * from read_parquet($path)", {"path": str(path)}).fetchall()
    except duckdb.Error:
        raise ExtractRefused(f"{table.name}: {path.name} is not a readable Parquet file; export the table "
                             "again, as Parquet or as CSV") from None


def _load_parquet(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> tuple[list[str], int]:
    described = parquet_schema(con, table, path)
    columns = check_header(load_contract(), table, path.name, [row[0] for row in described])
    date_columns = {c.name for c in table.columns if c.type == "date"}
    selects = ", ".join(_parquet_as_text(src, dst, parquet_type, dst in date_columns)
                        for (src, parquet_type, *_), dst in zip(described, columns))
    con.execute(f"create or replace temp table loaded as select {selects} from read_parquet($path)",
                {"path": str(path)})
    con.execute(f"""create or replace table raw.{table.name}__rejects
                    (source_line bigint, error_type varchar, column_name varchar)""")
    return columns, 0


def load_raw_table(con: duckdb.DuckDBPyConnection, table: Table, path: Path | None) -> LoadedTable:
    """Create raw.<table> (all text, plus source_row) from the table's file, or empty if absent."""
    con.execute("create schema if not exists raw")
    if path is None:
        if table.required:
            raise ExtractRefused(f"required table {table.name} missing: expected {table.name}.csv or {table.name}.parquet")
        columns, rejected = [], 0
        con.execute("create or replace temp table loaded as select 1 as _placeholder where false")
    elif path.suffix.lower() == ".csv":
        columns, rejected = _load_csv(con, table, path)
    else:
        columns, rejected = _load_parquet(con, table, path)
    # Optional columns absent from the file are added empty so later stages see one shape.
    missing = [c for c in table.column_names if c not in columns]
    added = ", ".join(f"null::varchar as {quote_identifier(c)}" for c in missing)
    present = ", ".join(quote_identifier(raw_column_name(c)) for c in columns)
    select_list = ", ".join(s for s in ("rowid + 1 as source_row", present, added) if s)
    con.execute(f"create or replace table raw.{table.name} as select {select_list} from loaded")
    con.execute("drop table loaded")
    if path is None:
        con.execute(f"create or replace table raw.{table.name}__rejects (source_line bigint, error_type varchar, column_name varchar)")
    rows = con.execute(f"select count(*) from raw.{table.name}").fetchone()[0]
    if table.required and rows == 0:
        problem = f"none of its {rejected} line(s) could be read" if rejected else "it has a header but no rows"
        raise ExtractRefused(f"required table {table.name} has no data: {problem} ({path.name})")
    return LoadedTable(
        table=table.name,
        file_name=path.name if path else None,
        file_format=path.suffix.lstrip(".").lower() if path else None,
        sha256=file_sha256(path) if path else None,
        rows_parsed=rows,
        rows_rejected=rejected,
        ignored_columns=tuple(c for c in columns if c not in table.column_names),
        missing_optional_columns=tuple(c for c in missing if path is not None),
    )
