"""Workbooks for people: each provider's cases (XLSX beside the CSV) and each ICB's measures.

A provider's workbook is for its own quality team, so it is not disclosure-controlled and holds
only its own patients. An ICB's export is commissioner-facing, so it carries the disclosure-
controlled measures (measures.disclosed_measures). Workbooks are byte-identical across reruns:
xlsxwriter stamps the fixed creation date below and fixed zip timestamps.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import xlsxwriter

from pipelines.reports.files import copy_csv

FIXED_CREATED = dt.datetime(2000, 1, 1)  # not the run time: reruns must give identical bytes
SAFE_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
CASE_COLUMNS = ["rule", "guideline text", "patient pseudonym", "unit", "unit type", "index date", "unit date",
                "period", "outcome", "reason code", "reason", "evidence"]
CASE_WIDTHS = [8, 50, 16, 14, 10, 12, 12, 9, 17, 24, 60, 60]
# Excel shows at most 1,048,576 rows a sheet (one is the header); xlsxwriter silently skips rows past it,
# so a rule with more cases continues on sheets "<rule> (2)", "<rule> (3)", ...
EXCEL_MAX_DATA_ROWS = 1_048_575


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


CASES_BY_RULE = """select o.rule_id, c.title, count(*) filter (where o.outcome = 'non_adherent') as non_adherent,
        count(*) filter (where o.outcome = 'insufficient_data') as insufficient_data, count(*) as cases
    from rules.case_outcomes o join rules.catalogue c using (rule_id)
    where o.provider_code = $provider and o.outcome in ('non_adherent', 'insufficient_data')
    group by o.rule_id, c.title, c.rule_order order by c.rule_order"""
PROVIDER_CASES = """select o.rule_id, c.guideline_text, o.patient_id, o.unit_id, c.unit, o.index_date, o.unit_date,
        o.period, o.outcome, o.reason_code, o.reason, o.evidence
    from rules.case_outcomes o join rules.catalogue c using (rule_id)
    where o.provider_code = $provider and o.outcome in ('non_adherent', 'insufficient_data')
    order by c.rule_order, o.outcome, o.patient_id, o.unit_id"""


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
            row_in_sheet += 1
            _write_row(sheet, formats, row_in_sheet, (*case[:-1], _readable(case[-1])))
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


def write_provider_exports(con: duckdb.DuckDBPyConnection, folder: Path, guideline: str) -> dict[str, int]:
    """exports/<provider>/non_adherent_cases.csv and .xlsx: that provider's cases, for its quality team only."""
    providers = [p for (p,) in con.execute(
        "select distinct provider_code from rules.case_outcomes where provider_code is not null order by 1").fetchall()]
    written = {}
    for provider in providers:
        if not SAFE_CODE.match(provider):
            raise ValueError(f"provider code {provider!r} is not an ODS code; refusing to use it in a path")
        target = folder / "exports" / provider
        written[provider] = copy_csv(con, f"""select o.rule_id, c.title as rule_title, c.guideline_text,
                o.patient_id, o.unit_id, c.unit, o.period, o.index_date, o.unit_date, o.outcome, o.reason_code, o.reason,
                o.evidence
            from rules.case_outcomes o join rules.catalogue c using (rule_id)
            where o.provider_code = '{provider}' and o.outcome in ('non_adherent', 'insufficient_data')
            order by c.rule_order, o.outcome, o.patient_id, o.unit_id""", target / "non_adherent_cases.csv")
        write_provider_workbook(con, provider, target / "non_adherent_cases.xlsx", guideline)
    return written


ICB_MEASURE_COLUMNS = ["rule_id", "title", "level", "group", "period", "numerator", "denominator", "excluded",
                       "insufficient_data", "adherence", "ci_low", "ci_high", "target", "target_met", "suppressed"]


def _icb_query(icb: str) -> str:
    # icb matched SAFE_CODE, so it is safe as a literal
    return f"""with icb_providers as (
            select distinct provider_code from rules.case_outcomes where icb_code = '{icb}'
        )
        select d.rule_id, c.title, d.level, d."group", d.period, d.numerator, d.denominator, d.excluded,
            d.insufficient_data, d.adherence, d.ci_low, d.ci_high, d.target, d.target_met, d.suppressed
        from measures.disclosed_measures d join rules.catalogue c using (rule_id)
        where d.level = 'national'
           or (d.level = 'icb' and d."group" = '{icb}')
           or (d.level = 'provider' and d."group" in (select provider_code from icb_providers))
        order by c.rule_order, list_position(['national', 'icb', 'provider'], d.level), d."group",
                 d.period = 'all' desc, d.period"""


def write_icb_exports(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """exports/icb/<ICB>/measures.csv and .xlsx: national, that ICB and its providers, disclosure-controlled.

    Patients without an ICB are counted in the national rows and in group `unknown` of measures.csv;
    no commissioner owns them, so they get no ICB export."""
    icbs = [i for (i,) in con.execute("select distinct icb_code from rules.case_outcomes "
                                      "where icb_code is not null order by 1").fetchall()]
    written = {}
    for icb in icbs:
        if not SAFE_CODE.match(icb):
            raise ValueError(f"ICB code {icb!r} is not an ODS code; refusing to use it in a path")
        target = folder / "exports" / "icb" / icb
        written[icb] = copy_csv(con, _icb_query(icb), target / "measures.csv")
        rows = con.execute(_icb_query(icb)).fetchall()
        book, formats = _workbook(target / "measures.xlsx")
        sheet = book.add_worksheet("Measures")
        sheet.write(0, 0, f"Advanced breast cancer audit: measures for ICB {icb} (small numbers suppressed)",
                    formats["title"])
        _table(sheet, formats, 2, ICB_MEASURE_COLUMNS, rows, [8, 50, 9, 10, 8] + [11] * 10)
        book.close()
    return written
