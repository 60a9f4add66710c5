"""The data-quality summary nobody can miss (outputs.md "The command", issue 12).

Rows read, accepted, set aside by validation and rejected by the CSV reader per table, the
commonest reasons, and the patients without a usable metastatic diagnosis; a warning when a table
lost more than `validation.warn_quarantined_share` of its rows or a patient left the cohort because
their metastatic diagnosis was set aside; a refusal above `validation.refuse_quarantined_share`.

The `data_quality_summary` asset (validate stage) judges the warnings and the refusal inside the
graph, so the schedule and the sensor honour them too, and stores the warnings in
bookkeeping.data_quality_warnings; `abc-audit run` and `validate` print the same summary from the
run's database (`read_summary`), and the manifest and the dashboard carry the same warnings.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import dagster as dg
import duckdb

from pipelines.bookkeeping import ensure_schema
from pipelines.contract import load_contract
from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.sql_runner import run_sql
from pipelines.validate import VALIDATION_REFUSAL

QUARANTINE_FILE = "data_quality/quarantine.csv"  # relative to the output (or `validate --report`) folder
REASONS_SHOWN = 3
WARNING_COLUMNS = """(position bigint, kind varchar, table_name varchar, rows_read bigint, rows_set_aside bigint,
    share_set_aside double, patients bigint, commonest_reason varchar, message varchar)"""


@dataclass(frozen=True)
class TableLoss:
    table_name: str
    file_name: str | None         # None: the extract has no file for this table
    rows_read: int
    rows_accepted: int
    rows_quarantined: int         # set aside by validation
    rows_rejected_by_parser: int  # lines the CSV reader could not split (DuckDB's reject_errors)
    rows_set_aside: int           # both of the above
    share_set_aside: float | None
    commonest_reason: str | None
    commonest_reason_rows: int | None


@dataclass(frozen=True)
class DataQualityWarning:
    kind: str                     # share_above_threshold | patients_left_cohort
    table_name: str
    rows_read: int | None
    rows_set_aside: int
    share_set_aside: float | None
    patients: int | None          # patients who left the cohort (patients_left_cohort only)
    commonest_reason: str | None
    message: str                  # plain English, shown as is on the terminal and the dashboard

    def as_manifest(self) -> dict:
        return {"kind": self.kind, "table": self.table_name, "rows_read": self.rows_read,
                "rows_set_aside": self.rows_set_aside,
                "share_set_aside": None if self.share_set_aside is None else round(self.share_set_aside, 4),
                "patients_left_cohort": self.patients, "commonest_reason": self.commonest_reason,
                "quarantine_file": QUARANTINE_FILE, "message": self.message}


@dataclass(frozen=True)
class DataQualitySummary:
    tables: list[TableLoss]
    commonest_reasons: list[tuple[str, str, int]]   # (table, reason, rows)
    patients_accepted: int
    patients_without_metastatic_diagnosis: int
    warnings: list[DataQualityWarning]
    # a national-format run: the audit's tables those datasets do not hold (table -> why), and what
    # became of the national tables' rows: (table, read, mapped, outside the audit, set aside)
    source_gaps: dict[str, str] = field(default_factory=dict)
    national_rows: list[tuple[str, int, int, int, int]] = field(default_factory=list)


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def table_losses(con: duckdb.DuckDBPyConnection) -> list[TableLoss]:
    cursor = run_sql(con, "bookkeeping/table_losses.sql", {"table_order": list(load_contract().tables)})
    return [TableLoss(*row) for row in cursor.fetchall()]


def judge_warnings(con: duckdb.DuckDBPyConnection, tables: list[TableLoss],
                   warn_share: float) -> list[DataQualityWarning]:
    """The warnings outputs.md asks for: a table over the share, and any patient lost to quarantine."""
    warnings = []
    for t in tables:
        if t.share_set_aside is not None and t.share_set_aside > warn_share:
            reader = (f", {t.rows_rejected_by_parser} of them lines the CSV reader could not read"
                      if t.rows_rejected_by_parser else "")
            warnings.append(DataQualityWarning(
                "share_above_threshold", t.table_name, t.rows_read, t.rows_set_aside, t.share_set_aside, None,
                t.commonest_reason,
                f"{t.rows_set_aside} of the {t.rows_read} rows of {t.table_name} ({t.share_set_aside:.1%}) "
                f"{'was' if t.rows_set_aside == 1 else 'were'} set aside{reader}, more than the {warn_share:.0%} allowed. "
                f"Most frequent reason: {t.commonest_reason} ({_rows(t.commonest_reason_rows or 0)})."))
    patients, rows, reason = run_sql(con, "bookkeeping/patients_lost_to_quarantine.sql").fetchone()
    if patients:
        who = "1 patient has" if patients == 1 else f"{patients} patients have"
        warnings.append(DataQualityWarning(
            "patients_left_cohort", "disease_events", None, rows, None, patients, reason,
            f"{who} left the audited cohort because every metastatic diagnosis row sent for them "
            f"({_rows(rows)} of disease_events) was set aside; no rule judges their care. "
            f"Most frequent reason: {reason}."))
    return warnings


def store_warnings(con: duckdb.DuckDBPyConnection, warnings: list[DataQualityWarning]) -> None:
    ensure_schema(con)
    con.execute(f"create or replace table bookkeeping.data_quality_warnings {WARNING_COLUMNS}")
    if warnings:
        con.executemany("insert into bookkeeping.data_quality_warnings values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[i, *w.__dict__.values()] for i, w in enumerate(warnings)])


def stored_warnings(con: duckdb.DuckDBPyConnection) -> list[DataQualityWarning]:
    """The warnings the run's `data_quality_summary` asset judged (in the order it judged them)."""
    rows = con.execute("""select kind, table_name, rows_read, rows_set_aside, share_set_aside, patients,
        commonest_reason, message from bookkeeping.data_quality_warnings order by position""").fetchall()
    return [DataQualityWarning(*row) for row in rows]


