"""CG81 1.3.2 (chemotherapy first for visceral crisis), 1.3.3 (endocrine after first-line
chemotherapy) and 1.3.7 (tamoxifen for men). 1.5.14 and 1.5.15: test_1_5_14_and_1_5_15_bone_targeted.py.
1.3.7 with a partial prior treatment history: test_1_3_4_to_1_3_7_prior_therapy_history.py."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

MAN = {"sex": "male"}
NOT_APPLICABLE = {"menopausal_status": "not_applicable"}


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
    # v2 1.3.2: same-day regimens are one first line; unrecognised names could be the chemotherapy;
    # the first line given decides (no window), so a death does not exclude
    x.patient("VC_ADH_SAME_DAY_REGIMENS").metastatic(**vc).pathology().regimen("letrozole", start=5) \
        .regimen("docetaxel", start=5)
    x.patient("VC_NON_CHEMO_NEXT_DAY").metastatic(**vc).pathology().regimen("letrozole", start=5) \
        .regimen("docetaxel", start=6)
    x.patient("VC_INS_UNRECOGNISED").metastatic(**vc).pathology().regimen(["letrozole", "Trial drug AB12"], start=5)
    x.patient("VC_NON_DIED", date_of_death=day(10)).metastatic(**vc).pathology().regimen("letrozole", start=5)
    # v3 1.3.3: decisions count from the end of the chemotherapy (day 150) - 30 days
    x.patient("C_EXC_DECISION_END_M30").metastatic().pathology().regimen("paclitaxel", **chemo).decision(120, "endocrine_therapy")
    x.patient("C_NON_DECISION_END_M31").metastatic().pathology().regimen("paclitaxel", **chemo).decision(119, "endocrine_therapy")
    x.patient("C_NON_DECISION_AT_INDEX").metastatic().pathology().regimen("paclitaxel", **chemo) \
        .decision(5, "endocrine_therapy", "contraindicated")
    x.patient("C_EXC_DIED_D89", date_of_death=day(239)).metastatic().pathology().regimen("paclitaxel", **chemo)
    # the first line groups same-day chemotherapy regimens; the endocrine line that follows is named
    x.patient("C_ADH_TWO_CHEMOTHERAPY_REGIMENS").metastatic().pathology().regimen("paclitaxel", **chemo) \
        .regimen("carboplatin", **chemo).regimen(["letrozole", "palbociclib"], start=180)
    # v2 1.3.7
    x.patient("MAN_ADH_SAME_DAY_REGIMENS", **MAN).metastatic(**NOT_APPLICABLE).pathology() \
        .regimen("anastrozole", start=10).regimen("tamoxifen", start=10)
    x.patient("MAN_NON_TAMOXIFEN_NEXT_DAY", **MAN).metastatic(**NOT_APPLICABLE).pathology() \
        .regimen("anastrozole", start=10).regimen("tamoxifen", start=11)
    x.patient("MAN_INS_UNRECOGNISED", **MAN).metastatic(**NOT_APPLICABLE).pathology() \
        .regimen(["anastrozole", "Hormone NOS"], start=10)
    x.patient("MAN_NON_DIED", date_of_death=day(15), **MAN).metastatic(**NOT_APPLICABLE).pathology() \
        .regimen("anastrozole", start=10)
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
    ("1.3.3", "C_INS_ER", "insufficient_data"), ("1.3.3", "C_DIED_AFTER_WINDOW", "non_adherent"),
    ("1.3.7", "MAN_INS_SEX", "insufficient_data"), ("1.3.7", "MAN_EXC_EDGE_30", "excluded"),
    ("1.3.7", "MAN_NON_EDGE_31", "non_adherent"),
    ("1.3.3", "C_EXC_DECISION_D90", "excluded"), ("1.3.3", "C_NON_DECISION_D91", "non_adherent"),
    ("1.3.3", "C_EXC_DIED_D90", "excluded"), ("1.3.3", "C_EXC_DIED_AFTER_ENDOCRINE", "excluded"),
    ("1.3.3", "C_NON_MAINTENANCE_ENDED_DAY_BEFORE", "non_adherent"), ("1.3.3", "C_ADH_MAINTENANCE_ON_END_DAY", "adherent"),
    ("1.3.3", "C_ABSENT_SAME_DAY_ENDOCRINE", None), ("1.3.3", "C_ADH_ENDOCRINE_DAY_AFTER_START", "adherent"),
    ("1.3.2", "VC_ADH_SAME_DAY_REGIMENS", "adherent"), ("1.3.2", "VC_NON_CHEMO_NEXT_DAY", "non_adherent"),
    ("1.3.2", "VC_INS_UNRECOGNISED", "insufficient_data"), ("1.3.2", "VC_NON_DIED", "non_adherent"),
    ("1.3.3", "C_EXC_DECISION_END_M30", "excluded"), ("1.3.3", "C_NON_DECISION_END_M31", "non_adherent"),
    ("1.3.3", "C_NON_DECISION_AT_INDEX", "non_adherent"), ("1.3.3", "C_EXC_DIED_D89", "excluded"),
    ("1.3.3", "C_ADH_TWO_CHEMOTHERAPY_REGIMENS", "adherent"),
    ("1.3.7", "MAN_ADH_SAME_DAY_REGIMENS", "adherent"), ("1.3.7", "MAN_NON_TAMOXIFEN_NEXT_DAY", "non_adherent"),
    ("1.3.7", "MAN_INS_UNRECOGNISED", "insufficient_data"), ("1.3.7", "MAN_NON_DIED", "non_adherent"),
])
def test_patient_outcomes(run, rule, patient, expected):
    assert run.failure() is None
    assert run.outcome(rule, patient) == expected


@pytest.mark.parametrize("rule, patient, code", [
    ("1.3.2", "VC_CHEMO", "chemotherapy_first_line"), ("1.3.2", "VC_ENDO", "no_chemotherapy_first_line"),
    ("1.3.2", "VC_DECLINED", "declined_by_patient"), ("1.3.2", "VC_ER_UNKNOWN", "er_status_unknown"),
    ("1.3.2", "VC_ADH_SAME_DAY_REGIMENS", "chemotherapy_first_line"),
    ("1.3.2", "VC_NON_CHEMO_NEXT_DAY", "no_chemotherapy_first_line"),
    ("1.3.2", "VC_INS_UNRECOGNISED", "unrecognised_drug_names"), ("1.3.2", "VC_NON_DIED", "no_chemotherapy_first_line"),
    ("1.3.3", "C_ENDO_D90", "endocrine_after_chemotherapy"), ("1.3.3", "C_ENDO_D91", "no_endocrine_after_chemotherapy"),
    ("1.3.3", "C_MAINTENANCE", "endocrine_after_chemotherapy"), ("1.3.3", "C_DIED", "died_soon_after_chemotherapy"),
    ("1.3.3", "C_EXC_DIED_D90", "died_soon_after_chemotherapy"), ("1.3.3", "C_EXC_DIED_D89", "died_soon_after_chemotherapy"),
    ("1.3.3", "C_DIED_AFTER_WINDOW", "no_endocrine_after_chemotherapy"),
    ("1.3.3", "C_EXC_DIED_AFTER_ENDOCRINE", "died_soon_after_chemotherapy"),
    ("1.3.3", "C_DECLINED", "declined_by_patient"), ("1.3.3", "C_INS_ER", "er_status_unknown"),
    ("1.3.3", "C_EXC_DECISION_END_M30", "declined_by_patient"),
    ("1.3.3", "C_NON_DECISION_END_M31", "no_endocrine_after_chemotherapy"),
    ("1.3.7", "MAN_TAM", "tamoxifen_given"), ("1.3.7", "MAN_AI", "no_tamoxifen"),
    ("1.3.7", "MAN_TAM_DECLINED", "declined_by_patient"), ("1.3.7", "MAN_ER_UNKNOWN", "er_status_unknown"),
    ("1.3.7", "MAN_INS_SEX", "sex_unknown"), ("1.3.7", "MAN_ADH_SAME_DAY_REGIMENS", "tamoxifen_given"),
    ("1.3.7", "MAN_NON_TAMOXIFEN_NEXT_DAY", "no_tamoxifen"), ("1.3.7", "MAN_INS_UNRECOGNISED", "unrecognised_drug_names"),
])
def test_reason_codes(run, rule, patient, code):
    assert run.outcomes(rule)[(patient, patient)]["reason_code"] == code


def test_1_3_3_reasons_name_the_chemotherapy_and_what_followed(run):
    rows = run.outcomes("1.3.3")
    assert rows[("C_EXC_DIED_AFTER_ENDOCRINE", "C_EXC_DIED_AFTER_ENDOCRINE")]["reason"] == (
        f"died on {day(200)}, within 90 days after the end of first-line chemotherapy (paclitaxel) given from "
        f"{day(10)} to {day(150)}")
    assert rows[("C_ADH_TWO_CHEMOTHERAPY_REGIMENS", "C_ADH_TWO_CHEMOTHERAPY_REGIMENS")]["reason"] == (
        f"endocrine therapy started {day(180)} (letrozole, palbociclib), after first-line chemotherapy (carboplatin, "
        f"paclitaxel) given from {day(10)} to {day(150)}")
    assert rows[("C_MAINTENANCE", "C_MAINTENANCE")]["reason"] == (
        f"endocrine therapy started {day(100)} (anastrozole), during first-line chemotherapy (paclitaxel) given from "
        f"{day(10)} to {day(150)}")
    assert rows[("C_NOTHING", "C_NOTHING")]["reason"] == (
        "no endocrine therapy running at the end of, or started within 90 days after, first-line chemotherapy "
        f"(paclitaxel) given from {day(10)} to {day(150)}")


def test_1_3_2_and_1_3_7_reasons_name_the_line(run):
    assert run.outcomes("1.3.2")[("VC_ENDO", "VC_ENDO")]["reason"] == (
        f"the first-line regimen started {day(5)} (letrozole) contains no chemotherapy, although visceral crisis was "
        f"recorded at the diagnosis of advanced disease ({day(0)})")
    assert run.outcomes("1.3.7")[("MAN_NON_TAMOXIFEN_NEXT_DAY", "MAN_NON_TAMOXIFEN_NEXT_DAY")]["reason"] == (
        f"the first palliative endocrine treatment started {day(10)} (anastrozole) contains no tamoxifen")
    assert run.outcomes("1.3.7")[("MAN_ADH_SAME_DAY_REGIMENS", "MAN_ADH_SAME_DAY_REGIMENS")]["reason"] == (
        f"the first palliative endocrine treatment started {day(10)} (anastrozole, tamoxifen) contains tamoxifen")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.3.2', '1.3.3', '1.3.7')")
    assert len(rows) > 40
    assert unreadable_outcomes(rows) == []
