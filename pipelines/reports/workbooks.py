"""The case lists and ICB measures as Excel workbooks (exports/<provider>/non_adherent_cases.xlsx,
exports/icb/<ICB>/measures.xlsx), beside their CSV files.

xlsxwriter writes about 6,000 rows a second, so at national scale the workbooks cost more than the
rest of the audit: above `exports.workbook_max_rows` case rows in all, the run writes the CSV and
Parquet lists only, says so, and `abc-audit export-workbooks OUT` writes the workbooks afterwards,
from the published files (case_outcomes.parquet and the ICB measures CSV files), with the same bytes
a run would have written. Workbooks are byte-identical across reruns: xlsxwriter stamps the fixed
creation date below and fixed zip timestamps.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import duckdb
import xlsxwriter

from pipelines.ingest.reviews import VERDICTS
from pipelines.reports.provider_exports import ICB_MEASURES_CSV, PROVIDER_CASES_CSV, SAFE_CODE

FIXED_CREATED = dt.datetime(2000, 1, 1)  # not the run time: reruns must give identical bytes
CASE_COLUMNS = ["rule", "guideline text", "patient pseudonym", "unit", "unit type", "index date", "unit date",
                "period", "outcome", "reason code", "reason", "evidence", "provider", "rule version", "evidence sha256",
                "review verdict", "review reason", "reviewed by role"]
CASE_WIDTHS = [8, 50, 16, 14, 10, 12, 12, 9, 17, 24, 60, 60, 9, 8, 18, 20, 40, 16]
REVIEW_VERDICT_COLUMN = CASE_COLUMNS.index("review verdict")
ICB_MEASURE_COLUMNS = ["rule_id", "title", "level", "group", "period", "numerator", "denominator", "excluded",
                       "insufficient_data", "adherence", "ci_low", "ci_high", "target", "target_met", "suppressed"]
ICB_MEASURE_TYPES = {**{c: "VARCHAR" for c in ICB_MEASURE_COLUMNS[:9]}, **{c: "DOUBLE" for c in ICB_MEASURE_COLUMNS[9:13]},
                     "target_met": "BOOLEAN", "suppressed": "BOOLEAN"}
# Excel shows at most 1,048,576 rows a sheet (one is the header); xlsxwriter silently skips rows past it,
# so a rule with more cases continues on sheets "<rule> (2)", "<rule> (3)", ...
EXCEL_MAX_DATA_ROWS = 1_048_575
WORKBOOKS_TABLE = "bookkeeping.workbooks"


def _workbook(path: Path, streamed: bool = False) -> tuple[xlsxwriter.Workbook, dict]:
    """A workbook; `streamed` writes each sheet's rows to disk as they come (xlsxwriter's constant
    memory mode: rows in order, sheet by sheet), so a provider with 100,000 cases needs no more memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True} if streamed else {"in_memory": True})
    book.set_properties({"created": FIXED_CREATED, "author": "abc-audit"})
    formats = {"header": book.add_format({"bold": True, "bg_color": "#DDE6EE", "text_wrap": True, "valign": "top"}),
               "date": book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
               "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
               "title": book.add_format({"bold": True, "font_size": 14})}
    return book, formats


def _start_table(sheet, formats: dict, first_row: int, columns: list[str], row_count: int, widths: list[int]) -> None:
    sheet.write_row(first_row, 0, columns, formats["header"])
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    sheet.freeze_panes(first_row + 1, 0)
    sheet.autofilter(first_row, 0, first_row + max(row_count, 1), len(columns) - 1)


def _write_row(sheet, formats: dict, i: int, row: tuple) -> None:
    for j, value in enumerate(row):
        if isinstance(value, dt.date):
            sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), formats["date"])
        else:
            sheet.write(i, j, value, formats["wrap"])


def _table(sheet, formats: dict, first_row: int, columns: list[str], rows: list[tuple], widths: list[int]) -> None:
    _start_table(sheet, formats, first_row, columns, len(rows), widths)
    for i, row in enumerate(rows, start=first_row + 1):
        _write_row(sheet, formats, i, row)


# Both read temp.export_cases (pipelines/reports/provider_exports.py, or a view of
# case_outcomes.parquet when `abc-audit export-workbooks` writes them afterwards).
CASES_BY_RULE = """select rule_id, rule_title, count(*) filter (where outcome = 'non_adherent') as non_adherent,
        count(*) filter (where outcome = 'insufficient_data') as insufficient_data, count(*) as cases
    from export_cases where provider_code = $provider
    group by rule_id, rule_title, rule_order order by rule_order"""
