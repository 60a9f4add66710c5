"""Maps a national-format extract (registry, SACT, RTDS in the Simulacrum v2 layout) onto the audit's
own tables: raw.<table> exactly as the canonical reader leaves it (text, source_row), so validation,
the timeline and the rules run unchanged.

The mapping is DuckDB SQL (sql/national/) and code lists (pipelines/ingest/national/codes/*.csv:
a new code is a line in a file). Every national row is accounted for (bookkeeping.national_rows:
mapped, outside the audit or set aside, with the reason); codes outside the lists are counted
(bookkeeping.national_unrecognised_codes); the audit's tables the national datasets do not hold
(imaging, care events, procedures, treatment decisions) are recorded as gaps of the source, so the
rules that need them say insufficient_data naming the datasets.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
from pipelines.bookkeeping import NATIONAL_TABLES, ensure_schema, record_input_file
from pipelines.contract import load_contract
from pipelines.ingest.files import refuse_identifiers_in_file_names
from pipelines.ingest.national.layout import NATIONAL_DIR, NationalFile, find_files, load_layout, load_national_table
from pipelines.ingest.privacy import VALUE_CHECKS
from pipelines.ingest.reader import LoadedTable, quote_identifier
from pipelines.ingest.structure import ExtractRefused
from pipelines.sql_runner import create_table

DATASETS = "the national datasets (cancer registry, SACT, RTDS)"
# The audit's tables, in the order they are built, and the national tables each is made from.
MAPPED_TABLES = {
    "patients": ("sim_av_patient", "sim_av_tumour", "sim_sact_drug_detail", "sim_rtds_prescription"),
    "disease_events": ("sim_av_tumour", "sim_sact_cycle", "sim_sact_outcome"),
    "pathology": ("sim_av_tumour",),
    "systemic_therapy": ("sim_sact_regimen", "sim_sact_cycle", "sim_sact_drug_detail", "sim_sact_outcome"),
    "radiotherapy": ("sim_rtds_prescription", "sim_rtds_episode", "sim_rtds_exposure"),
}
# Built before the audit's tables, in this order (each reads the ones before it).
INTERMEDIATE_TABLES = ("breast_tumours", "audit_patients", "sact_administrations", "row_dispositions", "sact_regimens")


def _load_code_lists(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists national_codes")
    lists = []
    for path in sorted((NATIONAL_DIR / "codes").glob("*.csv")):
        con.execute(f"""create or replace table national_codes.{path.stem} as
            select * from read_csv($path, all_varchar = true, header = true)""", {"path": str(path)})
        first_column = con.execute(f"select * from national_codes.{path.stem} limit 0").description[0][0]
        lists.append(f"select '{path.stem}' as code_list, {first_column} as code from national_codes.{path.stem}")
    con.execute(f"create or replace table national_codes.all_codes as {' union all '.join(lists)}")


def _refuse_identifier_values(con: duckdb.DuckDBPyConnection, files: dict[str, NationalFile]) -> None:
    """NHS numbers and postcodes in any column but the layout's own pseudonymous keys."""
    for name, table in load_layout().items():
        record = files[name]
        columns = [c for c in table.columns if c not in table.keys and c not in record.missing_columns]
        if not record.file_name or not columns:
            continue
        checks = [(macro, column, what, advice) for macro, what, advice in VALUE_CHECKS for column in columns]
        counts = con.execute("select " + ", ".join(f"count_if({macro}({quote_identifier(column)}))"
                                                   for macro, column, _, _ in checks) + f" from national.{name}").fetchone()
        for (_, column, what, advice), rows in zip(checks, counts):
            if rows:
                raise ExtractRefused(f"direct identifier refused: {record.file_name} column {column.upper()} holds "
                                     f"{what} in {rows} row(s); {advice}")


def _refuse_without_metastatic_cohort(con, files: dict[str, NationalFile]) -> None:
    tumour = files["sim_av_tumour"]
    if {"m_best", "stage_best"} <= set(tumour.missing_columns):
        raise ExtractRefused(f"national format: {tumour.file_name} has neither M_BEST nor STAGE_BEST, so no breast "
                             "tumour can be recognised as metastatic at diagnosis (the national cohort is de novo "
                             "stage 4); add either column to the extract")
    breast, metastatic = con.execute("""select count(*), count_if(metastatic_at_diagnosis)
        from national.breast_tumours""").fetchone()
    if not metastatic:
        raise ExtractRefused(f"national format: none of the {breast} breast cancer (C50) tumour(s) in "
                             f"{tumour.file_name} is recorded as metastatic at diagnosis (M_BEST M1 or STAGE_BEST 4): "
                             "there is no one to audit")


def _build_raw_table(con, table, params: dict) -> None:
    """raw.<table> from its mapping, every contract column present (those it does not map empty)."""
    create_table(con, "national.mapped", f"national/{table.name}.sql", params)
    mapped = {row[0] for row in con.execute("describe national.mapped").fetchall()}
    columns = ", ".join(f"{quote_identifier(c)}::varchar as {quote_identifier(c)}" if c in mapped
                        else f"null::varchar as {quote_identifier(c)}" for c in table.column_names)
    con.execute(f"create or replace table raw.{table.name} as select source_row::bigint as source_row, {columns} "
                "from national.mapped order by source_row")
    con.execute("drop table national.mapped")


def reset_national_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    """The national bookkeeping tables, empty (a canonical run has them too, and leaves them empty)."""
    ensure_schema(con)
    for name in NATIONAL_TABLES:
        con.execute(f"delete from bookkeeping.{name}")


