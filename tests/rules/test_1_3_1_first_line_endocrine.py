"""CG81 1.3.1: endocrine therapy first line for ER-positive advanced breast cancer (target: majority).
Methodology v2: HER2-directed first lines excluded (switchable), deaths without a first line
excluded before an unknown ER status, same-day regimens one first line, coded readable reasons."""
import pytest

from tests.conftest import COMPLETE_FOLLOW_UP, run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

HER2_POSITIVE = {"her2": "positive"}


def _extract() -> Extract:
    x = Extract()
    x.patient("ADH_AI").metastatic().pathology().regimen("Letrozole", start=14)
    x.patient("ADH_GNRH").metastatic(menopausal_status="pre").pathology().regimen(["goserelin", "paclitaxel"], start=20)
    x.patient("ADH_OOPHORECTOMY").metastatic().pathology().procedure(10, "oophorectomy").regimen("paclitaxel", start=20)
    x.patient("NON_CHEMO").metastatic().pathology().regimen("paclitaxel", start=20)
    x.patient("EXCL_VISCERAL").metastatic(visceral_crisis=True).pathology().regimen("docetaxel", start=7)
    x.patient("EXCL_VISCERAL_D30").metastatic().event(30, "progression", visceral_crisis=True).pathology().regimen("docetaxel", start=40)
    x.patient("NON_VISCERAL_D31").metastatic().event(31, "progression", visceral_crisis=True).pathology().regimen("docetaxel", start=40)
    x.patient("EXC_DECLINED").metastatic().pathology().decision(5, "endocrine_therapy").regimen("capecitabine", start=20)
    x.patient("EXC_NO_TREATMENT").metastatic().pathology().decision(5, "endocrine_therapy", "contraindicated")
    x.patient("ADH_DESPITE_DECISION").metastatic().pathology().decision(5, "endocrine_therapy").regimen("anastrozole", start=20)
    x.patient("EXC_DECISION_DM30").metastatic().pathology().decision(-30, "endocrine_therapy").regimen("paclitaxel", start=20)
    x.patient("NON_DECISION_DM31").metastatic().pathology().decision(-31, "endocrine_therapy").regimen("paclitaxel", start=20)
    x.patient("INS_ER_UNKNOWN").metastatic().pathology(er="unknown").regimen("paclitaxel", start=20)
    x.patient("INS_NO_PATHOLOGY").metastatic().regimen("letrozole", start=20)
    x.patient("INS_NO_TREATMENT").metastatic().pathology()
    x.patient("ADH_LINE_D180").metastatic().pathology().regimen("letrozole", start=180)
    x.patient("INS_LINE_D181").metastatic().pathology().regimen("letrozole", start=181)
    x.patient("ABSENT_ER_NEG").metastatic().pathology(er="negative").regimen("paclitaxel", start=20)
    x.patient("ABSENT_NO_METS").event(0, "early_diagnosis").pathology().regimen("letrozole", start=20, intent="adjuvant")
    # Receptor status at index prefers a metastasis specimen in index-30..+60 over a nearer primary.
    x.patient("ADH_MET_SPECIMEN").metastatic().pathology(0, er="negative").pathology(40, origin="metastasis").regimen("letrozole", start=50)
    x.patient("ABSENT_MET_SPECIMEN_D61").metastatic().pathology(0, er="negative").pathology(61, origin="metastasis").regimen("letrozole", start=70)
    # The first line is the earliest palliative anticancer regimen; bone-targeted and adjuvant ones are not lines.
    x.patient("ADH_AFTER_ZOLEDRONIC").metastatic().pathology().regimen("zoledronic acid", start=5, intent="supportive").regimen("Arimidex", start=10)
    x.patient("NON_ADJUVANT_AI_BEFORE").metastatic().pathology().regimen("anastrozole", start=-900, end=-100, intent="adjuvant").regimen("paclitaxel", start=10)
    x.patient("ADH_UNKNOWN_INTENT").metastatic().pathology().regimen("letrozole", start=10, intent=None)
    # window edges: an endocrine_therapy decision up to index + 180; an ovarian procedure from
    # index - 30 to 30 days after the first line's start (20 here)
    x.patient("EXC_DECISION_D180").metastatic().pathology().regimen("paclitaxel", start=20).decision(180, "endocrine_therapy")
    x.patient("NON_DECISION_D181").metastatic().pathology().regimen("paclitaxel", start=20).decision(181, "endocrine_therapy")
    x.patient("ADH_OOPHORECTOMY_DM30").metastatic().pathology().procedure(-30, "oophorectomy").regimen("paclitaxel", start=20)
    x.patient("NON_OOPHORECTOMY_DM31").metastatic().pathology().procedure(-31, "oophorectomy").regimen("paclitaxel", start=20)
    x.patient("ADH_OVARIAN_RT_D50").metastatic().pathology().regimen("paclitaxel", start=20) \
        .procedure(50, "ovarian_ablation_radiotherapy")
    x.patient("NON_OVARIAN_RT_D51").metastatic().pathology().regimen("paclitaxel", start=20) \
        .procedure(51, "ovarian_ablation_radiotherapy")
    # v2: HER2-positive disease with anti-HER2 therapy in the first line is excluded (switchable)
    x.patient("EXC_HER2_CHEMO_TRAS_PERT").metastatic().pathology(**HER2_POSITIVE) \
        .regimen(["docetaxel", "trastuzumab", "pertuzumab"], start=10)
    x.patient("EXC_HER2_ONE_REGIMEN_PER_DRUG").metastatic().pathology(**HER2_POSITIVE) \
        .regimen("paclitaxel", start=10).regimen("Herceptin", start=10).regimen("Perjeta", start=10)
    x.patient("EXC_HER2_PHESGO").metastatic().pathology(**HER2_POSITIVE).regimen(["Phesgo", "docetaxel"], start=10)
    x.patient("EXC_HER2_KADCYLA").metastatic().pathology(**HER2_POSITIVE).regimen("Kadcyla", start=10)
    x.patient("EXC_HER2_WITH_AI").metastatic().pathology(**HER2_POSITIVE).regimen(["letrozole", "trastuzumab"], start=10)
    x.patient("EXC_HER2_ER_UNKNOWN").metastatic().pathology(er="unknown", her2="positive") \
        .regimen(["docetaxel", "trastuzumab"], start=10)
    x.patient("NON_HER2_NO_ANTI_HER2").metastatic().pathology(**HER2_POSITIVE).regimen("paclitaxel", start=10)
    # trastuzumab started the next day is a second line: the first line (paclitaxel alone) has none
    x.patient("NON_HER2_TRASTUZUMAB_NEXT_DAY").metastatic().pathology(**HER2_POSITIVE) \
        .regimen("paclitaxel", start=10).regimen("trastuzumab", start=11)
    x.patient("NON_HER2_NEGATIVE_TRASTUZUMAB").metastatic().pathology().regimen(["paclitaxel", "trastuzumab"], start=10)
    x.patient("INS_HER2_UNKNOWN_TRASTUZUMAB").metastatic().pathology(her2=None).regimen(["docetaxel", "trastuzumab"], start=10)
    x.patient("INS_HER2_BORDERLINE_TRASTUZUMAB").metastatic().pathology(her2="borderline") \
        .regimen(["docetaxel", "trastuzumab"], start=10)
    # v2: a death without a first line excludes, before an unknown ER status; day 180 closes the window
    x.patient("EXC_DIED_D47", date_of_death=day(47)).metastatic().pathology()
    x.patient("EXC_DIED_D47_ER_UNKNOWN", date_of_death=day(47)).metastatic().pathology(er="unknown")
    x.patient("EXC_DIED_D47_NO_PATHOLOGY", date_of_death=day(47)).metastatic()
    x.patient("EXC_DIED_D179", date_of_death=day(179)).metastatic().pathology()
    x.patient("INS_DIED_D180", date_of_death=day(180)).metastatic().pathology()
    x.patient("NON_DIED_AFTER_CHEMO", date_of_death=day(30)).metastatic().pathology().regimen("paclitaxel", start=10)
    x.patient("ADH_DIED_AFTER_AI", date_of_death=day(30)).metastatic().pathology().regimen("letrozole", start=10)
    x.patient("INS_ER_UNKNOWN_DIED_AFTER_CHEMO", date_of_death=day(30)).metastatic().pathology(er="unknown") \
        .regimen("paclitaxel", start=10)
    # same-day regimens are one first line; the next day is a second line
    x.patient("ADH_PALBOCICLIB_LETROZOLE_SAME_DAY").metastatic().pathology() \
        .regimen("palbociclib", start=14).regimen("letrozole", start=14)
    x.patient("NON_PALBOCICLIB_LETROZOLE_NEXT_DAY").metastatic().pathology() \
        .regimen("palbociclib", start=14).regimen("letrozole", start=15)
    # unrecognised drug names could be the endocrine drug
    x.patient("INS_UNRECOGNISED_BESIDE_CHEMO").metastatic().pathology().regimen(["paclitaxel", "Hormone NOS"], start=10)
    x.patient("ADH_UNRECOGNISED_BESIDE_AI").metastatic().pathology().regimen(["letrozole", "Hormone NOS"], start=10)
    x.patient("INS_UNRECOGNISED_ONLY").metastatic().pathology().regimen("Hormone NOS", start=10)
    return x


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return _extract().write(tmp_path_factory.mktemp("rule_1_3_1") / "extract")


