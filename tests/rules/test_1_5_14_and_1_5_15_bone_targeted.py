"""CG81 1.5.14 (bone-targeted therapy licensed for bone metastases for newly diagnosed bone
metastases) and 1.5.15 (only preparations licensed for bone metastases). Bone metastases at index
unless stated."""
import pytest

from pipelines.ingest.contract import load_contract
from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

SUPPORTIVE = {"intent": "supportive"}


def _extract() -> Extract:
    x = Extract()
    x.patient("B_ZOL").metastatic().regimen("Zometa", start=20, **SUPPORTIVE)
    x.patient("B_DENOSUMAB_DM30").metastatic().regimen("denosumab", start=-30, **SUPPORTIVE)
    x.patient("B_LATE_D91").metastatic().regimen("zoledronic acid", start=91, **SUPPORTIVE)
    x.patient("B_ZOL_D90").metastatic().regimen("zoledronic acid", start=90, **SUPPORTIVE)
    x.patient("B_DENOSUMAB_DM31").metastatic().regimen("denosumab", start=-31, **SUPPORTIVE)
    x.patient("B_ALENDRONATE").metastatic().regimen("alendronic acid", start=20, **SUPPORTIVE)
    x.patient("B_NONE").metastatic()
    x.patient("B_DECLINED").metastatic().decision(10, "bone_targeted_therapy", "declined_by_patient")
    x.patient("B_DIED", date_of_death=day(60)).metastatic()
    x.patient("B_LATER_BONE").metastatic(sites="liver").event(200, "progression", sites="bone") \
        .regimen("pamidronate", start=250, **SUPPORTIVE)
    x.patient("NO_BONE").metastatic(sites="liver").regimen("zoledronic acid", start=20, **SUPPORTIVE)
    # the bone-targeted drug's own start counts, not that of the regimen it was added to
    x.patient("B_ADDED_LATE").metastatic().regimen("letrozole", start=5, regimen_id="R1") \
        .regimen("zoledronic acid", start=200, regimen_id="R1")
    x.patient("B_ADDED_EARLY").metastatic().regimen("letrozole", start=-100, regimen_id="R1") \
        .regimen("zoledronic acid", start=10, regimen_id="R1")
    # the licensed bone-metastasis doses, written with their dose, are not the osteoporosis products
    x.patient("B_ZOL_4MG").metastatic().regimen("Zoledronic acid 4 mg", start=20, **SUPPORTIVE)
    x.patient("B_XGEVA_120MG").metastatic().regimen("denosumab 120mg", start=20, **SUPPORTIVE)
    x.patient("B_ACLASTA").metastatic().regimen("zoledronic acid 5 mg", start=20, **SUPPORTIVE)
    x.patient("B_EXC_DECISION_D90").metastatic().decision(90, "bone_targeted_therapy", "declined_by_patient")
    x.patient("B_NON_DECISION_D91").metastatic().decision(91, "bone_targeted_therapy", "declined_by_patient")
    # bone metastases first recorded from index - 30 days
    x.patient("B_TRIGGER_DM30").metastatic(sites="liver").event(-30, "progression", sites="bone")
    x.patient("B_TRIGGER_DM31").metastatic(sites="liver").event(-31, "progression", sites="bone")
    # v2: osteoporosis preparations do not count for 1.5.14; a licensed agent beside one does
    x.patient("B_PROLIA").metastatic().regimen("Prolia", start=20, **SUPPORTIVE)
    x.patient("B_RISEDRONATE").metastatic().regimen("risedronate", start=20, **SUPPORTIVE)
    x.patient("B_ALENDRONATE_THEN_ZOL").metastatic().regimen("alendronic acid", start=5, **SUPPORTIVE) \
        .regimen("zoledronic acid", start=40, **SUPPORTIVE)
    # deaths: a death on the window's last day (day 90) closes it; the day before leaves it open
    x.patient("B_EXC_DIED_D89", date_of_death=day(89)).metastatic()
    x.patient("B_NON_DIED_D90", date_of_death=day(90)).metastatic()
    x.patient("B_ADH_DIED_AFTER_ZOL", date_of_death=day(30)).metastatic().regimen("zoledronic acid", start=20, **SUPPORTIVE)
    x.patient("B_EXC_DIED_ON_ALENDRONATE", date_of_death=day(30)).metastatic() \
        .regimen("alendronic acid", start=20, **SUPPORTIVE)
    # event-anchored (v2): the reporting period and the exception window follow the bone event
    x.patient("B_LATER_BONE_DECISION_DM30").metastatic(sites="liver").event(200, "progression", sites="bone") \
        .decision(170, "bone_targeted_therapy", "declined_by_patient")
    x.patient("B_LATER_BONE_DECISION_DM31").metastatic(sites="liver").event(200, "progression", sites="bone") \
        .decision(169, "bone_targeted_therapy", "declined_by_patient")
    # 1.5.15 judges the regimen's every bone-targeted drug: an osteoporosis preparation added to a
    # regimen begun with zoledronic acid is named with its own start (1.5.14 is met by the zoledronic acid)
    x.patient("B_ZOL_THEN_ALENDRONATE_SAME_REGIMEN").metastatic().regimen("zoledronic acid", start=10, regimen_id="R1") \
        .regimen("alendronic acid", start=50, regimen_id="R1", intent="supportive")
    return x


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bone_targeted")
    return run_audit(_extract().write(folder / "extract"), folder)


