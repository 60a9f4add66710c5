"""CG81 1.3.10 (chemotherapy sequence when anthracyclines are unsuitable), 1.3.11 (gemcitabine +
paclitaxel only then) and 1.3.9's descriptive figure (share of combination first-line chemotherapy)."""
import csv

import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

ADJUVANT_EC = dict(drugs=["epirubicin", "cyclophosphamide"], start=-1500, end=-1400, intent="adjuvant")


def _after_anthracycline(x: Extract, patient_id: str, **kw):
    return x.patient(patient_id, **kw).metastatic(de_novo=False).pathology(er="negative").regimen(**ADJUVANT_EC)


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
    # v2: gemcitabine + paclitaxel as line 1 only where 1.3.11 accepts it (docetaxel not contraindicated)
    _after_anthracycline(x, "S_NON_GEMCITABINE_PACLITAXEL_DOCETAXEL_CONTRAINDICATED") \
        .decision(5, "docetaxel", "contraindicated").regimen(["gemcitabine", "paclitaxel"], start=14)
    _after_anthracycline(x, "S_NON_GEMCITABINE_PACLITAXEL_CONTRAINDICATED_ON_START") \
        .decision(14, "docetaxel", "contraindicated").regimen(["gemcitabine", "paclitaxel"], start=14)
    _after_anthracycline(x, "S_ADH_GEMCITABINE_PACLITAXEL_CONTRAINDICATED_DAY_AFTER") \
        .regimen(["gemcitabine", "paclitaxel"], start=14).decision(15, "docetaxel", "contraindicated")
    _after_anthracycline(x, "S_ADH_GEMCITABINE_PACLITAXEL_DOCETAXEL_DECLINED") \
        .decision(5, "docetaxel", "declined_by_patient").regimen(["gemcitabine", "paclitaxel"], start=14)
    # same-day regimens are one line: gemcitabine and paclitaxel as two regimens are gem + pac
    _after_anthracycline(x, "S_ADH_SAME_DAY_GEMCITABINE_PACLITAXEL") \
        .regimen("gemcitabine", start=14).regimen("paclitaxel", start=14)
    _after_anthracycline(x, "S_NON_NEXT_DAY_GEMCITABINE_PACLITAXEL") \
        .regimen("gemcitabine", start=14).regimen("paclitaxel", start=15)
    # no window: a death does not exclude
    _after_anthracycline(x, "S_NON_DIED", date_of_death=day(30)).regimen("paclitaxel", start=14)
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
    # the grouped line is the unit: two same-day regimens are one gemcitabine + paclitaxel line
    _after_anthracycline(x, "G_ADH_SAME_DAY_PAIR").regimen("gemcitabine", start=14, regimen_id="G") \
        .regimen("paclitaxel", start=14, regimen_id="P")
    _no_anthracycline(x, "G_NON_SAME_DAY_PAIR").regimen("gemcitabine", start=14, regimen_id="G") \
        .regimen("paclitaxel", start=14, regimen_id="P")
    _after_anthracycline(x, "G_ABSENT_NEXT_DAY_PAIR").regimen("gemcitabine", start=14, regimen_id="G") \
        .regimen("paclitaxel", start=15, regimen_id="P")
    _no_anthracycline(x, "G_ABSENT_ADJUVANT").regimen(["gemcitabine", "paclitaxel"], start=-700, end=-600,
                                                       intent="adjuvant", regimen_id="GP")
    folder = tmp_path_factory.mktemp("rule_1_3_10")
    return run_audit(x.write(folder / "extract"), folder)


ADH, NON = "recommended_sequence", "line_out_of_sequence"


