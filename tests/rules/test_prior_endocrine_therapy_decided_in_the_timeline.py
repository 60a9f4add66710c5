"""Prior endocrine therapy with a partial treatment history (measures.md v2 "Prior endocrine therapy";
configuration timeline.prior_therapy_history) is decided once, in timeline.prior_endocrine_therapy, for
every patient: only a recurrence (or an earlier diagnosis) with no endocrine drug recorded before it is
unknown, and nothing is unknown with a complete history (the default). The verdicts of 1.3.4a, 1.3.4b,
1.3.5, 1.3.6 and 1.3.7 for these stories are rule cases (audit_rules/cg81_2025_02/rules/<id>.cases.yaml)."""
import pytest

from tests.conftest import COMPLETE_FOLLOW_UP, run_audit
from tests.extract_builder import Extract

PRIOR_TAMOXIFEN = dict(drugs="tamoxifen", start=-1500, end=-100, intent="adjuvant")
PRIOR_AI = dict(drugs="anastrozole", start=-1500, end=-100, intent="adjuvant")
PRE, MAN, NOT_APPLICABLE = {"menopausal_status": "pre"}, {"sex": "male"}, {"menopausal_status": "not_applicable"}


def _extract() -> Extract:
    x = Extract()
    # postmenopausal women
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
    # pre- and perimenopausal women
    x.patient("P_RECURRENCE_TAMOXIFEN_OS").metastatic(de_novo=False, **PRE).pathology() \
        .regimen(["tamoxifen", "goserelin"], start=14)
    x.patient("P_DE_NOVO_TAMOXIFEN").metastatic(**PRE).pathology().regimen("tamoxifen", start=14)
    x.patient("P_RECURRENCE_PRIOR_TAMOXIFEN").metastatic(de_novo=False, **PRE).pathology().regimen(**PRIOR_TAMOXIFEN) \
        .regimen(["letrozole", "goserelin"], start=20)
    x.patient("P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN").metastatic(de_novo=False, **PRE).pathology() \
        .regimen("tamoxifen", start=14, end=200).event(200, "progression", sites="liver").regimen("goserelin", start=250)
    # men
    x.patient("M_RECURRENCE_TAMOXIFEN", **MAN).metastatic(de_novo=False, **NOT_APPLICABLE).pathology() \
        .regimen("tamoxifen", start=10)
    x.patient("M_DE_NOVO_AI", **MAN).metastatic(**NOT_APPLICABLE).pathology().regimen("anastrozole", start=10)
    x.patient("M_RECURRENCE_PRIOR_TAMOXIFEN_AI", **MAN).metastatic(de_novo=False, **NOT_APPLICABLE).pathology() \
        .regimen(**PRIOR_TAMOXIFEN).regimen("anastrozole", start=10)
    return x


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    extract = _extract().write(tmp_path_factory.mktemp("prior_history") / "extract")
    complete = run_audit(extract, tmp_path_factory.mktemp("history_complete"), upto="rules")
    folder = tmp_path_factory.mktemp("history_partial")
    config = folder / "config.yaml"
    config.write_text(COMPLETE_FOLLOW_UP + "  prior_therapy_history: partial\n", encoding="utf-8")
    return {"complete": complete, "partial": run_audit(extract, folder, config, upto="rules")}


def test_decided_once_in_the_timeline(runs):
    assert runs["complete"].failure() is None and runs["partial"].failure() is None
    query = "select patient_id from timeline.prior_endocrine_therapy where prior_endocrine_unknown order by patient_id"
    assert runs["complete"].query(query) == []
    assert [r["patient_id"] for r in runs["partial"].query(query)] == [
        "M_RECURRENCE_TAMOXIFEN", "P_RECURRENCE_PROGRESSION_ON_TAMOXIFEN", "P_RECURRENCE_TAMOXIFEN_OS",
        "W_EARLY_DIAGNOSIS_AI", "W_RECURRENCE_AI", "W_RECURRENCE_AI_DECISION", "W_RECURRENCE_FULVESTRANT",
        "W_RECURRENCE_MENOPAUSE_UNKNOWN"]


def test_the_evidence_says_the_earlier_history_is_not_known(runs):
    row = runs["partial"].outcomes("1.3.4a")[("W_RECURRENCE_AI", "W_RECURRENCE_AI")]
    assert row["evidence"]["prior_endocrine_unknown"] is True
