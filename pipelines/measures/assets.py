"""Measures stage: adherence per rule, level, group and period with Wilson intervals and targets."""
import dagster as dg

from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.sql_runner import create_table

MEASURES_SQL = "measures/measures.sql"


@dg.asset(group_name="measures", deps=["case_outcomes", "rule_catalogue"], kinds={"duckdb", "sql"},
          description="QS12-style measures: numerator, denominator, adherence with 95% Wilson interval, "
                      "target met, and the disclosure-control flag.")
def measures(audit: AuditSettings, duckdb: AuditDatabase) -> dg.MaterializeResult:
    disclosure = audit.config.section("disclosure")
    with duckdb.connect() as con:
        con.execute("create schema if not exists measures")
        rows = create_table(con, "measures.measures", MEASURES_SQL, disclosure)
        national = con.execute("""select rule_id, numerator, denominator, adherence from measures.measures
                                  where level = 'national' and period = 'all'""").fetchall()
    table = "| rule | adherent / denominator | adherence |\n|---|---|---|\n" + "\n".join(
        f"| {r} | {n} / {d} | {'' if a is None else f'{a:.1%}'} |" for r, n, d, a in national)
    return dg.MaterializeResult(metadata={"rows": rows, "national_adherence": dg.MetadataValue.md(table)})
