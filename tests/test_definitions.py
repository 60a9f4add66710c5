"""The Dagster definitions load as `make dev` and the schedule see them: stages, job, checks."""
import dagster as dg

from pipelines.definitions import STAGE_OF_ASSET, defs


def test_definitions_load_with_every_stage_and_the_audit_job():
    job = defs.resolve_job_def("audit")
    assert job.executor_def is dg.in_process_executor
    assert set(STAGE_OF_ASSET.values()) == {"ingest", "validate", "timeline", "rules", "measures", "reports"}
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("published_audit") in graph.get_all_asset_keys()
    checks = {key.name for key in graph.asset_check_keys}
    assert {"contract_suite", "rows_reconcile"} <= checks


def test_automation_is_defined():
    assert defs.resolve_schedule_def("quarterly_audit_schedule").cron_schedule == "0 0 1 1,4,7,10 *"
    assert defs.resolve_sensor_def("extract_inbox").job_name == "audit"


def test_lineage_follows_the_sql(tmp_path):
    graph = defs.resolve_asset_graph()
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey("rule_1_3_1")).parent_keys}
    assert {"patient_timeline", "ovarian_suppression", "treatment_decisions", "patient_cohort",
            "rule_catalogue"} <= parents
