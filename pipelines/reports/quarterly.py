"""The quarterly report: quarters/<quarter>/ with one reporting quarter's outcomes and measures.

The quarter's partitions of the rules and measures stages (quarter_case_outcomes, quarter_measures)
are cut from the whole-extract tables, because windows cross quarter boundaries and `all`-period
figures need every quarter; a quarterly run publishes them beside the full audit.
"""
import dagster as dg

from pipelines.partitions import REPORTING_QUARTERS, SINGLE_RUN_BACKFILL, run_quarters
from pipelines.reports import files
from pipelines.resources import AuditDatabase, AuditSettings


@dg.asset(group_name="reports", partitions_def=REPORTING_QUARTERS, backfill_policy=SINGLE_RUN_BACKFILL,
          deps=["quarter_case_outcomes", "quarter_measures"], kinds={"csv"},
          description="quarters/<quarter>/: the reporting quarter's case outcomes and measures.")
def quarterly_report(context: dg.AssetExecutionContext, audit: AuditSettings,
                     duckdb: AuditDatabase) -> dg.MaterializeResult:
    quarters = run_quarters(context)
    outcomes = measure_rows = 0
    with duckdb.connect() as con:
        for quarter in quarters:
            folder = audit.staging_path(context.run_id) / "quarters" / quarter
            outcomes += files.copy_csv(con, files.quarter_case_outcomes_query(quarter), folder / "case_outcomes.csv")
            measure_rows += files.copy_csv(con, files.quarter_measures_query(quarter), folder / "measures.csv")
    return dg.MaterializeResult(metadata={"quarter": ", ".join(quarters), "case_outcomes_rows": outcomes,
                                          "measures_rows": measure_rows})