@pytest.fixture(scope="module")
def run_without_systemic_therapy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bone_targeted_without_systemic_therapy")
    tables = [t for t in load_contract().tables if t != "systemic_therapy"]
    return run_audit(_extract().write(folder / "extract", tables), folder)


LICENSED, OSTEOPOROSIS, NONE = "licensed_bone_targeted_agent", "osteoporosis_preparation_only", "no_bone_targeted_agent"


@pytest.mark.parametrize("patient, expected, code", [
    ("B_ZOL", "adherent", LICENSED), ("B_DENOSUMAB_DM30", "adherent", LICENSED), ("B_LATE_D91", "non_adherent", NONE),
    # v2: alendronic acid (and zoledronic acid 5 mg, Aclasta) no longer counts
    ("B_ALENDRONATE", "non_adherent", OSTEOPOROSIS), ("B_ACLASTA", "non_adherent", OSTEOPOROSIS),
    ("B_PROLIA", "non_adherent", OSTEOPOROSIS), ("B_RISEDRONATE", "non_adherent", OSTEOPOROSIS),
    ("B_ALENDRONATE_THEN_ZOL", "adherent", LICENSED),
    ("B_ZOL_4MG", "adherent", LICENSED), ("B_XGEVA_120MG", "adherent", LICENSED),
    ("B_NONE", "non_adherent", NONE), ("B_DECLINED", "excluded", "declined_by_patient"),
    ("B_DIED", "excluded", "died_before_window_closed"), ("B_LATER_BONE", "adherent", LICENSED), ("NO_BONE", None, None),
    ("B_ADDED_LATE", "non_adherent", NONE), ("B_ADDED_EARLY", "adherent", LICENSED),
    ("B_ZOL_D90", "adherent", LICENSED), ("B_DENOSUMAB_DM31", "non_adherent", NONE),
    ("B_EXC_DECISION_D90", "excluded", "declined_by_patient"), ("B_NON_DECISION_D91", "non_adherent", NONE),
    ("B_TRIGGER_DM30", "non_adherent", NONE), ("B_TRIGGER_DM31", None, None),
    ("B_EXC_DIED_D89", "excluded", "died_before_window_closed"), ("B_NON_DIED_D90", "non_adherent", NONE),
    ("B_ADH_DIED_AFTER_ZOL", "adherent", LICENSED),
    ("B_EXC_DIED_ON_ALENDRONATE", "excluded", "died_before_window_closed"),
    ("B_LATER_BONE_DECISION_DM30", "excluded", "declined_by_patient"),
    ("B_LATER_BONE_DECISION_DM31", "non_adherent", NONE),
    ("B_ZOL_THEN_ALENDRONATE_SAME_REGIMEN", "adherent", LICENSED),
])
def test_1_5_14(run, patient, expected, code):
    assert run.failure() is None
    assert run.outcome("1.5.14", patient) == expected
    row = run.outcomes("1.5.14").get((patient, patient))
    assert (row and row["reason_code"]) == code


def test_1_5_14_reports_in_the_period_of_the_bone_event_and_names_the_osteoporosis_preparation(run):
    rows = run.outcomes("1.5.14")
    later = rows[("B_LATER_BONE", "B_LATER_BONE")]
    assert str(later["unit_date"]) == day(200) and later["period"] == "2024Q3"
    assert rows[("B_ALENDRONATE", "B_ALENDRONATE")]["reason"] == (
        f"alendronic acid (first started {day(20)}) is an osteoporosis preparation, not licensed for bone "
        "metastases and not shown to prevent skeletal-related events at that dose; no licensed bisphosphonate or "
        f"denosumab 120 mg was started within 30 days before to 90 days after bone metastases were first recorded "
        f"({day(0)})")
    assert rows[("B_ALENDRONATE_THEN_ZOL", "B_ALENDRONATE_THEN_ZOL")]["reason"] == (
        f"zoledronic acid started {day(40)}, within 30 days before to 90 days after bone metastases were first "
        f"recorded ({day(0)})")


def test_1_5_14_and_1_5_15_agree_on_licensing(run):
    """No 1.5.14 unit is adherent on a drug that 1.5.15 calls unlicensed for the same patient."""
    unlicensed = {}
    for (patient, _), row in run.outcomes("1.5.15").items():
        unlicensed.setdefault(patient, set()).update(row["evidence"]["unlicensed_drugs"] or [])
    credited = {patient: set(row["evidence"]["bone_targeted_drugs"])
                for (patient, _), row in run.outcomes("1.5.14").items() if row["outcome"] == "adherent"}
    assert len(credited) > 8
    assert {p: drugs & unlicensed.get(p, set()) for p, drugs in credited.items() if drugs & unlicensed.get(p, set())} == {}


