"""When the audit runs by itself: every quarter for the last complete quarter, and whenever a new
extract lands in the inbox.

An extract folder in the inbox counts as complete when it holds a `READY` marker file (written last
by the sender), so a half-copied extract is never audited. Each delivery is audited once; writing the
marker again (after fixing a refused extract, say) delivers the folder again.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from pipelines import run_lock
from pipelines.partitions import REPORTING_QUARTERS
from pipelines.resources import AuditSettings

READY_MARKER = "READY"
ACTIVE = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
          dg.DagsterRunStatus.STARTED]


def quarterly_job(selection: dg.AssetSelection) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        "quarterly_audit", selection=selection, partitions_def=REPORTING_QUARTERS,
        executor_def=dg.in_process_executor,
        description="The whole audit plus the reporting quarter's report (quarters/<quarter>/).")


def quarterly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """At the start of each quarter, audit the quarter that has just ended (the last complete one)."""
    return dg.build_schedule_from_partitioned_job(job, name="quarterly_audit_schedule")


def ready_extracts(inbox: Path) -> list[Path]:
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_dir() and (p / READY_MARKER).is_file())


def delivery(extract: Path) -> str:
    """An extract folder and when it was marked ready: a sender who fixes an extract and writes its
    READY marker again gets it audited again; an unchanged folder is audited once."""
    return f"{extract.name}@{(extract / READY_MARKER).stat().st_mtime_ns}"


def inbox_sensor(job: dg.UnresolvedAssetJobDefinition,
                 settings: AuditSettings | Callable[[], AuditSettings]) -> dg.SensorDefinition:
    """`settings` gives the output folder and configuration of the runs (the definitions' own); a
    function giving them is called at each evaluation, so that defining the sensor reads nothing."""
    settings_now = (lambda: settings) if isinstance(settings, AuditSettings) else settings

    @dg.sensor(name="extract_inbox", job=job, minimum_interval_seconds=60,
               description="Audits each new extract folder in $ABC_AUDIT_INBOX (default inbox/) once it holds "
                           "a READY marker; one at a time, oldest name first.")
    def extract_inbox(context: dg.SensorEvaluationContext):
        inbox = Path(os.environ.get("ABC_AUDIT_INBOX", "inbox"))
        settings = settings_now()
        audited = set(json.loads(context.cursor)) if context.cursor else set()
        waiting = [p for p in ready_extracts(inbox) if delivery(p) not in audited]
        if not waiting:
            return dg.SkipReason(f"no new extract with a {READY_MARKER} marker in {inbox}")
        # Every run of these definitions (audit, quarterly, validate, a backfill) shares the DuckDB
        # file, and a terminal's `abc-audit run` may hold the output's lock: start the next delivery
        # only when nothing else runs, so that it is never refused by the lock after its cursor moved.
        if context.instance.get_run_records(dg.RunsFilter(statuses=ACTIVE), limit=1):
            return dg.SkipReason(f"{len(waiting)} extract(s) waiting for the current run to finish")
        if run_lock.is_held_elsewhere(settings.work_path):
            return dg.SkipReason(f"{len(waiting)} extract(s) waiting: another audit run holds {settings.output_dir}")
        extract = waiting[0]
        context.update_cursor(json.dumps(sorted(audited | {delivery(extract)})))
        return dg.RunRequest(
            run_key=delivery(extract), tags={"abc_audit/extract": extract.name},
            # run config replaces the resource's whole config: keep its output folder and configuration
            run_config={"resources": {"audit": {"config": {
                "input_dir": str(extract.resolve()), "output_dir": settings.output_dir,
                "config_file": settings.config_file, "catalogue": settings.catalogue}}}})

    return extract_inbox
