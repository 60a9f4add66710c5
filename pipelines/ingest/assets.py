"""Ingest stage: one asset per contract table, reading the extract file into raw.<table>, all in one step."""

import dagster as dg

from pipelines.bookkeeping import record_input_file
from pipelines.contract import Table, load_contract
from pipelines.engines import record_of, stage_connection
from pipelines.ingest.national.adapter import ingest_national, missing_column_lines, reset_national_bookkeeping
from pipelines.ingest.files import (record_ignored_files, warn, refuse_identifiers_in_file_names, scan_extract_folder,
                                    table_file, warn_empty_and_misnamed_tables, warn_ignored_files)
from pipelines.ingest.privacy import refuse_identifier_values, refuse_identifiers_in_unreadable_lines
from pipelines.ingest.reader import load_raw_table
from pipelines.ingest.reviews import ReviewsRefused, load_reviews
from pipelines.ingest.structure import REFUSED, ExtractRefused
from pipelines.resources import AuditDatabase, AuditSettings


def refuse(reason: str) -> dg.Failure:
    """A refused extract: the run stops with this one-line reason and publishes nothing."""
    return dg.Failure(description=f"{REFUSED}: {reason}", metadata={"refused": reason},
                      allow_retries=False)


def _raw_spec(table: Table) -> dg.AssetSpec:
    return dg.AssetSpec(f"raw_{table.name}", group_name="ingest", kinds={"duckdb"},
                        description=f"The extract's {table.name} file loaded as text into raw.{table.name}, "
                                    "with unparseable lines set aside by line number.")


def _load_table(con, audit: AuditSettings, table: Table, folder) -> dict:
    """One table's file into raw.<table>; refused extracts raise (see `refuse`)."""
    contract = load_contract()
    try:
        # The header checks (identifier-like column names among them) run in the reader,
        # the same as `abc-audit`'s preflight (pipelines/ingest/preflight.py).
        path = table_file(folder, audit.input_path, table, list(contract.tables))
        loaded = load_raw_table(con, table, path)
        refuse_identifier_values(con, contract, table.name, table.column_names, list(loaded.ignored_columns))
        refuse_identifiers_in_unreadable_lines(con, table.name)
    except ExtractRefused as error:
        con.execute(f"drop table if exists raw.{table.name}")
        raise refuse(str(error)) from None
    record_input_file(con, loaded)
    return {
        "file": loaded.file_name or "(absent: optional table)",
        "rows_read": loaded.rows_read,
        "rows_rejected_by_parser": loaded.rows_rejected,
        "ignored_columns": ", ".join(loaded.ignored_columns) or "none",
        "sha256": loaded.sha256 or "",
    }


# One step for every table (a Dagster step costs ~0.25 s of bookkeeping, reading a small file
# milliseconds); each table stays its own asset in the graph, and the UI can materialise any of them.
REVIEWS_SPEC = dg.AssetSpec("raw_reviews", group_name="ingest", kinds={"duckdb"},
                            description="Case reviews returned by providers' quality teams (--reviews), every "
                                        "reviewed row with its file and row; empty without reviews.")


def _reviews(audit: AuditSettings, con) -> dg.MaterializeResult:
    try:
        metadata = load_reviews(con, audit.review_paths)
    except ReviewsRefused as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    return dg.MaterializeResult(asset_key="raw_reviews", metadata=metadata)


@dg.multi_asset(name="ingest", specs=[*(_raw_spec(t) for t in load_contract().tables.values()), REVIEWS_SPEC],
                can_subset=True)
def raw_tables(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    national = audit.input_format == "national"
    # The files are read into DuckDB, the run's record; the national adapter's mapping runs on the
    # run's engine (a Spark connection with --engine spark, started only for it).
    with (stage_connection(audit, duckdb, context.run_id) if national else duckdb.connect()) as stage:
        con = record_of(stage)
        if "raw_reviews" in selected:
            yield _reviews(audit, con)
        reset_national_bookkeeping(con)  # a canonical run after a national one in the same database
        if national:
            yield from _ingest_national(context, con, audit, selected, stage)
        else:
            yield from _ingest_canonical(context, con, audit, selected)


def _ingest_canonical(context, con, audit: AuditSettings, selected: set[str]):
    contract = load_contract()
    try:
        folder = scan_extract_folder(audit.input_path, list(contract.tables))
        refuse_identifiers_in_file_names(con, folder.ignored)
    except ExtractRefused as error:
        raise refuse(str(error)) from None
    record_ignored_files(con, folder.ignored)
    warn_ignored_files(folder.ignored, context.log)
    warn_empty_and_misnamed_tables(folder, list(contract.tables), context.log)
    for table in contract.tables.values():
        if f"raw_{table.name}" not in selected:
            continue
        metadata = _load_table(con, audit, table, folder)
        if table.name == "patients":
            metadata["ignored_files"] = ", ".join(folder.ignored) or "none"
        yield dg.MaterializeResult(asset_key=f"raw_{table.name}", metadata=metadata)


def _ingest_national(context, con, audit: AuditSettings, selected: set[str], stage):
    """The national format's ingest: the adapter writes every raw.<table> (pipelines/ingest/national/)."""
    try:
        tables, ignored = ingest_national(con, audit.input_path, {**audit.config.section("national"),
                                                                  "latest_valid_date": audit.config.latest_valid_date},
                                          stage)
    except ExtractRefused as error:
        raise refuse(str(error)) from None
    record_ignored_files(con, tuple(ignored))
    warn_ignored_files(tuple(ignored), context.log)
    for line in missing_column_lines(con):
        warn(line, context.log)
    for name, metadata in tables.items():
        if f"raw_{name}" in selected:
            yield dg.MaterializeResult(asset_key=f"raw_{name}", metadata=metadata)


raw_assets = [raw_tables]
