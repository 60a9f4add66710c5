"""Case lists and measures for the people who act on them, as CSV: each provider's own cases for its
quality team (not disclosure-controlled: only its own patients), and each ICB's disclosure-
controlled measures for commissioners (measures.disclosed_measures). The same lists as workbooks:
pipelines/reports/workbooks.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.reports.files import copy_csv

SAFE_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
PROVIDER_CASES_CSV = "non_adherent_cases.csv"
# What a quality team needs to return a review (pipelines/ingest/reviews.py reads them back): the rule
# version and evidence hash tell a stale review from a current one; the last three are the team's to
# fill (an applied review of an earlier round is filled in already).
REVIEW_COLUMNS = "rule_version, evidence_sha256, review_verdict, review_reason, reviewed_by_role"
ICB_MEASURES_CSV = "measures.csv"


def _checked(code: str, what: str) -> str:
    if not SAFE_CODE.match(code):
        raise ValueError(f"{what} code {code!r} is not an ODS code; refusing to use it in a path")
    return code  # safe as a literal and a folder name


def export_case_rows(con: duckdb.DuckDBPyConnection) -> int:
    """temp.export_cases: every provider's non-adherent and insufficient-data cases, sorted once by
    provider (so that each provider's list is a short scan of it, not of every outcome)."""
    con.execute("""create or replace temp table export_cases as
        select o.provider_code, c.rule_order, o.rule_id, c.title as rule_title, c.guideline_text,
            o.patient_id, o.unit_id, c.unit, o.period, o.index_date, o.unit_date, o.outcome, o.reason_code,
            o.reason, o.evidence, c.version::varchar as rule_version, sha256(o.evidence) as evidence_sha256,
            r.review_verdict, r.review_reason, r.reviewed_by_role
        from rules.case_outcomes o join rules.catalogue c using (rule_id)
            left join rules.case_reviews r on r.review_status = 'applied' and r.rule_id = o.rule_id
                and r.patient_id = o.patient_id and r.unit_id = o.unit_id
        where o.provider_code is not null and o.outcome in ('non_adherent', 'insufficient_data')
        order by o.provider_code, c.rule_order, o.outcome, o.patient_id, o.unit_id""")
    return con.execute("select count(*) from export_cases").fetchone()[0]


def export_case_count(con: duckdb.DuckDBPyConnection) -> int:
    """The rows of temp.export_cases, built first when this connection has not built it."""
    built = con.execute("select count(*) from duckdb_tables() where temporary and table_name = 'export_cases'").fetchone()[0]
    return con.execute("select count(*) from export_cases").fetchone()[0] if built else export_case_rows(con)


def write_provider_exports(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """exports/<provider>/non_adherent_cases.csv: that provider's cases, for its quality team only, with
    the review columns it fills in and returns (`abc-audit run --reviews`). Needs export_case_rows(con) first."""
    providers = [p for (p,) in con.execute(
        "select distinct provider_code from rules.case_outcomes where provider_code is not null order by 1").fetchall()]
    return {provider: copy_csv(con, f"""select rule_id, rule_title, guideline_text, patient_id, unit_id, unit, period,
                index_date, unit_date, outcome, reason_code, reason, evidence, provider_code, {REVIEW_COLUMNS}
            from export_cases where provider_code = '{_checked(provider, "provider")}'
            order by rule_order, outcome, patient_id, unit_id""", folder / "exports" / provider / PROVIDER_CASES_CSV)
            for provider in providers}


def write_icb_exports(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """exports/icb/<ICB>/measures.csv: national, that ICB and its providers, disclosure-controlled.

    Patients without an ICB are counted in the national rows and in group `unknown` of measures.csv;
    no commissioner owns them, so they get no ICB export."""
    con.execute("""create or replace temp table icb_providers as
        select distinct icb_code, provider_code from rules.case_outcomes where icb_code is not null""")
    con.execute("""create or replace temp table export_measures as
        select d.rule_id, c.title, d.level, d."group", d.period, d.numerator, d.denominator, d.excluded,
            d.insufficient_data, d.adherence, d.ci_low, d.ci_high, d.target, d.target_met, d.suppressed,
            c.rule_order, list_position(['national', 'icb', 'provider'], d.level) as level_order
        from measures.disclosed_measures d join rules.catalogue c using (rule_id)""")
    written = {}
    for (icb,) in con.execute("select distinct icb_code from icb_providers order by 1").fetchall():
        written[icb] = copy_csv(con, f"""select * exclude (rule_order, level_order) from export_measures
            where level = 'national' or (level = 'icb' and "group" = '{_checked(icb, "ICB")}')
               or (level = 'provider' and "group" in (select provider_code from icb_providers where icb_code = '{icb}'))
            order by rule_order, level_order, "group", period = 'all' desc, period""",
                                folder / "exports" / "icb" / icb / ICB_MEASURES_CSV)
    return written
