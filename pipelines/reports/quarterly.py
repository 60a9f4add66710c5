"""The quarterly report: one reporting quarter's outcomes and measures, as a partitioned asset.

Rules and measures are computed over the whole extract in one pass (windows cross quarter
boundaries, and `all`-period measures need every quarter); the partition picks the reporting
quarter out of them, so a quarterly run publishes `quarters/<2025Q3>/` beside the full audit.
"""
import datetime as dt

import dagster as dg

from pipelines.reports import files
from pipelines.resources import AuditDatabase, AuditSettings

# Quarters start on 1 January, April, July and October; keys are the start dates (2025-07-01).
REPORTING_QUARTERS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start="2022-01-01", fmt="%Y-%m-%d", timezone="Europe/London")


def quarter_label(partition_key: str) -> str:
    start = dt.date.fromisoformat(partition_key)
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


@dg.asset(group_name="reports", partitions_def=REPORTING_QUARTERS, deps=["measures", "case_outcomes"],
          kinds={"csv"}, description="quarters/<quarter>/: the reporting quarter's case outcomes and measures.")
def quarterly_report(context: dg.AssetExecutionContext, audit: AuditSettings,
                     duckdb: AuditDatabase) -> dg.MaterializeResult:
    quarter = quarter_label(context.partition_key)
    folder = audit.staging_path(context.run_id) / "quarters" / quarter
    with duckdb.connect() as con:
        outcomes = files.copy_csv(con, files.quarter_case_outcomes_query(quarter), folder / "case_outcomes.csv")
        measure_rows = files.copy_csv(con, files.quarter_measures_query(quarter), folder / "measures.csv")
        national = con.execute("""select rule_id, numerator, denominator, adherence from measures.measures
            where level = 'national' and period = $quarter order by rule_id""", {"quarter": quarter}).fetchall()
    table = "| rule | adherent / denominator | adherence |\n|---|---|---|\n" + "\n".join(
        f"| {r} | {n} / {d} | {'' if a is None else f'{a:.1%}'} |" for r, n, d, a in national)
    return dg.MaterializeResult(metadata={"quarter": quarter, "case_outcomes_rows": outcomes,
                                          "measures_rows": measure_rows, "adherence": dg.MetadataValue.md(table)})
