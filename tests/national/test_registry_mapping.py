"""Registry tables (sim_av_patient, sim_av_tumour) -> patients, disease_events, pathology: each code of
the lookups, the stage rule of the national cohort, and what is outside the audit."""
import pytest

from pipelines.ingest.national.adapter import missing_column_lines
from tests.national.conftest import adapt, rows


GENDERS = {"1": "male", "2": "female", "0": "unknown", "9": "unknown", "4000": "unknown", "7": "unknown"}


def _patients(values: dict) -> dict:
    """One patient per value (ids 1000000001...), each with a metastatic breast tumour: patient -> value."""
    by_patient = {}
    for n, value in enumerate(values, start=1):
        by_patient[f"{1000000000 + n}"] = value
    return by_patient


def test_gender_codes_of_zsex(extract, tmp_path):
    patients = _patients(GENDERS)
    for patient, gender in patients.items():
        extract.tumour(extract.patient(patient, gender=gender), "2023-01-10")
    con = adapt(extract, tmp_path)
    assert dict(rows(con, "select patient_id, sex from raw.patients")) == {p: GENDERS[g] for p, g in patients.items()}
    assert rows(con, "select column_name, value, rows from bookkeeping.national_unrecognised_codes") == [("GENDER", "7", 1)]


def test_vital_status_gives_a_date_of_death_only_when_dead(extract, tmp_path):
    deaths = {"A": None, "D": "2023-09-01", "X": None}
    patients = _patients(deaths)
    for patient, vital in patients.items():
        extract.tumour(extract.patient(patient, vital=vital, vital_date="2023-09-01"), "2023-01-10")
    found = dict(rows(adapt(extract, tmp_path), "select patient_id, date_of_death from raw.patients"))
    assert found == {p: deaths[v] for p, v in patients.items()}


def test_the_latest_vital_status_date_vouches_for_follow_up_but_a_future_one_does_not(extract, tmp_path):
    extract.tumour(extract.patient("1000000001", vital_date="2024-03-31"), "2023-01-10")
    extract.tumour(extract.patient("1000000002", vital_date="2999-01-01"), "2023-01-10")
    extract.tumour(extract.patient("1000000003", vital_date="2025-01-01"), "2023-01-10", site="C189")  # not audited
    assert rows(adapt(extract, tmp_path), "select latest_date::varchar from bookkeeping.source_follow_up") == [
        ("2024-03-31",)]


def test_year_of_birth_is_the_year_of_diagnosis_less_the_age(extract, tmp_path):
    extract.tumour(extract.patient("1000000001"), "2023-01-10", age=62)
    assert rows(adapt(extract, tmp_path), "select birth_year from raw.patients") == [("1961",)]


STAGES = {("1", ""): "metastatic_diagnosis", ("M1", ""): "metastatic_diagnosis", ("1b", ""): "metastatic_diagnosis",
          ("", "4"): "metastatic_diagnosis", ("X", "4A"): "metastatic_diagnosis", ("0", ""): "early_diagnosis",
          ("", "2B"): "early_diagnosis", ("M0", "3"): "early_diagnosis"}


def test_stage_at_diagnosis_decides_a_de_novo_metastatic_diagnosis(extract, tmp_path):
    patients = _patients(STAGES)
    for patient, (m_best, stage) in patients.items():
        extract.tumour(extract.patient(patient), "2023-01-10", m_best=m_best, stage=stage)
    found = {p: (e, d, day, sites) for p, e, d, day, sites in rows(adapt(extract, tmp_path),
             "select patient_id, event_type, de_novo, event_date, sites from raw.disease_events")}
    assert found == {p: (STAGES[s], "true" if STAGES[s] == "metastatic_diagnosis" else None, "2023-01-10", None)
                     for p, s in patients.items()}


def test_unknown_stage_and_other_cancers_are_outside_the_audit_and_counted(extract, tmp_path):
    extract.tumour(extract.patient("1000000001"), "2023-01-10", m_best="X", stage="?")
    extract.tumour(extract.patient("1000000002"), "2023-01-10", site="C189")
    extract.regimen("1000000002", "2023-02-01", ["OXALIPLATIN"])
    extract.tumour(extract.patient("1000000003"), "2023-01-10")
    con = adapt(extract, tmp_path)
    assert rows(con, "select patient_id from raw.patients order by 1") == [("1000000001",), ("1000000003",)]
    outside = dict(((t, r), n) for t, d, r, n in rows(con, "select * from bookkeeping.national_rows")
                   if d == "outside_audit")
    assert outside[("sim_av_tumour", "not a breast cancer tumour (its ICD-10 site is not C50, or not recorded)")] == 1
    assert any("stage at diagnosis" in reason and n == 1 for (t, reason), n in outside.items() if t == "sim_av_tumour")
    assert outside[("sim_sact_regimen", "the patient has no breast cancer (C50) tumour in sim_av_tumour")] == 1
    assert rows(con, "select count(*) from raw.systemic_therapy") == [(0,)]


