"""The audit's Dagster definitions: every asset grouped by stage, resources, checks, job, schedule.

Data flows one way: ingest -> validate -> timeline -> rules -> measures -> reports.
`abc-audit run`, the schedule and the Dagster UI (`make dev`) all run this same graph.
"""
import os

import dagster as dg

from pipelines.automation import inbox_sensor, quarterly_job, quarterly_schedule
from pipelines.data_quality_summary import data_quality_summary
from pipelines.ingest.assets import raw_assets
from pipelines.measures.assets import (descriptive_figures, disclosed_measures, field_completeness, measures,
                                       quarter_measures)
from pipelines.reports.assets import report_assets
from pipelines.reports.quarterly import quarterly_report
from pipelines.resources import AuditDatabase, AuditSettings, work_dir_for
from pipelines.rules.assets import case_outcomes, quarter_case_outcomes, rule_assets, rule_catalogue
from pipelines.timeline.assets import timeline_assets
from pipelines.validate.assets import validated_assets
from sample_data import SAMPLE_DATA_DIR

STAGES = {
    "ingest": raw_assets,
    "validate": [*validated_assets, data_quality_summary],
    "timeline": timeline_assets,
    "rules": [rule_catalogue, *rule_assets, case_outcomes],
    "measures": [measures, descriptive_figures, disclosed_measures, field_completeness],
    "reports": report_assets,
}
ALL_ASSETS = [asset for assets in STAGES.values() for asset in assets]
# Partitioned by reporting quarter: one quarter's slice of the rules, measures and report stages.
QUARTERLY_ASSETS = [quarter_case_outcomes, quarter_measures, quarterly_report]
# The stage of every asset and of every step (a multi-asset such as `rules` is one step of many assets).
STAGE_OF_ASSET = {name: asset.group_names_by_key[key] for asset in [*ALL_ASSETS, *QUARTERLY_ASSETS]
                  for key in asset.keys for name in (key.to_user_string(), asset.node_def.name)}

# One DuckDB file has one writer: steps run one after another in the run's process.
audit_job = dg.define_asset_job(
    "audit", selection=dg.AssetSelection.assets(*ALL_ASSETS), executor_def=dg.in_process_executor,
    description="The whole audit: extract to dashboard, published to OUT_DIR only if every step succeeds.")
validate_job = dg.define_asset_job(
    "validate", selection=dg.AssetSelection.groups("ingest", "validate"), executor_def=dg.in_process_executor,
    description="Ingest and validate only: refusals, quarantined rows and row reconciliation.")
quarterly_audit = quarterly_job(dg.AssetSelection.assets(*ALL_ASSETS, *QUARTERLY_ASSETS))
quarterly_audit_schedule = quarterly_schedule(quarterly_audit)


def default_resources(input_dir: str | None = None, output_dir: str | None = None,
                      config_file: str | None = None) -> dict:
    """Resources for the UI and the schedule, from ABC_AUDIT_* environment variables or defaults."""
    input_dir = input_dir or os.environ.get("ABC_AUDIT_INPUT", str(SAMPLE_DATA_DIR))
    output_dir = output_dir or os.environ.get("ABC_AUDIT_OUTPUT", "out")
    config_file = config_file or os.environ.get("ABC_AUDIT_CONFIG") or None
    settings = AuditSettings(input_dir=input_dir, output_dir=output_dir, config_file=config_file)
    run = settings.config.section("run")
    database = AuditDatabase(path=str(work_dir_for(output_dir) / "audit.duckdb"),
                             memory_limit=run["duckdb_memory_limit"], threads=run["duckdb_threads"])
    return {"audit": settings, "duckdb": database}


extract_inbox = inbox_sensor(audit_job, default_resources()["audit"])

defs = dg.Definitions(
    assets=[*ALL_ASSETS, *QUARTERLY_ASSETS],
    jobs=[audit_job, validate_job, quarterly_audit],
    schedules=[quarterly_audit_schedule],
    sensors=[extract_inbox],
    resources=default_resources(),
)
