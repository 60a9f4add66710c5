"""run_manifest.json: what was audited, with what, and where every input row went."""
from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from audit_rules.catalogue import Catalogue
from pipelines.config import AuditConfig
from pipelines.ingest.national.coverage import national_coverage
from pipelines.reports.files import run_has_reviews
from pipelines.validate.data_quality_summary import rules_not_judged, stored_warnings


def software_version() -> str:
    try:
        return version("abc-audit")
    except PackageNotFoundError:
        return "unknown"


def _records(con: duckdb.DuckDBPyConnection, query: str) -> list[dict]:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def build_manifest(con, config: AuditConfig, catalogue: Catalogue, input_dir: Path,
                   stage_timings: dict[str, float], started_at: str) -> dict:
    inputs = _records(con, """select table_name as "table", file_name as file, file_format as format, sha256,
        rows_parsed + rows_rejected as rows_read, ignored_columns from bookkeeping.input_files order by table_name""")
    reconciliation = _records(con, """select table_name as "table", rows_read, rows_accepted, rows_quarantined,
        rows_rejected_by_parser, rows_read = rows_accepted + rows_quarantined as reconciles
        from bookkeeping.row_reconciliation order by table_name""")
    cohort = con.execute("""select (select count(*) from validated.patients),
        (select count(*) from timeline.patient_cohort)""").fetchone()
    follow_up_end, follow_up_basis = con.execute("select follow_up_end, basis from timeline.follow_up").fetchone()
    ignored_files = [name for (name,) in con.execute(
        "select file_name from bookkeeping.ignored_files order by file_name").fetchall()]
    outcomes = _records(con, """select rule_id, outcome, count(*) as units from rules.case_outcomes
        group by all order by rule_id, outcome""")
    workbooks = _records(con, "select * from bookkeeping.workbooks") if con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'bookkeeping' and table_name = 'workbooks'"
    ).fetchone()[0] else []
    national = _national_input(con)
    reviews = _reviews(con)
    return {
        "software": {"name": "abc-audit", "version": software_version()},
        "guideline": {"name": catalogue.guideline, "version": catalogue.guideline_version,
                      "quality_standard": catalogue.quality_standard},
        "rule_catalogue": {"name": catalogue.name, "version": catalogue.version,
                           "rules": {r.id: {"status": r.status, "version": r.version} for r in catalogue.rules}},
        "configuration": {"source": config.source, "values": config.as_manifest()},
        "extract": {"folder": str(input_dir), "format": "national" if national else "canonical", "inputs": inputs, "ignored_files": ignored_files,
                    "follow_up_end": follow_up_end.isoformat() if follow_up_end else None,
                    "follow_up_end_basis": follow_up_basis},
        "row_reconciliation": reconciliation,
        # a national-format run: the national files, where their rows went, what the datasets lack,
        # and which rules they can judge (pipelines/ingest/national/coverage.csv)
        **({"national_input": national} if national else {}),
        # each provider's review pack (exports/<provider>/review.html) and its size
        "review_pages": _records(con, """select provider_code as provider, bytes from bookkeeping.review_pages
            order by provider_code""") if _exists(con, "review_pages") else [],
        # a run given reviews: each file with its hash, and how many reviews were applied, stale, unmatched
        **({"reviews": reviews} if reviews else {}),
        # the same warnings as the terminal and the top of the dashboard (outputs.md "The command")
        "data_quality_warnings": [w.as_manifest() for w in stored_warnings(con)],
        # rules whose every unit is insufficient_data because a table they need was not supplied
        "rules_not_judged": rules_not_judged(con, catalogue.audited_rules),
        "cohort": {"patients_accepted": cohort[0], "patients_in_cohort": cohort[1],
                   "patients_without_metastatic_diagnosis": cohort[0] - cohort[1]},
        "outcomes": outcomes,
        "timings_seconds": stage_timings,
        # the Excel workbooks' own time (part of the reports stage's), or why they were left for
        # `abc-audit export-workbooks`
        "workbooks": workbooks[0] if workbooks else None,
        "started_at": started_at,
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _national_input(con) -> dict | None:
    files = _records(con, """select table_name as "table", file_name as file, sha256, rows_read, rows_rejected_by_parser,
        missing_columns as columns_not_in_file, ignored_columns from bookkeeping.national_files order by table_name""")
    if not any(f["file"] for f in files):
        return None
    return {
        "files": files,
        "rows": _records(con, """select table_name as "table", disposition, reason, rows
            from bookkeeping.national_rows order by table_name, disposition, reason nulls first"""),
        "tables_not_held": _records(con, 'select table_name as "table", reason from bookkeeping.source_gaps order by 1'),
        "coverage": [{"rule_id": c.rule_id, "coverage": c.coverage, "why": c.why} for c in national_coverage().values()],
    }


def _exists(con, table: str) -> bool:
    return bool(con.execute("""select count(*) from duckdb_tables()
        where schema_name = 'bookkeeping' and table_name = ?""", [table]).fetchone()[0])


def _reviews(con) -> dict | None:
    if not run_has_reviews(con):
        return None
    return {
        "files": _records(con, "select file_name as file, path, sha256, reviews from bookkeeping.review_files order by path"),
        "status": {status: n for status, n in con.execute(
            "select review_status, count(*) from rules.case_reviews group by all order by 1").fetchall()},
        "verdicts_applied": {verdict: n for verdict, n in con.execute("""select review_verdict, count(*)
            from rules.case_reviews where review_status = 'applied' group by all order by 1""").fetchall()},
    }


def write_manifest(manifest: dict, folder: Path) -> Path:
    path = folder / "run_manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    return path
