"""`abc-audit diff`: two real runs on extracts a quarter apart, compared from their published files.

QS12-5 (MDT discussion within -30..+60 days) is the measure followed: between the runs one patient's
late-recorded MDT discussion arrives (resolved), one patient's discussion is corrected away
(changed), one patient joins (new) and one leaves the extract (removed)."""
import csv
import json
import shutil
import subprocess
import sys

import pytest

from pipelines.diff import NotAnAuditOutput, compare_runs
from tests.conftest import run_audit
from tests.extract_builder import Extract


def _extract(mdt_for: set[str], patients: list[str]) -> Extract:
    extract = Extract()
    for patient_id in patients:
        patient = extract.patient(patient_id, provider_code="RAA" if patient_id < "P3" else "RBB")
        patient.metastatic(0).pathology(2)
        if patient_id in mdt_for:
            patient.care(10, "mdt_discussion")
    return extract


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    runs = []
    for name, mdt_for, patients in (("old", {"P2", "P4"}, ["P1", "P2", "P3", "P4"]),
                                    ("new", {"P1", "P2"}, ["P1", "P2", "P3", "P5"])):
        base = tmp_path_factory.mktemp(name)
        run = run_audit(_extract(mdt_for, patients).write(base / "extract"), base, reports=True)
        assert run.result.success, run.failure()
        runs.append(run.output)
    return runs


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cases_are_classified_as_new_resolved_changed_or_removed(two_runs, tmp_path):
    old, new = two_runs
    comparison = compare_runs(old, new, report=tmp_path)
    changes = {(r["rule_id"], r["patient_id"]): r for r in _rows(tmp_path / "case_changes.csv")}
    qs12_5 = {patient: row for (rule, patient), row in changes.items() if rule == "QS12-5"}
    assert {p: r["change"] for p, r in qs12_5.items()} == {
        "P1": "resolved", "P4": "removed", "P5": "new"}
    assert (qs12_5["P1"]["old_outcome"], qs12_5["P1"]["new_outcome"]) == ("non_adherent", "adherent")
    assert qs12_5["P5"]["old_outcome"] == "" and qs12_5["P4"]["new_outcome"] == ""
    # P3 is non-adherent in both runs; unchanged cases are not listed.
    assert ("QS12-5", "P3") not in changes
    assert comparison.case_changes_by_kind["new"] >= 1 and comparison.case_changes_by_kind["removed"] >= 1


def test_an_adherent_case_that_becomes_non_adherent_is_changed(two_runs, tmp_path):
    old, new = two_runs
    compare_runs(new, old, report=tmp_path)  # the other way round: P1 loses its discussion
    changes = {r["patient_id"]: r for r in _rows(tmp_path / "case_changes.csv") if r["rule_id"] == "QS12-5"}
    assert changes["P1"]["change"] == "changed"
    assert (changes["P1"]["old_outcome"], changes["P1"]["new_outcome"]) == ("adherent", "non_adherent")


def test_adherence_change_per_rule_and_provider(two_runs, tmp_path):
    old, new = two_runs
    comparison = compare_runs(old, new, report=tmp_path)
    rows = {(r["rule_id"], r["level"], r["group"]): r for r in _rows(tmp_path / "adherence_changes.csv")}
    national = rows[("QS12-5", "national", "national")]
    # old: P2, P4 of P1-P4 adherent (50%); new: P1, P2 of P1, P2, P3, P5 adherent (50%).
    assert (national["old_numerator"], national["old_denominator"]) == ("2", "4")
    assert (national["new_numerator"], national["new_denominator"]) == ("2", "4")
    assert float(national["change_percentage_points"]) == 0.0
    assert (national["new_cases"], national["resolved_cases"], national["removed_cases"]) == ("1", "1", "1")
    raa = rows[("QS12-5", "provider", "RAA")]  # P1, P2: 1/2 -> 2/2
    assert float(raa["old_adherence"]) == 0.5 and float(raa["new_adherence"]) == 1.0
    assert float(raa["change_percentage_points"]) == 50.0
    assert comparison.provenance_differences == []


def test_cli_prints_the_national_table_and_refuses_a_folder_that_is_not_an_output(two_runs, tmp_path):
    old, new = two_runs
    completed = subprocess.run([sys.executable, "-m", "pipelines.cli", "diff", str(old), str(new)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    qs12_5 = next(line for line in completed.stdout.splitlines() if line.strip().startswith("QS12-5"))
    assert qs12_5.split()[1:4] == ["50.0%", "50.0%", "+0.0pp"]
    # The folders are named old and new: `new` is said once, for new cases, never for the new run.
    header = completed.stdout.split("QS12-5")[0]
    assert header.startswith(f"abc-audit: before: {old}; after: {new} ")
    assert header.replace(str(new), "").count("new") == 1, header
    assert "before" in header and "after" in header

    (tmp_path / "empty").mkdir()
    refused = subprocess.run([sys.executable, "-m", "pipelines.cli", "diff", str(old), str(tmp_path / "empty")],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert "not an audit output: case_outcomes.csv, measures.csv missing" in refused.stderr
    assert "Traceback" not in refused.stderr
    with pytest.raises(NotAnAuditOutput):
        compare_runs(old, tmp_path / "missing")


def test_a_change_of_method_or_follow_up_is_reported_beside_the_figures(two_runs, tmp_path):
    old, new = two_runs
    edited = tmp_path / "new"
    shutil.copytree(new, edited)
    manifest = json.loads((edited / "run_manifest.json").read_text(encoding="utf-8"))
    values = manifest["configuration"]["values"]
    values["targets"]["compliance"] = 0.5
    values["rules"]["1.5.16"] = {"dose_gy": 10}  # a rule override the old run did not have
    values["timeline"]["follow_up_end"] = "2031-03-31"
    manifest["extract"]["follow_up_end"] = "2031-03-31"
    (edited / "run_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    notes = compare_runs(old, edited).provenance_differences
    assert notes == ["configuration differs: rules.1.5.16.dose_gy, targets.compliance, timeline.follow_up_end",
                     "the end of follow-up moved from 2030-12-31 to 2031-03-31: cases pending "
                     "(follow_up_incomplete) before may be judged now"]


@pytest.mark.parametrize("damage, message", [
    (lambda out: (out / "run_manifest.json").write_text("{", encoding="utf-8"), "cannot be read as JSON"),
    (lambda out: (out / "run_manifest.json").write_text("[]", encoding="utf-8"), "is not an audit run manifest"),
    (lambda out: (out / "measures.csv").write_text("a,b\n1,2\n", encoding="utf-8"),
     "is not an audit output's measures.csv: its header is not rule_id,level"),
    (lambda out: (out / "case_outcomes.csv").write_text("", encoding="utf-8"),
     "is not an audit output's case_outcomes.csv"),
    (lambda out: (out / "measures.csv").write_text(
        (out / "measures.csv").read_text(encoding="utf-8").replace(",national,national,all,", ",national,national,all,x", 1),
        encoding="utf-8"), "holds rows diff cannot read"),
])
def test_a_damaged_output_is_refused_in_one_line_without_a_traceback(two_runs, tmp_path, damage, message):
    old, new = two_runs
    damaged = tmp_path / "damaged"
    shutil.copytree(new, damaged)
    damage(damaged)
    completed = subprocess.run([sys.executable, "-m", "pipelines.cli", "diff", str(old), str(damaged)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr and completed.stderr.count("\n") == 1
    assert message in completed.stderr