def _record_bookkeeping(con: duckdb.DuckDBPyConnection, files: dict[str, NationalFile]) -> None:
    reset_national_bookkeeping(con)
    con.executemany("insert into bookkeeping.national_files values (?, ?, ?, ?, ?, ?, ?)", [
        [f.table, f.file_name, f.sha256, f.rows_read, f.rows_rejected, f.missing_columns, f.ignored_columns]
        for f in files.values()])
    con.execute("""insert into bookkeeping.national_rows
        select table_name, disposition, reason, count(*) from national.row_dispositions group by all""")
    for f in files.values():
        if f.rows_rejected:
            con.execute("insert into bookkeeping.national_rows values (?, 'set_aside', ?, ?)",
                        [f.table, "the CSV reader could not split the line into the header's columns", f.rows_rejected])
    create_table(con, "national.unrecognised_codes", "national/unrecognised_codes.sql")
    con.execute("insert into bookkeeping.national_unrecognised_codes select * from national.unrecognised_codes")
    unbalanced = con.execute("""select f.table_name, f.rows_read, coalesce(sum(r.rows), 0) from bookkeeping.national_files f
        left join bookkeeping.national_rows r using (table_name) group by all
        having f.rows_read <> coalesce(sum(r.rows), 0) order by 1""").fetchall()
    if unbalanced:  # a defect of the mapping, never the extract's fault
        raise RuntimeError(f"national rows do not reconcile: {unbalanced}")


def _record_audit_tables(con: duckdb.DuckDBPyConnection, files: dict[str, NationalFile]) -> dict[str, dict]:
    """bookkeeping.input_files for the audit's tables (named after the national files they came from)
    and bookkeeping.source_gaps for those the datasets do not hold; returns each table's metadata."""
    metadata = {}
    gaps = []
    for table in load_contract().tables.values():
        sources = [files[n].file_name for n in MAPPED_TABLES.get(table.name, ()) if files[n].file_name]
        rows = con.execute(f"select count(*) from raw.{table.name}").fetchone()[0]
        record_input_file(con, LoadedTable(table=table.name, file_name=" + ".join(sources) or None,
                                           file_format="national" if sources else None, sha256=None,
                                           rows_parsed=rows, rows_rejected=0, ignored_columns=(),
                                           missing_optional_columns=()))
        if table.name not in MAPPED_TABLES:
            gaps.append({"table_name": table.name, "reason": f"{DATASETS} hold no {table.name.replace('_', ' ')}"})
        metadata[table.name] = {"file": " + ".join(sources) or f"(not held by {DATASETS})", "rows_mapped": rows}
    if gaps:
        con.executemany("insert into bookkeeping.source_gaps values (?, ?)", [[g["table_name"], g["reason"]] for g in gaps])
    return metadata


def missing_column_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per national file without some of the documented columns the mapping reads."""
    return [f"{file_name} has no {', '.join(c.upper() for c in missing)}: read as not recorded"
            for file_name, missing in con.execute("""select file_name, missing_columns from bookkeeping.national_files
                where file_name is not null and len(missing_columns) > 0 order by table_name""").fetchall()]


def ingest_national(con: duckdb.DuckDBPyConnection, input_dir: Path, national_config: dict,
                    stage=None) -> tuple[dict[str, dict], list[str]]:
    """Reads the national tables and writes the audit's raw.<table>; returns each audit table's
    metadata and the folder's other entries (ignored). `national_config` is the configuration's
    `national` section with the run's `latest_valid_date`. Raises ExtractRefused for an extract that
    cannot be audited (missing table or column, identifiers, no metastatic breast cancer).

    The files are read into DuckDB (`con`, the run's record); the mapping's SQL runs on `stage`, a
    Spark connection with `--engine spark` (its tables written back to DuckDB before the bookkeeping)."""
    stage = stage or con
    paths, ignored = find_files(input_dir)
    # the other files are listed by name in the outputs: a name holding an NHS number refuses the extract
    refuse_identifiers_in_file_names(con, tuple(ignored))
    files = {name: load_national_table(con, table, paths.get(name)) for name, table in load_layout().items()}
    _refuse_identifier_values(con, files)
    _load_code_lists(con)
    params = {"provider_when_not_recorded": national_config["provider_when_not_recorded"],
              "infer_menopausal_status_from_age": national_config["infer_menopausal_status_from_age"],
              "postmenopausal_from_age": national_config["postmenopausal_from_age"]}
    for name in INTERMEDIATE_TABLES:
        create_table(stage, f"national.{name}", f"national/{name}.sql", params)
        if name == "breast_tumours":
            _refuse_without_metastatic_cohort(stage, files)
    stage.execute("create schema if not exists raw")
    contract = load_contract()
    for table in contract.tables.values():
        if table.name in MAPPED_TABLES:
            _build_raw_table(stage, table, params)
        else:
            columns = ", ".join(f"null::varchar as {quote_identifier(c)}" for c in table.column_names)
            stage.execute(f"create or replace table raw.{table.name} as select null::bigint as source_row, {columns} where false")
        stage.execute(f"""create or replace table raw.{table.name}__rejects
                        (source_line bigint, error_type varchar, column_name varchar)""")
    if stage is not con:
        stage.publish()
    _record_bookkeeping(con, files)
    # a living patient's VITALSTATUSDATE is the registry's last follow-up: the extract shows care up to
    # it, even when no treatment row is that late (a future date is no evidence of anything)
    con.execute("""insert into bookkeeping.source_follow_up
        select 'sim_av_patient', 'VITALSTATUSDATE', max(parse_date(p.vitalstatusdate))
        from national.sim_av_patient p
            join national.row_dispositions d on d.table_name = 'sim_av_patient' and d.source_row = p.source_row
        where d.disposition = 'mapped' and parse_date(p.vitalstatusdate) <= $latest""",
                {"latest": national_config["latest_valid_date"]})
    return _record_audit_tables(con, files), ignored
