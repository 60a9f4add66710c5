"""Complication rules anchored on a clinical event (1.5.8-1.5.13, 1.5.17; 1.5.20 has its own file):
care in a window of the event's date; the event's date sets the reporting period; deaths by the
shared rule, counted from the event; an absent table the rule needs leaves every unit insufficient."""
import pytest

from pipelines.ingest.contract import load_contract
from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

# rule -> (how the event is recorded, care that meets it, window start, window end)
RULES = {
    "1.5.8": ("fatigue", "fatigue_assessment", 0, 30),
    "1.5.9": ("fatigue", "fatigue_information_given", 0, 30),
    "1.5.10": ("fatigue", "exercise_programme_referral", 0, 60),
    "1.5.11": ("uncontrolled_local_disease", "mdt_discussion", -14, 30),
    "1.5.12": ("fungating_tumour", "wound_care_review", -14, 30),
    "1.5.13": ("uncontrolled_local_disease", "palliative_care_assessment", -14, 60),
    "1.5.17": ("long_bone_fracture_risk", "orthopaedic_assessment", -14, 30),
}
EVENT_DAY = 100  # 2024-06-09, in 2024Q2; the index date 2024-03-01 is in 2024Q1
IN, NONE, DIED = "care_in_window", "no_care_in_window", "died_before_window_closed"


def _add_event(patient, trigger: str, offset: int = EVENT_DAY):
    if trigger == "fatigue":
        return patient.care(offset, "significant_fatigue_reported")
    return patient.event(offset, "progression", **{trigger: True})


def _cases(rule):
    """patient -> (care day from the event or None, death day from the event or None, outcome, code)."""
    _, _, start, end = RULES[rule]
    t = rule.replace(".", "_")
    return {
        f"{t}_ADH_FIRST_DAY": (start, None, "adherent", IN), f"{t}_ADH_LAST_DAY": (end, None, "adherent", IN),
        f"{t}_NON_DAY_AFTER": (end + 1, None, "non_adherent", NONE),
        f"{t}_NON_DAY_BEFORE": (start - 1, None, "non_adherent", NONE),
        f"{t}_NON_NONE": (None, None, "non_adherent", NONE),
        # a death on the window's last day closes it: judged; the day before leaves it open: excluded
        f"{t}_EXC_DIED_LAST_DAY_MINUS_1": (None, end - 1, "excluded", DIED),
        f"{t}_NON_DIED_LAST_DAY": (None, end, "non_adherent", NONE),
        # care given before the death stays adherent
        f"{t}_ADH_CARE_THEN_DIED": (start + 1, 5, "adherent", IN),
    }


def _extract() -> Extract:
    x = Extract()
    for rule, (trigger, care, _, _) in RULES.items():
        for patient_id, (care_day, death, _, _) in _cases(rule).items():
            p = x.patient(patient_id, date_of_death=None if death is None else day(EVENT_DAY + death)).metastatic()
            _add_event(p, trigger)
            if care_day is not None:
                p.care(EVENT_DAY + care_day, care)
    # Only the first event counts, and only from index - 30 days.
    _add_event(_add_event(x.patient("SECOND_EVENT").metastatic(), "fatigue", 10), "fatigue", 200) \
        .care(205, "fatigue_assessment")
    _add_event(x.patient("EARLY_EVENT_DM31").metastatic(), "fatigue", -31)
    _add_event(x.patient("EVENT_DM30").metastatic(), "fatigue", -30).care(-20, "fatigue_assessment")
    # 1.5.17: prophylactic fixation meets it too, in the same window; fixation of a fracture does not
    _add_event(x.patient("FIXATION").metastatic(), "long_bone_fracture_risk") \
        .procedure(EVENT_DAY + 20, "prophylactic_fixation")
    _add_event(x.patient("FIXATION_DM14").metastatic(), "long_bone_fracture_risk") \
        .procedure(EVENT_DAY - 14, "prophylactic_fixation")
    _add_event(x.patient("FIXATION_DM15").metastatic(), "long_bone_fracture_risk") \
        .procedure(EVENT_DAY - 15, "prophylactic_fixation")
    _add_event(x.patient("FRACTURE_FIXATION").metastatic(), "long_bone_fracture_risk") \
        .procedure(EVENT_DAY + 5, "fracture_fixation")
    # the event at index: the period is the index quarter; a later event, its own quarter
    _add_event(x.patient("FUNGATING_AT_INDEX").metastatic(), "fungating_tumour", 0).care(3, "wound_care_review")
    _add_event(x.patient("FUNGATING_LATER").metastatic(), "fungating_tumour", 200)
    return x


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("triggers")
    return run_audit(_extract().write(folder / "extract"), folder)


def _without(table: str, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"triggers_without_{table}")
    tables = [t for t in load_contract().tables if t != table]
    return run_audit(_extract().write(folder / "extract", tables), folder)


@pytest.fixture(scope="module")
def run_without_care_events(tmp_path_factory):
    return _without("care_events", tmp_path_factory)


@pytest.fixture(scope="module")
def run_without_procedures(tmp_path_factory):
    return _without("procedures", tmp_path_factory)


@pytest.mark.parametrize("rule", RULES)
def test_window_edges_and_deaths(run, rule):
    assert run.failure() is None
    rows = run.outcomes(rule)
    found = {p: (rows[(p, p)]["outcome"], rows[(p, p)]["reason_code"]) for p in _cases(rule)}
    assert found == {p: (outcome, code) for p, (_, _, outcome, code) in _cases(rule).items()}


