"""Validation and privacy: refusals with a named reason, quarantine with a reason per row, and
row reconciliation (read = accepted + quarantined) for every table."""
from tests.extract_builder import Extract


def _base() -> Extract:
    x = Extract()
    x.patient("P1").metastatic().pathology()
    x.patient("P2").metastatic()
    return x


def test_missing_required_column_refuses_with_its_name(audit, tmp_path):
    x = _base()
    run = audit(x)  # a valid baseline first
    assert run.failure() is None
    folder = tmp_path / "extract"
    text = (folder / "patients.csv").read_text().replace("provider_code", "trust")
    (folder / "patients.csv").write_text(text)
    from tests.conftest import run_audit
    refused = run_audit(folder, tmp_path / "second")
    assert refused.failure().startswith(
        "extract refused: patients: required column provider_code missing from patients.csv (its header: ")


def test_missing_required_table_refuses(audit, tmp_path):
    run = audit(_base(), tables=["patients"], reports=True)
    assert run.failure() == ("extract refused: required table disease_events missing: "
                             "expected disease_events.csv or disease_events.parquet")
    assert not run.output.exists()


def test_nhs_number_refused_without_printing_it(audit):
    x = _base()
    x.patient("P3").metastatic().imaging(10, "ct", body_site="NHS 943 476 5919 chest")
    run = audit(x, reports=True)
    message = run.failure()
    assert message.startswith("extract refused: direct identifier refused: imaging.body_site holds valid NHS numbers")
    assert "943" not in message
    assert not run.output.exists()


def test_identifier_column_refused(audit, tmp_path):
    x = _base()
    x.write(tmp_path / "extract")
    patients = tmp_path / "extract" / "patients.csv"
    lines = patients.read_text().splitlines()
    patients.write_text("\n".join([lines[0] + ",Date Of Birth"] + [l + ",1955-01-01" for l in lines[1:]]) + "\n")
    from tests.conftest import run_audit
    run = run_audit(tmp_path / "extract", tmp_path)
    assert "patients.csv has a column 'Date Of Birth'" in run.failure()


def test_bad_values_quarantined_or_set_unknown_and_rows_reconcile(audit):
    x = _base()
    x.patient("P4", sex="femme").metastatic()                    # required enum wrong: row quarantined
    x.patient("P5").metastatic(menopausal_status="premenopausal")  # optional enum wrong: value set unknown
    x.add("disease_events", patient_id="GHOST", event_date="2024-03-01", event_type="metastatic_diagnosis")
    x.add("disease_events", patient_id="P4", event_date="2024-03-01", event_type="metastatic_diagnosis")
    x.add("pathology", patient_id="P1", sample_date="2024-02-30", specimen_origin="primary", er_status="positive")
    run = audit(x)
    assert run.failure() is None
    findings = run.query("select table_name, column_name, check_name, action, value from validated.quarantine "
                         "order by table_name, source_row, check_name")
    assert {"table_name": "patients", "column_name": "sex", "check_name": "sex.code",
            "action": "row_quarantined", "value": "femme"} in findings
    assert {"table_name": "disease_events", "column_name": "menopausal_status", "check_name": "menopausal_status.code",
            "action": "value_set_to_unknown", "value": "premenopausal"} in findings
    assert {"table_name": "disease_events", "column_name": "patient_id", "check_name": "patient_id.known",
            "action": "row_quarantined", "value": "not_in_patients"} in findings
    assert {"table_name": "disease_events", "column_name": "patient_id", "check_name": "patient_id.accepted",
            "action": "row_quarantined", "value": "patient_quarantined"} in findings
    assert {"table_name": "pathology", "column_name": "sample_date", "check_name": "sample_date.date",
            "action": "row_quarantined", "value": "2024-02-30"} in findings
    # P5 stays in the cohort with menopausal status unknown.
    assert run.query("select menopausal_status_at_index from timeline.patient_timeline where patient_id = 'P5'") == [
        {"menopausal_status_at_index": None}]
    for row in run.query("select * from bookkeeping.row_reconciliation"):
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row
    patients = run.query("select * from bookkeeping.row_reconciliation where table_name = 'patients'")[0]
    assert (patients["rows_read"], patients["rows_accepted"], patients["rows_quarantined"]) == (4, 3, 1)
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in run.result.get_asset_check_evaluations()}
    assert checks[("validated_patients", "contract_suite")] is False
    assert checks[("validated_imaging", "contract_suite")] is True
    assert all(passed for (asset, check), passed in checks.items() if check == "rows_reconcile")


def test_future_dates_and_absurd_doses(audit):
    x = _base()
    x.patient("P6").metastatic().radiotherapy("C1", dose_gy=800, fractions=1).radiotherapy("C2", start=3000)
    run = audit(x)
    findings = {(f["table_name"], f["check_name"]): f for f in run.query("select * from validated.quarantine")}
    assert findings[("radiotherapy", "prescribed_dose_gy.range")]["action"] == "value_set_to_unknown"
    assert findings[("radiotherapy", "start_date.date_range")]["action"] == "row_quarantined"
    assert run.outcome("1.5.16", "P6", "C1") == "insufficient_data"


def test_unparseable_csv_line_is_quarantined_by_line_number(audit, tmp_path):
    x = _base()
    x.patient("P7").metastatic()
    folder = x.write(tmp_path / "extract")
    events = folder / "disease_events.csv"
    lines = events.read_text().splitlines()
    lines.insert(2, "P1,2024-05-01,progression,bone,,,,,,,,,,,,extra,columns")
    events.write_text("\n".join(lines) + "\n")
    from tests.conftest import run_audit
    run = run_audit(folder, tmp_path)
    assert run.failure() is None
    rejected = run.query("select * from validated.quarantine where check_name = 'file.parse'")
    assert [(r["table_name"], r["source_line"], r["action"]) for r in rejected] == [("disease_events", 3, "row_quarantined")]
    assert rejected[0]["value"] is None  # the raw line is never copied into outputs
    row = run.query("select * from bookkeeping.row_reconciliation where table_name = 'disease_events'")[0]
    assert (row["rows_read"], row["rows_accepted"], row["rows_quarantined"], row["rows_rejected_by_parser"]) == (4, 3, 1, 1)
