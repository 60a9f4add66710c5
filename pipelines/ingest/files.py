"""Which file of the extract folder is which contract table, and which files are no table at all.

A table's file is matched on its stem and extension in any case (`Imaging.CSV` is imaging): the
case is whatever the trust's export tool wrote, and a table left out for its case would give an
audit without it and no warning. Every other file is listed as ignored (bookkeeping, the ingest
metadata and one warning line), never passed over silently.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import Table
from pipelines.ingest.privacy import VALUE_CHECKS
from pipelines.ingest.structure import ExtractRefused, close_table, is_empty_file, missing_table_message, rename_advice

TABLE_EXTENSIONS = (".csv", ".parquet")
# The inbox's delivery marker (pipelines/automation.py READY_MARKER) belongs to the extract's
# delivery, not to its data: it is expected, not ignored.
INBOX_MARKER = "READY"
IGNORED_FILES_TABLE = "bookkeeping.ignored_files"
WARNING_NAMES = 10  # names on the warning line; the bookkeeping lists them all


@dataclass(frozen=True)
class ExtractFolder:
    tables: dict[str, Path]  # contract table -> its file (tables without a file are absent)
    ignored: tuple[str, ...]  # other entries, printable (folders end in `/`)
    # contract table -> its file when that is empty (zero bytes, or a byte-order mark alone): an
    # optional table is then absent (data-contract.md, "Conventions"), a required one refused
    empty: dict[str, Path] = field(default_factory=dict)


def printable_name(name: str) -> str:
    """A file name as text. Bytes that are not UTF-8 reach Python as lone surrogates, which DuckDB
    and UTF-8 files cannot hold: they are shown as `\\xe9`."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _is_utf8(name: str) -> bool:
    return printable_name(name) == name


def _refuse_ambiguous(table: str, paths: list[Path]) -> None:
    names = sorted(p.name for p in paths)
    listed = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + " and " + names[-1]
    raise ExtractRefused(f"{table}: both {listed} are present; keep one" if len(names) == 2
                         else f"{table}: {listed} are all present; keep one")


def scan_extract_folder(input_dir: Path, table_names: list[str]) -> ExtractFolder:
    """The extract folder's table files and ignored entries; refuses a folder the audit cannot use."""
    if not _is_utf8(str(input_dir)):
        raise ExtractRefused(f"extract folder name is not valid UTF-8: {printable_name(str(input_dir))}; "
                             "rename the folder")
    if not input_dir.is_dir():
        raise ExtractRefused(f"extract folder not found: {input_dir}")
    candidates: dict[str, list[Path]] = {}
    ignored = []
    for entry in sorted(os.scandir(input_dir), key=lambda e: printable_name(e.name)):
        name = entry.name
        if name.startswith(".") or name == INBOX_MARKER:
            continue  # hidden files are the system's or an editor's (.DS_Store, ~lock files)
        stem, extension = os.path.splitext(name)
        if _is_utf8(name) and extension.lower() in TABLE_EXTENSIONS and stem.lower() in table_names:
            candidates.setdefault(stem.lower(), []).append(input_dir / name)
        else:
            ignored.append(printable_name(name) + ("/" if entry.is_dir() else ""))
    for table, paths in candidates.items():
        if len(paths) > 1:
            _refuse_ambiguous(table, paths)
    files = {t: paths[0] for t, paths in candidates.items()}
    empty = {t: path for t, path in files.items() if path.is_file() and is_empty_file(path)}
    return ExtractFolder(tables={t: path for t, path in files.items() if t not in empty}, ignored=tuple(ignored),
                         empty=empty)


def table_file(folder: ExtractFolder, input_dir: Path, table: Table, table_names: list[str]) -> Path | None:
    """The table's file, checked to be a regular file inside the extract folder; None for an absent
    optional table. A required table without a file is refused, naming a file that looks meant to be it."""
    if table.name in folder.empty and table.required:
        raise ExtractRefused(f"{folder.empty[table.name].name} is empty: expected a header row and the "
                             f"{table.name} rows; export the table again")
    path = folder.tables.get(table.name)
    if path is None:
        if table.required:
            raise ExtractRefused(missing_table_message(table.name, folder.ignored, table_names))
        return None
    resolved = path.resolve()
    if input_dir.resolve() not in resolved.parents:
        raise ExtractRefused(f"{table.name}: {path.name} links outside the extract folder; copy the file in instead")
    if not resolved.is_file():
        raise ExtractRefused(f"{table.name}: {path.name} is not a readable file; copy the table's file in again")
    return path


def refuse_identifiers_in_file_names(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> None:
    """Ignored files are listed by name in the audit's outputs: a name holding an NHS number or a
    postcode (`letter 943 476 5919.docx`) would publish it, so it refuses the extract (name unprinted)."""
    for macro, what, _ in VALUE_CHECKS:
        found = con.execute(f"select count_if({macro}(name)) from unnest($names::varchar[]) t(name)",
                            {"names": list(names)}).fetchone()[0]
        if found:
            raise ExtractRefused(f"direct identifier refused: {found} file name(s) in the extract folder hold "
                                 f"{what}; rename or remove those files")


def record_ignored_files(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> None:
    """bookkeeping.ignored_files, beside the ignored columns of bookkeeping.input_files."""
    con.execute("create schema if not exists bookkeeping")
    con.execute(f"create or replace table {IGNORED_FILES_TABLE} (file_name varchar)")
    con.execute(f"insert into {IGNORED_FILES_TABLE} select unnest($names::varchar[])", {"names": list(names)})


def warn_ignored_files(names: tuple[str, ...], log) -> None:
    """One line on stderr (`abc-audit run` and `validate` run the assets in process) and in the run's log."""
    if not names:
        return
    shown = ", ".join(names[:WARNING_NAMES]) + (f" and {len(names) - WARNING_NAMES} more" if len(names) > WARNING_NAMES else "")
    line = (f"{len(names)} file(s) in the extract folder are not contract tables and were ignored "
            f"(tables are <table>.csv or <table>.parquet): {shown}")
    warn(line, log)


def warn_empty_and_misnamed_tables(folder: ExtractFolder, table_names: list[str], log) -> None:
    """An empty optional table file is audited as an absent table, and an ignored file whose name is
    close to an absent table's may be that table: each is said on one warning line."""
    for table, path in sorted(folder.empty.items()):
        warn(f"{path.name} is empty (no header, no rows): the {table} table is treated as absent, so rules "
              "that need it cannot be judged; send the file again if it should hold rows", log)
    for name in folder.ignored:
        table = close_table(name, table_names)
        if table is not None and table not in folder.tables:
            warn(f"the {table} table is absent, but {rename_advice(name, table)} to have it audited", log)


def warn(line: str, log) -> None:
    log.warning(line)
    print(f"abc-audit: warning: {line}", file=sys.stderr, flush=True)