def read_summary(con: duckdb.DuckDBPyConnection) -> DataQualitySummary:
    """The summary of a run's (or a validation's) database, for the terminal."""
    accepted, without = run_sql(con, "bookkeeping/patients_without_metastatic_diagnosis.sql").fetchone()
    # fetched at once: DuckDB's execute returns the connection, whose next query replaces the result
    reasons = run_sql(con, "bookkeeping/commonest_quarantine_reasons.sql", {"reasons_shown": REASONS_SHOWN}).fetchall()
    gaps = dict(con.execute("select table_name, reason from bookkeeping.source_gaps").fetchall())
    national = con.execute("""select table_name, sum(rows), sum(rows) filter (disposition = 'mapped'),
            sum(rows) filter (disposition = 'outside_audit'), sum(rows) filter (disposition = 'set_aside')
        from bookkeeping.national_rows group by all order by table_name""").fetchall()
    return DataQualitySummary(table_losses(con), [tuple(r) for r in reasons], accepted, without, stored_warnings(con),
                              gaps, [tuple(int(v or 0) if i else v for i, v in enumerate(r)) for r in national])


def refusal(tables: list[TableLoss], refuse_share: float | None) -> str | None:
    """The one-line reason a scheduled run is refused, or None (the option is off by default)."""
    if refuse_share is None:
        return None
    over = [t for t in tables if t.share_set_aside is not None and t.share_set_aside > refuse_share]
    if not over:
        return None
    worst = max(over, key=lambda t: (t.share_set_aside, t.table_name))
    return (f"{VALIDATION_REFUSAL}: {worst.rows_set_aside} of the {worst.rows_read} rows of {worst.table_name} "
            f"({worst.share_set_aside:.1%}) were set aside, more than validation.refuse_quarantined_share "
            f"({refuse_share:.0%}); most frequent reason: {worst.commonest_reason}")


def rules_not_judged(con: duckdb.DuckDBPyConnection, rules) -> list[dict]:
    """Audited rules none of whose units could be judged, because a table they need was not supplied
    (the rules stage made every unit insufficient_data: table_not_in_extract)."""
    status = dict(run_sql(con, "bookkeeping/tables_not_supplied.sql").fetchall())
    listed = []
    for rule in rules:
        missing = [t for t in getattr(rule, "needs_tables", ()) if t in status]
        if missing:
            listed.append({"rule_id": rule.id, "missing_tables": missing,
                           "table_status": {t: status[t] for t in missing}})
    return listed


# --- the terminal -------------------------------------------------------------------------------

