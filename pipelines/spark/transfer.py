"""Tables between the DuckDB database and a Spark session, as Arrow.

DuckDB -> Spark: a table's Arrow batches become a DataFrame. Spark -> DuckDB: rows stream back a
partition at a time (`toLocalIterator`), gathered into Arrow batches of BATCH_ROWS that DuckDB reads
as they come: a table is never collected whole in the driver's memory.
"""
from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa

BATCH_ROWS = 50_000


def push_table(con: duckdb.DuckDBPyConnection, spark, table: str):
    """A DuckDB table as a Spark DataFrame (with its schema also when it holds no rows)."""
    from pyspark.sql.pandas.types import from_arrow_schema
    arrow = con.sql(f"select * from {table}").to_arrow_table()
    if arrow.num_rows == 0:
        return spark.createDataFrame([], from_arrow_schema(arrow.schema))
    return spark.createDataFrame(arrow.combine_chunks())


def _batches(frame, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    rows: list[dict] = []
    for row in frame.toLocalIterator():
        rows.append(row.asDict(recursive=True))
        if len(rows) == BATCH_ROWS:
            yield pa.RecordBatch.from_pylist(rows, schema=schema)
            rows = []
    if rows:
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def pull_table(frame, con: duckdb.DuckDBPyConnection, table: str) -> int:
    """A Spark DataFrame into the DuckDB table `table` (replaced), in the DataFrame's row order."""
    from pyspark.sql.pandas.types import to_arrow_schema
    schema = to_arrow_schema(frame.schema)
    reader = pa.RecordBatchReader.from_batches(schema, _batches(frame, schema))
    con.register("spark_rows", reader)
    try:
        con.execute(f"create or replace table {table} as select * from spark_rows")
    finally:
        con.unregister("spark_rows")
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
