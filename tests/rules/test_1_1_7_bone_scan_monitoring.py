"""CG81 1.1.7: do not use bone scintigraphy to monitor the response of bone metastases."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

CODES = {"adherent": "no_monitoring_scan", "non_adherent": "monitoring_scan",
         "insufficient_data": "scan_purpose_unknown", "excluded": "clinical_trial"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("ADH_NO_SCANS").metastatic(sites="bone;liver")
    x.patient("ADH_STAGING_ONLY").metastatic().imaging(-5, "bone_scintigraphy", "staging", "metastatic")
    x.patient("ADH_CT_MONITORING").metastatic().imaging(90, "ct", "response_monitoring", "stable")
    x.patient("ADH_SUSPECTED_PROGRESSION").metastatic().imaging(200, "bone_scintigraphy", "suspected_progression")
    x.patient("ADH_MONITORING_ON_INDEX_DAY").metastatic().imaging(0, "bone_scintigraphy", "response_monitoring")
    x.patient("NON_MONITORING").metastatic().imaging(-5, "bone_scintigraphy", "staging").imaging(110, "bone_scintigraphy", "response_monitoring", "stable")
    x.patient("NON_MONITORING_DAY1").metastatic().imaging(1, "bone_scintigraphy", "response_monitoring")
    x.patient("NON_BOTH").metastatic().imaging(60, "bone_scintigraphy", None).imaging(120, "bone_scintigraphy", "response_monitoring")
    x.patient("INS_PURPOSE_EMPTY").metastatic().imaging(60, "bone_scintigraphy", None)
    x.patient("INS_PURPOSE_UNKNOWN").metastatic().imaging(60, "bone_scintigraphy", "unknown")
    x.patient("ABSENT_NO_BONE").metastatic(sites="liver").imaging(60, "bone_scintigraphy", "response_monitoring")
    x.patient("ADH_BONE_SITE_D30").metastatic(sites="liver").event(30, "progression", sites="bone")
    x.patient("ABSENT_BONE_SITE_D31").metastatic(sites="liver").event(31, "progression", sites="bone").imaging(60, "bone_scintigraphy", "response_monitoring")
    x.patient("EXC_TRIAL").metastatic().regimen("letrozole", start=10, clinical_trial=True).imaging(100, "bone_scintigraphy", "response_monitoring")
    x.patient("EXC_TRIAL_LAST_DAY").metastatic().regimen("letrozole", start=10, end=100, clinical_trial=True).imaging(100, "bone_scintigraphy", "response_monitoring")
    x.patient("NON_AFTER_TRIAL").metastatic().regimen("letrozole", start=10, end=100, clinical_trial=True).imaging(101, "bone_scintigraphy", "response_monitoring")
    x.patient("NON_ON_AND_OFF_TRIAL").metastatic().regimen("letrozole", start=10, end=100, clinical_trial=True).imaging(50, "bone_scintigraphy", "response_monitoring").imaging(150, "bone_scintigraphy", "response_monitoring")
    # v2: the numerator asks that nothing happen, so a death closes the watch (judged, not excluded)
    x.patient("ADH_DIED_NO_SCAN", date_of_death=day(100)).metastatic().imaging(-5, "bone_scintigraphy", "staging")
    x.patient("NON_MONITORING_THEN_DIED", date_of_death=day(100)).metastatic() \
        .imaging(50, "bone_scintigraphy", "response_monitoring")
    x.patient("INS_UNKNOWN_THEN_DIED", date_of_death=day(100)).metastatic().imaging(50, "bone_scintigraphy", None)
    folder = tmp_path_factory.mktemp("rule_1_1_7")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("ADH_NO_SCANS", "adherent"), ("ADH_STAGING_ONLY", "adherent"), ("ADH_CT_MONITORING", "adherent"),
    ("ADH_SUSPECTED_PROGRESSION", "adherent"), ("ADH_MONITORING_ON_INDEX_DAY", "adherent"),
    ("NON_MONITORING", "non_adherent"), ("NON_MONITORING_DAY1", "non_adherent"), ("NON_BOTH", "non_adherent"),
    ("INS_PURPOSE_EMPTY", "insufficient_data"), ("INS_PURPOSE_UNKNOWN", "insufficient_data"),
    ("EXC_TRIAL", "excluded"), ("EXC_TRIAL_LAST_DAY", "excluded"), ("NON_AFTER_TRIAL", "non_adherent"),
    ("NON_ON_AND_OFF_TRIAL", "non_adherent"), ("ABSENT_NO_BONE", None), ("ADH_BONE_SITE_D30", "adherent"), ("ABSENT_BONE_SITE_D31", None),
    ("ADH_DIED_NO_SCAN", "adherent"), ("NON_MONITORING_THEN_DIED", "non_adherent"),
    ("INS_UNKNOWN_THEN_DIED", "insufficient_data"),
])
def test_outcome(run, patient, expected):
    assert run.failure() is None
    row = run.outcomes("1.1.7").get((patient, patient))
    assert (row and (row["outcome"], row["reason_code"])) == (expected and (expected, CODES[expected]))


def test_reason_and_evidence(run):
    row = run.outcomes("1.1.7")[("NON_MONITORING", "NON_MONITORING")]
    assert row["reason"] == "bone scan used to monitor response on 2024-06-19"
    assert row["evidence"]["monitoring_scans"] == 1 and row["evidence"]["scans_after_index"] == 1
    assert run.outcomes("1.1.7")[("NON_ON_AND_OFF_TRIAL", "NON_ON_AND_OFF_TRIAL")]["reason"] == \
        "bone scan used to monitor response on 2024-04-20 (2 such scans)"
    assert run.outcomes("1.1.7")[("EXC_TRIAL_LAST_DAY", "EXC_TRIAL_LAST_DAY")]["reason"] == (
        "bone scan to monitor response on 2024-06-09 only while in a clinical trial (regimen started "
        "2024-03-11: letrozole), whose protocol may require it")
    assert run.outcomes("1.1.7")[("ADH_DIED_NO_SCAN", "ADH_DIED_NO_SCAN")]["reason"] == (
        "no bone scan used to monitor response after the diagnosis of advanced disease (2024-03-01) up to "
        "the patient's death on 2024-06-09")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id = '1.1.7'")
    assert len(rows) > 15
    assert unreadable_outcomes(rows) == []
