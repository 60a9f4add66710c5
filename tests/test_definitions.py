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


def test_assets_report_what_the_ui_shows(tmp_path):
    """Issue 5: row counts, quarantined rows, each rule's outcomes and adherence, a markdown table of
    national adherence, and the dashboard path, in the materialisations' metadata."""
    from tests.conftest import run_audit
    from tests.extract_builder import Extract

    x = Extract()
    x.patient("P1").metastatic().pathology().care(5, "mdt_discussion")
    x.patient("P2").metastatic().pathology()
    x.patient("P3", sex="femme").metastatic()  # quarantined
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, reports=True)
    result = run.result
    assert result.success

    def metadata(asset: str) -> dict:
        materialization = next(m for m in result.get_asset_materialization_events()
                               if m.asset_key == dg.AssetKey(asset))
        return {k: v.value for k, v in materialization.materialization.metadata.items()}

    patients = metadata("validated_patients")
    assert (patients["rows_read"], patients["rows_accepted"], patients["rows_quarantined"]) == (3, 2, 1)
    qs12_5 = metadata("rule_qs12_5")
    assert (qs12_5["adherent"], qs12_5["non_adherent"], qs12_5["adherence"]) == (1, 1, 0.5)
    table = metadata("measures")["national_adherence"]
    assert "| QS12-5 |" in table and "50.0%" in table
    assert metadata("dashboard")["dashboard"] == str(run.output.resolve() / "dashboard.html")
    assert metadata("published_audit")["output"] == str(run.output.resolve())