PROVIDER_CASES = """select rule_id, guideline_text, patient_id, unit_id, unit, index_date, unit_date, period, outcome,
        reason_code, reason, evidence, provider_code, rule_version, evidence_sha256, review_verdict, review_reason,
        reviewed_by_role
    from export_cases where provider_code = $provider
    order by rule_order, outcome, patient_id, unit_id"""


def write_provider_workbook(con: duckdb.DuckDBPyConnection, provider: str, path: Path, guideline: str,
                            max_rows_per_sheet: int = EXCEL_MAX_DATA_ROWS) -> int:
    """Summary sheet, then one sheet per rule with this provider's non-adherent and insufficient-data cases
    (several sheets for a rule with more cases than a sheet holds). Cases are streamed from DuckDB."""
    rules = con.execute(CASES_BY_RULE, {"provider": provider}).fetchall()
    sheets = {rule_id: _sheet_names(rule_id, cases, max_rows_per_sheet) for rule_id, _, _, _, cases in rules}
    book, formats = _workbook(path, streamed=True)
    summary = book.add_worksheet("Summary")
    summary.write(0, 0, f"Non-adherent and insufficient-data cases of provider {provider}", formats["title"])
    summary.write(1, 0, f"{guideline}. Only this provider's patients; for its quality team, not for publication.")
    _table(summary, formats, 3, ["rule", "title", "non-adherent", "insufficient data", "sheets"],
           [(r, title, non, insufficient, ", ".join(name for name, _ in sheets[r]))
            for r, title, non, insufficient, _ in rules], [8, 70, 14, 18, 20])
    cursor = con.execute(PROVIDER_CASES, {"provider": provider})
    pending = iter([(name, rows) for r, *_ in rules for name, rows in sheets[r]])
    sheet, row_in_sheet, rows_in_sheet, written = None, 0, 0, 0
    while batch := cursor.fetchmany(10_000):
        for case in batch:
            if sheet is None or row_in_sheet == rows_in_sheet:
                name, rows_in_sheet = next(pending)
                sheet, row_in_sheet = book.add_worksheet(name), 0
                _start_table(sheet, formats, 0, CASE_COLUMNS, rows_in_sheet, CASE_WIDTHS)
                # the verdict a team may give, as a drop-down (pipelines/ingest/reviews.py reads it back)
                sheet.data_validation(1, REVIEW_VERDICT_COLUMN, max(rows_in_sheet, 1), REVIEW_VERDICT_COLUMN,
                                      {"validate": "list", "source": list(VERDICTS)})
            row_in_sheet += 1
            evidence = CASE_COLUMNS.index("evidence")
            _write_row(sheet, formats, row_in_sheet, (*case[:evidence], _readable(case[evidence]), *case[evidence + 1:]))
            written += 1
    book.close()
    return written


