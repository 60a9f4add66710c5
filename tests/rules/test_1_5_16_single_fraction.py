"""CG81 1.5.16: a single 8 Gy fraction of external beam radiotherapy for painful bone metastases."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    p = x.patient("P1").metastatic()
    p.radiotherapy("ADH_8GY", dose_gy=8, fractions=1)
    p.radiotherapy("ADH_8GY_DECIMAL", dose_gy="8.0", fractions=1, site="bone_pelvis")
    p.radiotherapy("NON_20GY_5", dose_gy=20, fractions=5)
    p.radiotherapy("NON_8GY_2", dose_gy=8, fractions=2)
    p.radiotherapy("EXC_SBRT", dose_gy=24, fractions=2, technique="stereotactic")
    p.radiotherapy("EXC_RETREAT", dose_gy=20, fractions=5, retreatment=True)
    p.radiotherapy("EXC_RADICAL", dose_gy=30, fractions=10, intent="radical")
    p.radiotherapy("INS_NO_DOSE", dose_gy=None, fractions=1)
    p.radiotherapy("INS_NO_FRACTIONS", dose_gy=8, fractions=None)
    p.radiotherapy("INS_NO_INDICATION", indication=None, dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_MSCC", indication="spinal_cord_compression", dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_FRACTURE", indication="pathological_fracture", dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_POSTOP", indication="post_operative", dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_BRAIN", site="brain_whole", dose_gy=20, fractions=5)
    p.radiotherapy("EDGE_DM30", start=-30, dose_gy=8, fractions=1)
    p.radiotherapy("ABSENT_DM31", start=-31, dose_gy=8, fractions=1)
    p.radiotherapy("PROVIDER_OWN", dose_gy=20, fractions=5, provider_code="RZZ")
    x.patient("NO_METS").event(0, "early_diagnosis").radiotherapy("C1", dose_gy=20, fractions=5)
    folder = tmp_path_factory.mktemp("rule_1_5_16")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("course, expected", [
    ("ADH_8GY", "adherent"), ("ADH_8GY_DECIMAL", "adherent"),
    ("NON_20GY_5", "non_adherent"), ("NON_8GY_2", "non_adherent"),
    ("EXC_SBRT", "excluded"), ("EXC_RETREAT", "excluded"), ("EXC_RADICAL", "excluded"),
    ("INS_NO_DOSE", "insufficient_data"), ("INS_NO_FRACTIONS", "insufficient_data"),
    ("INS_NO_INDICATION", "insufficient_data"),
    ("ABSENT_MSCC", None), ("ABSENT_FRACTURE", None), ("ABSENT_POSTOP", None), ("ABSENT_BRAIN", None),
    ("EDGE_DM30", "adherent"), ("ABSENT_DM31", None), ("PROVIDER_OWN", "non_adherent"),
])
def test_outcome(run, course, expected):
    assert run.failure() is None
    assert run.outcome("1.5.16", "P1", course) == expected


def test_patient_outside_cohort_has_no_units(run):
    assert not [k for k in run.outcomes("1.5.16") if k[0] == "NO_METS"]


def test_course_is_the_unit_with_its_own_provider_and_date(run):
    outcomes = run.outcomes("1.5.16")
    own = outcomes[("P1", "PROVIDER_OWN")]
    assert own["provider_code"] == "RZZ" and own["outcome"] == "non_adherent"
    assert own["reason"] == "20.0 Gy in 5 fraction(s), not 8.0 Gy in 1"
    assert outcomes[("P1", "ADH_8GY")]["provider_code"] == "RAA"
    assert str(outcomes[("P1", "EDGE_DM30")]["unit_date"]) == "2024-01-31"
    assert outcomes[("P1", "EXC_SBRT")]["reason"] == "clinical_exclusion: stereotactic radiotherapy"
    assert outcomes[("P1", "INS_NO_DOSE")]["reason"] == "prescribed_dose_gy missing"