@pytest.mark.parametrize("patient, expected, code", [
    ("S_ADH_FULL", "adherent", ADH), ("S_ADH_GEMCITABINE_PACLITAXEL", "adherent", ADH),
    ("S_ADH_ANTI_HER2_PARTNERS", "adherent", ADH), ("S_ADH_ONE_LINE", "adherent", ADH),
    ("S_ADH_ENDOCRINE_BETWEEN", "adherent", ADH),
    ("S_NON_LINE_1", "non_adherent", NON), ("S_NON_LINE_2", "non_adherent", NON),
    ("S_NON_LINE_2_COMBINATION", "non_adherent", NON), ("S_NON_LINE_3_SAME_DRUG", "non_adherent", NON),
    ("S_EXC_DOCETAXEL", "excluded", "contraindicated"), ("S_NON_DOCETAXEL_DECISION_LINE_2", "non_adherent", NON),
    ("S_EXC_DOCETAXEL_EDGE_30", "excluded", "contraindicated"), ("S_NON_DOCETAXEL_EDGE_31", "non_adherent", NON),
    ("S_INS_UNRECOGNISED", "insufficient_data", "unrecognised_drug_names"),
    ("S_ADH_DECISION", "adherent", ADH), ("S_ADH_DECISION_SAME_DAY", "adherent", ADH),
    ("S_ABSENT_DECISION_AFTER_LINE", None, None),
    ("S_ADH_AFTER_PALLIATIVE_ANTHRACYCLINE", "adherent", ADH), ("S_ABSENT_NO_ANTHRACYCLINE", None, None),
    ("S_ADH_ONE_DAY_ANTHRACYCLINE", "adherent", ADH), ("S_ABSENT_LINE_ON_ANTHRACYCLINE_END_DAY", None, None),
    ("S_NON_LINE_DAY_AFTER_ANTHRACYCLINE_END", "non_adherent", NON),
    ("S_ADH_LINE_DAY_BEFORE_DECISION", "adherent", ADH), ("S_NON_LINE_ON_DECISION_DAY", "non_adherent", NON),
    ("S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1", "non_adherent", NON),
    ("S_INS_UNCONFIRMED_LINE_2", "insufficient_data", "unrecognised_drug_names"),
    # v2: 1.3.10 agrees with 1.3.11, and the docetaxel decision is no exception for gem + pac after it
    ("S_NON_GEMCITABINE_PACLITAXEL_DOCETAXEL_CONTRAINDICATED", "non_adherent",
     "gemcitabine_paclitaxel_with_docetaxel_contraindicated"),
    ("S_NON_GEMCITABINE_PACLITAXEL_CONTRAINDICATED_ON_START", "non_adherent",
     "gemcitabine_paclitaxel_with_docetaxel_contraindicated"),
    ("S_ADH_GEMCITABINE_PACLITAXEL_CONTRAINDICATED_DAY_AFTER", "adherent", ADH),
    ("S_ADH_GEMCITABINE_PACLITAXEL_DOCETAXEL_DECLINED", "adherent", ADH),
    ("S_ADH_SAME_DAY_GEMCITABINE_PACLITAXEL", "adherent", ADH),
    ("S_NON_NEXT_DAY_GEMCITABINE_PACLITAXEL", "non_adherent", NON),
    ("S_NON_DIED", "non_adherent", NON),
])
def test_1_3_10(run, patient, expected, code):
    assert run.failure() is None
    assert run.outcome("1.3.10", patient) == expected
    row = run.outcomes("1.3.10").get((patient, patient))
    assert (row and row["reason_code"]) == code


def test_1_3_10_reason_names_the_first_deviating_line(run):
    outcomes = run.outcomes("1.3.10")
    assert outcomes[("S_NON_LINE_2", "S_NON_LINE_2")]["reason"].startswith("chemotherapy line 2, ")
    assert outcomes[("S_NON_LINE_3_SAME_DRUG", "S_NON_LINE_3_SAME_DRUG")]["reason"].endswith(
        "is not single-agent vinorelbine")
    assert outcomes[("S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1", "S_NON_LINE_2_AFTER_UNCONFIRMED_LINE_1")]["reason"] \
        .startswith("chemotherapy line 2, ")
    assert outcomes[("S_INS_UNCONFIRMED_LINE_2", "S_INS_UNCONFIRMED_LINE_2")]["reason"].startswith(
        f"chemotherapy line 2, started {day(110)} (capecitabine) also has unrecognised drug names "
        "(Study drug X): single-agent vinorelbine or capecitabine cannot be confirmed")
    assert outcomes[("S_NON_LINE_2", "S_NON_LINE_2")]["reason"] == (
        f"chemotherapy line 2, started {day(110)} (eribulin) after the patient became unsuitable for "
        f"anthracyclines is not single-agent vinorelbine or capecitabine")
    assert outcomes[("S_NON_GEMCITABINE_PACLITAXEL_DOCETAXEL_CONTRAINDICATED",
                     "S_NON_GEMCITABINE_PACLITAXEL_DOCETAXEL_CONTRAINDICATED")]["reason"] == (
        f"chemotherapy line 1, started {day(14)} (gemcitabine, paclitaxel) after the patient became unsuitable "
        "for anthracyclines is not single-agent docetaxel; gemcitabine + paclitaxel is an option only when "
        f"docetaxel would also be appropriate, and docetaxel was recorded as contraindicated on {day(5)}")
    assert outcomes[("S_ADH_ONE_LINE", "S_ADH_ONE_LINE")]["reason"] == (
        "after the patient became unsuitable for anthracyclines (an anthracycline-containing regimen started "
        f"{day(-1500)} (cyclophosphamide, epirubicin) ended on {day(-1400)}), the chemotherapy lines follow the "
        f"recommended sequence: chemotherapy line 1, started {day(14)} (docetaxel)")
    evidence = outcomes[("S_ADH_FULL", "S_ADH_FULL")]["evidence"]
    assert [line["chemotherapy_drugs"] for line in evidence["chemotherapy_lines"]] == [
        ["docetaxel"], ["vinorelbine"], ["capecitabine"]]


