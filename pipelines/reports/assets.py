"""Reports stage: files written to the run's staging folder, then published to OUT_DIR at once.

A failed or refused run never reaches `published_audit`, so OUT_DIR keeps the previous good run.
"""
import datetime as dt
from collections import defaultdict

import dagster as dg

from dashboards.report import DashboardData, build_dashboard
from pipelines.validate.data_quality_summary import rules_not_judged, stored_warnings
from pipelines.output_folder import PublishRefused, carry_forward_quarters, publish
from pipelines.reports import files
from pipelines.reports.review_pack import record_review_pages, write_review_packs
from pipelines.reports.measure_reports import build_measure_reports, write_measure_reports
from pipelines.reports.manifest import build_manifest, write_manifest
from pipelines.reports.provider_exports import (export_case_count, export_case_rows, write_icb_exports,
                                               write_provider_exports)
from pipelines.reports.workbooks import timed_workbooks
from pipelines.ingest.national.coverage import national_coverage
from pipelines.engines import engine_description
from pipelines.resources import AuditDatabase, AuditSettings

def _audit_tables(con, audit: AuditSettings, folder) -> dict:
    outcomes = files.write_case_outcomes(con, folder)
    measure_rows = files.write_measures(con, folder)
    figure_rows = files.write_descriptive_figures(con, folder)
    bundle = build_measure_reports(con.execute("select * from measures.measures").df(), audit.rules.audited_rules)
    reports = write_measure_reports(bundle, folder)
    return {"case_outcomes_rows": outcomes, "measures_rows": measure_rows, "descriptive_figures_rows": figure_rows,
            "measure_reports": reports}


def _quality_files(con, audit: AuditSettings, folder) -> dict:
    written = files.write_data_quality(con, folder)
    export_case_rows(con)
    providers = write_provider_exports(con, folder)
    icbs = write_icb_exports(con, folder)
    pages = write_review_packs(con, folder, f"{audit.rules.guideline} (version {audit.rules.guideline_version})")
    record_review_pages(con, pages)
    return {**written, "provider_exports": len(providers), "icb_exports": len(icbs),
            "review_pages_bytes": sum(pages.values())}


def _workbooks(con, audit: AuditSettings, folder) -> dict:
    guideline = f"{audit.rules.guideline} (version {audit.rules.guideline_version})"
    return timed_workbooks(con, folder, guideline, case_rows=export_case_count(con),
                           max_rows=audit.config.section("exports")["workbook_max_rows"])


def _dashboard(con, audit: AuditSettings, folder) -> dict:
    data = DashboardData(
        disclosed=con.execute("select * from measures.disclosed_measures").df(),
        exact=con.execute("""select rule_id, level, "group", period, numerator, denominator
                             from measures.measures""").df(),
        descriptive=con.execute("select * from measures.descriptive_figures").df(),
        field_completeness=con.execute("select * from measures.field_completeness").df(),
        rules=audit.rules.rules, disclosure=audit.config.section("disclosure"),
        data_quality_warnings=[w.message for w in stored_warnings(con)],
        rules_not_judged=rules_not_judged(con, audit.rules.audited_rules),
        national_coverage=[{"rule_id": c.rule_id, "coverage": c.coverage, "why": c.why}
                           for c in national_coverage().values()] if audit.input_format == "national" else [],
        disclosed_after_review=con.execute("select * from measures.disclosed_measures_after_review").df()
        if files.run_has_reviews(con) else None)
    page = build_dashboard(data, {"guideline": audit.rules.guideline,
                                  "guideline_version": audit.rules.guideline_version,
                                  "extract": "/".join(audit.input_path.parts[-2:])})
    path = folder / "dashboard.html"
    path.write_text(page, encoding="utf-8")
    return {"bytes": path.stat().st_size, "dashboard": dg.MetadataValue.path(str(audit.output_path / "dashboard.html"))}


