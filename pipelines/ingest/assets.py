"""Ingest stage: one asset per contract table, reading the extract file into raw.<table>."""

import dagster as dg

from pipelines.bookkeeping import record_input_file
from pipelines.ingest.contract import Table, load_contract
from pipelines.ingest.files import (record_ignored_files, refuse_identifiers_in_file_names, scan_extract_folder,
                                    table_file, warn_empty_and_misnamed_tables, warn_ignored_files)
from pipelines.ingest.privacy import refuse_identifier_values, refuse_identifiers_in_unreadable_lines
from pipelines.ingest.reader import load_raw_table
from pipelines.ingest.structure import REFUSED, ExtractRefused
from pipelines.resources import AuditDatabase, AuditSettings


def refuse(reason: str) -> dg.Failure:
    """A refused extract: the run stops with this one-line reason and publishes nothing."""
    return dg.Failure(description=f"{REFUSED}: {reason}", metadata={"refused": reason},
                      allow_retries=False)


def build_raw_asset(table: Table) -> dg.AssetsDefinition:
    @dg.asset(name=f"raw_{table.name}", group_name="ingest", kinds={"duckdb"},
              description=f"The extract's {table.name} file loaded as text into raw.{table.name}, "
                          "with unparseable lines set aside by line number.")
    def raw_table(context: dg.AssetExecutionContext, audit: AuditSettings,
                  duckdb: AuditDatabase) -> dg.MaterializeResult:
        contract = load_contract()
        with duckdb.connect() as con:
            try:
                folder = scan_extract_folder(audit.input_path, list(contract.tables))
                # The folder is listed once, by the one table every extract has.
                if table.name == "patients":
                    refuse_identifiers_in_file_names(con, folder.ignored)
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
            if table.name == "patients":
                record_ignored_files(con, folder.ignored)
                warn_ignored_files(folder.ignored, context.log)
                warn_empty_and_misnamed_tables(folder, list(contract.tables), context.log)
        metadata = {
            "file": loaded.file_name or "(absent: optional table)",
            "rows_read": loaded.rows_read,
            "rows_rejected_by_parser": loaded.rows_rejected,
            "ignored_columns": ", ".join(loaded.ignored_columns) or "none",
            "sha256": loaded.sha256 or "",
        }
        if table.name == "patients":
            metadata["ignored_files"] = ", ".join(folder.ignored) or "none"
        return dg.MaterializeResult(metadata=metadata)

    return raw_table


raw_assets = [build_raw_asset(t) for t in load_contract().tables.values()]
