"""CG81 1.5.16: a single 8 Gy fraction of external beam radiotherapy for painful bone metastases.
Unit: the course; stereotactic, retreatment and radical courses excluded, each with its own code;
indication unknown, dose or fractions missing: insufficient data; no window, so deaths never exclude."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    p = x.patient("P1").metastatic()
    p.radiotherapy("ADH_8GY", dose_gy=8, fractions=1)
    p.radiotherapy("ADH_8GY_DECIMAL", dose_gy="8.0", fractions=1, site="bone_pelvis")
    p.radiotherapy("ADH_8GY_WITHIN_0_01", dose_gy="8.005", fractions=1, site="bone_long")
    p.radiotherapy("NON_8_02GY", dose_gy="8.02", fractions=1, site="bone_rib")
    p.radiotherapy("NON_20GY_5", dose_gy=20, fractions=5)
    p.radiotherapy("NON_8GY_2", dose_gy=8, fractions=2)
    p.radiotherapy("NON_6GY_1", dose_gy=6, fractions=1, site="bone_other")
    p.radiotherapy("EXC_SBRT", dose_gy=24, fractions=2, technique="stereotactic")
    p.radiotherapy("EXC_RETREAT", dose_gy=20, fractions=5, retreatment=True)
    p.radiotherapy("EXC_RADICAL", dose_gy=30, fractions=10, intent="radical")
    # the exclusions in order, and before the indication
    p.radiotherapy("EXC_SBRT_RETREAT", dose_gy=24, fractions=2, technique="stereotactic", retreatment=True)
    p.radiotherapy("EXC_SBRT_NO_INDICATION", indication=None, dose_gy=24, fractions=2, technique="stereotactic")
    p.radiotherapy("INS_NO_DOSE", dose_gy=None, fractions=1)
    p.radiotherapy("INS_NO_FRACTIONS", dose_gy=8, fractions=None)
    p.radiotherapy("INS_NO_DOSE_NO_FRACTIONS", dose_gy=None, fractions=None)
    p.radiotherapy("INS_NO_INDICATION", indication=None, dose_gy=20, fractions=5)
    p.radiotherapy("INS_INDICATION_UNKNOWN", indication="unknown", dose_gy=8, fractions=1)
    p.radiotherapy("ABSENT_MSCC", indication="spinal_cord_compression", dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_FRACTURE", indication="pathological_fracture", dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_POSTOP", indication="post_operative", dose_gy=20, fractions=5)
    p.radiotherapy("ABSENT_BRAIN", site="brain_whole", dose_gy=20, fractions=5)
    p.radiotherapy("EDGE_DM30", start=-30, dose_gy=8, fractions=1)
    p.radiotherapy("ABSENT_DM31", start=-31, dose_gy=8, fractions=1)
    p.radiotherapy("PROVIDER_OWN", dose_gy=20, fractions=5, provider_code="RZZ")
    x.patient("NO_METS").event(0, "early_diagnosis").radiotherapy("C1", dose_gy=20, fractions=5)
    # no window: a death the day after the course does not exclude it
    x.patient("DIED", date_of_death=day(11)).metastatic().radiotherapy("NON_DIED_NEXT_DAY", dose_gy=20, fractions=5)
    folder = tmp_path_factory.mktemp("rule_1_5_16")
    return run_audit(x.write(folder / "extract"), folder)


ADH, NON = "single_fraction_8_gy", "not_single_fraction_8_gy"


@pytest.mark.parametrize("course, expected, code", [
    ("ADH_8GY", "adherent", ADH), ("ADH_8GY_DECIMAL", "adherent", ADH), ("ADH_8GY_WITHIN_0_01", "adherent", ADH),
    ("NON_8_02GY", "non_adherent", NON), ("NON_20GY_5", "non_adherent", NON), ("NON_8GY_2", "non_adherent", NON),
    ("NON_6GY_1", "non_adherent", NON),
    ("EXC_SBRT", "excluded", "stereotactic"), ("EXC_RETREAT", "excluded", "retreatment"),
    ("EXC_RADICAL", "excluded", "radical_intent"), ("EXC_SBRT_RETREAT", "excluded", "stereotactic"),
    ("EXC_SBRT_NO_INDICATION", "excluded", "stereotactic"),
    ("INS_NO_DOSE", "insufficient_data", "dose_missing"), ("INS_NO_FRACTIONS", "insufficient_data", "fractions_missing"),
    ("INS_NO_DOSE_NO_FRACTIONS", "insufficient_data", "dose_and_fractions_missing"),
    ("INS_NO_INDICATION", "insufficient_data", "indication_unknown"),
    ("INS_INDICATION_UNKNOWN", "insufficient_data", "indication_unknown"),
    ("ABSENT_MSCC", None, None), ("ABSENT_FRACTURE", None, None), ("ABSENT_POSTOP", None, None),
    ("ABSENT_BRAIN", None, None),
    ("EDGE_DM30", "adherent", ADH), ("ABSENT_DM31", None, None), ("PROVIDER_OWN", "non_adherent", NON),
])
def test_outcome(run, course, expected, code):
    assert run.failure() is None
    assert run.outcome("1.5.16", "P1", course) == expected
    row = run.outcomes("1.5.16").get(("P1", course))
    assert (row and row["reason_code"]) == code


def test_a_death_never_excludes(run):
    assert run.outcome("1.5.16", "DIED", "NON_DIED_NEXT_DAY") == "non_adherent"


def test_patient_outside_cohort_has_no_units(run):
    assert not [k for k in run.outcomes("1.5.16") if k[0] == "NO_METS"]


def test_course_is_the_unit_with_its_own_provider_and_date(run):
    outcomes = run.outcomes("1.5.16")
    own = outcomes[("P1", "PROVIDER_OWN")]
    assert own["provider_code"] == "RZZ" and own["outcome"] == "non_adherent"
    assert outcomes[("P1", "ADH_8GY")]["provider_code"] == "RAA"
    assert str(outcomes[("P1", "EDGE_DM30")]["unit_date"]) == "2024-01-31"
    assert outcomes[("P1", "EDGE_DM30")]["period"] == "2024Q1"


def test_reasons_name_the_course_and_its_prescription(run):
    def reason(course):
        return run.outcomes("1.5.16")[("P1", course)]["reason"]

    start = day(10)
    assert reason("PROVIDER_OWN") == (
        f"radiotherapy to the spine started {start} for pain: 20 Gy in 5 fractions, not a single fraction of 8 Gy")
    assert reason("ADH_8GY_DECIMAL") == f"radiotherapy to the pelvis started {start} for pain: 8 Gy in 1 fraction"
    assert reason("NON_6GY_1") == (
        f"radiotherapy to bone (other site) started {start} for pain: 6 Gy in 1 fraction, not a single fraction of 8 Gy")
    assert reason("NON_8_02GY") == (
        f"radiotherapy to the ribs started {start} for pain: 8.02 Gy in 1 fraction, not a single fraction of 8 Gy")
    assert reason("EXC_SBRT") == (
        f"radiotherapy to the spine started {start} was stereotactic radiotherapy, which the recommendation of a "
        "single fraction does not cover")
    assert reason("EXC_RETREAT") == f"radiotherapy to the spine started {start} re-irradiated a previously treated site"
    assert reason("EXC_RADICAL") == f"radiotherapy to the spine started {start} had radical (curative) intent"
    assert reason("INS_NO_DOSE") == f"radiotherapy to the spine started {start} for pain has no prescribed dose recorded"
    assert reason("INS_NO_FRACTIONS") == \
        f"radiotherapy to the spine started {start} for pain has no number of fractions recorded"
    assert reason("INS_NO_DOSE_NO_FRACTIONS") == (
        f"radiotherapy to the spine started {start} for pain has neither the prescribed dose nor the number of "
        "fractions recorded")
    assert reason("INS_NO_INDICATION") == (
        f"radiotherapy to the spine started {start} has no recorded indication, so whether it treated pain is not known")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id = '1.5.16'")
    assert len(rows) >= 20
    assert unreadable_outcomes(rows) == []