# name -> (description, upstream assets, kinds, writer); written into the run's staging folder in this order.
REPORT_FILES = {
    "audit_tables": ("case_outcomes.csv, measures.csv, descriptive_figures.csv and measure_reports.json "
                     "(FHIR R4 MeasureReports); byte-identical for identical input and configuration.",
                     ["case_outcomes", "measures", "descriptive_figures"], {"csv"}, _audit_tables),
    "quality_files": ("data_quality/: validation results, quarantined rows with reasons, unrecognised codes and drug "
                      "names; exports/<provider>/: each provider's own non-adherent cases and its review pack "
                      "(review.html); exports/icb/<ICB>/: "
                      "disclosure-controlled measures for commissioners (CSV).",
                      ["case_outcomes", "drug_name_map", "disclosed_measures"], {"csv"}, _quality_files),
    "workbooks": ("The provider and ICB exports as Excel workbooks, beside their CSV files, while the run has at most "
                  "exports.workbook_max_rows case rows (else `abc-audit export-workbooks OUT` writes them).",
                  ["quality_files"], {"xlsx"}, _workbooks),
    "dashboard": ("dashboard.html: data completeness, scorecard with ICB and period filters, funnel plot and trend "
                  "per measure, descriptive figures, rule definitions; self-contained and offline.",
                  ["measures", "disclosed_measures", "descriptive_figures", "field_completeness",
                   "data_quality_summary"], {"plotly", "html"}, _dashboard),
}


# One step writes every file (a Dagster step costs ~0.25 s); publishing is a step of its own, after it.
@dg.multi_asset(name="report_files", can_subset=True, specs=[
    dg.AssetSpec(name, group_name="reports", deps=deps, kinds=kinds, description=description)
    for name, (description, deps, kinds, _) in REPORT_FILES.items()])
def report_files(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    folder = audit.staging_path(context.run_id)
    with duckdb.connect() as con:
        for name, (_, _, _, write) in REPORT_FILES.items():
            if name in selected:
                yield dg.MaterializeResult(asset_key=name, metadata=write(con, audit, folder))


def _stage_timings(context: dg.AssetExecutionContext) -> dict[str, float]:
    """Seconds per stage: each step's time, under the group (stage) of the assets it materialises."""
    stage_of_step = {assets.node_def.name: next(iter(assets.group_names_by_key.values()))
                     for assets in context.job_def.asset_layer.asset_graph.assets_defs if assets.is_executable}
    timings = defaultdict(float)
    for stats in context.instance.get_run_step_stats(context.run_id):
        if stats.start_time and stats.end_time:
            timings[stage_of_step.get(stats.step_key, "other")] += stats.end_time - stats.start_time
    return {stage: round(seconds, 2) for stage, seconds in sorted(timings.items())}


@dg.asset(group_name="reports", deps=[*REPORT_FILES, "quarterly_report", "data_quality_summary"],
          kinds={"json"},
          description="run_manifest.json, then the staged outputs replace OUT_DIR in one move.")
def published_audit(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase) -> dg.MaterializeResult:
    folder = audit.staging_path(context.run_id)
    run = context.instance.get_run_by_id(context.run_id)
    started = context.instance.get_run_stats(context.run_id).start_time if run else None
    started_at = dt.datetime.fromtimestamp(started, dt.timezone.utc).isoformat(timespec="seconds") if started else None
    kept_quarters = carry_forward_quarters(audit.output_path, folder)
    with duckdb.connect() as con:
        manifest = build_manifest(con, audit.config, audit.rules, audit.input_path,
                                  _stage_timings(context), started_at)
    manifest["quarters_kept_from_previous_output"] = kept_quarters
    manifest["engine"] = engine_description(audit.engine, audit.spark_remote)
    write_manifest(manifest, folder)
    try:
        publish(folder, audit.output_path, audit.work_path)
    except PublishRefused as error:
        raise dg.Failure(description=str(error)) from None
    return dg.MaterializeResult(metadata={"output": dg.MetadataValue.path(str(audit.output_path)),
                                          "dashboard": dg.MetadataValue.path(str(audit.output_path / "dashboard.html"))})


report_assets = [report_files, published_audit]
