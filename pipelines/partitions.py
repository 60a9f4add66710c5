"""Reporting quarters: the time partitions of the quarterly audit (rules, measures and report)."""
import datetime as dt
import warnings

import dagster as dg

from pipelines.sql_runner import sql_text, table_exists

# Quarters start on 1 January, April, July and October; keys are the start dates (2025-07-01).
# From 2009, the year CG81 was first published: any quarter an extract can hold can be reported.
REPORTING_QUARTERS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start="2009-01-01", fmt="%Y-%m-%d", timezone="Europe/London")


# A backfill of many quarters is one run (they share one DuckDB file and one output folder's lock:
# one run per quarter would queue behind the lock, or be refused by it).
SINGLE_RUN_BACKFILL = dg.BackfillPolicy.single_run()
# Dagster marks the parameter beta; its behaviour is tested here (tests/test_automation.py).
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


def run_quarters(context: dg.AssetExecutionContext) -> list[str]:
    """The reporting quarters a run materialises: one from the schedule, several from a backfill."""
    return [quarter_label(key) for key in context.partition_keys]


def quarter_label(partition_key: str) -> str:
    """The label used in the outputs' `period` column: 2025-07-01 -> 2025Q3."""
    start = dt.date.fromisoformat(partition_key)
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def replace_partition(con, table: str, relative_sql: str, quarter: str) -> int:
    """Replaces one quarter's rows of a partitioned table, keeping the quarters materialised before."""
    text = sql_text(relative_sql)
    if not table_exists(con, table):
        con.execute(f"create table {table} as select * from ({text})", {"quarter": quarter})
    else:
        # The kept quarters matched to the file's columns by name (`union all by name` in the subset Spark
        # also runs): a column the file added since is NULL in the quarters made before it
        con.execute(f"create or replace temp table quarter_rows as select * from ({text})", {"quarter": quarter})
        new = [row[0] for row in con.execute("describe quarter_rows").fetchall()]
        kept = {row[0] for row in con.execute(f"describe {table}").fetchall()}
        columns = ", ".join(f'"{c}"' for c in new)
        kept_columns = ", ".join(f'"{c}"' if c in kept else f'null as "{c}"' for c in new)
        con.execute(f"""create or replace table {table} as
            select {kept_columns} from {table} where period <> $quarter union all select {columns} from quarter_rows""",
                    {"quarter": quarter})
        con.execute("drop table quarter_rows")
    return con.execute(f"select count(*) from {table} where period = ?", [quarter]).fetchone()[0]
