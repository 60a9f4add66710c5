"""Imaging at diagnosis (1.1.1, 1.1.2, 1.1.3: a listed modality in index - 60 .. index + 30 days)
and no PET-CT to monitor (1.1.8)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import reason_problems, unreadable_outcomes

# the reason code of each outcome, per rule (every case below is checked against it)
WINDOW_CODES = {"adherent": "scan_in_window", "non_adherent": "no_scan_in_window",
                "excluded": "died_before_window_closed"}
CODES = {"1.1.1": WINDOW_CODES, "1.1.2": WINDOW_CODES, "1.1.3": WINDOW_CODES,
         "1.1.8": {"adherent": "no_monitoring_scan", "non_adherent": "monitoring_scan",
                   "insufficient_data": "scan_purpose_unknown", "excluded": "clinical_trial"}}


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
    # deaths (v2): the window (index + 30) is still open at a death the day before its last day,
    # closed by a death on it; 1.1.8 asks that nothing happen, so a death closes its watch
    x.patient("NOTHING_DIED_D29", date_of_death=day(29)).metastatic(sites="bone")
    x.patient("NOTHING_DIED_D30", date_of_death=day(30)).metastatic(sites="bone")
    x.patient("CT_THEN_DIED", date_of_death=day(10)).metastatic(sites="bone").imaging(5, "ct", "staging")
    x.patient("CT_AND_BONE_SCAN").metastatic(sites="bone").imaging(-3, "bone_scintigraphy", "staging") \
        .imaging(-3, "ct", "staging").imaging(10, "mri", "staging")
    x.patient("PET_MONITOR_THEN_DIED", date_of_death=day(100)).metastatic(sites="liver").imaging(5, "ct", "staging") \
        .imaging(60, "pet_ct", "response_monitoring")
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
    ("NOTHING_DIED_D29", "excluded", "excluded", "excluded", "adherent"),
    ("NOTHING_DIED_D30", "non_adherent", "non_adherent", "non_adherent", "adherent"),
    ("CT_THEN_DIED", "adherent", "adherent", "excluded", "adherent"),
    ("PET_MONITOR_THEN_DIED", "adherent", "adherent", None, "non_adherent"),
    ("CT_AND_BONE_SCAN", "adherent", "adherent", "adherent", "adherent"),
])
def test_outcome(run, patient, r111, r112, r113, r118):
    assert run.failure() is None
    expected = dict(zip(("1.1.1", "1.1.2", "1.1.3", "1.1.8"), (r111, r112, r113, r118)))
    rows = {rule: run.outcomes(rule).get((patient, patient)) for rule in expected}
    assert {rule: row and row["outcome"] for rule, row in rows.items()} == expected
    assert {rule: row and row["reason_code"] for rule, row in rows.items()} == \
        {rule: outcome and CODES[rule][outcome] for rule, outcome in expected.items()}


def _reason(run, rule, patient):
    return run.outcomes(rule)[(patient, patient)]["reason"]


def test_reasons_name_scans_dates_and_the_window_in_words(run):
    assert _reason(run, "1.1.2", "PET_ONLY") == (
        "no CT, MRI or bone scan recorded within 60 days before to 30 days after the diagnosis of "
        "advanced disease (2024-03-01); the PET-CT of 2024-03-06 does not count")
    assert _reason(run, "1.1.1", "NOTHING_ALIVE") == (
        "no plain x-ray, ultrasound, CT or MRI recorded within 60 days before to 30 days after the "
        "diagnosis of advanced disease (2024-03-01)")
    assert _reason(run, "1.1.3", "XRAY_BONE") == (
        "plain x-ray on 2024-02-20, within 60 days before to 30 days after the diagnosis of advanced disease "
        "(2024-03-01)")
    assert _reason(run, "1.1.1", "PET_MONITOR_THEN_DIED") == (
        "CT on 2024-03-06, within 60 days before to 30 days after the diagnosis of advanced disease (2024-03-01)")
    assert _reason(run, "1.1.1", "NOTHING_DIED_D29") == (
        "died on 2024-03-30, before the window closed on 2024-03-31, without the care recorded")
    assert _reason(run, "1.1.2", "CT_AND_BONE_SCAN") == (
        "bone scan on 2024-02-27 (also CT and MRI), within 60 days before to 30 days after the diagnosis of "
        "advanced disease (2024-03-01)")
    assert _reason(run, "1.1.8", "PET_MONITOR") == "PET-CT used to monitor response on 2024-06-29"
    assert _reason(run, "1.1.8", "PET_UNKNOWN_AND_MONITOR") == "PET-CT used to monitor response on 2024-06-29"
    assert _reason(run, "1.1.8", "PET_UNKNOWN") == (
        "PET-CT on 2024-06-29, after the diagnosis of advanced disease (2024-03-01), has no recorded "
        "purpose: it may have been used to monitor response")
    assert _reason(run, "1.1.8", "PET_TRIAL") == (
        "PET-CT to monitor response on 2024-06-29 only while in a clinical trial (regimen started "
        "2024-03-11: paclitaxel), whose protocol may require it")
    assert _reason(run, "1.1.8", "NOTHING_DIED_D29") == (
        "no PET-CT used to monitor response after the diagnosis of advanced disease (2024-03-01) up to "
        "the patient's death on 2024-03-30")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.1.1', '1.1.2', '1.1.3', '1.1.8')")
    assert len(rows) > 80
    assert unreadable_outcomes(rows) == []


def test_the_reason_check_finds_what_it_is_for():
    assert reason_problems("no ct, mri, bone_scintigraphy from index - 60 to + 30 days") == [
        "underscore-joined word 'bone_scintigraphy'", "index arithmetic"]
    assert reason_problems("window from 1924-04-06") == ["date before 1950 '1924-04-06'"]
    assert reason_problems("MRI on 2024-03-10, 5 days after the equivocal CT of 2024-03-05") == []
