"""The national adapter on its own: a national-format extract written by tests/national/national_extract.py,
mapped by the real adapter (pipelines/ingest/national/) into a DuckDB database with the project's macros."""
from __future__ import annotations

import duckdb
import pytest

from pipelines.config import load_config
from pipelines.ingest.national.adapter import ingest_national
from pipelines.sql_runner import load_macros
from tests.national.national_extract import NationalExtract


def adapt(extract: NationalExtract, folder, *, omit=(), drop_columns=None, extra_columns=None,
          **national) -> duckdb.DuckDBPyConnection:
    """The extract written to `folder` and mapped; the connection holds national.*, raw.* and bookkeeping.*."""
    extract.write(folder, omit=omit, drop_columns=drop_columns, extra_columns=extra_columns)
    con = duckdb.connect()
    load_macros(con)
    config = load_config()
    ingest_national(con, folder, {**config.section("national"), "latest_valid_date": config.latest_valid_date, **national})
    return con


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    return con.execute(query).fetchall()


@pytest.fixture
def extract() -> NationalExtract:
    return NationalExtract()
