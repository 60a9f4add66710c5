"""CG81 1.3.12: stop trastuzumab at progression outside the CNS (a); do not stop it when progression
is within the CNS alone (b). Unit: progression event while trastuzumab is active."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

P = 200  # day of progression after the index date


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()

    def her2(patient_id, **kw):
        return x.patient(patient_id, **kw).metastatic(sites="liver").pathology(er="negative", her2="positive")

    her2("A_STOPPED").regimen(["docetaxel", "Herceptin"], start=10, end=P + 10).event(P, "progression", sites="liver")
    her2("A_STOPPED_D42").regimen("trastuzumab", start=10, end=P + 42).event(P, "progression", sites="liver;lung")
    her2("A_ENDED_D43").regimen("trastuzumab", start=10, end=P + 43).event(P, "progression", sites="liver")
    her2("A_ONGOING").regimen("trastuzumab", start=10).event(P, "progression", sites="liver;brain")
    her2("A_RESTARTED").regimen("trastuzumab", start=10, end=P).event(P, "progression", sites="bone").regimen(["Kanjinti", "vinorelbine"], start=P + 60)
    her2("A_T_DM1_AFTER").regimen("trastuzumab", start=10, end=P).event(P, "progression", sites="bone").regimen("Kadcyla", start=P + 14)
    her2("A_DIED", date_of_death=day(P + 20)).regimen("trastuzumab", start=10).event(P, "progression", sites="liver")
    her2("A_SITES_UNKNOWN").regimen("trastuzumab", start=10).event(P, "progression")
    her2("A_ENDED_BEFORE").regimen("trastuzumab", start=10, end=P - 1).event(P, "progression", sites="liver")
    her2("B_CONTINUED").regimen("Herceptin", start=14).event(P, "progression", sites="brain", brain_metastasis_count=7)
    her2("B_STOPPED").regimen("trastuzumab", start=14, end=P + 20).event(P, "progression", sites="brain")
    her2("B_RESTARTED_D90").regimen("trastuzumab", start=14, end=P).event(P, "progression", sites="leptomeningeal").regimen("trastuzumab", start=P + 90)
    her2("B_RESTARTED_D91").regimen("trastuzumab", start=14, end=P).event(P, "progression", sites="brain").regimen("trastuzumab", start=P + 91)
    her2("B_PHESGO").regimen("Phesgo", start=14).event(P, "progression", sites="brain")
    her2("B_STOPPED_CONTRAINDICATED").regimen("trastuzumab", start=14, end=P + 20).event(P, "progression", sites="brain") \
        .decision(P + 18, "trastuzumab", "contraindicated")
    her2("B_DECIDED_AFTER_WINDOW").regimen("trastuzumab", start=14, end=P + 20).event(P, "progression", sites="brain") \
        .decision(P + 91, "trastuzumab", "contraindicated")
    her2("B_DIED", date_of_death=day(P + 20)).regimen("trastuzumab", start=14, end=P + 10) \
        .event(P, "progression", sites="brain")
    her2("B_STOPPED_D42").regimen("trastuzumab", start=14, end=P + 42).event(P, "progression", sites="brain")
    her2("B_CONTINUED_D43").regimen("trastuzumab", start=14, end=P + 43).event(P, "progression", sites="brain")
    her2("B_EXC_DECIDED_D90").regimen("trastuzumab", start=14, end=P + 20).event(P, "progression", sites="brain") \
        .decision(P + 90, "trastuzumab", "contraindicated")
    her2("A_RESTARTED_D90").regimen("trastuzumab", start=10, end=P).event(P, "progression", sites="liver") \
        .regimen("trastuzumab", start=P + 90)
    her2("A_RESTARTED_D91").regimen("trastuzumab", start=10, end=P).event(P, "progression", sites="liver") \
        .regimen("trastuzumab", start=P + 91)
    her2("A_TRASTUZUMAB_DECLINED").regimen("trastuzumab", start=10).event(P, "progression", sites="liver") \
        .decision(P + 5, "trastuzumab", "declined_by_patient")
    # active: started on or before the event; started the day after, it was not being received
    her2("A_STARTED_ON_EVENT_DAY").regimen("trastuzumab", start=P, end=P + 10).event(P, "progression", sites="liver")
    her2("A_ABSENT_STARTED_DAY_AFTER").regimen("trastuzumab", start=P + 1, end=P + 10).event(P, "progression", sites="liver")
    her2("B_STARTED_ON_EVENT_DAY").regimen("trastuzumab", start=P).event(P, "progression", sites="brain")
    her2("B_ABSENT_STARTED_DAY_AFTER").regimen("trastuzumab", start=P + 1).event(P, "progression", sites="brain")
    # a death before day 42 excludes an event that would be non-adherent; on day 42 the window had run
    her2("A_EXC_DIED_D41", date_of_death=day(P + 41)).regimen("trastuzumab", start=10).event(P, "progression", sites="liver")
    her2("A_NON_DIED_D42", date_of_death=day(P + 42)).regimen("trastuzumab", start=10).event(P, "progression", sites="liver")
    her2("B_EXC_DIED_D41", date_of_death=day(P + 41)).regimen("trastuzumab", start=14, end=P + 10) \
        .event(P, "progression", sites="brain")
    her2("B_NON_DIED_D42", date_of_death=day(P + 42)).regimen("trastuzumab", start=14, end=P + 10) \
        .event(P, "progression", sites="brain")
    # v2 deaths, 1.3.12a: death closes the "no restart within 90 days" window; a restart before the
    # death already decided the event; trastuzumab running until the death was not stopped
    her2("A_NON_RESTARTED_D14_DIED_D21", date_of_death=day(P + 21)).regimen("trastuzumab", start=10, end=P) \
        .event(P, "progression", sites="bone").regimen("trastuzumab", start=P + 14)
    her2("A_ADH_STOPPED_DIED_D30", date_of_death=day(P + 30)).regimen("trastuzumab", start=10, end=P + 10) \
        .event(P, "progression", sites="liver")
    her2("A_EXC_ENDED_AT_DEATH", date_of_death=day(P + 20)).regimen("trastuzumab", start=10, end=P + 20) \
        .event(P, "progression", sites="liver")
    # 1.3.12b: a stop is decided only on day 90 (a restart may still come); running until death is not a stop
    her2("B_EXC_DIED_D89", date_of_death=day(P + 89)).regimen("trastuzumab", start=14, end=P + 10) \
        .event(P, "progression", sites="brain")
    her2("B_NON_DIED_D90", date_of_death=day(P + 90)).regimen("trastuzumab", start=14, end=P + 10) \
        .event(P, "progression", sites="brain")
    her2("B_ADH_RAN_UNTIL_DEATH", date_of_death=day(P + 20)).regimen("trastuzumab", start=14, end=P + 20) \
        .event(P, "progression", sites="brain")
    her2("B_ADH_ONGOING_DIED_D20", date_of_death=day(P + 20)).regimen("trastuzumab", start=14) \
        .event(P, "progression", sites="brain")
    # event-anchored exception window: decisions from the progression - 30 days
    her2("B_EXC_DECIDED_DM30").regimen("trastuzumab", start=14, end=P + 20).decision(P - 30, "trastuzumab", "contraindicated") \
        .event(P, "progression", sites="brain")
    her2("B_NON_DECIDED_DM31").regimen("trastuzumab", start=14, end=P + 20).decision(P - 31, "trastuzumab", "contraindicated") \
        .event(P, "progression", sites="brain")
    # the 90 days run past the end of follow-up (configured below as day P + 100): not judged yet
    her2("A_FOLLOW_UP_OPEN").regimen("trastuzumab", start=10, end=P + 70).event(P + 60, "progression", sites="liver")
    her2("B_FOLLOW_UP_OPEN").regimen("trastuzumab", start=10, end=P + 70).event(P + 60, "progression", sites="brain")
    folder = tmp_path_factory.mktemp("trastuzumab")
    # every window of the events on day P closes by day P + 90, before this end of follow-up
    config = folder / "follow_up.yaml"
    config.write_text(f"timeline:\n  follow_up_end: {day(P + 100)}\n", encoding="utf-8")
    return run_audit(x.write(folder / "extract"), folder, config)


STOP, CONT, DISC = "trastuzumab_stopped", "trastuzumab_continued", "trastuzumab_discontinued"
DIED, LATE = "died_before_window_closed", "follow_up_incomplete"


@pytest.mark.parametrize("patient, rule_a, code_a, rule_b, code_b", [
    ("A_STOPPED", "adherent", STOP, None, None), ("A_STOPPED_D42", "adherent", STOP, None, None),
    ("A_ENDED_D43", "non_adherent", CONT, None, None), ("A_ONGOING", "non_adherent", CONT, None, None),
    ("A_RESTARTED", "non_adherent", CONT, None, None), ("A_T_DM1_AFTER", "adherent", STOP, None, None),
    ("A_DIED", "excluded", DIED, None, None),
    ("A_SITES_UNKNOWN", "insufficient_data", "progression_sites_unknown", "insufficient_data", "progression_sites_unknown"),
    ("A_ENDED_BEFORE", None, None, None, None),
    ("B_CONTINUED", None, None, "adherent", CONT), ("B_STOPPED", None, None, "non_adherent", DISC),
    ("B_RESTARTED_D90", None, None, "adherent", CONT), ("B_RESTARTED_D91", None, None, "non_adherent", DISC),
    ("B_PHESGO", None, None, "adherent", CONT),
    ("B_STOPPED_CONTRAINDICATED", None, None, "excluded", "contraindicated"),
    ("B_DECIDED_AFTER_WINDOW", None, None, "non_adherent", DISC),
    ("A_TRASTUZUMAB_DECLINED", "non_adherent", CONT, None, None),
    ("B_DIED", None, None, "excluded", DIED), ("B_STOPPED_D42", None, None, "non_adherent", DISC),
    ("B_CONTINUED_D43", None, None, "adherent", CONT),
    ("B_EXC_DECIDED_D90", None, None, "excluded", "contraindicated"),
    ("A_RESTARTED_D90", "non_adherent", CONT, None, None), ("A_RESTARTED_D91", "adherent", STOP, None, None),
    ("A_STARTED_ON_EVENT_DAY", "adherent", STOP, None, None), ("A_ABSENT_STARTED_DAY_AFTER", None, None, None, None),
    ("B_STARTED_ON_EVENT_DAY", None, None, "adherent", CONT), ("B_ABSENT_STARTED_DAY_AFTER", None, None, None, None),
    # trastuzumab still running on day 42 is decided on day 42: a death the day before leaves it open
    ("A_EXC_DIED_D41", "excluded", DIED, None, None), ("A_NON_DIED_D42", "non_adherent", CONT, None, None),
    ("B_EXC_DIED_D41", None, None, "excluded", DIED),
    # v2: 1.3.12b's window runs to day 90 (restart), so a death on day 42 no longer decides it
    ("B_NON_DIED_D42", None, None, "excluded", DIED),
    ("B_EXC_DIED_D89", None, None, "excluded", DIED), ("B_NON_DIED_D90", None, None, "non_adherent", DISC),
    ("A_NON_RESTARTED_D14_DIED_D21", "non_adherent", CONT, None, None),
    ("A_ADH_STOPPED_DIED_D30", "adherent", STOP, None, None),
    ("A_EXC_ENDED_AT_DEATH", "excluded", DIED, None, None),
    ("B_ADH_RAN_UNTIL_DEATH", None, None, "adherent", CONT), ("B_ADH_ONGOING_DIED_D20", None, None, "adherent", CONT),
    ("B_EXC_DECIDED_DM30", None, None, "excluded", "contraindicated"),
    ("B_NON_DECIDED_DM31", None, None, "non_adherent", DISC),
    ("A_FOLLOW_UP_OPEN", "excluded", LATE, None, None), ("B_FOLLOW_UP_OPEN", None, None, "excluded", LATE),
])
def test_outcome(run, patient, rule_a, code_a, rule_b, code_b):
    assert run.failure() is None
    assert run.outcome("1.3.12a", patient, "event_1") == rule_a
    assert run.outcome("1.3.12b", patient, "event_1") == rule_b
    for rule, code in (("1.3.12a", code_a), ("1.3.12b", code_b)):
        row = run.outcomes(rule).get((patient, "event_1"))
        assert (row and row["reason_code"]) == code, rule


def test_reasons_name_the_progression_and_the_trastuzumab_dates(run):
    a = run.outcomes("1.3.12a")
    assert a[("A_NON_RESTARTED_D14_DIED_D21", "event_1")]["reason"] == (
        f"trastuzumab stopped on {day(P)} and restarted on {day(P + 14)} after progression outside the central "
        f"nervous system on {day(P)} (bone): it should be discontinued (within 42 days, not restarted within 90 days)")
    assert a[("A_ADH_STOPPED_DIED_D30", "event_1")]["reason"] == (
        f"trastuzumab stopped on {day(P + 10)}, within 42 days of progression outside the central nervous system on "
        f"{day(P)} (liver), and not restarted within 90 days up to the patient's death on {day(P + 30)}")
    b = run.outcomes("1.3.12b")
    assert b[("B_STOPPED", "event_1")]["reason"].startswith(
        f"trastuzumab stopped on {day(P + 20)} after progression within the central nervous system alone on {day(P)} (brain)")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.3.12a', '1.3.12b')")
    assert len(rows) >= 40
    assert unreadable_outcomes(rows) == []


def test_the_event_is_the_unit(run):
    row = run.outcomes("1.3.12b")[("B_CONTINUED", "event_1")]
    assert str(row["unit_date"]) == "2024-09-17" and row["period"] == "2024Q3"
    assert row["evidence"]["progression_sites"] == ["brain"] and row["evidence"]["trastuzumab_active_until"] is None