@pytest.mark.parametrize("rule", RULES)
def test_the_event_sets_the_unit_date_and_reporting_period(run, rule):
    for patient, row in run.outcomes(rule).items():
        if patient[0].startswith(rule.replace(".", "_") + "_"):
            assert str(row["unit_date"]) == day(EVENT_DAY) and row["period"] == "2024Q2", patient
            assert str(row["index_date"]) == day(0)


def test_a_later_event_reports_in_its_own_quarter(run):
    rows = run.outcomes("1.5.12")
    assert rows[("FUNGATING_AT_INDEX", "FUNGATING_AT_INDEX")]["period"] == "2024Q1"
    later = rows[("FUNGATING_LATER", "FUNGATING_LATER")]
    assert str(later["unit_date"]) == day(200) and later["period"] == "2024Q3" and later["outcome"] == "non_adherent"


def test_first_event_from_index_minus_30(run):
    assert run.outcome("1.5.8", "SECOND_EVENT") == "non_adherent"
    assert str(run.outcomes("1.5.8")[("SECOND_EVENT", "SECOND_EVENT")]["unit_date"]) == day(10)
    assert run.outcome("1.5.8", "EARLY_EVENT_DM31") is None
    assert run.outcome("1.5.8", "EVENT_DM30") == "adherent"
    assert run.outcomes("1.5.8")[("EVENT_DM30", "EVENT_DM30")]["period"] == "2024Q1"  # 2024-01-31


@pytest.mark.parametrize("patient, expected", [
    ("FIXATION", "adherent"), ("FIXATION_DM14", "adherent"), ("FIXATION_DM15", "non_adherent"),
    ("FRACTURE_FIXATION", "non_adherent"),
])
def test_prophylactic_fixation_meets_1_5_17(run, patient, expected):
    assert run.outcome("1.5.17", patient) == expected


def test_reasons_name_the_event_the_care_and_the_window(run):
    def reason(rule, patient):
        return run.outcomes(rule)[(patient, patient)]["reason"]

    event = day(EVENT_DAY)
    assert reason("1.5.8", "1_5_8_ADH_LAST_DAY") == (
        f"Fatigue assessment recorded on {day(EVENT_DAY + 30)}, within 30 days after significant fatigue was "
        f"reported ({event})")
    assert reason("1.5.8", "1_5_8_NON_NONE") == (
        f"no fatigue assessment recorded within 30 days after significant fatigue was reported ({event})")
    assert reason("1.5.9", "1_5_9_NON_DAY_AFTER") == (
        "no written information about cancer-related fatigue recorded within 30 days after significant fatigue "
        f"was reported ({event})")
    assert reason("1.5.10", "1_5_10_NON_NONE") == (
        f"no referral to an exercise programme recorded within 60 days after significant fatigue was reported ({event})")
    assert reason("1.5.11", "1_5_11_ADH_FIRST_DAY") == (
        f"Multidisciplinary team (MDT) discussion recorded on {day(EVENT_DAY - 14)}, within 14 days before to 30 "
        f"days after uncontrolled local disease was first recorded ({event})")
    assert reason("1.5.12", "1_5_12_NON_DAY_BEFORE") == (
        "no wound care team review recorded within 14 days before to 30 days after a fungating tumour was first "
        f"recorded ({event})")
    assert reason("1.5.13", "1_5_13_NON_NONE") == (
        "no palliative care team assessment recorded within 14 days before to 60 days after uncontrolled local "
        f"disease was first recorded ({event})")
    assert reason("1.5.17", "1_5_17_NON_NONE") == (
        "no orthopaedic assessment or prophylactic fixation recorded within 14 days before to 30 days after a risk "
        f"of long-bone fracture was first recorded ({event})")
    assert reason("1.5.17", "FIXATION") == (
        f"Prophylactic fixation recorded on {day(EVENT_DAY + 20)}, within 14 days before to 30 days after a risk of "
        f"long-bone fracture was first recorded ({event})")
    assert reason("1.5.8", "1_5_8_EXC_DIED_LAST_DAY_MINUS_1") == (
        f"died on {day(EVENT_DAY + 29)}, before the window closed on {day(EVENT_DAY + 30)}, without the care recorded")
    row = run.outcomes("1.5.17")[("FIXATION", "FIXATION")]
    assert row["evidence"]["trigger_date"] == event and row["evidence"]["first_care"] == "prophylactic_fixation"


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where list_contains($rules, rule_id)", {"rules": list(RULES)})
    assert len(rows) > 60
    assert unreadable_outcomes(rows) == []


def test_without_care_events_no_unit_is_judged(run_without_care_events):
    run = run_without_care_events
    assert run.failure() is None
    # significant fatigue is itself a care event: nobody enters 1.5.8-1.5.10
    for rule in ("1.5.8", "1.5.9", "1.5.10"):
        assert run.outcomes(rule) == {}
    for rule in ("1.5.11", "1.5.12", "1.5.13", "1.5.17"):
        rows = run.outcomes(rule)
        assert rows, rule
        assert {(r["outcome"], r["reason_code"]) for r in rows.values()} == {("insufficient_data", "table_not_in_extract")}
        assert {r["reason"] for r in rows.values()} == {"no care events table in the extract"}


def test_without_procedures_1_5_17_is_not_judged_and_the_others_are(run_without_procedures):
    run = run_without_procedures
    assert run.failure() is None
    rows = run.outcomes("1.5.17")
    assert {(r["outcome"], r["reason"]) for r in rows.values()} == {
        ("insufficient_data", "no procedures table in the extract")}
    assert run.outcome("1.5.11", "1_5_11_ADH_LAST_DAY") == "adherent"
    assert run.outcome("1.5.8", "1_5_8_NON_NONE") == "non_adherent"
