"""CG81 1.1.6 and QS12-4: ER and HER2 reassessed on a metastasis or local recurrence specimen
(index - 30 .. index + 90 days) when advanced disease is a recurrence."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

CODES = {"adherent": "receptors_reassessed", "non_adherent": "receptors_not_reassessed",
         "insufficient_data": "recurrence_unknown"}
EXCLUDED_CODES = {"EXC_BIOPSY": "not_suitable", "EXC_BIOPSY_D90": "declined_by_patient",
                  "EXC_DIED": "died_before_window_closed", "EXC_DIED_D89": "died_before_window_closed"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("ADH").metastatic(de_novo=False).pathology(20, origin="metastasis")
    x.patient("ADH_LOCAL").metastatic(de_novo=False).pathology(20, origin="local_recurrence", her2="borderline")
    x.patient("ADH_DM30").metastatic(de_novo=False).pathology(-30, origin="metastasis")
    x.patient("NON_DM31").metastatic(de_novo=False).pathology(-31, origin="metastasis")
    x.patient("ADH_D90").metastatic(de_novo=False).pathology(90, origin="metastasis")
    x.patient("NON_D91").metastatic(de_novo=False).pathology(91, origin="metastasis")
    x.patient("NON_PRIMARY_ONLY").metastatic(de_novo=False).pathology(20, origin="primary")
    x.patient("NON_NO_HER2").metastatic(de_novo=False).pathology(20, origin="metastasis", her2=None)
    x.patient("NON_ER_UNKNOWN").metastatic(de_novo=False).pathology(20, origin="metastasis", er="unknown")
    x.patient("EXC_BIOPSY").metastatic(de_novo=False).decision(10, "biopsy", "not_suitable")
    x.patient("EXC_DIED", date_of_death=day(40)).metastatic(de_novo=False)
    # a biopsy decision is an exception up to the end of the window (index + 90)
    x.patient("EXC_BIOPSY_D90").metastatic(de_novo=False).decision(90, "biopsy", "declined_by_patient")
    x.patient("NON_BIOPSY_D91").metastatic(de_novo=False).decision(91, "biopsy", "declined_by_patient")
    x.patient("INFERRED_RECURRENCE").event(-900, "early_diagnosis").metastatic(de_novo=None)
    x.patient("INS_UNKNOWN").metastatic(de_novo=None)
    x.patient("ABSENT_DE_NOVO").metastatic(de_novo=True)
    # deaths (v2): the window ends on index + 90; a death on that day closes it, the day before not
    x.patient("EXC_DIED_D89", date_of_death=day(89)).metastatic(de_novo=False)
    x.patient("NON_DIED_D90", date_of_death=day(90)).metastatic(de_novo=False)
    x.patient("ADH_THEN_DIED", date_of_death=day(30)).metastatic(de_novo=False).pathology(20, origin="metastasis")
    folder = tmp_path_factory.mktemp("reassessment")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("ADH", "adherent"), ("ADH_LOCAL", "adherent"), ("ADH_DM30", "adherent"), ("NON_DM31", "non_adherent"),
    ("ADH_D90", "adherent"), ("NON_D91", "non_adherent"), ("NON_PRIMARY_ONLY", "non_adherent"),
    ("NON_NO_HER2", "non_adherent"), ("NON_ER_UNKNOWN", "non_adherent"), ("EXC_BIOPSY", "excluded"),
    ("EXC_DIED", "excluded"), ("INFERRED_RECURRENCE", "non_adherent"), ("INS_UNKNOWN", "insufficient_data"),
    ("ABSENT_DE_NOVO", None), ("EXC_BIOPSY_D90", "excluded"), ("NON_BIOPSY_D91", "non_adherent"),
    ("EXC_DIED_D89", "excluded"), ("NON_DIED_D90", "non_adherent"), ("ADH_THEN_DIED", "adherent"),
])
def test_outcome_for_both_measures(run, patient, expected):
    assert run.failure() is None
    code = expected and (EXCLUDED_CODES[patient] if expected == "excluded" else CODES[expected])
    for rule in ("1.1.6", "QS12-4"):
        row = run.outcomes(rule).get((patient, patient))
        assert (row and (row["outcome"], row["reason_code"])) == (expected and (expected, code))


def test_targets_differ_consider_has_none(run):
    targets = {r["rule_id"]: r["target"] for r in run.query("select rule_id, target from rules.catalogue")}
    assert targets["1.1.6"] is None and targets["QS12-4"] == 0.9
    assert run.outcomes("1.1.6")[("EXC_BIOPSY", "EXC_BIOPSY")]["reason"] == \
        "not suitable for biopsy (decision recorded on 2024-03-11)"


def test_reasons_name_specimens_dates_and_the_window_in_words(run):
    reasons = {p: run.outcomes("QS12-4")[(p, p)]["reason"] for p in ("ADH_LOCAL", "NON_NO_HER2", "NON_DM31", "INS_UNKNOWN")}
    assert reasons == {
        "ADH_LOCAL": "ER and HER2 status assessed on a local recurrence specimen of 2024-03-21",
        "NON_NO_HER2": "no metastasis or local recurrence specimen with both ER and HER2 results within 30 days "
                       "before to 90 days after the diagnosis of advanced disease (2024-03-01); the specimen of "
                       "2024-03-21 lacks a usable ER or HER2 result",
        "NON_DM31": "no metastasis or local recurrence specimen with both ER and HER2 results within 30 days "
                    "before to 90 days after the diagnosis of advanced disease (2024-03-01)",
        "INS_UNKNOWN": "whether the advanced disease is a recurrence is not recorded (not marked as de novo or "
                       "not, and no earlier diagnosis of early breast cancer)",
    }


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.1.6', 'QS12-4')")
    assert len(rows) > 30
    assert unreadable_outcomes(rows) == []
