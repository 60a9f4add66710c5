"""The audit runs by itself: the quarterly schedule (last complete quarter), a quarterly partition,
and the inbox sensor (a new extract folder with a READY marker), with Dagster's test utilities."""
import csv
import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

from pipelines.automation import inbox_sensor
from pipelines.definitions import (ALL_ASSETS, QUARTERLY_ASSETS, audit_job, default_resources, defs,
                                  quarterly_audit, validate_job)
from pipelines.partitions import REPORTING_QUARTERS, quarter_label
from tests.extract_builder import Extract


def _small_extract(folder):
    x = Extract()
    x.patient("P1").metastatic().pathology().care(5, "mdt_discussion")
    x.patient("P2", provider_code="RBB").metastatic(offset=120).pathology()
    return x.write(folder)


def test_schedule_audits_the_last_complete_quarter():
    schedule = defs.resolve_schedule_def("quarterly_audit_schedule")
    assert schedule.job_name == "quarterly_audit"
    tick = dt.datetime(2025, 10, 1, 0, 0, tzinfo=ZoneInfo("Europe/London"))
    context = dg.build_schedule_context(instance=dg.DagsterInstance.ephemeral(), scheduled_execution_time=tick)
    requests = schedule.evaluate_tick(context).run_requests
    assert [quarter_label(r.partition_key) for r in requests] == ["2025Q3"]


def test_quarterly_partitions_of_rules_measures_and_report(tmp_path):
    resources = default_resources(str(_small_extract(tmp_path / "extract")), str(tmp_path / "out"))
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([*ALL_ASSETS, *QUARTERLY_ASSETS], resources=resources, partition_key="2024-01-01",
                            instance=instance, raise_on_error=False)
    assert result.success
    quarter = tmp_path / "out" / "quarters" / "2024Q1"
    with (quarter / "measures.csv").open() as handle:
        periods = {r["period"] for r in csv.DictReader(handle)}
    assert periods == {"2024Q1"}
    with (quarter / "case_outcomes.csv").open() as handle:
        assert {r["patient_id"] for r in csv.DictReader(handle)} == {"P1"}  # P2's index is in 2024Q2
    assert (tmp_path / "out" / "measures.csv").exists()  # the full audit is published beside it
    metadata = result.asset_materializations_for_node("quarter_measures")[0].metadata
    assert metadata["quarter"].value == "2024Q1" and "QS12-5" in metadata["national_adherence"].value

    # The next quarter is added beside the first in the partitioned tables.
    result = dg.materialize([*ALL_ASSETS, *QUARTERLY_ASSETS], resources=resources, partition_key="2024-04-01",
                            instance=instance, raise_on_error=False)
    assert result.success
    with duckdb.connect(resources["duckdb"].path, read_only=True) as con:
        by_quarter = dict(con.execute("""select period, list(distinct patient_id order by patient_id)
            from rules.quarter_case_outcomes group by period""").fetchall())
        measure_periods = {p for (p,) in con.execute("select distinct period from measures.quarter_measures").fetchall()}
    assert by_quarter == {"2024Q1": ["P1"], "2024Q2": ["P2"]}
    assert measure_periods == {"2024Q1", "2024Q2"}
    keys = instance.get_materialized_partitions(dg.AssetKey("quarter_case_outcomes"))
    assert keys == {"2024-01-01", "2024-04-01"}
    # ...and in the published output: reporting 2024Q2 does not unpublish 2024Q1, nor does a full audit.
    quarters = tmp_path / "out" / "quarters"
    assert sorted(q.name for q in quarters.iterdir()) == ["2024Q1", "2024Q2"]
    first_quarter = (quarters / "2024Q1" / "measures.csv").read_bytes()
    result = dg.materialize(ALL_ASSETS, resources=resources, instance=instance, raise_on_error=False)
    assert result.success
    assert sorted(q.name for q in quarters.iterdir()) == ["2024Q1", "2024Q2"]
    assert (quarters / "2024Q1" / "measures.csv").read_bytes() == first_quarter
    manifest = json.loads((tmp_path / "out" / "run_manifest.json").read_text())
    assert manifest["quarters_kept_from_previous_output"] == ["2024Q1", "2024Q2"]


