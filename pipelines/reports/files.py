"""Writes the audit's tables to files with DuckDB (streamed, ordered, byte-identical across reruns)."""
from __future__ import annotations

from pathlib import Path

import duckdb

CASE_OUTCOME_COLUMNS = ["rule_id", "patient_id", "unit_id", "provider_code", "icb_code", "period", "index_date",
                        "unit_date", "outcome", "reason_code", "reason", "evidence"]
MEASURE_COLUMNS = ["rule_id", "level", "group", "period", "numerator", "denominator", "excluded",
                   "insufficient_data", "adherence", "ci_low", "ci_high", "target", "target_met", "suppressed"]
# In a run given reviews (abc-audit run --reviews): the automated outcome stays, the review is beside it
CASE_REVIEW_COLUMNS = ["review_verdict", "review_reason", "reviewed_by_role", "review_status"]
# ... and each measure after review (a justified deviation an exception, a data error out of the measure)
MEASURE_REVIEW_COLUMNS = ["numerator_after_review", "denominator_after_review", "adherence_after_review",
                          "ci_low_after_review", "ci_high_after_review", "non_adherent_reviewed_share"]


def run_has_reviews(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the run was given review files (bookkeeping.review_files, written by the ingest step)."""
    exists = con.execute("""select count(*) from duckdb_tables()
        where schema_name = 'bookkeeping' and table_name = 'review_files'""").fetchone()[0]
    return bool(exists) and con.execute("select count(*) from bookkeeping.review_files").fetchone()[0] > 0


def _select_list(alias: str, columns: list[str]) -> str:
    return ", ".join(f'{alias}."{c}"' for c in columns)


def copy_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write a query's rows as CSV; the query must carry its own total `order by`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    literal = str(path).replace("'", "''")
    return con.execute(f"copy ({query}) to '{literal}' (format csv, header true)").fetchone()[0]  # rows written


def write_case_outcomes(con, folder: Path) -> int:
    """case_outcomes.parquet for analysts at scale, sorted once, and the same rows as case_outcomes.csv
    read back from it in its order (sorting ~17M rows of text twice would cost a minute at 1M patients)."""
    reviews = ""
    if run_has_reviews(con):  # applied and stale reviews beside the automated outcome
        reviews = ", " + _select_list("r", CASE_REVIEW_COLUMNS)
    query = f"""select {_select_list("o", CASE_OUTCOME_COLUMNS)}{reviews} from rules.case_outcomes o
        join rules.catalogue c using (rule_id)
        left join (select * from rules.case_reviews where review_status <> 'unmatched') r
            using (rule_id, patient_id, unit_id)
        order by c.rule_order, patient_id, unit_id"""
    parquet = folder / "case_outcomes.parquet"
    literal = str(parquet).replace("'", "''")
    folder.mkdir(parents=True, exist_ok=True)
    # one row group size and codec fixed, so reruns give the same bytes whatever the thread count
    con.execute(f"copy ({query}) to '{literal}' (format parquet, compression zstd, row_group_size 122880)")
    # a Parquet file is read back in its own order (insertion order is preserved)
    return copy_csv(con, f"select * from read_parquet('{literal}')", folder / "case_outcomes.csv")


def write_measures(con, folder: Path) -> int:
    after_review = ""
    if run_has_reviews(con):
        after_review = """, a.numerator as numerator_after_review, a.denominator as denominator_after_review,
            a.adherence as adherence_after_review, a.ci_low as ci_low_after_review, a.ci_high as ci_high_after_review,
            round(m.reviewed_non_adherent / nullif(m.denominator - m.numerator, 0), 4) as non_adherent_reviewed_share"""
    return copy_csv(con, f"""select {_select_list("m", MEASURE_COLUMNS)}{after_review} from measures.measures m
        join rules.catalogue c using (rule_id)
        left join measures.measures_after_review a using (rule_id, level, "group", period)
        order by c.rule_order, list_position(['national', 'icb', 'provider'], m.level), m."group",
                 m.period = 'all' desc, m.period""", folder / "measures.csv")


def write_review_files(con, dq: Path) -> dict[str, int]:
    """data_quality/reviews.csv (every returned review: applied, stale with why, or unmatched) and
    review_data_errors.csv (the cases a team found to be data errors, to correct at source)."""
    if not run_has_reviews(con):
        return {}
    return {
        "reviews.csv": copy_csv(con, """select file_name, location, rule_id, patient_id, unit_id, provider_code,
                outcome, review_verdict, review_reason, reviewed_by_role, review_status, status_reason
                from rules.case_reviews order by file_name, file_row""", dq / "reviews.csv"),
        "review_data_errors.csv": copy_csv(con, """select r.provider_code, r.rule_id, r.patient_id, r.unit_id,
                o.reason_code, o.reason, r.review_reason, r.reviewed_by_role, r.file_name, r.location
                from rules.case_reviews r join rules.case_outcomes o using (rule_id, patient_id, unit_id)
                where r.review_status = 'applied' and r.review_verdict = 'data_error'
                order by r.provider_code, r.rule_id, r.patient_id, r.unit_id""", dq / "review_data_errors.csv"),
    }


def _checked_quarter(quarter: str) -> str:
    """A label like 2025Q3, checked so that it is safe as a SQL literal."""
    if not (len(quarter) == 6 and quarter[:4].isdigit() and quarter[4] == "Q" and quarter[5] in "1234"):
        raise ValueError(f"not a quarter label: {quarter!r}")
    return quarter


def quarter_case_outcomes_query(quarter: str) -> str:
    quarter = _checked_quarter(quarter)
    return f"""select {_select_list("o", CASE_OUTCOME_COLUMNS)} from rules.quarter_case_outcomes o
        join rules.catalogue c using (rule_id) where o.period = '{quarter}'
        order by c.rule_order, patient_id, unit_id"""


def quarter_measures_query(quarter: str) -> str:
    quarter = _checked_quarter(quarter)
    return f"""select {_select_list("m", MEASURE_COLUMNS)} from measures.quarter_measures m
        join rules.catalogue c using (rule_id) where m.period = '{quarter}'
        order by c.rule_order, list_position(['national', 'icb', 'provider'], level), "group"
    """


def write_descriptive_figures(con, folder: Path) -> int:
    return copy_csv(con, """select f.* from measures.descriptive_figures f join rules.catalogue c using (rule_id)
        order by c.rule_order, list_position(['national', 'icb', 'provider'], level), "group",
                 period = 'all' desc, period""", folder / "descriptive_figures.csv")


def write_data_quality(con, folder: Path) -> dict[str, int]:
    """Validation results, quarantined rows with reasons, unrecognised codes and drug names."""
    dq = folder / "data_quality"
    return {
        **write_validation_report(con, dq),
        "drug_names.csv": copy_csv(con, """select recorded_name, drug, match_method, unrecognised_parts, rows
                from timeline.drug_name_map order by recorded_name, drug nulls first""", dq / "drug_names.csv"),
        **write_review_files(con, dq),
    }


def write_validation_report(con, dq: Path) -> dict[str, int]:
    """What validation found (also written alone by `abc-audit validate`)."""
    return {
        "quarantine.csv": copy_csv(con, """select table_name, source_row, source_line, column_name, check_name,
                action, reason, value from validated.quarantine
                order by table_name, source_row nulls last, source_line, column_name, check_name""",
                                   dq / "quarantine.csv"),
        "validation_results.csv": copy_csv(con, """select table_name, check_name, column_name, expectation_type,
                reason, rows_evaluated, rows_failed, success from bookkeeping.validation_results
                order by table_name, check_name""", dq / "validation_results.csv"),
        "row_reconciliation.csv": copy_csv(con, """select table_name, rows_read, rows_accepted, rows_quarantined,
                rows_rejected_by_parser, rows_read = rows_accepted + rows_quarantined as reconciles
                from bookkeeping.row_reconciliation order by table_name""", dq / "row_reconciliation.csv"),
        "unrecognised_codes.csv": copy_csv(con, """select table_name, column_name, value, count(*) as rows, reason
                from validated.quarantine
                where check_name like '%.code' or check_name like '%.codes' or check_name like '%.boolean'
                group by all
                union all  -- codes of a national-format extract outside the adapter's code lists
                select table_name, column_name, value, rows, reason from bookkeeping.national_unrecognised_codes
                order by table_name, column_name, value""", dq / "unrecognised_codes.csv"),
        # a national-format run: where every row of the national tables went (empty otherwise)
        "national_rows.csv": copy_csv(con, """select table_name, disposition, reason, rows
                from bookkeeping.national_rows order by table_name, disposition, reason nulls first""",
                                      dq / "national_rows.csv"),
    }
