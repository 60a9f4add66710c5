"""How the extract folder's files are told apart (pipelines/ingest/files.py), on their own; the
end-to-end behaviour is in the corpus (corpus_files.py)."""
import os

import pytest

from pipelines.automation import READY_MARKER
from pipelines.ingest.files import INBOX_MARKER, printable_name, scan_extract_folder
from pipelines.ingest.reader import ExtractRefused

TABLES = ["patients", "imaging"]


def test_table_files_are_matched_in_any_case_and_other_files_listed(tmp_path):
    for name in ("PATIENTS.Csv", "imaging.PARQUET", "imaging.txt", "patients_old.csv", "READY", ".DS_Store"):
        (tmp_path / name).write_text("x")
    (tmp_path / "archive").mkdir()
    folder = scan_extract_folder(tmp_path, TABLES)
    assert {t: p.name for t, p in folder.tables.items()} == {"patients": "PATIENTS.Csv", "imaging": "imaging.PARQUET"}
    assert folder.ignored == ("archive/", "imaging.txt", "patients_old.csv")


@pytest.mark.parametrize("names, message", [
    (["patients.csv", "Patients.CSV"], "patients: both Patients.CSV and patients.csv are present; keep one"),
    (["patients.csv", "patients.parquet"], "patients: both patients.csv and patients.parquet are present; keep one"),
    (["patients.csv", "PATIENTS.CSV", "patients.parquet"],
     "patients: PATIENTS.CSV, patients.csv and patients.parquet are all present; keep one"),
])
def test_two_files_for_one_table_are_refused(tmp_path, names, message):
    for name in names:
        (tmp_path / name).write_text("x")
    with pytest.raises(ExtractRefused) as refused:
        scan_extract_folder(tmp_path, TABLES)
    assert str(refused.value) == message


def test_names_that_are_not_utf8_are_escaped():
    assert printable_name(os.fsdecode(b"notes\xe9.docx")) == "notes\\xe9.docx"
    assert printable_name("extráct") == "extráct"


def test_the_inbox_marker_is_the_sensors():
    assert INBOX_MARKER == READY_MARKER


NOT_UTF8 = os.fsdecode(b"extr\xe9ct")  # Latin-1 e-acute: how a Windows share may name `extráct`


def test_extract_folder_named_in_another_encoding_is_refused_with_its_name_escaped(tmp_path):
    from tests.conftest import run_audit
    from tests.robustness.damage import base_extract

    run = run_audit(base_extract().write(tmp_path / NOT_UTF8), tmp_path / "run")
    assert run.failure() == ("extract refused: extract folder name is not valid UTF-8: "
                             f"{tmp_path}/extr\\xe9ct; rename the folder")


def test_cli_refuses_an_extract_folder_named_in_another_encoding(tmp_path, capsys):
    from pipelines.cli import main
    from tests.robustness.damage import base_extract

    extract = base_extract().write(tmp_path / NOT_UTF8)
    assert main(["validate", "--input", str(extract), "--report", str(tmp_path / "report")]) == 2
    assert "extract folder name is not valid UTF-8" in capsys.readouterr().err
