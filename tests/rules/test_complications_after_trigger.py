"""Complication rules anchored on a clinical trigger (1.5.8-1.5.13, 1.5.17): care in a window of
the trigger's date; deaths counted from the trigger."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day

# rule -> (how the trigger is recorded, care that satisfies it, window start, window end)
RULES = {
    "1.5.8": ("fatigue", "fatigue_assessment", 0, 30),
    "1.5.9": ("fatigue", "fatigue_information_given", 0, 30),
    "1.5.10": ("fatigue", "exercise_programme_referral", 0, 60),
    "1.5.11": ("uncontrolled_local_disease", "mdt_discussion", -14, 30),
    "1.5.12": ("fungating_tumour", "wound_care_review", -14, 30),
    "1.5.13": ("uncontrolled_local_disease", "palliative_care_assessment", -14, 60),
    "1.5.17": ("long_bone_fracture_risk", "orthopaedic_assessment", -14, 30),
}
TRIGGER_DAY = 100


def _add_trigger(patient, trigger: str, offset: int = TRIGGER_DAY):
    if trigger == "fatigue":
        return patient.care(offset, "significant_fatigue_reported")
    return patient.event(offset, "progression", **{trigger: True})


def _cases(rule):
    _, care, start, end = RULES[rule]
    t = rule.replace(".", "_")
    return {  # patient -> (care day relative to trigger or None, death relative to trigger or None, expected)
        f"{t}_FIRST_DAY": (start, None, "adherent"), f"{t}_LAST_DAY": (end, None, "adherent"),
        f"{t}_AFTER": (end + 1, None, "non_adherent"), f"{t}_BEFORE": (start - 1, None, "non_adherent"),
        f"{t}_NONE": (None, None, "non_adherent"), f"{t}_DIED": (None, end - 1, "excluded"),
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    for rule, (trigger, care, _, _) in RULES.items():
        for patient_id, (care_day, death, _) in _cases(rule).items():
            p = x.patient(patient_id, date_of_death=None if death is None else day(TRIGGER_DAY + death)).metastatic()
            _add_trigger(p, trigger)
            if care_day is not None:
                p.care(TRIGGER_DAY + care_day, care)
    # Only the first trigger counts, and only from index - 30 days.
    _add_trigger(_add_trigger(x.patient("SECOND_TRIGGER").metastatic(), "fatigue", 10), "fatigue", 200).care(205, "fatigue_assessment")
    _add_trigger(x.patient("EARLY_TRIGGER").metastatic(), "fatigue", -31)
    _add_trigger(x.patient("TRIGGER_DM30").metastatic(), "fatigue", -30).care(-20, "fatigue_assessment")
    _add_trigger(x.patient("FIXATION").metastatic(), "long_bone_fracture_risk").procedure(TRIGGER_DAY + 20, "prophylactic_fixation")
    folder = tmp_path_factory.mktemp("triggers")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("rule", RULES)
def test_window_edges_and_death(run, rule):
    assert run.failure() is None
    outcomes = {p: run.outcome(rule, p) for p in _cases(rule)}
    assert outcomes == {p: expected for p, (_, _, expected) in _cases(rule).items()}


def test_first_trigger_from_index_minus_30(run):
    assert run.outcome("1.5.8", "SECOND_TRIGGER") == "non_adherent"
    assert run.outcome("1.5.8", "EARLY_TRIGGER") is None
    assert run.outcome("1.5.8", "TRIGGER_DM30") == "adherent"


def test_prophylactic_fixation_satisfies_1_5_17(run):
    row = run.outcomes("1.5.17")[("FIXATION", "FIXATION")]
    assert row["outcome"] == "adherent" and row["reason"] == "prophylactic fixation on 2024-06-29"
    assert row["evidence"]["trigger_date"] == "2024-06-09"
