"""Measures stage: adherence per rule, level, group and period with Wilson intervals and targets,
the disclosure-controlled figures commissioners see, descriptive figures and data completeness."""
import dagster as dg

from audit_rules.catalogue import load_catalogue
from pipelines.partitions import REPORTING_QUARTERS, SINGLE_RUN_BACKFILL, replace_partition, run_quarters
from pipelines.engines import stage_connection
from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.sql_runner import bind, create_table, sql_text, upstream_assets

MEASURES_SQL = "measures/measures.sql"
DESCRIPTIVE_SQL = "measures/descriptive_figures.sql"
REVIEWED_OUTCOMES_SQL = "measures/reviewed_outcomes.sql"


def _national_adherence(con, table: str, period: str) -> dg.MetadataValue:
    """National adherence per rule, as a markdown table for the Dagster UI."""
    national = con.execute(f"""select m.rule_id, numerator, denominator, adherence from {table} m
        join rules.catalogue c using (rule_id) where level = 'national' and period = ? order by c.rule_order""",
                           [period]).fetchall()
    return dg.MetadataValue.md("| rule | adherent / denominator | adherence |\n|---|---|---|\n" + "\n".join(
        f"| {r} | {n} / {d} | {'' if a is None else f'{a:.1%}'} |" for r, n, d, a in national))


def _measure_outcomes(con, after_review: bool) -> None:
    """The temp view measures.sql reads: the case outcomes as audited, or after the applied reviews."""
    # a view cannot take prepared parameters: the one boolean is written into its text
    text = sql_text(REVIEWED_OUTCOMES_SQL).replace("$after_review", "true" if after_review else "false")
    con.execute(f"create or replace temp view measure_outcomes as {text}")


def _measures(con, audit: AuditSettings) -> dict:
    _measure_outcomes(con, after_review=False)
    rows = create_table(con, "measures.measures", MEASURES_SQL, audit.config.section("disclosure"))
    return {"rows": rows, "national_adherence": _national_adherence(con, "measures.measures", "all")}


def _measures_after_review(con, audit: AuditSettings) -> dict:
    """The same measures after the returned reviews (the same as audited in a run without reviews)."""
    _measure_outcomes(con, after_review=True)
    rows = create_table(con, "measures.measures_after_review", MEASURES_SQL, audit.config.section("disclosure"))
    con.execute("drop view measure_outcomes")
    return {"rows": rows, "national_adherence": _national_adherence(con, "measures.measures_after_review", "all")}


def _disclosed_measures(con, audit: AuditSettings) -> dict:
    """The measures as commissioners may see them, as audited and (for the dashboard of a run given
    reviews) after review, under the same disclosure control."""
    for source, target in (("measures.measures", "measures.disclosed_measures"),
                           ("measures.measures_after_review", "measures.disclosed_measures_after_review")):
        con.execute(f"create or replace temp view measures_to_disclose as select * from {source}")
        rows = create_table(con, target, "measures/disclosed_measures.sql", audit.config.section("disclosure"))
    con.execute("drop view measures_to_disclose")
    hidden = con.execute("select count(*) from measures.disclosed_measures where suppressed").fetchone()[0]
    return {"rows": rows, "suppressed_rows": hidden}


def _descriptive_figures(con, audit: AuditSettings) -> dict:
    con.execute("create or replace temp table figure_units (rule_id varchar, patient_id varchar, "
                "unit_id varchar, unit_date date, provider_code varchar, in_numerator boolean)")
    for rule in (r for r in audit.rules.rules if r.descriptive_sql):
        text = sql_text(rule.descriptive_sql)
        con.execute(f"""insert into figure_units
            select $rule_id, patient_id, unit_id, unit_date, provider_code, in_numerator from ({text})""",
                    {"rule_id": rule.id, **bind(text, {}, rule.descriptive_sql)})
    rows = create_table(con, "measures.descriptive_figures", DESCRIPTIVE_SQL, audit.config.section("disclosure"))
    national = con.execute("""select rule_id, numerator, denominator, share from measures.descriptive_figures
                              where level = 'national' and period = 'all'""").fetchall()
    table = "| rule | numerator / units | share |\n|---|---|---|\n" + "\n".join(
        f"| {r} | {n} / {d} | {s:.1%} |" for r, n, d, s in national)
    return {"rows": rows, "national": dg.MetadataValue.md(table)}


def _field_completeness(con, audit: AuditSettings) -> dict:
    return {"rows": create_table(con, "measures.field_completeness", "measures/field_completeness.sql",
                                 audit.config.section("disclosure"))}


def _descriptive_deps() -> list[str]:
    files = [r.descriptive_sql for r in load_catalogue().rules if r.descriptive_sql]
    return sorted({dep for f in files for dep in upstream_assets(f)} | {"rule_catalogue"})


# name -> (description, upstream assets, builder); built in this order, in one step.
MEASURE_TABLES = {
    "measures": ("QS12-style measures: numerator, denominator, adherence with 95% Wilson interval, target met, "
                 "and the disclosure-control flag.", ["case_outcomes", "case_reviews", "rule_catalogue"], _measures),
    "measures_after_review": ("The measures after the quality teams' returned reviews: a justified deviation counts "
                              "as an exception, a data error leaves the measure.",
                              ["case_outcomes", "case_reviews", "rule_catalogue"], _measures_after_review),
    "disclosed_measures": ("The measures as commissioners may see them: counts of 1-7 shown as *, others rounded "
                           "to 5, adherence hidden where it would reveal a suppressed count (configurable).",
                           ["measures", "measures_after_review"], _disclosed_measures),
    "descriptive_figures": ("Descriptive figures of rules that cannot be audited (1.3.9: share of combination "
                            "first-line chemotherapy), by level, group and period, with 95% Wilson intervals.",
                            _descriptive_deps(), _descriptive_figures),
    "field_completeness": ("Data completeness: the share of audited rows recording each field, per provider.",
                           upstream_assets("measures/field_completeness.sql"), _field_completeness),
}


# One step for the stage's four tables (each takes milliseconds, a Dagster step ~0.25 s).
@dg.multi_asset(name="measures_stage", can_subset=True, specs=[
    dg.AssetSpec(name, group_name="measures", deps=deps, kinds={"duckdb", "sql"}, description=description)
    for name, (description, deps, _) in MEASURE_TABLES.items()])
def measure_tables(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    with stage_connection(audit, duckdb, context.run_id) as con:
        con.execute("create schema if not exists measures")
        for name, (_, _, build) in MEASURE_TABLES.items():
            if name in selected:
                yield dg.MaterializeResult(asset_key=name, metadata=build(con, audit))


measure_assets = [measure_tables]


@dg.asset(group_name="measures", partitions_def=REPORTING_QUARTERS, backfill_policy=SINGLE_RUN_BACKFILL,
          deps=["measures", "quarter_case_outcomes"], kinds={"duckdb", "sql"},
          description="The measures of one reporting quarter, for the quarterly audit.")
def quarter_measures(context: dg.AssetExecutionContext, duckdb: AuditDatabase) -> dg.MaterializeResult:
    quarters = run_quarters(context)
    with duckdb.connect() as con:
        rows = sum(replace_partition(con, "measures.quarter_measures", "measures/quarter_measures.sql", quarter)
                   for quarter in quarters)
        tables = {f"national_adherence_{q}" if len(quarters) > 1 else "national_adherence":
                  _national_adherence(con, "measures.quarter_measures", q) for q in quarters}
    return dg.MaterializeResult(metadata={"quarter": ", ".join(quarters), "rows": rows, **tables})
