"""The data-quality summary nobody can miss (issue 12 parts 2 and 6), through the real CLI.

Each scenario is one real audit (or validation) of an extract written here, shared by its tests:
10% of systemic_therapy rows with impossible dates is above the default 5% warning share, 2% is
below it; a patient whose only metastatic diagnosis row is set aside warns at any share.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit_rules.catalogue import load_catalogue
from pipelines.cli import main as cli
from tests.extract_builder import Extract

PATIENTS = 50
WARNING_HEADLINE = "WARNING  DATA QUALITY"
SUPPLIED = {"patients", "disease_events", "pathology", "systemic_therapy", "imaging"}  # the tables _extract writes


def _extract(folder: Path, impossible_dates: int, lost_patients: int = 0, imaging: bool = True) -> Path:
    """PATIENTS patients with one letrozole row each; `impossible_dates` of those rows dated 31/02/2024
    (quarantined); `lost_patients` extra patients whose only metastatic diagnosis is dated 2024-13-01."""
    x = Extract()
    for i in range(PATIENTS):
        patient = x.patient(f"P{i:03}", provider_code="RAA" if i % 2 else "RBB").metastatic().pathology()
        patient.regimen("letrozole", start=5)
        if imaging:
            patient.imaging(-10, "ct", purpose="staging", result="metastatic")
    for row in x.rows["systemic_therapy"][:impossible_dates]:
        row["start_date"] = "31/02/2024"
    for i in range(lost_patients):
        x.patient(f"L{i:03}").metastatic()
        x.rows["disease_events"][-1]["event_date"] = "2024-13-01"
    return x.write(folder)


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _warning_block(printed: str) -> list[str]:
    lines = printed.splitlines()
    if WARNING_HEADLINE not in printed:
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("WARNING ==="))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("WARNING ==="))
    return lines[start:end + 1]


def _manifest(output: Path) -> dict:
    return json.loads((output / "run_manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def above_threshold(tmp_path_factory, capsys_module):
    root = tmp_path_factory.mktemp("above")
    extract = _extract(root / "extract", impossible_dates=5)  # 5 of 50 rows: 10%
    return root / "out", *capsys_module(["run", "--input", str(extract), "--output", str(root / "out")])


@pytest.fixture(scope="module")
def below_threshold(tmp_path_factory, capsys_module):
    root = tmp_path_factory.mktemp("below")
    extract = _extract(root / "extract", impossible_dates=1, imaging=False)  # 1 of 50 rows: 2%; no imaging.csv
    return root / "out", *capsys_module(["run", "--input", str(extract), "--output", str(root / "out")])


@pytest.fixture(scope="module")
def capsys_module():
    """The CLI's exit status and terminal output for a module-scoped run (capsys is per test)."""
    import contextlib
    import io

    def run(argv: list[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli(argv)
        return code, out.getvalue(), err.getvalue()
    return run


def test_run_prints_the_summary_before_the_rule_table(below_threshold):
    output, code, printed, _ = below_threshold
    assert code == 0
    lines = printed.splitlines()
    summary = lines.index("abc-audit: data quality (rows read = accepted + quarantined + rejected by the CSV reader)")
    rule_table = next(i for i, line in enumerate(lines) if line.strip().startswith("rule "))
    assert summary < rule_table
    rows = {line.split()[0]: line.split()[1:] for line in lines[summary + 2:rule_table] if line.startswith("  ") and "without a usable" not in line}
    assert rows["systemic_therapy"] == ["50", "49", "1", "0"]  # read, accepted, quarantined, rejected by reader
    assert rows["patients"] == [str(PATIENTS), str(PATIENTS), "0", "0"]
    assert " ".join(rows["imaging"]) == "no file in the extract"
    assert any("systemic_therapy: start_date is not a real date" in line for line in lines[summary:rule_table])
    assert f"patients without a usable metastatic diagnosis (outside the audit): 0 of {PATIENTS}" in printed


def test_no_warning_below_the_share(below_threshold):
    output, _, printed, _ = below_threshold
    assert "WARNING" not in printed
    assert _manifest(output)["data_quality_warnings"] == []
    assert 'id="data-quality-warning"' not in (output / "dashboard.html").read_text(encoding="utf-8")


def _expected_not_judged(supplied: set[str]) -> dict[str, list[str]]:
    return {r.id: [t for t in r.needs_tables if t not in supplied]
            for r in load_catalogue().audited_rules if set(r.needs_tables) - supplied}


def test_rules_needing_an_absent_table_are_listed_in_the_manifest_and_dashboard(below_threshold):
    output, *_ = below_threshold
    needing_imaging = [r.id for r in load_catalogue().audited_rules if "imaging" in r.needs_tables]
    assert needing_imaging, "the catalogue has rules that need the imaging table"
    listed = {e["rule_id"]: e for e in _manifest(output)["rules_not_judged"]}
    assert {rule_id: e["missing_tables"] for rule_id, e in listed.items()} == _expected_not_judged(SUPPLIED - {"imaging"})
    assert all(e["table_status"] == {t: "absent" for t in e["missing_tables"]} for e in listed.values())
    page = (output / "dashboard.html").read_text(encoding="utf-8")
    notice = page[page.index('id="rules-not-judged"'):page.index("</p>", page.index('id="rules-not-judged"'))]
    assert "These rules could not be judged" in notice and "because the extract has no imaging table" in notice
    assert all(rule_id in notice for rule_id in needing_imaging)
    assert page.index('id="rules-not-judged"') < page.index('id="completeness"')


def test_the_warning_block_names_table_rows_reason_and_quarantine_file(above_threshold):
    output, code, printed, _ = above_threshold
    assert code == 0  # a warning, not a refusal
    block = _warning_block(printed)
    assert block and all(line.startswith("WARNING") for line in block)
    text = " ".join(line.removeprefix("WARNING").strip() for line in block)
    assert "5 of the 50 rows of systemic_therapy (10.0%) were set aside" in text
    assert "Most frequent reason: start_date is not a real date" in text
    assert str(output / "data_quality" / "quarantine.csv") in text
    assert printed.index(WARNING_HEADLINE) < printed.index("adherent/eligible")  # before the rule table


def test_the_manifest_and_the_dashboard_carry_the_same_warning(above_threshold):
    output, *_ = above_threshold
    warnings = _manifest(output)["data_quality_warnings"]
    assert [(w["kind"], w["table"], w["rows_read"], w["rows_set_aside"], w["share_set_aside"]) for w in warnings] == [
        ("share_above_threshold", "systemic_therapy", 50, 5, 0.1)]
    assert warnings[0]["quarantine_file"] == "data_quality/quarantine.csv"
    assert warnings[0]["commonest_reason"].startswith("start_date is not a real date")
    page = (output / "dashboard.html").read_text(encoding="utf-8")
    banner = page.index('id="data-quality-warning"')
    assert banner < page.index("<h1>")  # above everything else, the header's title included
    assert "5 of the 50 rows of systemic_therapy (10.0%) were set aside" in page[banner:page.index("<h1>")]
    # imaging was supplied this time: only the rules needing the tables the extract lacks are listed
    assert [e["rule_id"] for e in _manifest(output)["rules_not_judged"]] == list(_expected_not_judged(SUPPLIED))


def test_validate_ends_plainly_for_a_clean_extract(tmp_path, capsys):
    extract = _extract(tmp_path / "extract", impossible_dates=0)
    code, printed, _ = _cli(capsys, "validate", "--input", str(extract), "--report", str(tmp_path / "report"))
    assert code == 0 and "WARNING" not in printed
    assert "  most frequent reasons for quarantine" not in printed  # nothing was set aside
    assert printed.splitlines()[-1] == f"abc-audit: the extract can be audited; report: {tmp_path / 'report' / 'data_quality'}"


def test_a_patient_lost_to_quarantine_warns_below_the_share(tmp_path, capsys):
    # 1 of 51 disease_events rows (2%) is below the share, but it was that patient's only diagnosis
    extract = _extract(tmp_path / "extract", impossible_dates=0, lost_patients=1)
    code, printed, _ = _cli(capsys, "validate", "--input", str(extract), "--report", str(tmp_path / "report"))
    assert code == 0
    text = " ".join(line.removeprefix("WARNING").strip() for line in _warning_block(printed))
    assert "1 patient has left the audited cohort" in text and "2024-13-01" not in text
    assert "event_date is not a real date" in text
    assert "rows of disease_events (" not in text  # the share itself did not warn
    assert f"patients without a usable metastatic diagnosis (outside the audit): 1 of {PATIENTS + 1}" in printed
    quarantine = tmp_path / "report" / "data_quality" / "quarantine.csv"
    assert printed.splitlines()[-1] == (f"abc-audit: the extract can be audited, but 1 row of disease_events was "
                                        f"set aside: look at {quarantine} first")


def test_refuse_quarantined_share_refuses_and_publishes_nothing(tmp_path, capsys):
    extract = _extract(tmp_path / "extract", impossible_dates=5)  # 10%
    config = tmp_path / "scheduled.yaml"
    config.write_text("validation:\n  refuse_quarantined_share: 0.08\n", encoding="utf-8")
    output = tmp_path / "out"
    code, printed, error = _cli(capsys, "run", "--input", str(extract), "--output", str(output), "--config", str(config))
    assert code == 2
    assert len(error.strip().splitlines()) == 1
    assert "systemic_therapy" in error and "10.0%" in error and "start_date is not a real date" in error
    assert "Traceback" not in error and "Nothing was published" in error
    assert not output.exists()


@pytest.mark.parametrize("value", ["1.5", "-0.1", "yes", "'a fifth'"])
def test_shares_outside_0_to_1_are_refused_naming_the_key(tmp_path, capsys, value):
    config = tmp_path / "bad.yaml"
    config.write_text(f"validation:\n  warn_quarantined_share: {value}\n", encoding="utf-8")
    extract = _extract(tmp_path / "extract", impossible_dates=0)
    code, _, error = _cli(capsys, "validate", "--input", str(extract), "--config", str(config))
    assert code == 2 and "validation.warn_quarantined_share" in error


def test_every_job_that_publishes_runs_the_blocking_check_first():
    import dagster as dg

    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    summary = dg.AssetKey("data_quality_summary")
    assert summary in graph.get(dg.AssetKey("published_audit")).parent_keys
    assert summary in graph.get(dg.AssetKey("dashboard")).parent_keys
    checks = {key.name: key for key in graph.asset_check_keys if key.asset_key == summary}
    assert graph.get_check_spec(checks["quarantined_share_below_refusal"]).blocking
    schedule_job = defs.resolve_schedule_def("quarterly_audit_schedule").job_name
    for job_name in ("audit", "validate", schedule_job, defs.resolve_sensor_def("extract_inbox").job_name):
        assert summary in defs.resolve_job_def(job_name).asset_layer.selected_asset_keys, job_name
