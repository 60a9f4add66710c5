"""Prior endocrine therapy when the extract's treatment history before the metastatic diagnosis is
partial (measures.md v2 "Prior endocrine therapy"; configuration timeline.prior_therapy_history):
a recurrence with no endocrine drug recorded before it is insufficient data for 1.3.4a, 1.3.4b,
1.3.5, 1.3.6 and 1.3.7, never assumed endocrine-naive; de novo disease and recorded prior therapy
are judged as usual; with `complete` (the default) nothing changes. One extract, audited both ways."""
import pytest

from tests.conftest import COMPLETE_FOLLOW_UP, run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

PRIOR_TAMOXIFEN = dict(drugs="tamoxifen", start=-1500, end=-100, intent="adjuvant")
PRIOR_AI = dict(drugs="anastrozole", start=-1500, end=-100, intent="adjuvant")
RULES = ("1.3.4a", "1.3.4b", "1.3.5", "1.3.6", "1.3.7")
UNKNOWN = "prior_endocrine_unknown"


def _extract() -> Extract:
    x = Extract()
    # postmenopausal women (1.3.4a, 1.3.4b)
    x.patient("W_RECURRENCE_AI").metastatic(de_novo=False).pathology().regimen("letrozole", start=14)
    x.patient("W_RECURRENCE_FULVESTRANT").metastatic(de_novo=False).pathology().regimen("fulvestrant", start=14)
    x.patient("W_EARLY_DIAGNOSIS_AI").event(-800, "early_diagnosis").metastatic(de_novo=None).pathology() \
        .regimen("letrozole", start=14)
    x.patient("W_DE_NOVO_AI").metastatic().pathology().regimen("letrozole", start=14)
    x.patient("W_DE_NOVO_NOT_RECORDED_AI").metastatic(de_novo=None).pathology().regimen("letrozole", start=14)
    x.patient("W_RECURRENCE_PRIOR_TAMOXIFEN_AI").metastatic(de_novo=False).pathology().regimen(**PRIOR_TAMOXIFEN) \
        .regimen("letrozole", start=14)
    x.patient("W_RECURRENCE_PRIOR_AI").metastatic(de_novo=False).pathology().regimen(**PRIOR_AI) \
        .regimen("letrozole", start=14)
    x.patient("W_RECURRENCE_MENOPAUSE_UNKNOWN").metastatic(de_novo=False, menopausal_status=None).pathology() \
        .regimen("letrozole", start=14)
    x.patient("W_RECURRENCE_AI_DECISION").metastatic(de_novo=False).pathology().regimen("fulvestrant", start=14) \
        .decision(10, "aromatase_inhibitor", "contraindicated")
    # pre- and perimenopausal women (1.3.5, 1.3.6)
    pre = {"menopausal_status": "pre"}
    x.patient("P_RECURRENCE_TAMOXIFEN_OS").metastatic(de_novo=False, **pre).pathology() \
        .regimen(["tamoxifen", "goserelin"], start=14)
    x.patient("P_DE_NOVO_TAMOXIFEN").metastatic(**pre).pathology().regimen("tamoxifen", start=14)
    x.patient("P_RECURRENCE_PRIOR_TAMOXIFEN").metastatic(de_novo=False, **pre).pathology().regimen(**PRIOR_TAMOXIFEN) \
        .regimen(["letrozole", "goserelin"], start=20)
    x.patient("P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN").metastatic(de_novo=False, **pre).pathology() \
        .regimen("tamoxifen", start=14, end=200).event(200, "progression", sites="liver").regimen("goserelin", start=250)
    # men (1.3.7)
    man = {"sex": "male"}
    x.patient("M_RECURRENCE_TAMOXIFEN", **man).metastatic(de_novo=False, menopausal_status="not_applicable") \
        .pathology().regimen("tamoxifen", start=10)
    x.patient("M_DE_NOVO_AI", **man).metastatic(menopausal_status="not_applicable").pathology() \
        .regimen("anastrozole", start=10)
    x.patient("M_RECURRENCE_PRIOR_TAMOXIFEN_AI", **man).metastatic(de_novo=False, menopausal_status="not_applicable") \
        .pathology().regimen(**PRIOR_TAMOXIFEN).regimen("anastrozole", start=10)
    return x


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return _extract().write(tmp_path_factory.mktemp("prior_history") / "extract")


@pytest.fixture(scope="module")
def runs(extract, tmp_path_factory):
    complete = run_audit(extract, tmp_path_factory.mktemp("history_complete"))
    folder = tmp_path_factory.mktemp("history_partial")
    config = folder / "config.yaml"
    config.write_text(COMPLETE_FOLLOW_UP + "  prior_therapy_history: partial\n", encoding="utf-8")
    return {"complete": complete, "partial": run_audit(extract, folder, config)}


def _result(run, rule, patient, unit=None):
    row = run.outcomes(rule).get((patient, unit or patient))
    return None if row is None else (row["outcome"], row["reason_code"])


INS = ("insufficient_data", UNKNOWN)


