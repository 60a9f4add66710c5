"""Bad extracts: the extract's files and their columns (names in any case, files that are no table,
names that are not UTF-8, columns named like the audit's own, a byte-order mark alone)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from tests.robustness.damage import (NHS_NUMBER, BadExtract, add_column, as_parquet, both, rename_file,
                                     replace_bytes)

# Extra Parquet columns: one named like DuckDB's row number, one whose name holds double quotes.
ODD_PARQUET_COLUMNS = '*, \'x\' as rowid, \'y\' as "we""ird ""name"""'


def _reserved_columns_in_the_manifest(out: Path) -> None:
    inputs = {i["table"]: i for i in json.loads((out / "run_manifest.json").read_text())["extract"]["inputs"]}
    assert "source_row" in inputs["care_events"]["ignored_columns"], inputs["care_events"]
    assert "rowid" in inputs["imaging"]["ignored_columns"], inputs["imaging"]
    assert {"source_row", "rowid", "we_ird_name"} <= set(inputs["disease_events"]["ignored_columns"])


def _row_numbers_are_the_audits(con: duckdb.DuckDBPyConnection) -> None:
    """The extract's own `source_row` (7 everywhere) neither replaces nor shifts the row numbers."""
    for table in ("care_events", "imaging", "disease_events"):
        assert con.execute(f"select list(source_row order by source_row) from validated.{table}").fetchone()[0] \
            == [1, 2, 3], table


def _no_table_files(folder: Path) -> None:
    (folder / "imaging.csv").rename(folder / "imaging.txt")  # the trust's imaging, with the wrong extension
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / "old").mkdir()
    (folder / "READY").write_text("")  # the inbox's delivery marker: expected, not ignored
    (folder / ".DS_Store").write_bytes(b"\x00")  # hidden files are the system's


def _ignored_files_recorded(con: duckdb.DuckDBPyConnection) -> None:
    names = [r[0] for r in con.execute("select file_name from bookkeeping.ignored_files order by all").fetchall()]
    assert names == ["imaging.txt", "notes.docx", "old/"], names


def _ignored_files_in_the_manifest(out: Path) -> None:
    extract = json.loads((out / "run_manifest.json").read_text())["extract"]
    assert extract["ignored_files"] == ["imaging.txt", "notes.docx", "old/"], extract


def _second_copy(name: str, source: str = "patients.csv"):
    return lambda folder: (folder / name).write_bytes((folder / source).read_bytes())


CASES: list[BadExtract] = [
    # --- columns named like the audit's row number, or with quotes ---------------------------------
    BadExtract("extra_columns_named_like_the_row_number", both(
        add_column("care_events", "Source Row", "7"), add_column("imaging", "rowid", "7"),
        add_column("disease_events", "source_row", "7"),
        as_parquet("disease_events", ODD_PARQUET_COLUMNS)),
        rows_accepted={"care_events": 3, "imaging": 3, "disease_events": 3},
        validated=_row_numbers_are_the_audits, after_audit=_reserved_columns_in_the_manifest),
    # --- file names: any case; other files listed and warned about; ambiguity refused ---------------
    BadExtract("table_file_names_in_any_case", both(rename_file("imaging.csv", "Imaging.CSV"),
                                                    rename_file("patients.csv", "PATIENTS.csv"),
                                                    as_parquet("pathology"), rename_file("pathology.parquet",
                                                                                         "Pathology.PARQUET")),
               rows_accepted={"imaging": 3, "patients": 3, "pathology": 3}),
    BadExtract("files_that_are_not_tables", _no_table_files, rows_accepted={"imaging": 0, "patients": 3},
               warning="3 file(s) in the extract folder are not contract tables and were ignored "
                       "(tables are <table>.csv or <table>.parquet): imaging.txt, notes.docx, old/",
               validated=_ignored_files_recorded, after_audit=_ignored_files_in_the_manifest),
    BadExtract("same_table_in_two_cases", _second_copy("Patients.CSV"),
               refused="patients: both Patients.CSV and patients.csv are present; keep one"),
    BadExtract("same_table_as_csv_and_parquet", both(_second_copy("imaging.copy", "imaging.csv"),
                                                     as_parquet("imaging"), rename_file("imaging.copy", "imaging.csv")),
               refused="imaging: both imaging.csv and imaging.parquet are present; keep one"),
    BadExtract("file_name_not_utf8", lambda folder: (folder / os.fsdecode(b"notes\xe9.docx")).write_text("x"),
               warning="ignored (tables are <table>.csv or <table>.parquet): notes\\xe9.docx"),
    BadExtract("nhs_number_in_an_ignored_file_name",
               lambda folder: (folder / f"referral {NHS_NUMBER}.pdf").write_bytes(b"%PDF"),
               refused="direct identifier refused: 1 file name(s) in the extract folder hold valid NHS numbers",
               never_printed=NHS_NUMBER),
    # --- empty files --------------------------------------------------------------------------------
    BadExtract("byte_order_mark_only", replace_bytes("patients", b"\xef\xbb\xbf"),
               refused="patients.csv is empty: expected a header row"),
    # an empty optional table is that table absent, with a warning (data-contract.md, "Conventions")
    BadExtract("byte_order_mark_and_blank_line", replace_bytes("imaging", b"\xef\xbb\xbf\r\n"),
               warning="imaging.csv is empty (no header, no rows): the imaging table is treated as absent",
               rows_accepted={"imaging": 0}),
    BadExtract("empty_optional_file", replace_bytes("procedures", b""),
               warning="procedures.csv is empty (no header, no rows): the procedures table is treated as absent",
               rows_accepted={"procedures": 0, "patients": 3}),
    BadExtract("optional_table_under_a_close_name", rename_file("imaging.csv", "Imaging_2025Q4.csv"),
               warning="the imaging table is absent, but found Imaging_2025Q4.csv: rename it to imaging.csv "
                       "to have it audited", rows_accepted={"imaging": 0}),
]
