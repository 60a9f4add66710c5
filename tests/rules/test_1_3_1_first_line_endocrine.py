"""CG81 1.3.1: endocrine therapy first line for ER-positive advanced breast cancer (target: majority)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract


@pytest.fixture(scope="module")
def run(tmp_path_factory):
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
    folder = tmp_path_factory.mktemp("rule_1_3_1")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("ADH_AI", "adherent"), ("ADH_GNRH", "adherent"), ("ADH_OOPHORECTOMY", "adherent"),
    ("NON_CHEMO", "non_adherent"),
    ("EXCL_VISCERAL", "excluded"), ("EXCL_VISCERAL_D30", "excluded"), ("NON_VISCERAL_D31", "non_adherent"),
    ("EXC_DECLINED", "excluded"), ("EXC_NO_TREATMENT", "excluded"), ("ADH_DESPITE_DECISION", "adherent"),
    ("EXC_DECISION_DM30", "excluded"), ("NON_DECISION_DM31", "non_adherent"),
    ("INS_ER_UNKNOWN", "insufficient_data"), ("INS_NO_PATHOLOGY", "insufficient_data"),
    ("INS_NO_TREATMENT", "insufficient_data"),
    ("ADH_LINE_D180", "adherent"), ("INS_LINE_D181", "insufficient_data"),
    ("ABSENT_ER_NEG", None), ("ABSENT_NO_METS", None),
    ("ADH_MET_SPECIMEN", "adherent"), ("ABSENT_MET_SPECIMEN_D61", None),
    ("ADH_AFTER_ZOLEDRONIC", "adherent"), ("NON_ADJUVANT_AI_BEFORE", "non_adherent"),
    ("ADH_UNKNOWN_INTENT", "adherent"),
    ("EXC_DECISION_D180", "excluded"), ("NON_DECISION_D181", "non_adherent"),
    ("ADH_OOPHORECTOMY_DM30", "adherent"), ("NON_OOPHORECTOMY_DM31", "non_adherent"),
    ("ADH_OVARIAN_RT_D50", "adherent"), ("NON_OVARIAN_RT_D51", "non_adherent"),
])
def test_outcome(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.3.1", patient) == expected


def test_reasons_name_what_decided(run):
    outcomes = run.outcomes("1.3.1")
    assert outcomes[("EXCL_VISCERAL", "EXCL_VISCERAL")]["reason"] == "clinical_exclusion: visceral crisis at index"
    assert outcomes[("EXC_DECLINED", "EXC_DECLINED")]["reason"].startswith("declined_by_patient: endocrine therapy decision on 2024-03-06")
    assert outcomes[("EXC_NO_TREATMENT", "EXC_NO_TREATMENT")]["reason"].startswith("contraindicated")
    assert "er_status" in outcomes[("INS_ER_UNKNOWN", "INS_ER_UNKNOWN")]["reason"]
    assert "180 days" in outcomes[("INS_NO_TREATMENT", "INS_NO_TREATMENT")]["reason"]
    non = outcomes[("NON_CHEMO", "NON_CHEMO")]
    assert "paclitaxel" in non["reason"] and non["evidence"]["first_line_drugs"] == ["paclitaxel"]
    assert non["period"] == "2024Q1" and str(non["unit_date"]) == "2024-03-01"


def test_a_drug_added_by_configuration_counts_as_its_class(tmp_path):
    """A newly licensed endocrine drug (elacestrant, Orserdu) is unrecognised until configuration adds it."""
    x = Extract()
    x.patient("ORSERDU").metastatic().pathology().regimen("Orserdu", start=14)
    extract = x.write(tmp_path / "extract")
    without = run_audit(extract, tmp_path / "without")
    assert without.outcome("1.3.1", "ORSERDU") == "insufficient_data"  # an unrecognised drug may be endocrine
    config = tmp_path / "config.yaml"
    config.write_text("timeline:\n  follow_up_end: 2030-12-31\nvalue_sets:\n"
                      "  drugs: {elacestrant: {class: other_endocrine, names: [orserdu]}}\n", encoding="utf-8")
    added = run_audit(extract, tmp_path / "with", config)
    assert added.failure() is None and added.outcome("1.3.1", "ORSERDU") == "adherent"
