"""Imaging at diagnosis (1.1.1, 1.1.2, 1.1.3: a listed modality in index - 60 .. index + 30 days)
and no PET-CT to monitor (1.1.8)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("CT_D0").metastatic(sites="liver").imaging(0, "ct", "staging")
    x.patient("CT_DM60").metastatic(sites="liver").imaging(-60, "ct", "diagnosis")
    x.patient("CT_DM61").metastatic(sites="liver").imaging(-61, "ct", "diagnosis")
    x.patient("CT_D30").metastatic(sites="liver").imaging(30, "ct", "staging")
    x.patient("CT_D31").metastatic(sites="liver").imaging(31, "ct", "staging")
    x.patient("PET_ONLY").metastatic(sites="liver").imaging(5, "pet_ct", "staging")
    x.patient("US_ONLY").metastatic(sites="liver").imaging(5, "ultrasound", "staging")
    x.patient("BONE_SCAN_ONLY").metastatic(sites="bone").imaging(5, "bone_scintigraphy", "staging")
    x.patient("XRAY_BONE").metastatic(sites="bone").imaging(-10, "xray", "diagnosis")
    x.patient("MRI_BONE").metastatic(sites="bone").imaging(-10, "mri", "diagnosis")
    x.patient("NOTHING_DIED", date_of_death=day(20)).metastatic(sites="bone")
    x.patient("NOTHING_ALIVE").metastatic(sites="bone")
    x.patient("PET_MONITOR").metastatic(sites="liver").imaging(120, "pet_ct", "response_monitoring")
    x.patient("PET_UNKNOWN").metastatic(sites="liver").imaging(120, "pet_ct", None)
    x.patient("PET_SUSPECTED").metastatic(sites="liver").imaging(120, "pet_ct", "suspected_progression")
    x.patient("PET_TRIAL").metastatic(sites="liver").regimen("paclitaxel", start=10, clinical_trial=True).imaging(120, "pet_ct", "response_monitoring")
    # 1.1.3's window on bone patients (x-ray or bone scan in index - 60 .. + 30)
    x.patient("BONE_XRAY_DM60").metastatic(sites="bone").imaging(-60, "xray", "diagnosis")
    x.patient("BONE_XRAY_DM61").metastatic(sites="bone").imaging(-61, "xray", "diagnosis")
    x.patient("BONE_SCAN_D30").metastatic(sites="bone").imaging(30, "bone_scintigraphy", "staging")
    x.patient("BONE_SCAN_D31").metastatic(sites="bone").imaging(31, "bone_scintigraphy", "staging")
    # 1.1.8: monitoring means after the index date; a monitoring scan outweighs one of unknown purpose
    x.patient("PET_MONITOR_D0").metastatic(sites="liver").imaging(0, "pet_ct", "response_monitoring")
    x.patient("PET_MONITOR_D1").metastatic(sites="liver").imaging(1, "pet_ct", "response_monitoring")
    x.patient("PET_UNKNOWN_AND_MONITOR").metastatic(sites="liver").imaging(60, "pet_ct", None) \
        .imaging(120, "pet_ct", "response_monitoring")
    folder = tmp_path_factory.mktemp("imaging")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, r111, r112, r113, r118", [
    ("CT_D0", "adherent", "adherent", None, "adherent"),
    ("CT_DM60", "adherent", "adherent", None, "adherent"),
    ("CT_DM61", "non_adherent", "non_adherent", None, "adherent"),
    ("CT_D30", "adherent", "adherent", None, "adherent"),
    ("CT_D31", "non_adherent", "non_adherent", None, "adherent"),
    ("PET_ONLY", "non_adherent", "non_adherent", None, "adherent"),
    ("US_ONLY", "adherent", "non_adherent", None, "adherent"),
    ("BONE_SCAN_ONLY", "non_adherent", "adherent", "adherent", "adherent"),
    ("XRAY_BONE", "adherent", "non_adherent", "adherent", "adherent"),
    ("MRI_BONE", "adherent", "adherent", "non_adherent", "adherent"),
    ("NOTHING_DIED", "excluded", "excluded", "excluded", "adherent"),
    ("NOTHING_ALIVE", "non_adherent", "non_adherent", "non_adherent", "adherent"),
    ("PET_MONITOR", "non_adherent", "non_adherent", None, "non_adherent"),
    ("PET_UNKNOWN", "non_adherent", "non_adherent", None, "insufficient_data"),
    ("PET_SUSPECTED", "non_adherent", "non_adherent", None, "adherent"),
    ("PET_TRIAL", "non_adherent", "non_adherent", None, "excluded"),
    ("BONE_XRAY_DM60", "adherent", "non_adherent", "adherent", "adherent"),
    ("BONE_XRAY_DM61", "non_adherent", "non_adherent", "non_adherent", "adherent"),
    ("BONE_SCAN_D30", "non_adherent", "adherent", "adherent", "adherent"),
    ("BONE_SCAN_D31", "non_adherent", "non_adherent", "non_adherent", "adherent"),
    ("PET_MONITOR_D0", "non_adherent", "non_adherent", None, "adherent"),
    ("PET_MONITOR_D1", "non_adherent", "non_adherent", None, "non_adherent"),
    ("PET_UNKNOWN_AND_MONITOR", "non_adherent", "non_adherent", None, "non_adherent"),
])
def test_outcome(run, patient, r111, r112, r113, r118):
    assert run.failure() is None
    assert (run.outcome("1.1.1", patient), run.outcome("1.1.2", patient),
            run.outcome("1.1.3", patient), run.outcome("1.1.8", patient)) == (r111, r112, r113, r118)


def test_reasons(run):
    assert run.outcomes("1.1.2")[("PET_ONLY", "PET_ONLY")]["reason"] == \
        "no ct, mri, bone_scintigraphy from index - 60 to + 30 days"
    assert run.outcomes("1.1.8")[("PET_MONITOR", "PET_MONITOR")]["reason"] == \
        "pet ct for response monitoring on 2024-06-29"
    assert run.outcomes("1.1.8")[("PET_TRIAL", "PET_TRIAL")]["reason"].startswith("clinical_trial: pet ct")