RECEPTOR_CODES = {"P": ("positive", "positive"), "N": ("negative", "negative"), "B": ("unknown", "borderline"),
                  "X": ("unknown", "unknown"), "U": ("unknown", "unknown")}


def test_receptor_codes_of_zerprstatus(extract, tmp_path):
    patients = _patients(RECEPTOR_CODES)
    for patient, code in patients.items():
        extract.tumour(extract.patient(patient), "2023-01-10", er=code, pr=code, her2=code)
    found = {p: rest for p, *rest in rows(adapt(extract, tmp_path), """select patient_id, sample_date, specimen_origin,
        er_status, pr_status, her2_status from raw.pathology""")}
    assert found == {p: ["2023-01-10", "primary", RECEPTOR_CODES[c][0], RECEPTOR_CODES[c][0], RECEPTOR_CODES[c][1]]
                     for p, c in patients.items()}


def test_absent_receptor_columns_are_unknown_and_said(extract, tmp_path):
    extract.tumour(extract.patient("1000000001"), "2023-01-10")
    con = adapt(extract, tmp_path, drop_columns={"sim_av_tumour": ["PR_STATUS", "HER2_STATUS"]})
    assert rows(con, "select er_status, pr_status, her2_status from raw.pathology") == [("positive", None, None)]
    assert "sim_av_tumour.csv has no PR_STATUS, HER2_STATUS, CREG_CODE: read as not recorded" in missing_column_lines(con)


PERFORMANCE = {("0", ""): "0", ("4", ""): "4", ("1", ""): "1", ("01", ""): "0", ("03", ""): "1", ("08", ""): "4",
               ("9", "2"): "2", ("", "01"): "0", ("", "9"): None}


def test_performance_status_ecog_and_lansky(extract, tmp_path):
    """`01` is Lansky 90% (ECOG 0), not ECOG 1; a tumour's 9 (not recorded) falls back to the first cycle's."""
    patients = _patients(PERFORMANCE)
    for patient, (tumour_code, cycle_code) in patients.items():
        extract.tumour(extract.patient(patient), "2023-01-10", performance=tumour_code)
        extract.regimen(patient, "2023-02-01", ["LETROZOLE"], performance=cycle_code)
    found = dict(rows(adapt(extract, tmp_path), """select patient_id, performance_status from raw.disease_events
        where event_type = 'metastatic_diagnosis'"""))
    assert found == {p: PERFORMANCE[codes] for p, codes in patients.items()}


def test_cycle_performance_status_beyond_90_days_is_not_at_diagnosis(extract, tmp_path):
    patient = extract.patient("1000000001")
    extract.tumour(patient, "2023-01-10")
    extract.regimen(patient, "2023-04-11", ["LETROZOLE"], performance="1")  # day 91
    assert rows(adapt(extract, tmp_path), "select performance_status from raw.disease_events") == [(None,)]


@pytest.mark.parametrize("infer, expected", [(False, {70: None, 55: None, 54: None}),
                                             (True, {70: "post", 55: "post", 54: None})])
def test_menopausal_status_is_inferred_from_age_only_when_configured(extract, tmp_path, infer, expected):
    patients = _patients(expected)
    for patient, age in patients.items():
        extract.tumour(extract.patient(patient), "2023-01-10", age=age)
    con = adapt(extract, tmp_path, infer_menopausal_status_from_age=infer, postmenopausal_from_age=55)
    found = dict(rows(con, "select patient_id, menopausal_status from raw.disease_events"))
    assert found == {p: expected[age] for p, age in patients.items()}


def test_provider_is_where_the_first_drug_was_given_else_the_catchment_else_the_configured_code(extract, tmp_path):
    for patient in ("1000000001", "1000000002", "1000000003"):
        extract.tumour(extract.patient(patient), "2023-01-10", CREG_CODE="Y0401" if patient != "1000000003" else "")
    extract.regimen("1000000001", "2023-02-01", ["LETROZOLE"])
    extract.rows["sim_sact_drug_detail"][-1]["ORG_CODE_OF_DRUG_PROVIDER"] = "rgt"
    con = adapt(extract, tmp_path, extra_columns={"sim_av_tumour": ["CREG_CODE"],
                                                  "sim_sact_drug_detail": ["ORG_CODE_OF_DRUG_PROVIDER"]})
    assert rows(con, "select patient_id, provider_code from raw.patients order by 1") == [
        ("1000000001", "RGT"), ("1000000002", "Y0401"), ("1000000003", "UNK")]