@pytest.mark.parametrize("rule, patient, unit, complete, partial", [
    # a recurrence with nothing recorded before it: judged as endocrine-naive only with a complete history
    ("1.3.4a", "W_RECURRENCE_AI", None, ("adherent", "aromatase_inhibitor_given"), INS),
    ("1.3.4b", "W_RECURRENCE_AI", None, None, INS),
    ("1.3.4a", "W_RECURRENCE_FULVESTRANT", None, ("non_adherent", "no_aromatase_inhibitor"), INS),
    ("1.3.4b", "W_RECURRENCE_FULVESTRANT", None, None, INS),
    ("1.3.4a", "W_EARLY_DIAGNOSIS_AI", None, ("adherent", "aromatase_inhibitor_given"), INS),
    ("1.3.4a", "W_RECURRENCE_AI_DECISION", None, ("excluded", "contraindicated"), INS),
    # de novo disease (or recurrence not recorded) and recorded prior therapy: judged as usual
    ("1.3.4a", "W_DE_NOVO_AI", None, ("adherent", "aromatase_inhibitor_given"),
     ("adherent", "aromatase_inhibitor_given")),
    ("1.3.4b", "W_DE_NOVO_AI", None, None, None),
    ("1.3.4a", "W_DE_NOVO_NOT_RECORDED_AI", None, ("adherent", "aromatase_inhibitor_given"),
     ("adherent", "aromatase_inhibitor_given")),
    ("1.3.4b", "W_RECURRENCE_PRIOR_TAMOXIFEN_AI", None, ("adherent", "aromatase_inhibitor_given"),
     ("adherent", "aromatase_inhibitor_given")),
    ("1.3.4a", "W_RECURRENCE_PRIOR_TAMOXIFEN_AI", None, None, None),
    ("1.3.4a", "W_RECURRENCE_PRIOR_AI", None, None, None), ("1.3.4b", "W_RECURRENCE_PRIOR_AI", None, None, None),
    # an unknown menopausal status is named first
    ("1.3.4a", "W_RECURRENCE_MENOPAUSE_UNKNOWN", None, ("insufficient_data", "menopausal_status_unknown"),
     ("insufficient_data", "menopausal_status_unknown")),
    # 1.3.5 and 1.3.6
    ("1.3.5", "P_RECURRENCE_TAMOXIFEN_OS", None, ("adherent", "tamoxifen_with_ovarian_suppression"), INS),
    ("1.3.6", "P_RECURRENCE_TAMOXIFEN_OS", "index", None, INS),
    ("1.3.5", "P_DE_NOVO_TAMOXIFEN", None, ("non_adherent", "no_ovarian_suppression"),
     ("non_adherent", "no_ovarian_suppression")),
    ("1.3.6", "P_DE_NOVO_TAMOXIFEN", "index", None, None),
    ("1.3.6", "P_RECURRENCE_PRIOR_TAMOXIFEN", "index", ("adherent", "ovarian_suppression_started"),
     ("adherent", "ovarian_suppression_started")),
    ("1.3.5", "P_RECURRENCE_PRIOR_TAMOXIFEN", None, None, None),
    ("1.3.5", "P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN", None, ("non_adherent", "no_ovarian_suppression"), INS),
    ("1.3.6", "P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN", "index", None, INS),
    # a progression on palliative tamoxifen does not depend on the history before the diagnosis
    ("1.3.6", "P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN", "event_1", ("adherent", "ovarian_suppression_started"),
     ("adherent", "ovarian_suppression_started")),
    # 1.3.7
    ("1.3.7", "M_RECURRENCE_TAMOXIFEN", None, ("adherent", "tamoxifen_given"), INS),
    ("1.3.7", "M_DE_NOVO_AI", None, ("non_adherent", "no_tamoxifen"), ("non_adherent", "no_tamoxifen")),
    ("1.3.7", "M_RECURRENCE_PRIOR_TAMOXIFEN_AI", None, ("non_adherent", "no_tamoxifen"), ("non_adherent", "no_tamoxifen")),
])
def test_outcomes_with_a_complete_and_a_partial_history(runs, rule, patient, unit, complete, partial):
    assert runs["complete"].failure() is None and runs["partial"].failure() is None
    assert _result(runs["complete"], rule, patient, unit) == complete
    assert _result(runs["partial"], rule, patient, unit) == partial


def test_decided_once_in_the_timeline(runs):
    query = "select patient_id from timeline.prior_endocrine_therapy where prior_endocrine_unknown order by patient_id"
    assert runs["complete"].query(query) == []
    assert [r["patient_id"] for r in runs["partial"].query(query)] == [
        "M_RECURRENCE_TAMOXIFEN", "P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN", "P_RECURRENCE_TAMOXIFEN_OS",
        "W_EARLY_DIAGNOSIS_AI", "W_RECURRENCE_AI", "W_RECURRENCE_AI_DECISION", "W_RECURRENCE_FULVESTRANT",
        "W_RECURRENCE_MENOPAUSE_UNKNOWN"]


def test_the_reason_says_the_earlier_history_is_not_known(runs):
    row = runs["partial"].outcomes("1.3.4a")[("W_RECURRENCE_AI", "W_RECURRENCE_AI")]
    assert row["reason"] == (f"endocrine therapy before the recurrence is not known: no endocrine drug is recorded "
                             f"before the diagnosis of advanced disease ({day(0)}), and this extract does not hold the "
                             "complete treatment history before it (oral or adjuvant therapy may be missing)")
    assert row["evidence"]["prior_endocrine_unknown"] is True


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(runs):
    for run in runs.values():
        rows = run.query("select * from rules.case_outcomes where list_contains($rules, rule_id)",
                         {"rules": list(RULES)})
        assert len(rows) > 15
        assert unreadable_outcomes(rows) == []
