"""SACT (regimen, cycle, drug detail, outcome) -> systemic_therapy and progression events; RTDS
(prescription, episode, exposure) -> radiotherapy: each code of the lookups and each site map."""
import pytest

from tests.national.conftest import adapt, rows


def _with_patients(extract, values: dict) -> dict:
    """One patient with a metastatic breast tumour per value (ids 1000000001...): patient -> value."""
    by_patient = {}
    for n, value in enumerate(values, start=1):
        patient = extract.patient(f"{1000000000 + n}")
        extract.tumour(patient, "2023-01-10")
        by_patient[patient] = value
    return by_patient


@pytest.fixture
def patient(extract):
    patient = extract.patient("1000000001")
    extract.tumour(patient, "2023-01-10")
    return patient


def test_one_row_per_drug_from_its_first_to_its_last_administration(extract, tmp_path, patient):
    regimen = extract.regimen(patient, "2023-02-01", ["DOCETAXEL", "TRASTUZUMAB"], cycles=3, outcome="0")
    found = rows(adapt(extract, tmp_path), """select regimen_id, drug_name, start_date, end_date, end_reason
        from raw.systemic_therapy order by drug_name""")
    assert found == [(regimen, "DOCETAXEL", "2023-02-01", "2023-03-15", "completed"),
                     (regimen, "TRASTUZUMAB", "2023-02-01", "2023-03-15", "completed")]


INTENTS = {"A": "adjuvant", "N": "neoadjuvant", "P": "palliative", "2": "palliative", "D": "palliative", "3": "palliative",
           "C": "unknown", "1": "unknown", "S": "unknown", "9": "unknown", "Q": None}
OUTCOMES = {"0": "completed", "1": "died", "2": "progression", "3": "toxicity", "4": "other", "5": "patient_choice",
            "9": "unknown"}


def test_intent_codes_of_zregimenintent(extract, tmp_path):
    patients = _with_patients(extract, INTENTS)
    for patient, code in patients.items():
        extract.regimen(patient, "2023-02-01", ["LETROZOLE"], intent=code)
    con = adapt(extract, tmp_path)
    assert dict(rows(con, "select patient_id, intent from raw.systemic_therapy")) == {
        p: INTENTS[c] for p, c in patients.items()}
    assert rows(con, "select column_name, value from bookkeeping.national_unrecognised_codes") == [
        ("INTENT_OF_TREATMENT", "Q")]


def test_outcome_codes_of_zregimenoutcome(extract, tmp_path):
    patients = _with_patients(extract, OUTCOMES)
    for patient, code in patients.items():
        extract.regimen(patient, "2023-02-01", ["PACLITAXEL"], outcome=code, final="2023-05-02")
    con = adapt(extract, tmp_path)
    assert dict(rows(con, "select patient_id, end_reason from raw.systemic_therapy")) == {
        p: OUTCOMES[c] for p, c in patients.items()}
    progression = [p for p, c in patients.items() if c == "2"]
    assert rows(con, "select patient_id, event_date, sites from raw.disease_events where event_type = 'progression'") == [
        (progression[0], "2023-05-02", None)]


def test_a_regimen_without_an_outcome_has_no_end_reason(extract, tmp_path, patient):
    extract.regimen(patient, "2023-02-01", ["LETROZOLE"], outcome=None)
    assert rows(adapt(extract, tmp_path), "select end_date, end_reason from raw.systemic_therapy") == [("2023-02-01", None)]


TRIALS = {"01": "true", "1": "true", "Y": "true", "y": "true", "02": "false", "2": "false", "N": "false", "n": "false"}


def test_clinical_trial_codes_of_zclinicaltrial(extract, tmp_path):
    patients = _with_patients(extract, TRIALS)
    for patient, code in patients.items():
        extract.regimen(patient, "2023-02-01", ["LETROZOLE"], trial=code)
    assert dict(rows(adapt(extract, tmp_path), "select patient_id, clinical_trial from raw.systemic_therapy")) == {
        p: TRIALS[c] for p, c in patients.items()}


def test_not_chemo_is_no_drug_and_is_counted(extract, tmp_path, patient):
    extract.regimen(patient, "2023-02-01", ["TAMOXIFEN", "NOT CHEMO"])
    con = adapt(extract, tmp_path)
    assert rows(con, "select drug_name from raw.systemic_therapy") == [("TAMOXIFEN",)]
    assert rows(con, """select disposition, reason, rows from bookkeeping.national_rows
        where table_name = 'sim_sact_drug_detail' order by 1""") == [
        ("mapped", None, 1),
        ("outside_audit", "DRUG_GROUP NOT CHEMO is not a cancer drug (national/codes/drug_groups_not_drugs.csv)", 1)]


def test_a_regimen_without_drug_rows_is_named_by_its_benchmark_group(extract, tmp_path, patient):
    extract.regimen(patient, "2023-02-01", [], benchmark="DOCETAXEL + TRASTUZUMAB", final="2023-04-01")
    assert rows(adapt(extract, tmp_path), "select drug_name, start_date, end_date from raw.systemic_therapy") == [
        ("DOCETAXEL + TRASTUZUMAB", "2023-02-01", "2023-04-01")]


