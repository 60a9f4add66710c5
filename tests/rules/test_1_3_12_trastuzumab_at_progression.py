"""CG81 1.3.12: stop trastuzumab at progression outside the CNS (a); do not stop it when progression
is within the CNS alone (b). Unit: progression event while trastuzumab is active."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day

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
    folder = tmp_path_factory.mktemp("trastuzumab")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, rule_a, rule_b", [
    ("A_STOPPED", "adherent", None), ("A_STOPPED_D42", "adherent", None), ("A_ENDED_D43", "non_adherent", None),
    ("A_ONGOING", "non_adherent", None), ("A_RESTARTED", "non_adherent", None), ("A_T_DM1_AFTER", "adherent", None),
    ("A_DIED", "excluded", None), ("A_SITES_UNKNOWN", "insufficient_data", "insufficient_data"),
    ("A_ENDED_BEFORE", None, None),
    ("B_CONTINUED", None, "adherent"), ("B_STOPPED", None, "non_adherent"), ("B_RESTARTED_D90", None, "adherent"),
    ("B_RESTARTED_D91", None, "non_adherent"), ("B_PHESGO", None, "adherent"),
    ("B_STOPPED_CONTRAINDICATED", None, "excluded"), ("B_DECIDED_AFTER_WINDOW", None, "non_adherent"),
    ("A_TRASTUZUMAB_DECLINED", "non_adherent", None),
    ("B_DIED", None, "excluded"), ("B_STOPPED_D42", None, "non_adherent"), ("B_CONTINUED_D43", None, "adherent"),
    ("B_EXC_DECIDED_D90", None, "excluded"),
    ("A_RESTARTED_D90", "non_adherent", None), ("A_RESTARTED_D91", "adherent", None),
    ("A_STARTED_ON_EVENT_DAY", "adherent", None), ("A_ABSENT_STARTED_DAY_AFTER", None, None),
    ("B_STARTED_ON_EVENT_DAY", None, "adherent"), ("B_ABSENT_STARTED_DAY_AFTER", None, None),
    ("A_EXC_DIED_D41", "excluded", None), ("A_NON_DIED_D42", "non_adherent", None),
    ("B_EXC_DIED_D41", None, "excluded"), ("B_NON_DIED_D42", None, "non_adherent"),
])
def test_outcome(run, patient, rule_a, rule_b):
    assert run.failure() is None
    assert run.outcome("1.3.12a", patient, "event_1") == rule_a
    assert run.outcome("1.3.12b", patient, "event_1") == rule_b


def test_the_event_is_the_unit(run):
    row = run.outcomes("1.3.12b")[("B_CONTINUED", "event_1")]
    assert str(row["unit_date"]) == "2024-09-17" and row["period"] == "2024Q3"
    assert row["evidence"]["progression_sites"] == ["brain"] and row["evidence"]["trastuzumab_active_until"] is None