def _sheet_name(rule_id: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", rule_id)[:31]


def _sheet_names(rule_id: str, cases: int, max_rows: int) -> list[tuple[str, int]]:
    """(sheet name, rows) for each sheet of a rule: the first named after the rule, the others numbered."""
    base = _sheet_name(rule_id)
    sizes = [min(max_rows, cases - start) for start in range(0, cases, max_rows)]
    return [(base if n == 1 else f"{base[:25]} ({n})", size) for n, size in enumerate(sizes, start=1)]


def _readable(evidence: str) -> str:
    """The evidence JSON as `key: value` lines, easier to read in a cell."""
    try:
        return "\n".join(f"{k}: {v}" for k, v in json.loads(evidence).items())
    except (TypeError, ValueError, AttributeError):
        return evidence or ""


def write_icb_workbook(con: duckdb.DuckDBPyConnection, icb: str, folder: Path) -> None:
    """exports/icb/<ICB>/measures.xlsx from that ICB's measures.csv (already disclosure-controlled)."""
    target = folder / "exports" / "icb" / icb
    literal = str(target / ICB_MEASURES_CSV).replace("'", "''")
    # typed as measures.disclosed_measures is: counts are text (a suppressed one is *)
    rows = con.execute(f"select * from read_csv('{literal}', header = true, columns = {ICB_MEASURE_TYPES})").fetchall()
    book, formats = _workbook(target / "measures.xlsx")
    sheet = book.add_worksheet("Measures")
    sheet.write(0, 0, f"Advanced breast cancer audit: measures for ICB {icb} (small numbers suppressed)",
                formats["title"])
    _table(sheet, formats, 2, ICB_MEASURE_COLUMNS, rows, [8, 50, 9, 10, 8] + [11] * 10)
    book.close()


def write_workbooks(con: duckdb.DuckDBPyConnection, folder: Path, guideline: str) -> int:
    """Every provider's and ICB's workbook beside its CSV file (which must exist); returns case rows."""
    cases = 0
    for provider_dir in sorted(p for p in (folder / "exports").iterdir() if (p / PROVIDER_CASES_CSV).is_file()):
        if SAFE_CODE.match(provider_dir.name):
            cases += write_provider_workbook(con, provider_dir.name, provider_dir / "non_adherent_cases.xlsx", guideline)
    icb_root = folder / "exports" / "icb"
    for icb_dir in sorted(p for p in icb_root.iterdir() if (p / ICB_MEASURES_CSV).is_file()) if icb_root.is_dir() else []:
        if SAFE_CODE.match(icb_dir.name):
            write_icb_workbook(con, icb_dir.name, folder)
    return cases


def record_workbooks(con: duckdb.DuckDBPyConnection, written: bool, case_rows: int, max_rows: int,
                     seconds: float) -> None:
    """bookkeeping.workbooks: whether the run wrote the workbooks, for the manifest and the summary."""
    con.execute("create schema if not exists bookkeeping")
    con.execute(f"""create or replace table {WORKBOOKS_TABLE} as select $written as written,
        $case_rows as case_rows, $max_rows as max_rows, $seconds as seconds""",
                {"written": written, "case_rows": case_rows, "max_rows": max_rows, "seconds": round(seconds, 2)})


def timed_workbooks(con: duckdb.DuckDBPyConnection, folder: Path, guideline: str, case_rows: int,
                    max_rows: int) -> dict:
    """The run's workbooks, unless there are more case rows than `max_rows` (then none)."""
    started = time.perf_counter()
    written = case_rows <= max_rows
    if written:
        write_workbooks(con, folder, guideline)
    seconds = time.perf_counter() - started
    record_workbooks(con, written, case_rows, max_rows, seconds)
    return {"workbooks_written": written, "case_rows": case_rows, "workbook_max_rows": max_rows,
            "seconds": round(seconds, 2)}


class CannotExportWorkbooks(ValueError):
    """The folder is not a published audit output this version can write workbooks for."""


def export_workbooks(output: Path) -> tuple[int, float]:
    """`abc-audit export-workbooks OUT`: the workbooks of a published output, from its own files
    (case_outcomes.parquet, the ICB measures CSV files); the catalogue must be the run's version."""
    from audit_rules.catalogue import load_catalogue

    manifest_path, cases = output / "run_manifest.json", output / "case_outcomes.parquet"
    if not manifest_path.is_file() or not cases.is_file():
        raise CannotExportWorkbooks(f"{output} is not an audit output (no run_manifest.json or case_outcomes.parquet)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    catalogue = load_catalogue()
    ran_with = manifest.get("rule_catalogue", {}).get("version")
    if ran_with != catalogue.version:
        raise CannotExportWorkbooks(f"{output} was audited with rule catalogue version {ran_with}; this abc-audit has "
                                    f"version {catalogue.version}: run the audit again instead")
    guideline = f"{catalogue.guideline} (version {catalogue.guideline_version})"
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("create table catalogue (rule_id varchar, rule_order integer, title varchar, guideline_text varchar, "
                    "unit varchar, version varchar)")
        con.executemany("insert into catalogue values (?, ?, ?, ?, ?, ?)",
                        [(r.id, r.order, r.title, r.guideline_text, r.unit, str(r.version)) for r in catalogue.rules])
        literal = str(cases).replace("'", "''")
        columns = {d[0] for d in con.execute(f"select * from read_parquet('{literal}') limit 0").description}
        # an applied review is in the case outcomes of a run given reviews
        reviews = ("case when o.review_status = 'applied' then o.{0} end as {0}" if "review_status" in columns
                   else "null::varchar as {0}")
        review_columns = ", ".join(reviews.format(c) for c in ("review_verdict", "review_reason", "reviewed_by_role"))
        # the same rows as temp.export_cases in a run (pipelines/reports/provider_exports.py)
        con.execute(f"""create temp table export_cases as
            select o.provider_code, c.rule_order, o.rule_id, c.title as rule_title, c.guideline_text, o.patient_id,
                o.unit_id, c.unit, o.period, o.index_date, o.unit_date, o.outcome, o.reason_code, o.reason, o.evidence,
                c.version as rule_version, sha256(o.evidence) as evidence_sha256, {review_columns}
            from read_parquet('{literal}') o join catalogue c using (rule_id)
            where o.provider_code is not null and o.outcome in ('non_adherent', 'insufficient_data')
            order by o.provider_code, c.rule_order, o.outcome, o.patient_id, o.unit_id""")
        rows = write_workbooks(con, output, guideline)
    return rows, time.perf_counter() - started