@pytest.mark.parametrize("patient, unit, expected, code", [
    ("G_ADH", "GP", "adherent", "not_suitable_for_anthracyclines"),
    ("G_ADH_WITH_PARTNER", "GP", "adherent", "not_suitable_for_anthracyclines"),
    ("G_NON_NO_ANTHRACYCLINE", "GP", "non_adherent", "anthracyclines_not_ruled_out"),
    ("G_NON_DOCETAXEL_CONTRAINDICATED", "GP", "non_adherent", "docetaxel_contraindicated"),
    ("G_ADH_DOCETAXEL_DECISION_AFTER", "GP", "adherent", "not_suitable_for_anthracyclines"),
    ("G_NON_DOCETAXEL_CONTRAINDICATED_YEARS_BEFORE", "GP", "non_adherent", "docetaxel_contraindicated"),
    ("G_ADH_ANTHRACYCLINE_DECISION_SAME_DAY", "GP", "adherent", "not_suitable_for_anthracyclines"),
    ("G_NON_ANTHRACYCLINE_DECISION_DAY_AFTER", "GP", "non_adherent", "anthracyclines_not_ruled_out"),
    ("G_ABSENT_ADJUVANT", "GP", None, None),
    ("G_ADH_SAME_DAY_PAIR", "G+P", "adherent", "not_suitable_for_anthracyclines"),
    ("G_NON_SAME_DAY_PAIR", "G+P", "non_adherent", "anthracyclines_not_ruled_out"),
    ("S_ADH_SAME_DAY_GEMCITABINE_PACLITAXEL", "R2+R3", "adherent", "not_suitable_for_anthracyclines"),
    ("S_NON_GEMCITABINE_PACLITAXEL_DOCETAXEL_CONTRAINDICATED", "R2", "non_adherent", "docetaxel_contraindicated"),
])
def test_1_3_11(run, patient, unit, expected, code):
    assert run.outcome("1.3.11", patient, unit) == expected
    row = run.outcomes("1.3.11").get((patient, unit))
    assert (row and row["reason_code"]) == code


def test_1_3_11_unit_is_the_grouped_line(run):
    units = {k for k in run.outcomes("1.3.11") if k[0].startswith("G_")}
    assert ("G_ADH_SAME_DAY_PAIR", "G") not in units and ("G_ADH_SAME_DAY_PAIR", "P") not in units
    assert not [k for k in units if k[0] == "G_ABSENT_NEXT_DAY_PAIR"]
    assert run.outcomes("1.3.11")[("G_ADH_SAME_DAY_PAIR", "G+P")]["evidence"]["regimen_ids"] == ["G", "P"]


def test_1_3_10_and_1_3_11_agree_on_every_gemcitabine_paclitaxel_first_line(run):
    """Wherever gemcitabine + paclitaxel is 1.3.10's line 1, the two rules give the same verdict."""
    rows = run.query("""
        select l.patient_id, l.regimen_id, a.outcome as outcome_1_3_10, b.outcome as outcome_1_3_11
        from timeline.chemotherapy_lines_after_anthracycline_unsuitability l
            join rules.case_outcomes a on a.rule_id = '1.3.10' and a.patient_id = l.patient_id
            join rules.case_outcomes b on b.rule_id = '1.3.11' and b.patient_id = l.patient_id
                                      and b.unit_id = l.regimen_id
        where l.sequence_number = 1 and l.chemotherapy_drugs = ['gemcitabine', 'paclitaxel']""")
    assert len(rows) >= 5
    assert [r for r in rows if r["outcome_1_3_10"] != r["outcome_1_3_11"]] == []


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.3.10', '1.3.11')")
    assert len(rows) > 40
    assert unreadable_outcomes(rows) == []


def test_1_3_9_descriptive_figure(tmp_path):
    x = Extract()
    _no_anthracycline(x, "COMBINATION").regimen(["epirubicin", "cyclophosphamide"], start=14)
    _no_anthracycline(x, "SINGLE_WITH_PARTNER").regimen(["docetaxel", "trastuzumab"], start=14)
    _no_anthracycline(x, "COMBINATION_SAME_DAY_REGIMENS").regimen("gemcitabine", start=14).regimen("carboplatin", start=14)
    _no_anthracycline(x, "COMBINATION_SECOND_LINE").regimen("paclitaxel", start=14, end=100) \
        .regimen(["gemcitabine", "carboplatin"], start=110)
    x.patient("ENDOCRINE_ONLY", provider_code="RBB").metastatic().pathology().regimen("letrozole", start=14)
    x.patient("OTHER_PROVIDER", provider_code="RBB").metastatic().pathology().regimen(["FEC"], start=14)
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, reports=True)
    assert run.failure() is None
    figures = {(r["level"], r["group"], r["period"]): r for r in run.query("select * from measures.descriptive_figures")}
    national = figures[("national", "national", "all")]
    # the same-day regimen pair is one combination line (v2 "Line of therapy"), counted once
    assert (national["numerator"], national["denominator"], national["share"]) == (3, 5, 0.6)
    assert (figures[("provider", "RAA", "all")]["numerator"], figures[("provider", "RAA", "all")]["denominator"]) == (2, 4)
    assert figures[("provider", "RBB", "all")]["suppressed"] is True
    assert "1.3.9" not in {r["rule_id"] for r in run.query("select distinct rule_id from rules.case_outcomes")}
    with (run.output / "descriptive_figures.csv").open() as handle:
        assert {r["rule_id"] for r in csv.DictReader(handle)} == {"1.3.9"}
