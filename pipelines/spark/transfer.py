"""Tables between the DuckDB database and a Spark session, as Arrow.

DuckDB -> Spark: a table's Arrow batches become a DataFrame. Spark -> DuckDB: a table (a local
checkpoint, so scanning it again is cheap and gives the same rows) is read in Arrow batches of at
most BATCH_ROWS, partition by partition in order, that DuckDB takes as they come: it is never
collected whole in the driver's memory, and its row order is kept.
"""
from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa

BATCH_ROWS = 250_000
_PARTITION_SHIFT = 33  # monotonically_increasing_id: the partition index in the upper bits


def push_table(con: duckdb.DuckDBPyConnection, spark, table: str):
    """A DuckDB table as a Spark DataFrame (with its schema also when it holds no rows)."""
    from pyspark.sql.pandas.types import from_arrow_schema
    arrow = con.sql(f"select * from {table}").to_arrow_table()
    # Spark has no unsigned integers (DuckDB's reject tables number lines as UBIGINT)
    arrow = arrow.cast(pa.schema([f.with_type(pa.int64()) if pa.types.is_unsigned_integer(f.type) else f
                                  for f in arrow.schema]))
    if arrow.num_rows == 0:
        return spark.createDataFrame([], from_arrow_schema(arrow.schema))
    return spark.createDataFrame(arrow.combine_chunks())


def _batches(frame, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    from pyspark.sql import functions as F
    numbered = frame.withColumn("__row", F.monotonically_increasing_id())
    counts = sorted(tuple(r) for r in numbered.groupBy((F.col("__row") / 2 ** _PARTITION_SHIFT).cast("long")
                                                       .alias("p")).count().collect())
    if sum(rows for _, rows in counts) <= BATCH_ROWS:  # a small table: one job, partitions in order
        yield from frame.toArrow().cast(schema).to_batches()
        return
    for partition, rows in counts:
        first = partition << _PARTITION_SHIFT
        for start in range(0, rows, BATCH_ROWS):
            chunk = numbered.where(F.col("__row").between(first + start, first + start + BATCH_ROWS - 1))
            for batch in chunk.drop("__row").toArrow().cast(schema).to_batches():
                yield batch


def pull_table(frame, con: duckdb.DuckDBPyConnection, table: str) -> int:
    """A Spark DataFrame (a checkpoint) into the DuckDB table `table` (replaced), in its row order."""
    from pyspark.sql.pandas.types import to_arrow_schema
    schema = to_arrow_schema(frame.schema)
    con.register("spark_rows", pa.RecordBatchReader.from_batches(schema, _batches(frame, schema)))
    try:
        con.execute(f"create or replace table {table} as select * from spark_rows")
    finally:
        con.unregister("spark_rows")
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
