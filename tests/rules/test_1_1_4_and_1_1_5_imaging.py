"""CG81 1.1.4 (MRI after equivocal imaging of bone) and 1.1.5 (PET-CT only when other imaging is
suspicious but not diagnostic)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

CODES = {
    "1.1.4": {"adherent": "mri_after_equivocal_imaging", "non_adherent": "no_mri_after_equivocal_imaging",
              "excluded": "died_before_window_closed"},
    "1.1.5": {"adherent": "after_suspicious_imaging", "non_adherent": "no_suspicious_imaging_before",
              "insufficient_data": "pet_ct_purpose_unknown"},
}


def _outcome_and_code(run, rule, patient, unit=None):
    row = run.outcomes(rule).get((patient, unit or patient))
    return None if row is None else (row["outcome"], row["reason_code"])


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    liver = {"sites": "liver"}
    x.patient("EQ_MRI").metastatic(**liver).imaging(-5, "bone_scintigraphy", "staging", "equivocal").imaging(10, "mri", "diagnosis")
    x.patient("EQ_MRI_D30").metastatic(**liver).imaging(-5, "ct", "staging", "equivocal").imaging(25, "mri", "diagnosis")
    x.patient("EQ_MRI_D31").metastatic(**liver).imaging(-5, "xray", "diagnosis", "equivocal").imaging(26, "mri", "diagnosis")
    x.patient("EQ_NO_MRI").metastatic(**liver).imaging(-5, "ct", "staging", "equivocal")
    x.patient("EQ_DIED", date_of_death=day(10)).metastatic(**liver).imaging(-5, "ct", "staging", "equivocal")
    x.patient("EQ_OUTSIDE_WINDOW").metastatic(**liver).imaging(-61, "ct", "diagnosis", "equivocal")
    x.patient("EQ_ULTRASOUND_NO_BONE").metastatic(**liver).imaging(-5, "ultrasound", "staging", "equivocal")
    x.patient("EQ_ULTRASOUND_BONE").metastatic(sites="bone").imaging(-5, "ultrasound", "staging", "equivocal")
    x.patient("EQ_MRI_ITSELF").metastatic(sites="bone").imaging(-5, "mri", "staging", "equivocal")
    x.patient("PET_AFTER_SUSPICIOUS").metastatic(**liver).imaging(-40, "ct", "diagnosis", "suspicious").imaging(-10, "pet_ct", "staging")
    x.patient("PET_AFTER_SUSPICIOUS_D90").metastatic(**liver).imaging(-100, "ct", "diagnosis", "equivocal").imaging(-10, "pet_ct", "diagnosis")
    x.patient("PET_AFTER_SUSPICIOUS_D91").metastatic(**liver).imaging(-101, "ct", "diagnosis", "equivocal").imaging(-10, "pet_ct", "diagnosis")
    x.patient("PET_FIRST_TEST").metastatic(**liver).imaging(-10, "pet_ct", "staging", "metastatic")
    x.patient("PET_AFTER_METASTATIC_CT").metastatic(**liver).imaging(-40, "ct", "staging", "metastatic").imaging(-10, "pet_ct", "staging")
    x.patient("PET_MONITORING").metastatic(**liver).imaging(100, "pet_ct", "response_monitoring")
    x.patient("PET_TWO").metastatic(**liver).imaging(-40, "ct", "diagnosis", "suspicious").imaging(-10, "pet_ct", "staging").imaging(25, "pet_ct", "staging")
    # 1.1.4's population window: an equivocal result in index - 60 .. + 30
    x.patient("EQ_DM60").metastatic(**liver).imaging(-60, "ct", "diagnosis", "equivocal")
    x.patient("EQ_D30").metastatic(**liver).imaging(30, "ct", "staging", "equivocal")
    x.patient("EQ_D31").metastatic(**liver).imaging(31, "ct", "staging", "equivocal")
    # 1.1.5's population window: a diagnosis or staging PET-CT in index - 60 .. + 30
    x.patient("PET_DM60").metastatic(**liver).imaging(-61, "ct", "diagnosis", "suspicious").imaging(-60, "pet_ct", "diagnosis")
    x.patient("PET_DM61").metastatic(**liver).imaging(-62, "ct", "diagnosis", "suspicious").imaging(-61, "pet_ct", "diagnosis")
    x.patient("PET_D30").metastatic(**liver).imaging(30, "pet_ct", "staging")
    x.patient("PET_D31").metastatic(**liver).imaging(31, "pet_ct", "staging")
    # 1.1.4: an MRI the day of the first equivocal result counts, the day before does not
    x.patient("EQ_MRI_SAME_DAY").metastatic(**liver).imaging(-5, "ct", "staging", "equivocal").imaging(-5, "mri", "staging")
    x.patient("EQ_MRI_DAY_BEFORE").metastatic(**liver).imaging(-5, "ct", "staging", "equivocal").imaging(-6, "mri", "staging")
    # 1.1.5: a suspicious result the day of the PET-CT counts, the day after does not
    x.patient("PET_SUSPICIOUS_SAME_DAY").metastatic(**liver).imaging(-10, "ct", "diagnosis", "suspicious") \
        .imaging(-10, "pet_ct", "staging")
    x.patient("PET_SUSPICIOUS_DAY_AFTER").metastatic(**liver).imaging(-9, "ct", "diagnosis", "suspicious") \
        .imaging(-10, "pet_ct", "staging")
    # 1.1.5: a PET-CT whose purpose is unknown may be diagnosis or staging: insufficient data, not dropped
    x.patient("PET_PURPOSE_UNKNOWN").metastatic(**liver).imaging(-10, "pet_ct", "unknown")
    x.patient("PET_PURPOSE_EMPTY").metastatic(**liver).imaging(-10, "pet_ct", None)
    x.patient("PET_PURPOSE_UNKNOWN_D31").metastatic(**liver).imaging(31, "pet_ct", "unknown")
    x.patient("PET_PURPOSE_OTHER").metastatic(**liver).imaging(-10, "pet_ct", "other")
    # 1.1.4 deaths (v2), counted from the equivocal result (day -5): its window ends on day 25
    x.patient("EQ_DIED_D24", date_of_death=day(24)).metastatic(**liver).imaging(-5, "ct", "staging", "equivocal")
    x.patient("EQ_DIED_D25", date_of_death=day(25)).metastatic(**liver).imaging(-5, "ct", "staging", "equivocal")
    x.patient("EQ_MRI_THEN_DIED", date_of_death=day(12)).metastatic(**liver) \
        .imaging(-5, "bone_scintigraphy", "staging", "equivocal").imaging(10, "mri", "diagnosis")
    folder = tmp_path_factory.mktemp("imaging_114_115")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("EQ_MRI", "adherent"), ("EQ_MRI_D30", "adherent"), ("EQ_MRI_D31", "non_adherent"), ("EQ_NO_MRI", "non_adherent"),
    ("EQ_DIED", "excluded"), ("EQ_OUTSIDE_WINDOW", None), ("EQ_ULTRASOUND_NO_BONE", None),
    ("EQ_ULTRASOUND_BONE", "non_adherent"), ("EQ_MRI_ITSELF", None),
    ("EQ_DM60", "non_adherent"), ("EQ_D30", "non_adherent"), ("EQ_D31", None),
    ("EQ_MRI_SAME_DAY", "adherent"), ("EQ_MRI_DAY_BEFORE", "non_adherent"),
    ("EQ_DIED_D24", "excluded"), ("EQ_DIED_D25", "non_adherent"), ("EQ_MRI_THEN_DIED", "adherent"),
])
def test_1_1_4(run, patient, expected):
    assert run.failure() is None
    assert _outcome_and_code(run, "1.1.4", patient) == (expected and (expected, CODES["1.1.4"][expected]))


@pytest.mark.parametrize("patient, scan, expected", [
    ("PET_AFTER_SUSPICIOUS", "scan_2", "adherent"), ("PET_AFTER_SUSPICIOUS_D90", "scan_2", "adherent"),
    ("PET_AFTER_SUSPICIOUS_D91", "scan_2", "non_adherent"), ("PET_FIRST_TEST", "scan_1", "non_adherent"),
    ("PET_AFTER_METASTATIC_CT", "scan_2", "non_adherent"), ("PET_MONITORING", "scan_1", None),
    ("PET_TWO", "scan_2", "adherent"), ("PET_TWO", "scan_3", "adherent"),
    ("PET_DM60", "scan_2", "adherent"), ("PET_DM61", "scan_2", None),
    ("PET_D30", "scan_1", "non_adherent"), ("PET_D31", "scan_1", None),
    ("PET_SUSPICIOUS_SAME_DAY", "scan_2", "adherent"), ("PET_SUSPICIOUS_DAY_AFTER", "scan_1", "non_adherent"),
    ("PET_PURPOSE_UNKNOWN", "scan_1", "insufficient_data"), ("PET_PURPOSE_EMPTY", "scan_1", "insufficient_data"),
    ("PET_PURPOSE_UNKNOWN_D31", "scan_1", None), ("PET_PURPOSE_OTHER", "scan_1", None),
])
def test_1_1_5(run, patient, scan, expected):
    assert run.failure() is None
    assert _outcome_and_code(run, "1.1.5", patient, scan) == (expected and (expected, CODES["1.1.5"][expected]))


def test_1_1_4_reasons_name_the_scans_and_dates(run):
    reasons = {p: run.outcomes("1.1.4")[(p, p)]["reason"] for p in ("EQ_MRI", "EQ_NO_MRI", "EQ_MRI_SAME_DAY")}
    assert reasons == {
        "EQ_MRI": "MRI on 2024-03-11, 15 days after the equivocal bone scan of 2024-02-25",
        "EQ_NO_MRI": "no MRI within 30 days after the equivocal CT of 2024-02-25 (by 2024-03-26)",
        "EQ_MRI_SAME_DAY": "MRI on 2024-02-25, the same day as the equivocal CT of 2024-02-25",
    }


def test_1_1_5_scan_is_the_unit(run):
    row = run.outcomes("1.1.5")[("PET_FIRST_TEST", "scan_1")]
    assert str(row["unit_date"]) == "2024-02-20" and row["reason"] == (
        "PET-CT of 2024-02-20 for staging without an equivocal or suspicious result of other imaging "
        "in the 90 days before it")
    assert run.outcomes("1.1.5")[("PET_AFTER_SUSPICIOUS", "scan_2")]["reason"] == \
        "PET-CT of 2024-02-20 for staging after a suspicious CT on 2024-01-21"


def test_1_1_5_unknown_purpose_says_so(run):
    assert run.outcomes("1.1.5")[("PET_PURPOSE_EMPTY", "scan_1")]["reason"] == (
        "the purpose of the PET-CT of 2024-02-20 is not recorded, so whether it was used to diagnose or "
        "stage advanced disease is not known")


def test_scan_ids_are_numbered_once_in_the_timeline(run):
    scans = run.query("select scan_id, modality, modality_name from timeline.imaging_scans "
                      "where patient_id = 'PET_TWO' order by scan_id")
    assert scans == [{"scan_id": "scan_1", "modality": "ct", "modality_name": "CT"},
                     {"scan_id": "scan_2", "modality": "pet_ct", "modality_name": "PET-CT"},
                     {"scan_id": "scan_3", "modality": "pet_ct", "modality_name": "PET-CT"}]


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.1.4', '1.1.5')")
    assert len(rows) > 20
    assert unreadable_outcomes(rows) == []