def format_summary(summary: DataQualitySummary) -> str:
    lines = ["abc-audit: data quality (rows read = accepted + quarantined + rejected by the CSV reader)",
             f"  {'table':20} {'read':>8} {'accepted':>9} {'quarantined':>12} {'rejected by reader':>19}"]
    if summary.national_rows:
        lines.insert(0, "abc-audit: national tables (rows read = mapped + outside the audit + set aside; "
                        "data_quality/national_rows.csv says why)")
        lines.insert(1, f"  {'table':22} {'read':>8} {'mapped':>8} {'outside audit':>14} {'set aside':>10}")
        for position, (table, read, mapped, outside, set_aside) in enumerate(summary.national_rows, start=2):
            lines.insert(position, f"  {table:22} {read:>8} {mapped:>8} {outside:>14} {set_aside:>10}")
    for t in summary.tables:
        if t.table_name in summary.source_gaps:
            lines.append(f"  {t.table_name:20} {'not held by the national datasets':>33}")
            continue
        if t.file_name is None:
            lines.append(f"  {t.table_name:20} {'no file in the extract':>30}")
            continue
        lines.append(f"  {t.table_name:20} {t.rows_read:>8} {t.rows_accepted:>9} {t.rows_quarantined:>12} "
                     f"{t.rows_rejected_by_parser:>19}")
    if summary.commonest_reasons:
        lines.append("  most frequent reasons for quarantine:")
        lines += [f"    {rows:>6}  {table}: {reason}" for table, reason, rows in summary.commonest_reasons]
    lines.append(f"  patients without a usable metastatic diagnosis (outside the audit): "
                 f"{summary.patients_without_metastatic_diagnosis} of {summary.patients_accepted}")
    return "\n".join(lines)


def format_warning_block(warnings: list[DataQualityWarning], output_folder) -> str:
    """A framed block every line of which starts WARNING; empty when there is nothing to warn of."""
    if not warnings:
        return ""
    frame = "WARNING " + "=" * 84
    lines = [frame, "WARNING  DATA QUALITY: rows were set aside and the figures below leave them out"]
    for w in warnings:
        wrapped = textwrap.wrap(w.message, width=82, break_on_hyphens=False)
        lines += [f"WARNING  - {wrapped[0]}"] + [f"WARNING    {part}" for part in wrapped[1:]]
    lines += [f"WARNING  Every row set aside and why: {output_folder / QUARANTINE_FILE}", frame]
    return "\n".join(lines)


def validate_ending(warnings: list[DataQualityWarning], output_folder) -> str:
    """The last line of `abc-audit validate` (issue 12: "can be audited" alone only without a warning)."""
    if not warnings:
        return f"abc-audit: the extract can be audited; report: {output_folder / 'data_quality'}"
    set_aside: dict[str, int] = {}
    for w in warnings:
        set_aside[w.table_name] = max(set_aside.get(w.table_name, 0), w.rows_set_aside)
    what = " and ".join(f"{_rows(n)} of {table}" for table, n in set_aside.items())
    verb = "was" if len(set_aside) == 1 and next(iter(set_aside.values())) == 1 else "were"
    return (f"abc-audit: the extract can be audited, but {what} {verb} set aside: "
            f"look at {output_folder / QUARANTINE_FILE} first")


# --- the graph ----------------------------------------------------------------------------------

@dg.asset(
    group_name="validate", deps=[f"validated_{name}" for name in load_contract().tables], kinds={"duckdb"},
    description="Rows set aside per table and patients lost to quarantine: warnings above "
                "validation.warn_quarantined_share, a refusal above validation.refuse_quarantined_share.",
    check_specs=[
        dg.AssetCheckSpec("quarantined_share_below_warning", asset="data_quality_summary",
                          description="no table lost more than validation.warn_quarantined_share of its rows, "
                                      "and no patient left the cohort because of quarantined rows"),
        dg.AssetCheckSpec("quarantined_share_below_refusal", asset="data_quality_summary", blocking=True,
                          description="no table lost more than validation.refuse_quarantined_share of its rows"),
    ],
)
def data_quality_summary(audit: AuditSettings, duckdb: AuditDatabase) -> dg.MaterializeResult:
    settings = audit.config.section("validation")
    with duckdb.connect() as con:
        tables = table_losses(con)
        warnings = judge_warnings(con, tables, settings["warn_quarantined_share"])
        store_warnings(con, warnings)
    refused = refusal(tables, settings["refuse_quarantined_share"])
    if refused:
        # Raised, like validation's other blocking failures, so that nothing downstream is published.
        raise dg.Failure(description=refused, allow_retries=False)
    return dg.MaterializeResult(
        metadata={"warnings": dg.MetadataValue.json([w.as_manifest() for w in warnings]),
                  "rows_set_aside": sum(t.rows_set_aside for t in tables)},
        check_results=[
            dg.AssetCheckResult(check_name="quarantined_share_below_warning", passed=not warnings,
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata={"messages": dg.MetadataValue.json([w.message for w in warnings])}),
            dg.AssetCheckResult(check_name="quarantined_share_below_refusal", passed=True,
                                severity=dg.AssetCheckSeverity.ERROR),
        ],
    )
