"""Care-process recommendations measured as a documented care event in a window around the index
date: 1.2.1, 1.2.3, 1.2.4, 1.4.1a, 1.4.1b, QS12-5 and QS12-6."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

# rule -> (care event, first day of the window, last day of the window; None = no lower bound)
RULES = {
    "1.2.1": ("information_preference_assessed", -30, 90),
    "1.2.3": ("decision_involvement_assessed", -30, 90),
    "1.2.4": ("decision_aid_offered", -30, 90),
    "1.4.1a": ("holistic_needs_assessment", -30, 90),
    "1.4.1b": ("key_worker_assigned", None, 90),
    "QS12-5": ("mdt_discussion", -30, 60),
    "QS12-6": ("key_worker_assigned", None, 90),
}


def _scenarios(rule: str):
    event, start, end = RULES[rule]
    tag = rule.replace(".", "_").replace("-", "_")
    cases = {
        f"{tag}_ON_INDEX": ([0], None, "adherent"),
        f"{tag}_LAST_DAY": ([end], None, "adherent"),
        f"{tag}_DAY_AFTER": ([end + 1], None, "non_adherent"),
        f"{tag}_NONE": ([], None, "non_adherent"),
        f"{tag}_DIED_EARLY": ([], end - 10, "excluded"),
        f"{tag}_EVENT_THEN_DIED": ([5], 20, "adherent"),
        f"{tag}_DIED_AFTER_WINDOW": ([], end + 5, "non_adherent"),
        # v2: a death the day before the window's last day leaves it open; on the last day, closed
        f"{tag}_DIED_DAY_BEFORE_LAST": ([], end - 1, "excluded"),
        f"{tag}_DIED_LAST_DAY": ([], end, "non_adherent"),
    }
    if start is None:
        cases[f"{tag}_LONG_BEFORE"] = ([-2000], None, "adherent")
    else:
        cases[f"{tag}_FIRST_DAY"] = ([start], None, "adherent")
        cases[f"{tag}_DAY_BEFORE"] = ([start - 1], None, "non_adherent")
    return event, cases


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    for rule in RULES:
        event, cases = _scenarios(rule)
        for patient_id, (offsets, death, _) in cases.items():
            p = x.patient(patient_id, date_of_death=None if death is None else day(death)).metastatic()
            for offset in offsets:
                p.care(offset, event)
    x.patient("WRONG_EVENT").metastatic().care(5, "information_provided")
    folder = tmp_path_factory.mktemp("care_events")
    return run_audit(x.write(folder / "extract"), folder)


CODES = {"adherent": "care_event_in_window", "non_adherent": "no_care_event_in_window",
         "excluded": "died_before_window_closed"}


@pytest.mark.parametrize("rule", RULES)
def test_window_edges_death_and_absence(run, rule):
    assert run.failure() is None
    _, cases = _scenarios(rule)
    rows = {patient: run.outcomes(rule)[(patient, patient)] for patient in cases}
    assert {p: (r["outcome"], r["reason_code"]) for p, r in rows.items()} == \
        {patient: (expected, CODES[expected]) for patient, (_, _, expected) in cases.items()}


def test_other_event_types_do_not_count(run):
    for rule in RULES:
        assert run.outcome(rule, "WRONG_EVENT") == "non_adherent"


def _reason(run, rule, patient):
    return run.outcomes(rule)[(patient, patient)]["reason"]


def test_reasons(run):
    assert _reason(run, "QS12-5", "QS12_5_DIED_EARLY") == \
        "died on 2024-04-20, before the window closed on 2024-04-30, without the care recorded"
    assert _reason(run, "1.4.1b", "1_4_1b_NONE") == \
        "no key worker assignment recorded on or before 90 days after the diagnosis of advanced disease (2024-03-01)"
    assert _reason(run, "1.2.4", "1_2_4_ON_INDEX") == "Offer of a decision aid recorded on 2024-03-01"
    assert _reason(run, "1.2.1", "1_2_1_NONE") == (
        "no assessment of the patient's preferences for information recorded within 30 days before to 90 days "
        "after the diagnosis of advanced disease (2024-03-01)")
    assert _reason(run, "QS12-5", "QS12_5_ON_INDEX") == "Multidisciplinary team (MDT) discussion recorded on 2024-03-01"


def test_a_window_without_a_lower_bound_shows_no_start_date(run):
    evidence = run.outcomes("QS12-6")[("QS12_6_LONG_BEFORE", "QS12_6_LONG_BEFORE")]["evidence"]
    assert evidence["window_start"] is None and evidence["window_end"] == day(90)
    assert run.outcomes("1.2.4")[("1_2_4_NONE", "1_2_4_NONE")]["evidence"]["window_start"] == day(-30)


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in "
                     "('1.2.1', '1.2.3', '1.2.4', '1.4.1a', '1.4.1b', 'QS12-5', 'QS12-6')")
    assert len(rows) > 400
    assert unreadable_outcomes(rows) == []