def test_orphan_and_impossible_sact_rows_are_set_aside_with_their_reasons(extract, tmp_path, patient):
    extract.regimen(patient, "2023-02-01", ["LETROZOLE", "PALBOCICLIB"])
    extract.rows["sim_sact_drug_detail"][-1]["ADMINISTRATION_DATE"] = "2023-02-30"
    extract.rows["sim_sact_cycle"].append({"MERGED_REGIMEN_ID": "999", "MERGED_CYCLE_ID": "998"})
    extract.rows["sim_sact_drug_detail"].append({"MERGED_CYCLE_ID": "997", "DRUG_GROUP": "LETROZOLE"})
    extract.rows["sim_sact_outcome"].append({"MERGED_REGIMEN_ID": "999", "REGIMEN_OUTCOME_SUMMARY": "0"})
    extract.regimen("1999999999", "2023-02-01", ["LETROZOLE"])  # a patient the registry does not hold
    con = adapt(extract, tmp_path)
    set_aside = rows(con, """select table_name, reason, rows from bookkeeping.national_rows
        where disposition = 'set_aside' order by 1, 2""")
    assert set_aside == [
        ("sim_sact_cycle", "its MERGED_REGIMEN_ID is not in sim_sact_regimen", 1),
        ("sim_sact_drug_detail", "ADMINISTRATION_DATE is not a real date in an accepted form", 1),
        ("sim_sact_drug_detail", "its MERGED_CYCLE_ID is not in sim_sact_cycle, so its regimen is not known", 1),
        ("sim_sact_outcome", "its MERGED_REGIMEN_ID is not in sim_sact_regimen", 1)]
    # the unknown patient's regimen is passed on: validation quarantines it as an orphan
    assert rows(con, "select patient_id, drug_name from raw.systemic_therapy order by 1") == [
        ("1000000001", "LETROZOLE"), ("1999999999", "LETROZOLE")]


def test_every_national_row_is_accounted_for(extract, tmp_path, patient):
    extract.regimen(patient, "2023-02-01", ["LETROZOLE", "NOT CHEMO"], cycles=2)
    extract.radiotherapy(patient, "2023-03-01")
    extract.tumour(extract.patient("1000000002"), "2023-01-10", site="C341")
    con = adapt(extract, tmp_path)
    assert rows(con, """select f.table_name, f.rows_read, sum(r.rows) from bookkeeping.national_files f
        join bookkeeping.national_rows r using (table_name) group by all having f.rows_read <> sum(r.rows)""") == []
    assert rows(con, "select sum(rows_read) from bookkeeping.national_files") == [
        (sum(len(v) for v in extract.rows.values()),)]


SITES = {("P", ""): "breast_chest_wall", ("PR", ""): "breast_chest_wall", ("R", ""): "nodes",
         ("M", "Z661"): "bone_other", ("M", "Z75.1"): "bone_other", ("M", "Z80"): "bone_other", ("M", "Z01"): "other",
         ("M", "Z15"): "breast_chest_wall", ("M", "Z611"): "nodes", ("M", "Z99"): "other", ("M", ""): "other",
         ("O", "Z661"): "other", ("", "Z661"): "bone_other"}
RADIOTHERAPY_INTENTS = {"01": "palliative", "1": "palliative", "02": "radical", "03": "unknown", "": None}


def test_radiotherapy_sites_from_region_and_opcs4_z_codes(extract, tmp_path):
    patients = _with_patients(extract, SITES)
    for patient, (region, site_code) in patients.items():
        extract.radiotherapy(patient, "2023-03-01", region=region, site=site_code)
    con = adapt(extract, tmp_path)
    assert dict(rows(con, "select patient_id, site from raw.radiotherapy")) == {p: SITES[k] for p, k in patients.items()}
    assert rows(con, "select column_name, value, rows from bookkeeping.national_unrecognised_codes") == [
        ("RTTREATMENTANATOMICALSITE", "Z99", 1)]


def test_radiotherapy_intent_codes(extract, tmp_path):
    patients = _with_patients(extract, RADIOTHERAPY_INTENTS)
    for patient, code in patients.items():
        extract.radiotherapy(patient, "2023-03-01", intent=code)
    assert dict(rows(adapt(extract, tmp_path), "select patient_id, intent from raw.radiotherapy")) == {
        p: RADIOTHERAPY_INTENTS[c] for p, c in patients.items()}


def test_a_course_is_one_prescription_from_its_first_appointment_with_dose_and_fractions(extract, tmp_path, patient):
    prescription = extract.radiotherapy(patient, "2023-03-08", dose="20", fractions="5")
    # the prescription's rows repeat per attendance; an exposure was earlier than any of them
    extract.rows["sim_rtds_prescription"].append({**extract.rows["sim_rtds_prescription"][-1], "APPTDATE": "2023-03-09"})
    extract.rows["sim_rtds_exposure"].append({"PRESCRIPTIONID": prescription, "APPTDATE": "2023-03-07",
                                              "PATIENTID": patient})
    found = rows(adapt(extract, tmp_path), """select course_id, start_date, prescribed_dose_gy, prescribed_fractions,
        indication, technique from raw.radiotherapy""")
    assert found == [(prescription, "2023-03-07", "20", "5", None, None)]
