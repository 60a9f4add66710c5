"""CG81 1.3.10 (chemotherapy sequence when anthracyclines are unsuitable), 1.3.11 (gemcitabine +
paclitaxel only then) and 1.3.9's descriptive figure (share of combination first-line chemotherapy)."""
import csv

import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract

ADJUVANT_EC = dict(drugs=["epirubicin", "cyclophosphamide"], start=-1500, end=-1400, intent="adjuvant")


def _after_anthracycline(x: Extract, patient_id: str):
    return x.patient(patient_id).metastatic(de_novo=False).pathology(er="negative").regimen(**ADJUVANT_EC)


def _no_anthracycline(x: Extract, patient_id: str):
    return x.patient(patient_id).metastatic().pathology(er="negative")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    # 1.3.10
    _after_anthracycline(x, "S_ADH_FULL").regimen("docetaxel", start=14, end=100) \
        .regimen("vinorelbine", start=110, end=200).regimen("Xeloda", start=210)
    _after_anthracycline(x, "S_ADH_GEMCITABINE_PACLITAXEL").regimen(["gemcitabine", "paclitaxel"], start=14)
    _after_anthracycline(x, "S_ADH_ANTI_HER2_PARTNERS").regimen(["docetaxel", "trastuzumab", "pertuzumab"], start=14)
    _after_anthracycline(x, "S_ADH_ONE_LINE").regimen("docetaxel", start=14)
    _after_anthracycline(x, "S_ADH_ENDOCRINE_BETWEEN").regimen("docetaxel", start=14, end=100) \
        .regimen("letrozole", start=110, end=200).regimen("capecitabine", start=210)
    _after_anthracycline(x, "S_NON_LINE_1").regimen("paclitaxel", start=14)
    _after_anthracycline(x, "S_NON_LINE_2").regimen("docetaxel", start=14, end=100).regimen("eribulin", start=110)
    _after_anthracycline(x, "S_NON_LINE_2_COMBINATION").regimen("docetaxel", start=14, end=100) \
        .regimen(["capecitabine", "vinorelbine"], start=110)
    _after_anthracycline(x, "S_NON_LINE_3_SAME_DRUG").regimen("docetaxel", start=14, end=100) \
        .regimen("capecitabine", start=110, end=200).regimen("capecitabine", start=210)
    _after_anthracycline(x, "S_EXC_DOCETAXEL").decision(5, "docetaxel", "contraindicated").regimen("capecitabine", start=14)
    _after_anthracycline(x, "S_EXC_DOCETAXEL_EDGE_30").regimen("capecitabine", start=14).decision(44, "docetaxel", "contraindicated")
    _after_anthracycline(x, "S_NON_DOCETAXEL_EDGE_31").regimen("capecitabine", start=14).decision(45, "docetaxel", "contraindicated")
    _after_anthracycline(x, "S_NON_DOCETAXEL_DECISION_LINE_2").decision(5, "docetaxel", "contraindicated") \
        .regimen("docetaxel", start=14, end=100).regimen("eribulin", start=110)
    _after_anthracycline(x, "S_INS_UNRECOGNISED").regimen(["docetaxel", "Study drug"], start=14)
    _no_anthracycline(x, "S_ADH_DECISION").decision(-10, "anthracycline", "contraindicated").regimen("docetaxel", start=14)
    _no_anthracycline(x, "S_ADH_DECISION_SAME_DAY").decision(14, "anthracycline", "not_suitable").regimen("docetaxel", start=14)
    _no_anthracycline(x, "S_ABSENT_DECISION_AFTER_LINE").regimen("paclitaxel", start=14, end=100) \
        .decision(120, "anthracycline", "declined_by_patient")
    _no_anthracycline(x, "S_ADH_AFTER_PALLIATIVE_ANTHRACYCLINE").regimen("epirubicin", start=14, end=100) \
        .regimen("docetaxel", start=110)
    _no_anthracycline(x, "S_ABSENT_NO_ANTHRACYCLINE").regimen("paclitaxel", start=14)
    # lines count from the first one starting after a regimen's end (strictly), or on or after a decision
    _no_anthracycline(x, "S_ADH_ONE_DAY_ANTHRACYCLINE").regimen("epirubicin", start=14, end=14) \
        .regimen("docetaxel", start=30)
    _no_anthracycline(x, "S_ABSENT_LINE_ON_ANTHRACYCLINE_END_DAY").regimen("epirubicin", start=14, end=100) \
        .regimen("paclitaxel", start=100)
    _no_anthracycline(x, "S_NON_LINE_DAY_AFTER_ANTHRACYCLINE_END").regimen("epirubicin", start=14, end=100) \
        .regimen("paclitaxel", start=101)
    _no_anthracycline(x, "S_ADH_LINE_DAY_BEFORE_DECISION").regimen("paclitaxel", start=13, end=100) \
        .decision(14, "anthracycline", "not_suitable").regimen("docetaxel", start=110)
    _no_anthracycline(x, "S_NON_LINE_ON_DECISION_DAY").decision(14, "anthracycline", "not_suitable") \
        .regimen("paclitaxel", start=14)
    # a definite deviation on any line wins over an earlier line that is only unconfirmed
    _after_anthracycline(x, "S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1") \
        .regimen(["docetaxel", "Study drug X"], start=14, end=100).regimen("eribulin", start=110)
    _after_anthracycline(x, "S_INS_UNCONFIRMED_LINE_2").regimen("docetaxel", start=14, end=100) \
        .regimen(["capecitabine", "Study drug X"], start=110)
    # 1.3.11 (regimen units)
    _after_anthracycline(x, "G_ADH").regimen(["gemcitabine", "paclitaxel"], start=14, regimen_id="GP")
    _after_anthracycline(x, "G_ADH_WITH_PARTNER").regimen(["gemcitabine", "paclitaxel", "trastuzumab"], start=14,
                                                          regimen_id="GP")
    _no_anthracycline(x, "G_NON_NO_ANTHRACYCLINE").regimen(["Gemzar", "Taxol"], start=14, regimen_id="GP")
    _after_anthracycline(x, "G_NON_DOCETAXEL_CONTRAINDICATED").decision(14, "docetaxel", "contraindicated") \
        .regimen(["gemcitabine", "paclitaxel"], start=14, regimen_id="GP")
    _after_anthracycline(x, "G_NON_DOCETAXEL_CONTRAINDICATED_YEARS_BEFORE").decision(-1000, "docetaxel", "contraindicated") \
        .regimen(["gemcitabine", "paclitaxel"], start=14, regimen_id="GP")
    _after_anthracycline(x, "G_ADH_DOCETAXEL_DECISION_AFTER").decision(15, "docetaxel", "contraindicated") \
        .regimen(["gemcitabine", "paclitaxel"], start=14, regimen_id="GP")
    _no_anthracycline(x, "G_ADH_ANTHRACYCLINE_DECISION_SAME_DAY").decision(14, "anthracycline", "contraindicated") \
        .regimen(["gemcitabine", "paclitaxel"], start=14, regimen_id="GP")
    _no_anthracycline(x, "G_NON_ANTHRACYCLINE_DECISION_DAY_AFTER").decision(15, "anthracycline", "contraindicated") \
        .regimen(["gemcitabine", "paclitaxel"], start=14, regimen_id="GP")
    _no_anthracycline(x, "G_ABSENT_ADJUVANT").regimen(["gemcitabine", "paclitaxel"], start=-700, end=-600,
                                                       intent="adjuvant", regimen_id="GP")
    folder = tmp_path_factory.mktemp("rule_1_3_10")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("S_ADH_FULL", "adherent"), ("S_ADH_GEMCITABINE_PACLITAXEL", "adherent"), ("S_ADH_ANTI_HER2_PARTNERS", "adherent"),
    ("S_ADH_ONE_LINE", "adherent"), ("S_ADH_ENDOCRINE_BETWEEN", "adherent"),
    ("S_NON_LINE_1", "non_adherent"), ("S_NON_LINE_2", "non_adherent"), ("S_NON_LINE_2_COMBINATION", "non_adherent"),
    ("S_NON_LINE_3_SAME_DRUG", "non_adherent"),
    ("S_EXC_DOCETAXEL", "excluded"), ("S_NON_DOCETAXEL_DECISION_LINE_2", "non_adherent"),
    ("S_EXC_DOCETAXEL_EDGE_30", "excluded"), ("S_NON_DOCETAXEL_EDGE_31", "non_adherent"),
    ("S_INS_UNRECOGNISED", "insufficient_data"),
    ("S_ADH_DECISION", "adherent"), ("S_ADH_DECISION_SAME_DAY", "adherent"), ("S_ABSENT_DECISION_AFTER_LINE", None),
    ("S_ADH_AFTER_PALLIATIVE_ANTHRACYCLINE", "adherent"), ("S_ABSENT_NO_ANTHRACYCLINE", None),
    ("S_ADH_ONE_DAY_ANTHRACYCLINE", "adherent"), ("S_ABSENT_LINE_ON_ANTHRACYCLINE_END_DAY", None),
    ("S_NON_LINE_DAY_AFTER_ANTHRACYCLINE_END", "non_adherent"),
    ("S_ADH_LINE_DAY_BEFORE_DECISION", "adherent"), ("S_NON_LINE_ON_DECISION_DAY", "non_adherent"),
    ("S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1", "non_adherent"), ("S_INS_UNCONFIRMED_LINE_2", "insufficient_data"),
])
def test_1_3_10(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.3.10", patient) == expected


def test_1_3_10_reason_names_the_first_deviating_line(run):
    outcomes = run.outcomes("1.3.10")
    assert outcomes[("S_NON_LINE_2", "S_NON_LINE_2")]["reason"].startswith("chemotherapy line 2 ")
    assert outcomes[("S_NON_LINE_3_SAME_DRUG", "S_NON_LINE_3_SAME_DRUG")]["reason"].endswith(
        "is not single-agent vinorelbine")
    assert outcomes[("S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1", "S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1")]["reason"] \
        .startswith("chemotherapy line 2 ")
    assert outcomes[("S_INS_UNCONFIRMED_LINE_2", "S_INS_UNCONFIRMED_LINE_2")]["reason"].startswith(
        "chemotherapy line 2 (regimen R3) also has unrecognised drug names (Study drug X)")
    evidence = outcomes[("S_ADH_FULL", "S_ADH_FULL")]["evidence"]
    assert [line["chemotherapy_drugs"] for line in evidence["chemotherapy_lines"]] == [
        ["docetaxel"], ["vinorelbine"], ["capecitabine"]]


@pytest.mark.parametrize("patient, expected", [
    ("G_ADH", "adherent"), ("G_ADH_WITH_PARTNER", "adherent"), ("G_NON_NO_ANTHRACYCLINE", "non_adherent"),
    ("G_NON_DOCETAXEL_CONTRAINDICATED", "non_adherent"), ("G_ADH_DOCETAXEL_DECISION_AFTER", "adherent"),
    ("G_NON_DOCETAXEL_CONTRAINDICATED_YEARS_BEFORE", "non_adherent"),
    ("G_ADH_ANTHRACYCLINE_DECISION_SAME_DAY", "adherent"), ("G_NON_ANTHRACYCLINE_DECISION_DAY_AFTER", "non_adherent"),
    ("G_ABSENT_ADJUVANT", None),
])
def test_1_3_11(run, patient, expected):
    assert run.outcome("1.3.11", patient, "GP") == expected


def test_1_3_9_descriptive_figure(tmp_path):
    x = Extract()
    _no_anthracycline(x, "COMBINATION").regimen(["epirubicin", "cyclophosphamide"], start=14)
    _no_anthracycline(x, "SINGLE_WITH_PARTNER").regimen(["docetaxel", "trastuzumab"], start=14)
    _no_anthracycline(x, "COMBINATION_SECOND_LINE").regimen("paclitaxel", start=14, end=100) \
        .regimen(["gemcitabine", "carboplatin"], start=110)
    x.patient("ENDOCRINE_ONLY", provider_code="RBB").metastatic().pathology().regimen("letrozole", start=14)
    x.patient("OTHER_PROVIDER", provider_code="RBB").metastatic().pathology().regimen(["FEC"], start=14)
    run = run_audit(x.write(tmp_path / "extract"), tmp_path)
    assert run.failure() is None
    figures = {(r["level"], r["group"], r["period"]): r for r in run.query("select * from measures.descriptive_figures")}
    national = figures[("national", "national", "all")]
    assert (national["numerator"], national["denominator"], national["share"]) == (2, 4, 0.5)
    assert (figures[("provider", "RAA", "all")]["numerator"], figures[("provider", "RAA", "all")]["denominator"]) == (1, 3)
    assert figures[("provider", "RBB", "all")]["suppressed"] is True
    assert "1.3.9" not in {r["rule_id"] for r in run.query("select distinct rule_id from rules.case_outcomes")}
    with (run.output / "descriptive_figures.csv").open() as handle:
        assert {r["rule_id"] for r in csv.DictReader(handle)} == {"1.3.9"}