def test_1_5_15_judges_each_bone_targeted_regimen(run):
    outcomes = {k: v["outcome"] for k, v in run.outcomes("1.5.15").items()}
    assert outcomes[("B_ZOL", "R1")] == "adherent"
    assert outcomes[("B_DENOSUMAB_DM30", "R1")] == "adherent"
    assert outcomes[("B_ALENDRONATE", "R1")] == "non_adherent"
    assert outcomes[("B_PROLIA", "R1")] == "non_adherent"
    assert outcomes[("B_LATER_BONE", "R1")] == "adherent"
    assert ("NO_BONE", "R1") not in outcomes
    assert outcomes[("B_ZOL_D90", "R1")] == "adherent"
    assert ("B_DENOSUMAB_DM31", "R1") not in outcomes  # starts before bone metastases date - 30 days
    row = run.outcomes("1.5.15")[("B_ALENDRONATE", "R1")]
    assert row["reason_code"] == "not_licensed_for_bone_metastases"
    assert row["reason"] == (f"alendronic acid (started {day(20)}) is an osteoporosis preparation, not licensed for "
                             "bone metastases (licensed: zoledronic acid, pamidronate, ibandronic acid, sodium "
                             "clodronate, denosumab 120 mg)")
    assert run.outcomes("1.5.15")[("B_ZOL", "R1")]["reason_code"] == "licensed_for_bone_metastases"
    assert str(row["unit_date"]) == "2024-03-21"


def test_1_5_15_uses_the_bone_targeted_drugs_own_start(run):
    """A bone-targeted drug added to a running endocrine regimen is judged from its own start: the
    regimen's start (letrozole from day -100) is before bone metastases - 30 days."""
    rows = run.outcomes("1.5.15")
    assert rows[("B_ADDED_EARLY", "R1")]["outcome"] == "adherent"
    assert str(rows[("B_ADDED_EARLY", "R1")]["unit_date"]) == day(10)
    assert str(rows[("B_ADDED_LATE", "R1")]["unit_date"]) == day(200)


def test_1_5_15_tells_the_licensed_doses_from_the_osteoporosis_products(run):
    """Zometa 4 mg and Xgeva 120 mg are licensed for bone metastases; Aclasta (zoledronic acid 5 mg,
    yearly for osteoporosis) is not. A dose written in the name must not turn one into the other."""
    outcomes = {k: v["outcome"] for k, v in run.outcomes("1.5.15").items()}
    assert outcomes[("B_ZOL_4MG", "R1")] == "adherent"
    assert outcomes[("B_XGEVA_120MG", "R1")] == "adherent"
    assert outcomes[("B_ACLASTA", "R1")] == "non_adherent"


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.5.14', '1.5.15')")
    assert len(rows) > 40
    assert unreadable_outcomes(rows) == []


@pytest.mark.parametrize("patient, expected, code", [
    ("B_ZOL", "adherent", "licensed_for_bone_metastases"), ("B_XGEVA_120MG", "adherent", "licensed_for_bone_metastases"),
    ("B_ALENDRONATE", "non_adherent", "not_licensed_for_bone_metastases"),
    ("B_RISEDRONATE", "non_adherent", "not_licensed_for_bone_metastases"),
    ("B_ACLASTA", "non_adherent", "not_licensed_for_bone_metastases"),
    ("B_ZOL_THEN_ALENDRONATE_SAME_REGIMEN", "non_adherent", "not_licensed_for_bone_metastases"),
    # the death rule never applies: the drug given decides, whenever the patient died
    ("B_EXC_DIED_ON_ALENDRONATE", "non_adherent", "not_licensed_for_bone_metastases"),
    ("B_ADH_DIED_AFTER_ZOL", "adherent", "licensed_for_bone_metastases"),
])
def test_1_5_15_outcome_and_code(run, patient, expected, code):
    row = run.outcomes("1.5.15")[(patient, "R1")]
    assert (row["outcome"], row["reason_code"]) == (expected, code)


def test_1_5_15_names_an_osteoporosis_preparation_with_its_own_start(run):
    row = run.outcomes("1.5.15")[("B_ZOL_THEN_ALENDRONATE_SAME_REGIMEN", "R1")]
    assert str(row["unit_date"]) == day(10)
    assert row["reason"] == (f"alendronic acid (started {day(50)}) is an osteoporosis preparation, not licensed for "
                             "bone metastases (licensed: zoledronic acid, pamidronate, ibandronic acid, sodium "
                             "clodronate, denosumab 120 mg)")
    assert run.outcomes("1.5.15")[("B_ZOL", "R1")]["reason"] == \
        f"zoledronic acid (started {day(20)}) is licensed for bone metastases"


def test_without_systemic_therapy_1_5_14_is_not_judged_and_1_5_15_has_no_regimens(run_without_systemic_therapy):
    run = run_without_systemic_therapy
    assert run.failure() is None
    rows = run.outcomes("1.5.14")
    assert ("B_NONE", "B_NONE") in rows and ("B_DECLINED", "B_DECLINED") in rows
    assert {(r["outcome"], r["reason_code"], r["reason"]) for r in rows.values()} == {
        ("insufficient_data", "table_not_in_extract", "no systemic therapy table in the extract")}
    assert run.outcomes("1.5.15") == {}