@pytest.fixture(scope="module")
def run(extract, tmp_path_factory):
    return run_audit(extract, tmp_path_factory.mktemp("rule_1_3_1_run"))


@pytest.fixture(scope="module")
def run_without_her2_exclusion(extract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rule_1_3_1_her2_off")
    config = folder / "config.yaml"
    config.write_text('rules:\n  "1.3.1": {parameters: {exclude_her2_directed_first_line: false}}\n' + COMPLETE_FOLLOW_UP,
                      encoding="utf-8")
    return run_audit(extract, folder, config)


ENDOCRINE, OVARIAN, NO_ENDOCRINE = "endocrine_first_line", "ovarian_suppression_first_line", "no_endocrine_first_line"
NO_LINE, UNRECOGNISED, HER2, DIED = ("no_first_line_within_window", "unrecognised_drug_names",
                                     "her2_directed_first_line", "died_without_first_line")


@pytest.mark.parametrize("patient, expected, code", [
    ("ADH_AI", "adherent", ENDOCRINE), ("ADH_GNRH", "adherent", OVARIAN), ("ADH_OOPHORECTOMY", "adherent", OVARIAN),
    ("NON_CHEMO", "non_adherent", NO_ENDOCRINE),
    ("EXCL_VISCERAL", "excluded", "visceral_crisis_at_index"), ("EXCL_VISCERAL_D30", "excluded", "visceral_crisis_at_index"),
    ("NON_VISCERAL_D31", "non_adherent", NO_ENDOCRINE),
    ("EXC_DECLINED", "excluded", "declined_by_patient"), ("EXC_NO_TREATMENT", "excluded", "contraindicated"),
    ("ADH_DESPITE_DECISION", "adherent", ENDOCRINE),
    ("EXC_DECISION_DM30", "excluded", "declined_by_patient"), ("NON_DECISION_DM31", "non_adherent", NO_ENDOCRINE),
    ("INS_ER_UNKNOWN", "insufficient_data", "er_status_unknown"),
    ("INS_NO_PATHOLOGY", "insufficient_data", "er_status_unknown"),
    ("INS_NO_TREATMENT", "insufficient_data", NO_LINE),
    ("ADH_LINE_D180", "adherent", ENDOCRINE), ("INS_LINE_D181", "insufficient_data", NO_LINE),
    ("ABSENT_ER_NEG", None, None), ("ABSENT_NO_METS", None, None),
    ("ADH_MET_SPECIMEN", "adherent", ENDOCRINE), ("ABSENT_MET_SPECIMEN_D61", None, None),
    ("ADH_AFTER_ZOLEDRONIC", "adherent", ENDOCRINE), ("NON_ADJUVANT_AI_BEFORE", "non_adherent", NO_ENDOCRINE),
    ("ADH_UNKNOWN_INTENT", "adherent", ENDOCRINE),
    ("EXC_DECISION_D180", "excluded", "declined_by_patient"), ("NON_DECISION_D181", "non_adherent", NO_ENDOCRINE),
    ("ADH_OOPHORECTOMY_DM30", "adherent", OVARIAN), ("NON_OOPHORECTOMY_DM31", "non_adherent", NO_ENDOCRINE),
    ("ADH_OVARIAN_RT_D50", "adherent", OVARIAN), ("NON_OVARIAN_RT_D51", "non_adherent", NO_ENDOCRINE),
    # v2: the issue "ER-positive, HER2-positive patients treated first line with chemotherapy and
    # trastuzumab + pertuzumab are non-adherent"
    ("EXC_HER2_CHEMO_TRAS_PERT", "excluded", HER2), ("EXC_HER2_ONE_REGIMEN_PER_DRUG", "excluded", HER2),
    ("EXC_HER2_PHESGO", "excluded", HER2), ("EXC_HER2_KADCYLA", "excluded", HER2),
    ("EXC_HER2_WITH_AI", "excluded", HER2), ("EXC_HER2_ER_UNKNOWN", "excluded", HER2),
    ("NON_HER2_NO_ANTI_HER2", "non_adherent", NO_ENDOCRINE),
    ("NON_HER2_TRASTUZUMAB_NEXT_DAY", "non_adherent", NO_ENDOCRINE),
    ("NON_HER2_NEGATIVE_TRASTUZUMAB", "non_adherent", NO_ENDOCRINE),
    ("INS_HER2_UNKNOWN_TRASTUZUMAB", "insufficient_data", "her2_status_unknown"),
    ("INS_HER2_BORDERLINE_TRASTUZUMAB", "insufficient_data", "her2_status_unknown"),
    # v2: the issue "a patient who died on day 47 with no first line is insufficient_data"
    ("EXC_DIED_D47", "excluded", DIED), ("EXC_DIED_D47_ER_UNKNOWN", "excluded", DIED),
    ("EXC_DIED_D47_NO_PATHOLOGY", "excluded", DIED),
    ("EXC_DIED_D179", "excluded", DIED), ("INS_DIED_D180", "insufficient_data", NO_LINE),
    ("NON_DIED_AFTER_CHEMO", "non_adherent", NO_ENDOCRINE), ("ADH_DIED_AFTER_AI", "adherent", ENDOCRINE),
    ("INS_ER_UNKNOWN_DIED_AFTER_CHEMO", "insufficient_data", "er_status_unknown"),
    ("ADH_PALBOCICLIB_LETROZOLE_SAME_DAY", "adherent", ENDOCRINE),
    ("NON_PALBOCICLIB_LETROZOLE_NEXT_DAY", "non_adherent", NO_ENDOCRINE),
    ("INS_UNRECOGNISED_BESIDE_CHEMO", "insufficient_data", UNRECOGNISED),
    ("ADH_UNRECOGNISED_BESIDE_AI", "adherent", ENDOCRINE),
    ("INS_UNRECOGNISED_ONLY", "insufficient_data", UNRECOGNISED),
])
def test_outcome(run, patient, expected, code):
    assert run.failure() is None
    assert run.outcome("1.3.1", patient) == expected
    row = run.outcomes("1.3.1").get((patient, patient))
    assert (row and row["reason_code"]) == code


@pytest.mark.parametrize("patient, expected, code", [
    ("EXC_HER2_CHEMO_TRAS_PERT", "non_adherent", NO_ENDOCRINE),
    ("EXC_HER2_ONE_REGIMEN_PER_DRUG", "non_adherent", NO_ENDOCRINE),
    ("EXC_HER2_WITH_AI", "adherent", ENDOCRINE),
    ("EXC_HER2_ER_UNKNOWN", "insufficient_data", "er_status_unknown"),
    ("INS_HER2_UNKNOWN_TRASTUZUMAB", "non_adherent", NO_ENDOCRINE),
    ("INS_HER2_BORDERLINE_TRASTUZUMAB", "non_adherent", NO_ENDOCRINE),
    # the other exclusions and the other patients are untouched by the switch
    ("EXCL_VISCERAL", "excluded", "visceral_crisis_at_index"), ("EXC_DIED_D47", "excluded", DIED),
    ("NON_CHEMO", "non_adherent", NO_ENDOCRINE), ("ADH_AI", "adherent", ENDOCRINE),
])
def test_her2_exclusion_turned_off_by_configuration(run_without_her2_exclusion, patient, expected, code):
    run = run_without_her2_exclusion
    assert run.failure() is None
    row = run.outcomes("1.3.1")[(patient, patient)]
    assert (row["outcome"], row["reason_code"]) == (expected, code)


def test_reasons_name_what_decided(run):
    outcomes = run.outcomes("1.3.1")

    def reason(patient):
        return outcomes[(patient, patient)]["reason"]

    assert reason("EXCL_VISCERAL") == (f"visceral crisis was recorded at the diagnosis of advanced disease ({day(0)}); "
                                       "first-line chemotherapy is recommended instead (1.3.2)")
    assert reason("EXC_HER2_CHEMO_TRAS_PERT") == (
        f"HER2-positive disease at the diagnosis of advanced disease ({day(0)}), and the first-line regimen started "
        f"{day(10)} (docetaxel, pertuzumab, trastuzumab) contains anti-HER2 therapy; HER2-directed first-line "
        "treatment follows NICE technology appraisals published after CG81")
    assert reason("EXC_DIED_D47_ER_UNKNOWN") == (
        f"died on {day(47)}, 47 days after the diagnosis of advanced disease ({day(0)}), before any first-line "
        "treatment was started")
    assert reason("NON_CHEMO") == (f"the first-line regimen started {day(20)} (paclitaxel) contains no endocrine "
                                   "therapy or ovarian suppression")
    assert reason("ADH_PALBOCICLIB_LETROZOLE_SAME_DAY") == (
        f"the first-line regimen started {day(14)} (letrozole, palbociclib) contains endocrine therapy")
    assert reason("ADH_OOPHORECTOMY") == (f"the first-line regimen started {day(20)} (paclitaxel), with ovarian "
                                          f"suppression (oophorectomy on {day(10)})")
    assert reason("INS_NO_TREATMENT") == ("no first-line palliative treatment started within 180 days after the "
                                          f"diagnosis of advanced disease ({day(0)})")
    assert reason("INS_LINE_D181") == ("no first-line palliative treatment started within 180 days after the "
                                       f"diagnosis of advanced disease ({day(0)}); the first line started {day(181)} "
                                       "(letrozole)")
    assert reason("INS_ER_UNKNOWN") == (f"ER status at the diagnosis of advanced disease ({day(0)}) is not known "
                                        "(no ER result recorded for it)")
    assert reason("INS_UNRECOGNISED_BESIDE_CHEMO") == (
        f"the first-line regimen started {day(10)} (paclitaxel) contains no recognised endocrine therapy and also "
        "holds drug names the audit does not recognise (Hormone NOS): whether it contains endocrine therapy cannot "
        "be confirmed")
    assert reason("EXC_DECLINED").startswith("the patient declined endocrine therapy (decision recorded on 2024-03-06)")
    assert "HER2 status at the diagnosis of advanced disease" in reason("INS_HER2_BORDERLINE_TRASTUZUMAB")
    non = outcomes[("NON_CHEMO", "NON_CHEMO")]
    assert non["evidence"]["first_line_drugs"] == ["paclitaxel"]
    assert non["period"] == "2024Q1" and str(non["unit_date"]) == "2024-03-01"
    grouped = outcomes[("EXC_HER2_ONE_REGIMEN_PER_DRUG", "EXC_HER2_ONE_REGIMEN_PER_DRUG")]["evidence"]
    assert grouped["first_line_regimen_id"] == "R1+R2+R3"
    assert grouped["first_line_drugs"] == ["paclitaxel", "pertuzumab", "trastuzumab"]


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run, run_without_her2_exclusion):
    for audit in (run, run_without_her2_exclusion):
        rows = audit.query("select * from rules.case_outcomes where rule_id = '1.3.1'")
        assert len(rows) > 50
        assert unreadable_outcomes(rows) == []


def test_a_drug_added_by_configuration_counts_as_its_class(tmp_path):
    """A newly licensed endocrine drug (elacestrant, Orserdu) is unrecognised until configuration adds it."""
    x = Extract()
    x.patient("ORSERDU").metastatic().pathology().regimen("Orserdu", start=14)
    extract = x.write(tmp_path / "extract")
    without = run_audit(extract, tmp_path / "without")
    assert without.outcome("1.3.1", "ORSERDU") == "insufficient_data"  # an unrecognised drug may be endocrine
    assert without.outcomes("1.3.1")[("ORSERDU", "ORSERDU")]["reason_code"] == "unrecognised_drug_names"
    config = tmp_path / "config.yaml"
    config.write_text("timeline:\n  follow_up_end: 2030-12-31\nvalue_sets:\n"
                      "  drugs: {elacestrant: {class: other_endocrine, names: [orserdu]}}\n", encoding="utf-8")
    added = run_audit(extract, tmp_path / "with", config)
    assert added.failure() is None and added.outcome("1.3.1", "ORSERDU") == "adherent"
