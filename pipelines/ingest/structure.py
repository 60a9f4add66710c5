"""Structural checks of an extract's files, from their names, headers and first bytes only.

Shared by the preflight (pipelines/ingest/preflight.py: `abc-audit run` and `validate` refuse a
malformed extract in a second, before Dagster or Great Expectations is imported) and by the ingest
assets (a run started from the Dagster UI meets the same checks with the same messages). Messages
name the file and the header as the sender wrote them (`NHS Number`, not `nhs_number`), and say
what to do. Nothing here imports dagster or great_expectations.
"""
from __future__ import annotations

import csv
import difflib
import os
from pathlib import Path

from pipelines.contract import Contract, Table, normalise_column_name

# How every refusal of an extract starts, wherever it is found (`abc-audit: extract refused: ...`).
REFUSED = "extract refused"
SNIFF_BYTES = 1 << 16  # the first sample of a file: encoding and binary content are judged on it
SHOWN_HEADERS = 12  # columns quoted from a header in a message
BYTE_ORDER_MARK = b"\xef\xbb\xbf"
CSV_ADVICE = "save the table as CSV (UTF-8, comma separated, header row)"
# Leading bytes of files that are often named .csv by mistake, and what they are.
BINARY_SIGNATURES = ((b"PK\x03\x04", "an Excel workbook or other zip archive"),
                     (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
                     (b"%PDF", "a PDF document"))


class ExtractRefused(Exception):
    """The extract cannot be audited; the message is the one-line reason shown to the user."""


def is_empty_file(path: Path) -> bool:
    """Zero bytes, or only a byte-order mark and blank lines: nothing a sender meant as a table."""
    size = path.stat().st_size
    if size == 0:
        return True
    if size > 64:
        return False
    return not path.read_bytes().removeprefix(BYTE_ORDER_MARK).strip()


def _first_sample(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def csv_encoding(path: Path) -> str:
    """UTF-8, or Latin-1 when the first sample is not UTF-8; binary content is refused."""
    head = _first_sample(path)
    if b"\x00" in head or any(head.startswith(signature) for signature, _ in BINARY_SIGNATURES):
        what = next((kind for signature, kind in BINARY_SIGNATURES if head.startswith(signature)), "binary content")
        raise ExtractRefused(f"{path.name} is not a CSV text file ({what}); {CSV_ADVICE}")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A cut in the middle of a multi-byte character at the sample's end is still UTF-8.
        if error.start >= len(head) - 3:
            return "utf-8"
        return "latin-1"


def read_csv_header(path: Path, encoding: str) -> list[str]:
    """The header row as written; a file with no header or not split by commas is refused."""
    with path.open("r", encoding=encoding, newline="") as handle:
        first_line = handle.readline().lstrip("\ufeff")  # a byte-order mark alone is an empty file
    if not first_line.strip():
        raise ExtractRefused(f"{path.name} is empty: expected a header row and the table's rows; "
                             "export the table again")
    header = next(csv.reader([first_line]))
    if len(header) == 1:
        found = next((name for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"))
                      if sep in header[0]), None)
        if found:
            raise ExtractRefused(f"{path.name} is not comma separated (its header is one column split by "
                                 f"{found}: '{header[0][:60]}'); {CSV_ADVICE}")
    return header


def _quoted(headers: list[str]) -> str:
    shown = ", ".join(f"'{h}'" for h in headers[:SHOWN_HEADERS])
    return shown + (f" and {len(headers) - SHOWN_HEADERS} more" if len(headers) > SHOWN_HEADERS else "")


def check_header(contract: Contract, table: Table, file_name: str, header: list[str]) -> list[str]:
    """The header's columns normalised to contract names (`Patient ID` -> patient_id), after the
    checks that refuse the file: an empty or repeated name, a name that suggests a direct
    identifier (among the columns the contract does not define), a required column missing."""
    names = [normalise_column_name(h) for h in header]
    if any(not n for n in names):
        position = next(i for i, n in enumerate(names) if not n) + 1
        raise ExtractRefused(f"{table.name}: {file_name} has an empty column name in its header (column "
                             f"{position}); name the column or remove it")
    flagged = [h for h, n in zip(header, names) if n not in table.column_names and contract.looks_like_identifier(h)]
    if flagged:
        raise ExtractRefused(f"direct identifier refused: {file_name} has a column '{flagged[0]}', which looks "
                             "like a personal identifier; remove that column from the extract and send it again")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        written = [h for h, n in zip(header, names) if n == repeated[0]]
        raise ExtractRefused(f"{table.name}: {file_name} has duplicate columns: {_quoted(written)} are all "
                             f"{repeated[0]}; keep one")
    missing = [c for c in table.required_columns if c not in names]
    if missing:
        extra = [h for h, n in zip(header, names) if n not in table.column_names]
        hint = ""
        close = difflib.get_close_matches(missing[0], [normalise_column_name(h) for h in extra], n=1, cutoff=0.6)
        if close:
            written = next(h for h in extra if normalise_column_name(h) == close[0])
            hint = f"; if '{written}' holds it, rename that column to {missing[0]}"
        raise ExtractRefused(f"{table.name}: required column {', '.join(missing)} missing from {file_name} "
                             f"(its header: {_quoted(header)}){hint or '; add the column'}")
    return names


def close_table(file_name: str, table_names: list[str]) -> str | None:
    """The contract table a file that is no table file seems meant to be: `patients_2025Q4.csv`,
    `Patient.csv`, `DiseaseEvents.txt`. None when the name is not close to any."""
    stem = normalise_column_name(file_name.split(".")[0])
    if not stem or file_name.endswith("/"):  # a folder is listed with its `/`
        return None
    for table in table_names:
        singular = table.removesuffix("s")
        if stem == table or stem.startswith((table + "_", singular)):
            return table
    close = difflib.get_close_matches(stem, table_names, n=1, cutoff=0.85)
    return close[0] if close else None


def rename_advice(file_name: str, table: str) -> str:
    """What to do with a file whose name is close to `table`'s."""
    extension = os.path.splitext(file_name)[1].lower()
    if extension in (".csv", ".parquet"):
        return f"found {file_name}: rename it to {table}{extension}"
    return f"found {file_name}: save it as {table}.csv (UTF-8, comma separated)"


def missing_table_message(table: str, other_files: tuple[str, ...], table_names: list[str]) -> str:
    """A required table without its file, naming the files that look meant to be it."""
    message = f"required table {table} missing: expected {table}.csv or {table}.parquet"
    close = [name for name in other_files if close_table(name, table_names) == table]
    return message + "".join(f"; {rename_advice(name, table)}" for name in close)
