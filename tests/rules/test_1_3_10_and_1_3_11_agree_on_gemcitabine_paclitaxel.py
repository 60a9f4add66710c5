"""CG81 1.3.10 (the chemotherapy sequence when anthracyclines are unsuitable) and 1.3.11 (gemcitabine +
paclitaxel only then) read one docetaxel contraindication and one grouped line, so wherever gemcitabine +
paclitaxel is 1.3.10's first line the two verdicts agree. The verdicts themselves are the rule cases
(audit_rules/cg81_2025_02/rules/1.3.10.cases.yaml, 1.3.11.cases.yaml); this is the cross-rule check."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract

ADJUVANT_EC = dict(drugs=["epirubicin", "cyclophosphamide"], start=-1500, end=-1400, intent="adjuvant")


def _after_anthracycline(x: Extract, patient_id: str):
    return x.patient(patient_id).metastatic(de_novo=False).pathology(er="negative").regimen(**ADJUVANT_EC)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    gem_pac = dict(drugs=["gemcitabine", "paclitaxel"], start=14)
    _after_anthracycline(x, "ADH").regimen(**gem_pac)
    _after_anthracycline(x, "ADH_WITH_PARTNER").regimen(["gemcitabine", "paclitaxel", "trastuzumab"], start=14)
    _after_anthracycline(x, "ADH_SAME_DAY_REGIMENS").regimen("gemcitabine", start=14).regimen("paclitaxel", start=14)
    _after_anthracycline(x, "ADH_DOCETAXEL_CONTRAINDICATED_DAY_AFTER").regimen(**gem_pac) \
        .decision(15, "docetaxel", "contraindicated")
    _after_anthracycline(x, "ADH_DOCETAXEL_DECLINED").decision(5, "docetaxel", "declined_by_patient").regimen(**gem_pac)
    _after_anthracycline(x, "NON_DOCETAXEL_CONTRAINDICATED").decision(5, "docetaxel", "contraindicated").regimen(**gem_pac)
    _after_anthracycline(x, "NON_DOCETAXEL_CONTRAINDICATED_ON_START").decision(14, "docetaxel", "contraindicated") \
        .regimen(**gem_pac)
    _after_anthracycline(x, "NON_DOCETAXEL_CONTRAINDICATED_YEARS_BEFORE").decision(-1000, "docetaxel", "contraindicated") \
        .regimen(**gem_pac)
    x.patient("ADH_ANTHRACYCLINE_DECISION_SAME_DAY").metastatic().pathology(er="negative") \
        .decision(14, "anthracycline", "contraindicated").regimen(**gem_pac)
    folder = tmp_path_factory.mktemp("gemcitabine_paclitaxel")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


def test_1_3_10_and_1_3_11_agree_on_every_gemcitabine_paclitaxel_first_line(run):
    assert run.failure() is None
    rows = run.query("""
        select l.patient_id, l.regimen_id, a.outcome as outcome_1_3_10, b.outcome as outcome_1_3_11
        from timeline.chemotherapy_lines_after_anthracycline_unsuitability l
            join rules.case_outcomes a on a.rule_id = '1.3.10' and a.patient_id = l.patient_id
            join rules.case_outcomes b on b.rule_id = '1.3.11' and b.patient_id = l.patient_id
                                      and b.unit_id = l.regimen_id
        where l.sequence_number = 1 and l.chemotherapy_drugs = ['gemcitabine', 'paclitaxel']""")
    assert len(rows) == 9 and {r["outcome_1_3_10"] for r in rows} == {"adherent", "non_adherent"}
    assert [r for r in rows if r["outcome_1_3_10"] != r["outcome_1_3_11"]] == []
