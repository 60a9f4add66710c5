"""Structural refusals (issue 12, part 3): found from file names, headers and a first sample before
Dagster or Great Expectations is imported, one line with one prefix, naming the file and the header
as the sender wrote it and saying what to do; exit status 2. Each case runs the real CLI in a fresh
interpreter, which then reports whether dagster or great_expectations was imported."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.extract_builder import Extract

# Runs the CLI as `abc-audit` does, then prints what it imported (the CLI's own lines go to stderr).
PROBE = """
import json, sys
from pipelines.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "dagster": "dagster" in sys.modules,
                  "great_expectations": "great_expectations" in sys.modules}))
"""


def _extract(folder: Path) -> Path:
    x = Extract()
    x.patient("P1").metastatic().pathology().imaging(5, "ct").procedure(9, "biopsy_metastasis")
    x.patient("P2").metastatic()
    return x.write(folder)


def _edit_header(file: str, old: str, new: str):
    def damage(folder: Path) -> None:
        path = folder / file
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text(lines[0].replace(old, new) + "".join(lines[1:]), encoding="utf-8")
    return damage


def _add_column(file: str, header: str, value: str):
    def damage(folder: Path) -> None:
        path = folder / file
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join([f"{lines[0]},{header}"] + [f"{line},{value}" for line in lines[1:]]) + "\n",
                        encoding="utf-8")
    return damage


def _semicolons(folder: Path) -> None:
    path = folder / "disease_events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")


def _parquet_garbage(folder: Path) -> None:
    (folder / "imaging.csv").unlink()
    (folder / "imaging.parquet").write_bytes(b"PAR1" + bytes(100))


def _parquet_without_a_required_column(folder: Path) -> None:
    with duckdb.connect() as con:
        con.execute(f"""copy (select * exclude (event_date) from read_csv('{folder / "disease_events.csv"}',
                        all_varchar = true)) to '{folder / "disease_events.parquet"}' (format parquet)""")
    (folder / "disease_events.csv").unlink()


CASES = [
    ("missing_required_table", lambda f: (f / "disease_events.csv").unlink(),
     "required table disease_events missing: expected disease_events.csv or disease_events.parquet"),
    ("required_table_with_a_close_name", lambda f: (f / "patients.csv").rename(f / "patients_2025Q4.csv"),
     "required table patients missing: expected patients.csv or patients.parquet; "
     "found patients_2025Q4.csv: rename it to patients.csv"),
    ("required_table_in_the_singular", lambda f: (f / "patients.csv").rename(f / "Patient.csv"),
     "found Patient.csv: rename it to patients.csv"),
    ("required_table_as_a_workbook", lambda f: (f / "patients.csv").rename(f / "patients.xlsx"),
     "found patients.xlsx: save it as patients.csv (UTF-8, comma separated)"),
    ("empty_required_table", lambda f: (f / "patients.csv").write_bytes(b""),
     "patients.csv is empty: expected a header row and the patients rows; export the table again"),
    ("missing_required_column", _edit_header("disease_events.csv", "event_date", "Event Dt"),
     "disease_events: required column event_date missing from disease_events.csv (its header: 'patient_id', "
     "'Event Dt', 'event_type'"),
    ("missing_required_column_with_a_close_name", _edit_header("disease_events.csv", "event_type", "Event Typ"),
     "if 'Event Typ' holds it, rename that column to event_type"),
    ("identifier_column_as_written", _add_column("patients.csv", "NHS Number", "x"),
     "direct identifier refused: patients.csv has a column 'NHS Number', which looks like a personal "
     "identifier; remove that column from the extract and send it again"),
    ("identifier_column_in_an_optional_table", _add_column("imaging.csv", "Patient Surname", "x"),
     "imaging.csv has a column 'Patient Surname', which looks like a personal identifier"),
    ("duplicate_columns", _add_column("patients.csv", "Patient ID", "P9"),
     "patients: patients.csv has duplicate columns: 'patient_id', 'Patient ID' are all patient_id; keep one"),
    ("wrong_delimiter", _semicolons,
     "disease_events.csv is not comma separated (its header is one column split by semicolons"),
    ("binary_file", lambda f: (f / "pathology.csv").write_bytes(b"%PDF-1.7\n\x00\x01binary"),
     "pathology.csv is not a CSV text file (a PDF document); save the table as CSV"),
    ("workbook_named_csv", lambda f: (f / "imaging.csv").write_bytes(b"PK\x03\x04" + bytes(64)),
     "imaging.csv is not a CSV text file (an Excel workbook or other zip archive)"),
    ("unreadable_parquet", _parquet_garbage, "imaging: imaging.parquet is not a readable Parquet file"),
    ("parquet_without_a_required_column", _parquet_without_a_required_column,
     "disease_events: required column event_date missing from disease_events.parquet"),
    ("extract_folder_missing", shutil.rmtree, "extract folder not found"),
]


def _probe(command: str, extract: Path, tmp_path: Path, env: dict | None = None) -> tuple[dict, str]:
    target = ["--output", str(tmp_path / "out")] if command == "run" else ["--report", str(tmp_path / "report")]
    completed = subprocess.run([sys.executable, "-c", PROBE, command, "--input", str(extract), *target],
                               capture_output=True, text=True, timeout=120, env=env)
    assert "Traceback" not in completed.stderr, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1]), completed.stderr


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name, damage, message", CASES, ids=[c[0] for c in CASES])
def test_a_structural_fault_is_refused_before_dagster_or_great_expectations_is_imported(
        tmp_path, command, name, damage, message):
    extract = _extract(tmp_path / "extract")
    damage(extract)
    probe, stderr = _probe(command, extract, tmp_path)
    assert probe == {"status": 2, "dagster": False, "great_expectations": False}, stderr
    assert stderr.startswith("abc-audit: extract refused: ") and stderr.count("\n") == 1, stderr
    assert message in stderr, stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "report").exists()


def test_the_graph_refuses_with_the_same_message_and_prefix(tmp_path):
    """A run started from the Dagster UI skips the CLI's preflight: the ingest assets refuse the
    same fault with the same words (tests/conftest.py runs the real asset graph)."""
    from tests.conftest import run_audit

    extract = _extract(tmp_path / "extract")
    _add_column("patients.csv", "NHS Number", "x")(extract)
    message = run_audit(extract, tmp_path).failure()
    assert message == ("extract refused: direct identifier refused: patients.csv has a column 'NHS Number', which "
                       "looks like a personal identifier; remove that column from the extract and send it again")


def test_an_empty_optional_table_is_absent_with_a_warning(tmp_path, capsys):
    from pipelines.cli import main

    extract = _extract(tmp_path / "extract")
    (extract / "procedures.csv").write_bytes(b"")
    (extract / "imaging.csv").rename(extract / "imaging_2025Q4.csv")
    assert main(["validate", "--input", str(extract), "--report", str(tmp_path / "report")]) == 0
    err = capsys.readouterr().err
    assert ("abc-audit: warning: procedures.csv is empty (no header, no rows): the procedures table is treated "
            "as absent, so rules that need it cannot be judged") in err
    assert ("abc-audit: warning: the imaging table is absent, but found imaging_2025Q4.csv: rename it to "
            "imaging.csv to have it audited") in err
    assert "Traceback" not in err