def test_inbox_sensor_waits_for_the_ready_marker_and_audits_each_extract_once(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _small_extract(inbox / "2025-10-extract")
    _small_extract(inbox / "2025-11-half-copied")  # no READY marker yet
    monkeypatch.setenv("ABC_AUDIT_INBOX", str(inbox))
    instance = dg.DagsterInstance.ephemeral()
    resources = default_resources(output_dir=str(tmp_path / "out"))
    extract_inbox = inbox_sensor(audit_job, resources["audit"])

    def evaluate(cursor=None):
        context = dg.build_sensor_context(instance=instance, cursor=cursor)
        return context, extract_inbox(context)

    assert isinstance(evaluate()[1], dg.SkipReason)
    (inbox / "2025-10-extract" / "READY").touch()
    context, request = evaluate()
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("2025-10-extract@")
    first_delivery = request.run_key
    assert request.run_config["resources"]["audit"]["config"]["input_dir"] == str((inbox / "2025-10-extract").resolve())
    assert isinstance(evaluate(context.cursor)[1], dg.SkipReason)

    # the run the sensor asks for audits that folder and publishes to the configured output
    job = dg.Definitions(assets=ALL_ASSETS, jobs=[audit_job], resources=resources).resolve_job_def("audit")
    result = job.execute_in_process(run_config=request.run_config, instance=instance, raise_on_error=False)
    assert result.success
    with (tmp_path / "out" / "case_outcomes.csv").open() as handle:
        assert {r["patient_id"] for r in csv.DictReader(handle)} == {"P1", "P2"}

    # writing the marker again (the sender fixed the extract) delivers the folder again, once
    marker = inbox / "2025-10-extract" / "READY"
    os.utime(marker, ns=(marker.stat().st_atime_ns, marker.stat().st_mtime_ns + 1_000_000_000))
    again, request = evaluate(context.cursor)
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("2025-10-extract@")
    assert request.run_key != first_delivery
    assert isinstance(evaluate(again.cursor)[1], dg.SkipReason)


def test_every_quarter_of_the_sample_can_be_reported_as_a_partition(sample_output):
    with (sample_output / "measures.csv").open() as handle:
        periods = {r["period"] for r in csv.DictReader(handle)} - {"all"}
    quarters = {quarter_label(key) for key in REPORTING_QUARTERS.get_partition_keys()}
    assert periods and periods <= quarters, sorted(periods - quarters)


def test_inbox_sensor_waits_while_any_run_is_active_or_another_process_holds_the_output(tmp_path, monkeypatch):
    import subprocess
    import sys

    inbox = tmp_path / "inbox"
    _small_extract(inbox / "2025-12-extract")
    (inbox / "2025-12-extract" / "READY").touch()
    monkeypatch.setenv("ABC_AUDIT_INBOX", str(inbox))
    instance = dg.DagsterInstance.ephemeral()
    resources = default_resources(output_dir=str(tmp_path / "out"))
    extract_inbox = inbox_sensor(audit_job, resources["audit"])

    # a run of another job is under way (a validation, say): it shares the database and the lock
    active = instance.create_run_for_job(
        dg.Definitions(assets=ALL_ASSETS, jobs=[validate_job], resources=resources).resolve_job_def("validate"),
        status=dg.DagsterRunStatus.STARTED)
    assert active.job_name == "validate"
    context = dg.build_sensor_context(instance=instance)
    skipped = extract_inbox(context)
    assert isinstance(skipped, dg.SkipReason) and "waiting for the current run" in skipped.skip_message
    assert context.cursor is None  # the delivery is still to be audited
    instance.report_run_canceled(active)

    # an `abc-audit run` in a terminal holds the output folder's lock
    work = resources["audit"].work_path
    work.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from pipelines import run_lock; "
        f"run_lock.acquire(Path({str(work)!r})); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        skipped = extract_inbox(dg.build_sensor_context(instance=instance))
        assert isinstance(skipped, dg.SkipReason) and "holds" in skipped.skip_message
    finally:
        holder.kill()
        holder.wait()
    request = extract_inbox(dg.build_sensor_context(instance=instance))
    assert isinstance(request, dg.RunRequest)


def test_a_backfill_of_several_quarters_is_one_run(tmp_path):
    partitioned = {key: asset.backfill_policy for asset in QUARTERLY_ASSETS for key in asset.keys}
    assert all(policy == dg.BackfillPolicy.single_run() for policy in partitioned.values())
    resources = default_resources(str(_small_extract(tmp_path / "extract")), str(tmp_path / "out"))
    result = dg.Definitions(assets=[*ALL_ASSETS, *QUARTERLY_ASSETS], jobs=[quarterly_audit], resources=resources) \
        .resolve_job_def("quarterly_audit").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
            tags={"dagster/asset_partition_range_start": "2024-01-01",
                  "dagster/asset_partition_range_end": "2024-04-01"})
    assert result.success
    quarters = tmp_path / "out" / "quarters"
    assert sorted(q.name for q in quarters.iterdir()) == ["2024Q1", "2024Q2"]
    with (quarters / "2024Q2" / "case_outcomes.csv").open() as handle:
        assert {r["patient_id"] for r in csv.DictReader(handle)} == {"P2"}
    metadata = result.asset_materializations_for_node("quarter_measures")
    assert {m.partition for m in metadata} == {"2024-01-01", "2024-04-01"}


def test_a_quarter_replaced_keeps_the_others_matched_by_column_name(tmp_path):
    """The partitioned tables keep earlier quarters when one is replaced; a column the SQL file gained
    since (here: one the earlier quarters' table lacks) is NULL in them, never shifted onto another."""
    from pipelines.partitions import replace_partition
    con = duckdb.connect(str(tmp_path / "audit.duckdb"))
    con.execute("create schema rules")
    con.execute("create table rules.catalogue as select '1.3.1' as rule_id, 1 as rule_order")
    con.execute("""create table rules.case_outcomes as select * from (values
        ('1.3.1', 'P1', 'u1', '2025Q1', 'adherent'), ('1.3.1', 'P2', 'u2', '2025Q2', 'non_adherent'))
        t(rule_id, patient_id, unit_id, period, outcome)""")
    for quarter in ("2025Q1", "2025Q2"):
        assert replace_partition(con, "rules.quarter_case_outcomes", "outcomes/quarter_case_outcomes.sql", quarter) == 1
    con.execute("alter table rules.quarter_case_outcomes drop column outcome")  # made before `outcome` existed
    con.execute("update rules.case_outcomes set outcome = 'excluded' where period = '2025Q2'")
    assert replace_partition(con, "rules.quarter_case_outcomes", "outcomes/quarter_case_outcomes.sql", "2025Q2") == 1
    assert con.execute("select patient_id, period, outcome from rules.quarter_case_outcomes order by period").fetchall() == [
        ("P1", "2025Q1", None), ("P2", "2025Q2", "excluded")]
