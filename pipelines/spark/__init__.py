"""The Spark engine: DuckDB SQL translated to Spark (translate.py, rewrites.py) and run on a session (session.py, connection.py), tables moved as Arrow (transfer.py). docs/spark.md."""
