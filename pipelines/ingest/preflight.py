"""The preflight: an extract that cannot be audited for its structure is refused in about a second.

`abc-audit run` and `validate` call `check_extract` before anything else, so that a missing table or
column, an identifier-like column name, a file that is not comma separated, not text or not
readable Parquet is refused before Dagster and Great Expectations are imported (several seconds)
and before any row is validated. It reads the folder listing, each table file's header (Parquet:
its footer) and the first 64 KiB of each CSV file, through the same functions as the ingest assets
(pipelines/ingest/structure.py and files.py), so the messages are the same wherever a run starts.
Checks that read every row (NHS numbers and postcodes in values, unreadable lines) stay in the graph.

This module must import neither dagster nor great_expectations (tests/ingest/test_structural_refusals.py).
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.ingest.files import scan_extract_folder, table_file
from pipelines.ingest.reader import parquet_schema
from pipelines.ingest.structure import check_header, csv_encoding, read_csv_header


def check_extract(input_dir: Path) -> None:
    """Raises ExtractRefused (one line, what to do) for the first structural fault of the extract."""
    contract = load_contract()
    table_names = list(contract.tables)
    folder = scan_extract_folder(input_dir, table_names)
    for table in contract.tables.values():
        path = table_file(folder, input_dir, table, table_names)
        if path is None:
            continue
        if path.suffix.lower() == ".csv":
            header = read_csv_header(path, csv_encoding(path))
        else:
            with duckdb.connect() as con:
                header = [row[0] for row in parquet_schema(con, table, path)]
        check_header(contract, table, path.name, header)
