"""Units dated by a clinical event (the complication rules 1.5.8-1.5.13 and 1.5.17, the brain
metastasis rules 1.5.18, 1.5.19 and 1.5.21): the verdicts, unit dates and reporting periods are the
rule cases (audit_rules/cg81_2025_02/rules/<id>.cases.yaml); here, what the case format does not
check: the unit keeps the patient's index date (day 0) while its date is the event's, and 1.5.17's
evidence names the event's date and the care that met it."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day

EVENT = 100  # 2024-06-09, 2024Q2
BRAIN = 200  # 2024-09-17, 2024Q3
# rule -> how the event is recorded, the care that meets the rule
COMPLICATIONS = {
    "1.5.8": ("fatigue", "fatigue_assessment"),
    "1.5.9": ("fatigue", "fatigue_information_given"),
    "1.5.10": ("fatigue", "exercise_programme_referral"),
    "1.5.11": ("uncontrolled_local_disease", "mdt_discussion"),
    "1.5.12": ("fungating_tumour", "wound_care_review"),
    "1.5.13": ("uncontrolled_local_disease", "palliative_care_assessment"),
    "1.5.17": ("long_bone_fracture_risk", None),  # met by prophylactic fixation
}
NOT_SURGICAL = dict(brain_metastasis_count=5, brain_metastases_resectable=False, performance_status=1)
SURGICAL = dict(brain_metastasis_count=2, brain_metastases_resectable=True, extracranial_disease_controlled=True,
                performance_status=1)


def _brain_later(x: Extract, patient_id: str, presentation: dict):
    """Advanced disease in the liver at the index date; brain metastases found on day BRAIN."""
    return x.patient(patient_id).metastatic(sites="liver").pathology() \
        .event(BRAIN, "progression", sites="brain", **presentation)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    for rule, (trigger, care) in COMPLICATIONS.items():
        p = x.patient(rule).metastatic()
        if trigger == "fatigue":
            p.care(EVENT, "significant_fatigue_reported")
        else:
            p.event(EVENT, "progression", **{trigger: True})
        if care:
            p.care(EVENT + 10, care)
        else:
            p.procedure(EVENT + 20, "prophylactic_fixation")
    _brain_later(x, "1.5.18", SURGICAL).procedure(BRAIN + 10, "brain_metastasis_resection") \
        .radiotherapy("WB", start=BRAIN + 30, site="brain_whole", indication="other", dose_gy=20, fractions=5)
    _brain_later(x, "1.5.19", NOT_SURGICAL) \
        .radiotherapy("WB", start=BRAIN + 20, site="brain_whole", indication="other", dose_gy=20, fractions=5,
                      technique="conventional")
    _brain_later(x, "1.5.21", NOT_SURGICAL).care(BRAIN + 20, "specialist_palliative_care_referral")
    folder = tmp_path_factory.mktemp("event_dated_units")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


@pytest.mark.parametrize("rule, event_day", [(rule, EVENT) for rule in COMPLICATIONS]
                         + [("1.5.18", BRAIN), ("1.5.19", BRAIN), ("1.5.21", BRAIN)])
def test_the_unit_keeps_the_index_date_and_takes_the_event_date(run, rule, event_day):
    assert run.failure() is None
    row = run.outcomes(rule)[(rule, rule)]
    assert row["outcome"] == "adherent"
    assert (str(row["index_date"]), str(row["unit_date"])) == (day(0), day(event_day))


def test_1_5_17_evidence_names_the_event_and_the_care(run):
    evidence = run.outcomes("1.5.17")[("1.5.17", "1.5.17")]["evidence"]
    assert evidence["trigger_date"] == day(EVENT) and evidence["first_care"] == "prophylactic_fixation"
