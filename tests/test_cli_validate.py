"""`abc-audit validate`: the contract checks alone, with the data-quality report; `--help` everywhere."""
import csv

import pytest

from pipelines.cli import main as cli
from tests.extract_builder import Extract


def test_validate_writes_the_report_and_summarises_quarantine(tmp_path, capsys):
    x = Extract()
    x.patient("P1").metastatic().pathology()
    x.patient("P2", sex="unicorn").metastatic()
    extract = x.write(tmp_path / "extract")
    assert cli(["validate", "--input", str(extract), "--report", str(tmp_path / "report")]) == 0
    printed = capsys.readouterr().out
    assert "the extract can be audited" in printed
    assert "patients: " in printed  # the quarantine reason for P2's sex
    with (tmp_path / "report" / "data_quality" / "row_reconciliation.csv").open() as handle:
        patients = next(r for r in csv.DictReader(handle) if r["table_name"] == "patients")
    assert (patients["rows_read"], patients["rows_quarantined"], patients["reconciles"]) == ("2", "1", "true")
    assert not (tmp_path / "report" / "case_outcomes.csv").exists()  # validation only, nothing audited


def test_validate_refuses_an_extract_without_a_required_table(tmp_path, capsys):
    x = Extract()
    x.patient("P1").metastatic()
    extract = x.write(tmp_path / "extract", tables=["patients"])
    assert cli(["validate", "--input", str(extract), "--report", str(tmp_path / "report")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("abc-audit: extract refused: required table disease_events missing") and "Traceback" not in error


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["rules"], ["diff"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: abc-audit" in capsys.readouterr().out
