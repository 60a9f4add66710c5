"""CG81 1.1.4 (MRI after equivocal imaging of bone) and 1.1.5 (PET-CT only when other imaging is
suspicious but not diagnostic)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


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
    folder = tmp_path_factory.mktemp("imaging_114_115")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("EQ_MRI", "adherent"), ("EQ_MRI_D30", "adherent"), ("EQ_MRI_D31", "non_adherent"), ("EQ_NO_MRI", "non_adherent"),
    ("EQ_DIED", "excluded"), ("EQ_OUTSIDE_WINDOW", None), ("EQ_ULTRASOUND_NO_BONE", None),
    ("EQ_ULTRASOUND_BONE", "non_adherent"), ("EQ_MRI_ITSELF", None),
    ("EQ_DM60", "non_adherent"), ("EQ_D30", "non_adherent"), ("EQ_D31", None),
    ("EQ_MRI_SAME_DAY", "adherent"), ("EQ_MRI_DAY_BEFORE", "non_adherent"),
])
def test_1_1_4(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.1.4", patient) == expected


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
    assert run.outcome("1.1.5", patient, scan) == expected


def test_1_1_5_scan_is_the_unit(run):
    row = run.outcomes("1.1.5")[("PET_FIRST_TEST", "scan_1")]
    assert str(row["unit_date"]) == "2024-02-20" and row["reason"] == \
        "no equivocal or suspicious imaging in the 90 days before this PET-CT"


def test_1_1_5_unknown_purpose_says_so(run):
    assert run.outcomes("1.1.5")[("PET_PURPOSE_EMPTY", "scan_1")]["reason"] == "PET-CT purpose unknown"
