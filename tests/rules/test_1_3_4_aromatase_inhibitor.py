"""CG81 1.3.4: an aromatase inhibitor for postmenopausal ER-positive women, (a) with no prior
endocrine therapy and (b) previously treated with tamoxifen. Prior treatment history complete or
partial: test_1_3_4_to_1_3_7_prior_therapy_history.py."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("A_ADH").metastatic().pathology().regimen(["letrozole", "palbociclib"], start=14)
    x.patient("A_ADH_BRAND").metastatic().pathology().regimen(["Femara", "Ibrance"], start=14)
    x.patient("A_NON").metastatic().pathology().regimen("tamoxifen", start=14)
    x.patient("A_NON_FULVESTRANT").metastatic().pathology().regimen("fulvestrant", start=14)
    x.patient("A_EXC").metastatic().pathology().decision(5, "aromatase_inhibitor", "contraindicated").regimen("tamoxifen", start=14)
    x.patient("A_EXC_EDGE_30").metastatic().pathology().regimen("tamoxifen", start=14).decision(44, "aromatase_inhibitor")
    x.patient("A_NON_EDGE_31").metastatic().pathology().regimen("tamoxifen", start=14).decision(45, "aromatase_inhibitor")
    x.patient("A_INS_MENOPAUSE").metastatic(menopausal_status=None).pathology().regimen("letrozole", start=14)
    x.patient("A_INS_MENOPAUSE_UNKNOWN").metastatic(menopausal_status="unknown").pathology().regimen("tamoxifen", start=14)
    x.patient("A_INS_SEX", sex="unknown").metastatic().pathology().regimen("letrozole", start=14)
    x.patient("A_INS_ER").metastatic().pathology(er="unknown").regimen("letrozole", start=14)
    x.patient("A_MENOPAUSE_NEARBY").metastatic(menopausal_status=None).event(20, "progression", menopausal_status="post").pathology().regimen("anastrozole", start=14)
    x.patient("ABSENT_PRE").metastatic(menopausal_status="pre").pathology().regimen("tamoxifen", start=14)
    x.patient("ABSENT_NOT_APPLICABLE").metastatic(menopausal_status="not_applicable").pathology().regimen("letrozole", start=14)
    x.patient("ABSENT_MAN", sex="male").metastatic(menopausal_status="not_applicable").pathology().regimen("tamoxifen", start=14)
    x.patient("ABSENT_NO_ENDOCRINE").metastatic().pathology().regimen("paclitaxel", start=14)
    # Lines interleaved: chemotherapy first, then the first endocrine line is judged.
    x.patient("A_ADH_SECOND_LINE").metastatic().pathology().regimen("paclitaxel", start=10, end=120).regimen("exemestane", start=130)
    x.patient("A_PRIOR_GNRH_ONLY").metastatic().pathology().regimen("goserelin", start=-900, intent="adjuvant").regimen("anastrozole", start=14)
    x.patient("A_PRIOR_TAM_DM30").metastatic().pathology().regimen("tamoxifen", start=-30, intent="adjuvant", end=-10).regimen("letrozole", start=14)
    x.patient("B_ADH").metastatic(de_novo=False).pathology().regimen("tamoxifen", start=-1500, end=-100, intent="adjuvant").regimen("anastrozole", start=20)
    x.patient("B_NON").metastatic(de_novo=False).pathology().regimen("Nolvadex", start=-1500, end=-100, intent="adjuvant").regimen("fulvestrant", start=20)
    x.patient("B_PRIOR_TAM_DM31").metastatic().pathology().regimen("tamoxifen", start=-31, intent="adjuvant", end=-10).regimen("letrozole", start=14)
    x.patient("B_TAM_AND_GNRH").metastatic().pathology().regimen(["tamoxifen", "goserelin"], start=-1500, end=-100, intent="adjuvant").regimen("letrozole", start=14)
    prior_tamoxifen = dict(drugs="tamoxifen", start=-1500, end=-100, intent="adjuvant")
    x.patient("B_EXC").metastatic(de_novo=False).pathology().regimen(**prior_tamoxifen) \
        .regimen("fulvestrant", start=20).decision(50, "aromatase_inhibitor", "contraindicated")
    x.patient("B_NON_EXC_EDGE_31").metastatic(de_novo=False).pathology().regimen(**prior_tamoxifen) \
        .regimen("fulvestrant", start=20).decision(51, "aromatase_inhibitor", "contraindicated")
    x.patient("B_INS_MENOPAUSE").metastatic(de_novo=False, menopausal_status="unknown").pathology() \
        .regimen(**prior_tamoxifen).regimen("anastrozole", start=20)
    x.patient("B_INS_ER").metastatic(de_novo=False).pathology(er="unknown").regimen(**prior_tamoxifen) \
        .regimen("anastrozole", start=20)
    x.patient("B_INS_SEX", sex="unknown").metastatic(de_novo=False).pathology().regimen(**prior_tamoxifen) \
        .regimen("anastrozole", start=20)
    x.patient("ABSENT_PRIOR_AI").metastatic().pathology().regimen("anastrozole", start=-1500, end=-100, intent="adjuvant").regimen("tamoxifen", start=14)
    # the first endocrine line groups regimens started the same day; the next day is a later line
    x.patient("A_ADH_FULVESTRANT_LETROZOLE_SAME_DAY").metastatic().pathology() \
        .regimen("fulvestrant", start=14).regimen("letrozole", start=14)
    x.patient("A_NON_FULVESTRANT_LETROZOLE_NEXT_DAY").metastatic().pathology() \
        .regimen("fulvestrant", start=14).regimen("letrozole", start=15)
    x.patient("A_ADH_PALBOCICLIB_LETROZOLE_SAME_DAY").metastatic().pathology() \
        .regimen("palbociclib", start=14).regimen("letrozole", start=14)
    x.patient("A_ADH_PALBOCICLIB_LETROZOLE_NEXT_DAY").metastatic().pathology() \
        .regimen("palbociclib", start=14).regimen("letrozole", start=15)
    # unrecognised drug names could be the aromatase inhibitor
    x.patient("A_INS_UNRECOGNISED").metastatic().pathology().regimen(["fulvestrant", "Hormone NOS"], start=14)
    # no window: the line given decides, a death after it never excludes
    x.patient("A_NON_DIED_AFTER_TAMOXIFEN", date_of_death=day(20)).metastatic().pathology().regimen("tamoxifen", start=14)
    x.patient("A_ADH_DIED_AFTER_AI", date_of_death=day(20)).metastatic().pathology().regimen("letrozole", start=14)
    folder = tmp_path_factory.mktemp("rule_1_3_4")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected_a, expected_b", [
    ("A_ADH", "adherent", None), ("A_ADH_BRAND", "adherent", None),
    ("A_NON", "non_adherent", None), ("A_NON_FULVESTRANT", "non_adherent", None),
    ("A_EXC", "excluded", None), ("A_EXC_EDGE_30", "excluded", None), ("A_NON_EDGE_31", "non_adherent", None),
    ("A_INS_MENOPAUSE", "insufficient_data", None), ("A_INS_MENOPAUSE_UNKNOWN", "insufficient_data", None),
    ("A_INS_SEX", "insufficient_data", None), ("A_INS_ER", "insufficient_data", None),
    ("A_MENOPAUSE_NEARBY", "adherent", None),
    ("ABSENT_PRE", None, None), ("ABSENT_MAN", None, None), ("ABSENT_NO_ENDOCRINE", None, None),
    ("ABSENT_NOT_APPLICABLE", None, None),
    ("A_ADH_SECOND_LINE", "adherent", None), ("A_PRIOR_GNRH_ONLY", "adherent", None),
    ("A_PRIOR_TAM_DM30", "adherent", None),
    ("B_EXC", None, "excluded"), ("B_NON_EXC_EDGE_31", None, "non_adherent"),
    ("B_INS_MENOPAUSE", None, "insufficient_data"), ("B_INS_ER", None, "insufficient_data"),
    ("B_INS_SEX", None, "insufficient_data"),
    ("B_ADH", None, "adherent"), ("B_NON", None, "non_adherent"), ("B_PRIOR_TAM_DM31", None, "adherent"),
    ("B_TAM_AND_GNRH", None, "adherent"), ("ABSENT_PRIOR_AI", None, None),
    ("A_ADH_FULVESTRANT_LETROZOLE_SAME_DAY", "adherent", None),
    ("A_NON_FULVESTRANT_LETROZOLE_NEXT_DAY", "non_adherent", None),
    ("A_ADH_PALBOCICLIB_LETROZOLE_SAME_DAY", "adherent", None),
    ("A_ADH_PALBOCICLIB_LETROZOLE_NEXT_DAY", "adherent", None),
    ("A_INS_UNRECOGNISED", "insufficient_data", None),
    ("A_NON_DIED_AFTER_TAMOXIFEN", "non_adherent", None), ("A_ADH_DIED_AFTER_AI", "adherent", None),
])
def test_outcome(run, patient, expected_a, expected_b):
    assert run.failure() is None
    assert run.outcome("1.3.4a", patient) == expected_a
    assert run.outcome("1.3.4b", patient) == expected_b


GIVEN, NONE_GIVEN = "aromatase_inhibitor_given", "no_aromatase_inhibitor"


@pytest.mark.parametrize("rule, patient, code", [
    ("1.3.4a", "A_ADH", GIVEN), ("1.3.4a", "A_NON", NONE_GIVEN), ("1.3.4a", "A_EXC", "contraindicated"),
    ("1.3.4a", "A_EXC_EDGE_30", "declined_by_patient"), ("1.3.4a", "A_NON_EDGE_31", NONE_GIVEN),
    ("1.3.4a", "A_INS_MENOPAUSE", "menopausal_status_unknown"),
    ("1.3.4a", "A_INS_MENOPAUSE_UNKNOWN", "menopausal_status_unknown"),
    ("1.3.4a", "A_INS_SEX", "sex_unknown"), ("1.3.4a", "A_INS_ER", "er_status_unknown"),
    ("1.3.4a", "A_INS_UNRECOGNISED", "unrecognised_drug_names"),
    ("1.3.4a", "A_NON_FULVESTRANT_LETROZOLE_NEXT_DAY", NONE_GIVEN),
    ("1.3.4a", "A_ADH_FULVESTRANT_LETROZOLE_SAME_DAY", GIVEN),
    ("1.3.4b", "B_ADH", GIVEN), ("1.3.4b", "B_NON", NONE_GIVEN), ("1.3.4b", "B_EXC", "contraindicated"),
    ("1.3.4b", "B_INS_MENOPAUSE", "menopausal_status_unknown"), ("1.3.4b", "B_INS_ER", "er_status_unknown"),
    ("1.3.4b", "B_INS_SEX", "sex_unknown"),
])
def test_reason_codes(run, rule, patient, code):
    assert run.outcomes(rule)[(patient, patient)]["reason_code"] == code


def test_reasons_name_the_first_endocrine_line(run):
    row = run.outcomes("1.3.4b")[("B_NON", "B_NON")]
    assert row["evidence"]["prior_endocrine_drugs"] == ["tamoxifen"]
    assert row["evidence"]["first_endocrine_drugs"] == ["fulvestrant"]
    assert row["reason"] == (f"the first palliative endocrine treatment started {day(20)} (fulvestrant) contains no "
                             "aromatase inhibitor (anastrozole, letrozole or exemestane), after tamoxifen before the "
                             f"diagnosis of advanced disease (first started {day(-1500)})")
    rows = run.outcomes("1.3.4a")
    assert rows[("A_NON_FULVESTRANT_LETROZOLE_NEXT_DAY", "A_NON_FULVESTRANT_LETROZOLE_NEXT_DAY")]["reason"] == (
        f"the first palliative endocrine treatment started {day(14)} (fulvestrant) contains no aromatase inhibitor "
        "(anastrozole, letrozole or exemestane)")
    same_day = rows[("A_ADH_FULVESTRANT_LETROZOLE_SAME_DAY", "A_ADH_FULVESTRANT_LETROZOLE_SAME_DAY")]
    assert same_day["reason"] == (f"the first palliative endocrine treatment started {day(14)} (fulvestrant, letrozole) "
                                  "contains an aromatase inhibitor")
    assert same_day["evidence"]["first_endocrine_regimen_id"] == "R1+R2"
    next_day = rows[("A_ADH_PALBOCICLIB_LETROZOLE_NEXT_DAY", "A_ADH_PALBOCICLIB_LETROZOLE_NEXT_DAY")]
    assert next_day["evidence"]["first_endocrine_drugs"] == ["letrozole"]
    assert rows[("A_INS_MENOPAUSE", "A_INS_MENOPAUSE")]["reason"] == (
        f"menopausal status at the diagnosis of advanced disease ({day(0)}) is not recorded")
    assert rows[("A_INS_SEX", "A_INS_SEX")]["reason"] == "the patient's sex is not recorded"


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.3.4a', '1.3.4b')")
    assert len(rows) > 30
    assert unreadable_outcomes(rows) == []
