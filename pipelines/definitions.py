"""The audit's Dagster definitions: every asset grouped by stage, resources, checks, job, schedule.

Data flows one way: ingest -> validate -> timeline -> rules -> measures -> reports.
`abc-audit run`, the schedule and the Dagster UI (`make dev`) all run this same graph.
"""
import dagster as dg

from pipelines.automation import inbox_sensor, quarterly_job, quarterly_schedule
from pipelines.validate.data_quality_summary import data_quality_summary
from pipelines.ingest.assets import raw_assets
from pipelines.measures.assets import measure_assets, quarter_measures
from pipelines.reports.assets import report_assets
from pipelines.reports.quarterly import quarterly_report
from pipelines.resources import default_resources  # noqa: F401  (the CLI's and the tests' too)
from pipelines.rules.assets import quarter_case_outcomes, rule_assets
from pipelines.timeline.assets import timeline_assets
from pipelines.validate.assets import validated_assets

STAGES = {
    "ingest": raw_assets,
    "validate": [*validated_assets, data_quality_summary],
    "timeline": timeline_assets,
    "rules": rule_assets,
    "measures": measure_assets,
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


# Importing this module reads no configuration (a bad ABC_AUDIT_CONFIG must not stop `abc-audit validate
# --config good.yaml`, which builds resources of its own): the resources read the configuration file
# when a run first uses them, and the sensor takes its settings from the environment when it runs.
extract_inbox = inbox_sensor(audit_job, lambda: default_resources()["audit"])

defs = dg.Definitions(
    assets=[*ALL_ASSETS, *QUARTERLY_ASSETS],
    jobs=[audit_job, validate_job, quarterly_audit],
    schedules=[quarterly_audit_schedule],
    sensors=[extract_inbox],
    resources=default_resources(),
)
