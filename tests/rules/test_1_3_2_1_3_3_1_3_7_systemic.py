"""CG81 1.3.2 (chemotherapy first for visceral crisis), 1.3.3 (endocrine after first-line
chemotherapy), 1.3.7 (tamoxifen for men), 1.5.14 (bisphosphonates for new bone metastases) and
1.5.15 (licensed bone-targeted drugs)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    vc = {"visceral_crisis": True, "sites": "liver"}
    # 1.3.2
    x.patient("VC_CHEMO").metastatic(**vc).pathology().regimen("docetaxel", start=5)
    x.patient("VC_ENDO").metastatic(**vc).pathology().regimen("letrozole", start=5)
    x.patient("VC_DECLINED").metastatic(**vc).pathology().decision(3, "chemotherapy").regimen("letrozole", start=5)
    x.patient("VC_ER_UNKNOWN").metastatic(**vc).pathology(er="unknown").regimen("letrozole", start=5)
    x.patient("VC_NO_LINE").metastatic(**vc).pathology()
    x.patient("VC_ER_NEG").metastatic(**vc).pathology(er="negative").regimen("letrozole", start=5)
    x.patient("VC_EXC_EDGE_30").metastatic(**vc).pathology().regimen("letrozole", start=5).decision(35, "chemotherapy")
    x.patient("VC_NON_EDGE_31").metastatic(**vc).pathology().regimen("letrozole", start=5).decision(36, "chemotherapy")
    # 1.3.3
    chemo = {"start": 10, "end": 150, "end_reason": "completed"}
    x.patient("C_ENDO_D90").metastatic().pathology().regimen("paclitaxel", **chemo).regimen("letrozole", start=240)
    x.patient("C_ENDO_D91").metastatic().pathology().regimen("paclitaxel", **chemo).regimen("letrozole", start=241)
    x.patient("C_MAINTENANCE").metastatic().pathology().regimen("paclitaxel", **chemo).regimen("anastrozole", start=100)
    x.patient("C_ENDED_BEFORE").metastatic().pathology().regimen("paclitaxel", **chemo).regimen("anastrozole", start=20, end=60)
    x.patient("C_NOTHING").metastatic().pathology().regimen("paclitaxel", **chemo)
    x.patient("C_DIED", date_of_death=day(200)).metastatic().pathology().regimen("paclitaxel", **chemo)
    x.patient("C_DECLINED").metastatic().pathology().regimen("paclitaxel", **chemo).decision(160, "endocrine_therapy")
    x.patient("C_PROGRESSED").metastatic().pathology().regimen("paclitaxel", start=10, end=150, end_reason="progression")
    x.patient("C_WITH_ENDO").metastatic().pathology().regimen(["paclitaxel", "goserelin", "tamoxifen"], **chemo)
    x.patient("C_INS_ER").metastatic().pathology(er="unknown").regimen("paclitaxel", **chemo)
    x.patient("C_DIED_AFTER_WINDOW", date_of_death=day(241)).metastatic().pathology().regimen("paclitaxel", **chemo)
    # edges, with the chemotherapy ending on day 150: end + 90 is day 240
    x.patient("C_EXC_DECISION_D90").metastatic().pathology().regimen("paclitaxel", **chemo).decision(240, "endocrine_therapy")
    x.patient("C_NON_DECISION_D91").metastatic().pathology().regimen("paclitaxel", **chemo).decision(241, "endocrine_therapy")
    x.patient("C_EXC_DIED_D90", date_of_death=day(240)).metastatic().pathology().regimen("paclitaxel", **chemo)
    # a death within 90 days excludes first, whatever the numerator (measures.md, eCQM precedence)
    x.patient("C_EXC_DIED_AFTER_ENDOCRINE", date_of_death=day(200)).metastatic().pathology() \
        .regimen("paclitaxel", **chemo).regimen("letrozole", start=160)
    x.patient("C_NON_MAINTENANCE_ENDED_DAY_BEFORE").metastatic().pathology().regimen("paclitaxel", **chemo) \
        .regimen("anastrozole", start=100, end=149)
    x.patient("C_ADH_MAINTENANCE_ON_END_DAY").metastatic().pathology().regimen("paclitaxel", **chemo) \
        .regimen("anastrozole", start=100, end=150)
    # endocrine therapy started the day the chemotherapy did: a chemotherapy + endocrine first line
    x.patient("C_ABSENT_SAME_DAY_ENDOCRINE").metastatic().pathology().regimen("paclitaxel", **chemo) \
        .regimen("letrozole", start=10)
    x.patient("C_ADH_ENDOCRINE_DAY_AFTER_START").metastatic().pathology().regimen("paclitaxel", **chemo) \
        .regimen("letrozole", start=11)
    # 1.3.7
    x.patient("MAN_TAM", sex="male").metastatic(menopausal_status="not_applicable").pathology().regimen("tamoxifen", start=10)
    x.patient("MAN_AI", sex="male").metastatic(menopausal_status="not_applicable").pathology().regimen("anastrozole", start=10)
    x.patient("MAN_TAM_DECLINED", sex="male").metastatic(menopausal_status="not_applicable").pathology().decision(5, "tamoxifen").regimen("anastrozole", start=10)
    x.patient("MAN_ER_UNKNOWN", sex="male").metastatic(menopausal_status="not_applicable").regimen("anastrozole", start=10)
    x.patient("MAN_INS_SEX", sex="unknown").metastatic(menopausal_status="not_applicable").pathology().regimen("anastrozole", start=10)
    x.patient("MAN_EXC_EDGE_30", sex="male").metastatic(menopausal_status="not_applicable").pathology() \
        .regimen("anastrozole", start=10).decision(40, "tamoxifen", "contraindicated")
    x.patient("MAN_NON_EDGE_31", sex="male").metastatic(menopausal_status="not_applicable").pathology() \
        .regimen("anastrozole", start=10).decision(41, "tamoxifen", "contraindicated")
    # 1.5.14 / 1.5.15 (bone metastases at index unless stated)
    x.patient("B_ZOL").metastatic().regimen("Zometa", start=20, intent="supportive")
    x.patient("B_DENOSUMAB_DM30").metastatic().regimen("denosumab", start=-30, intent="supportive")
    x.patient("B_LATE_D91").metastatic().regimen("zoledronic acid", start=91, intent="supportive")
    x.patient("B_ZOL_D90").metastatic().regimen("zoledronic acid", start=90, intent="supportive")
    x.patient("B_DENOSUMAB_DM31").metastatic().regimen("denosumab", start=-31, intent="supportive")
    x.patient("B_ALENDRONATE").metastatic().regimen("alendronic acid", start=20, intent="supportive")
    x.patient("B_NONE").metastatic()
    x.patient("B_DECLINED").metastatic().decision(10, "bone_targeted_therapy", "declined_by_patient")
    x.patient("B_DIED", date_of_death=day(60)).metastatic()
    x.patient("B_LATER_BONE").metastatic(sites="liver").event(200, "progression", sites="bone").regimen("pamidronate", start=250, intent="supportive")
    x.patient("NO_BONE").metastatic(sites="liver").regimen("zoledronic acid", start=20, intent="supportive")
    # the bone-targeted drug's own start counts, not that of the regimen it was added to
    x.patient("B_ADDED_LATE").metastatic().regimen("letrozole", start=5, regimen_id="R1") \
        .regimen("zoledronic acid", start=200, regimen_id="R1")
    x.patient("B_ADDED_EARLY").metastatic().regimen("letrozole", start=-100, regimen_id="R1") \
        .regimen("zoledronic acid", start=10, regimen_id="R1")
    # the licensed bone-metastasis doses, written with their dose, are not the osteoporosis products
    x.patient("B_ZOL_4MG").metastatic().regimen("Zoledronic acid 4 mg", start=20, intent="supportive")
    x.patient("B_XGEVA_120MG").metastatic().regimen("denosumab 120mg", start=20, intent="supportive")
    x.patient("B_ACLASTA").metastatic().regimen("zoledronic acid 5 mg", start=20, intent="supportive")
    x.patient("B_EXC_DECISION_D90").metastatic().decision(90, "bone_targeted_therapy", "declined_by_patient")
    x.patient("B_NON_DECISION_D91").metastatic().decision(91, "bone_targeted_therapy", "declined_by_patient")
    # bone metastases first recorded from index - 30 days
    x.patient("B_TRIGGER_DM30").metastatic(sites="liver").event(-30, "progression", sites="bone")
    x.patient("B_TRIGGER_DM31").metastatic(sites="liver").event(-31, "progression", sites="bone")
    folder = tmp_path_factory.mktemp("systemic_bone")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("rule, patient, expected", [
    ("1.3.2", "VC_CHEMO", "adherent"), ("1.3.2", "VC_ENDO", "non_adherent"), ("1.3.2", "VC_DECLINED", "excluded"),
    ("1.3.2", "VC_ER_UNKNOWN", "insufficient_data"), ("1.3.2", "VC_NO_LINE", None), ("1.3.2", "VC_ER_NEG", None),
    ("1.3.2", "C_NOTHING", None),
    ("1.3.2", "VC_EXC_EDGE_30", "excluded"), ("1.3.2", "VC_NON_EDGE_31", "non_adherent"),
    ("1.3.3", "C_ENDO_D90", "adherent"), ("1.3.3", "C_ENDO_D91", "non_adherent"), ("1.3.3", "C_MAINTENANCE", "adherent"),
    ("1.3.3", "C_ENDED_BEFORE", "non_adherent"), ("1.3.3", "C_NOTHING", "non_adherent"), ("1.3.3", "C_DIED", "excluded"),
    ("1.3.3", "C_DECLINED", "excluded"), ("1.3.3", "C_PROGRESSED", None), ("1.3.3", "C_WITH_ENDO", None),
    ("1.3.7", "MAN_TAM", "adherent"), ("1.3.7", "MAN_AI", "non_adherent"), ("1.3.7", "MAN_TAM_DECLINED", "excluded"),
    ("1.3.7", "MAN_ER_UNKNOWN", "insufficient_data"), ("1.3.7", "C_ENDO_D90", None),
    ("1.5.14", "B_ZOL", "adherent"), ("1.5.14", "B_DENOSUMAB_DM30", "adherent"), ("1.5.14", "B_LATE_D91", "non_adherent"),
    ("1.5.14", "B_ALENDRONATE", "adherent"), ("1.5.14", "B_NONE", "non_adherent"), ("1.5.14", "B_DECLINED", "excluded"),
    ("1.5.14", "B_DIED", "excluded"), ("1.5.14", "B_LATER_BONE", "adherent"), ("1.5.14", "NO_BONE", None),
    ("1.5.14", "B_ADDED_LATE", "non_adherent"), ("1.5.14", "B_ADDED_EARLY", "adherent"),
    ("1.5.14", "B_ZOL_D90", "adherent"), ("1.5.14", "B_DENOSUMAB_DM31", "non_adherent"),
    ("1.3.3", "C_INS_ER", "insufficient_data"), ("1.3.3", "C_DIED_AFTER_WINDOW", "non_adherent"),
    ("1.3.7", "MAN_INS_SEX", "insufficient_data"), ("1.3.7", "MAN_EXC_EDGE_30", "excluded"),
    ("1.3.7", "MAN_NON_EDGE_31", "non_adherent"),
    ("1.3.3", "C_EXC_DECISION_D90", "excluded"), ("1.3.3", "C_NON_DECISION_D91", "non_adherent"),
    ("1.3.3", "C_EXC_DIED_D90", "excluded"), ("1.3.3", "C_EXC_DIED_AFTER_ENDOCRINE", "excluded"),
    ("1.3.3", "C_NON_MAINTENANCE_ENDED_DAY_BEFORE", "non_adherent"), ("1.3.3", "C_ADH_MAINTENANCE_ON_END_DAY", "adherent"),
    ("1.3.3", "C_ABSENT_SAME_DAY_ENDOCRINE", None), ("1.3.3", "C_ADH_ENDOCRINE_DAY_AFTER_START", "adherent"),
    ("1.5.14", "B_EXC_DECISION_D90", "excluded"), ("1.5.14", "B_NON_DECISION_D91", "non_adherent"),
    ("1.5.14", "B_TRIGGER_DM30", "non_adherent"), ("1.5.14", "B_TRIGGER_DM31", None),
])
def test_patient_outcomes(run, rule, patient, expected):
    assert run.failure() is None
    assert run.outcome(rule, patient) == expected


def test_1_5_15_judges_each_bone_targeted_regimen(run):
    outcomes = {k: v["outcome"] for k, v in run.outcomes("1.5.15").items()}
    assert outcomes[("B_ZOL", "R1")] == "adherent"
    assert outcomes[("B_DENOSUMAB_DM30", "R1")] == "adherent"
    assert outcomes[("B_ALENDRONATE", "R1")] == "non_adherent"
    assert outcomes[("B_LATER_BONE", "R1")] == "adherent"
    assert ("NO_BONE", "R1") not in outcomes
    assert outcomes[("B_ZOL_D90", "R1")] == "adherent"
    assert ("B_DENOSUMAB_DM31", "R1") not in outcomes  # starts before bone metastases date - 30 days
    row = run.outcomes("1.5.15")[("B_ALENDRONATE", "R1")]
    assert row["reason"] == "not licensed for bone metastases: alendronic acid"
    assert str(row["unit_date"]) == "2024-03-21"


def test_1_5_15_uses_the_bone_targeted_drugs_own_start(run):
    """A bone-targeted drug added to a running endocrine regimen is judged from its own start: the
    regimen's start (letrozole from day -100) is before bone metastases - 30 days."""
    rows = run.outcomes("1.5.15")
    assert rows[("B_ADDED_EARLY", "R1")]["outcome"] == "adherent"
    assert str(rows[("B_ADDED_EARLY", "R1")]["unit_date"]) == day(10)
    assert str(rows[("B_ADDED_LATE", "R1")]["unit_date"]) == day(200)


def test_1_3_3_death_reason(run):
    assert run.outcomes("1.3.3")[("C_EXC_DIED_AFTER_ENDOCRINE", "C_EXC_DIED_AFTER_ENDOCRINE")]["reason"] == \
        "clinical_exclusion: died on 2024-09-17, within 90 days of the end of first-line chemotherapy"


def test_1_5_15_tells_the_licensed_doses_from_the_osteoporosis_products(run):
    """Zometa 4 mg and Xgeva 120 mg are licensed for bone metastases; Aclasta (zoledronic acid 5 mg,
    yearly for osteoporosis) is not. A dose written in the name must not turn one into the other."""
    outcomes = {k: v["outcome"] for k, v in run.outcomes("1.5.15").items()}
    assert outcomes[("B_ZOL_4MG", "R1")] == "adherent"
    assert outcomes[("B_XGEVA_120MG", "R1")] == "adherent"
    assert outcomes[("B_ACLASTA", "R1")] == "non_adherent"
