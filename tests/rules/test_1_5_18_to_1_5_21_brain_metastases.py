"""CG81 1.5.18 (surgery then whole brain radiotherapy for limited resectable brain metastases), the
1.5.18 criteria and what each does to 1.5.19, and 1.5.21 (specialist palliative care when active
treatment is inappropriate). Whole brain radiotherapy when surgery is not appropriate (1.5.19) has
its own file, tests/rules/test_1_5_19_whole_brain_radiotherapy.py; rehabilitation (1.5.20) is in
tests/rules/test_1_5_20_rehabilitation_after_brain_treatment.py.
Brain metastases are found at the index date (day 0) unless a case says otherwise."""
import pytest

from pipelines.ingest.contract import load_contract
from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

SURGICAL = dict(brain_metastasis_count=2, brain_metastases_resectable=True, extracranial_disease_controlled=True,
                performance_status=1)
NOT_SURGICAL = dict(brain_metastasis_count=5, brain_metastases_resectable=False, performance_status=1)
LATER = 200  # day of a CNS event after the index date (another quarter: 2024Q3)


def _brain(x: Extract, patient_id: str, presentation: dict = NOT_SURGICAL, **patient):
    return x.patient(patient_id, **patient).metastatic(sites="brain;bone", **presentation).pathology()


def _later_brain(x: Extract, patient_id: str, presentation: dict = NOT_SURGICAL):
    """Advanced disease at day 0 without brain metastases; brain metastases found on day LATER."""
    return x.patient(patient_id).metastatic(sites="liver").pathology() \
        .event(LATER, "progression", sites="brain", **presentation)


def _whole_brain(builder, start: int, course_id: str = "WB"):
    return builder.radiotherapy(course_id, start=start, site="brain_whole", indication="other", dose_gy=20, fractions=5)


def _stereotactic(builder, start: int, course_id: str = "SRS"):
    return builder.radiotherapy(course_id, start=start, site="brain_partial", indication="other", dose_gy=24,
                                fractions=3, technique="stereotactic")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    # 1.5.18
    _whole_brain(_brain(x, "S_ADH", SURGICAL).procedure(30, "brain_metastasis_resection"), 60)
    _whole_brain(_brain(x, "S_ADH_EDGES", SURGICAL).procedure(60, "brain_metastasis_resection"), 120)
    _whole_brain(_brain(x, "S_NON_RESECTION_D61", SURGICAL).procedure(61, "brain_metastasis_resection"), 80)
    _whole_brain(_brain(x, "S_NON_RADIOTHERAPY_61_DAYS_AFTER", SURGICAL).procedure(30, "brain_metastasis_resection"),
                 91)
    _whole_brain(_brain(x, "S_NON_RADIOTHERAPY_INSTEAD", SURGICAL), 20)
    _stereotactic(_brain(x, "S_NON_STEREOTACTIC_CAVITY", SURGICAL).procedure(30, "brain_metastasis_resection"), 50)
    _whole_brain(_brain(x, "S_EXC_SURGERY_DECLINED", SURGICAL).decision(10, "surgery"), 20)
    _brain(x, "S_EXC_RADIOTHERAPY_DECLINED", SURGICAL).procedure(30, "brain_metastasis_resection") \
        .decision(40, "radiotherapy")
    # deaths: the window closes 60 days after the event, or 60 days after the resection once resected
    _brain(x, "S_EXC_DIED_D59", SURGICAL, date_of_death=day(59))
    _brain(x, "S_NON_DIED_D60", SURGICAL, date_of_death=day(60))
    _brain(x, "S_EXC_DIED_RESECTION_D59", SURGICAL, date_of_death=day(89)).procedure(30, "brain_metastasis_resection")
    _brain(x, "S_NON_DIED_RESECTION_D60", SURGICAL, date_of_death=day(90)).procedure(30, "brain_metastasis_resection")
    # radiotherapy chosen instead of surgery decided the unit before the death
    _stereotactic(_brain(x, "S_NON_RADIOTHERAPY_INSTEAD_DIED_D40", SURGICAL, date_of_death=day(40)), 10)
    # the surgery exception: decisions from the event - 30 days to the end of the window
    _brain(x, "S_EXC_SURGERY_DECISION_D60", SURGICAL).decision(60, "surgery", "not_suitable")
    _brain(x, "S_NON_SURGERY_DECISION_D61", SURGICAL).decision(61, "surgery", "not_suitable")
    _brain(x, "S_EXC_SURGERY_CLINICAL_TRIAL", SURGICAL).decision(10, "surgery", "clinical_trial")
    _later_brain(x, "S_LATER_EXC_DECISION_DM30", SURGICAL).decision(LATER - 30, "surgery", "contraindicated")
    _later_brain(x, "S_LATER_NON_DECISION_DM31", SURGICAL).decision(LATER - 31, "surgery", "contraindicated")
    # reporting period: the first CNS event's quarter
    _whole_brain(_later_brain(x, "S_LATER_ADH", SURGICAL).procedure(LATER + 10, "brain_metastasis_resection"),
                 LATER + 30)
    # each 1.5.18 criterion recorded as met, as not met, or not recorded
    _brain(x, "C_MET_COUNT_1", dict(SURGICAL, brain_metastasis_count=1))
    _brain(x, "C_MET_COUNT_3", dict(SURGICAL, brain_metastasis_count=3))
    _brain(x, "C_NOT_MET_COUNT_4", dict(SURGICAL, brain_metastasis_count=4))
    _brain(x, "C_MISSING_COUNT", dict(SURGICAL, brain_metastasis_count=None))
    _brain(x, "C_COUNT_0", dict(SURGICAL, brain_metastasis_count=0))
    _brain(x, "C_NOT_MET_RESECTABLE", dict(SURGICAL, brain_metastases_resectable=False))
    _brain(x, "C_MISSING_RESECTABLE", dict(SURGICAL, brain_metastases_resectable=None))
    _brain(x, "C_MET_PERFORMANCE_0", dict(SURGICAL, performance_status=0))
    _brain(x, "C_NOT_MET_PERFORMANCE_2", dict(SURGICAL, performance_status=2))
    _brain(x, "C_MISSING_PERFORMANCE", dict(SURGICAL, performance_status=None))
    _brain(x, "C_NOT_MET_EXTRACRANIAL", dict(SURGICAL, extracranial_disease_controlled=False))
    _brain(x, "C_MISSING_EXTRACRANIAL", dict(SURGICAL, extracranial_disease_controlled=None))
    # performance status from the nearest event within 30 days when the CNS event has none
    _brain(x, "C_PERFORMANCE_NEARBY_D30", dict(SURGICAL, performance_status=None)) \
        .event(30, "progression", performance_status=0)
    _brain(x, "C_PERFORMANCE_NEARBY_DM30", dict(SURGICAL, performance_status=None)) \
        .event(-30, "progression", performance_status=1)
    _brain(x, "C_PERFORMANCE_NEARBY_D31", dict(SURGICAL, performance_status=None)) \
        .event(31, "progression", performance_status=0)
    _brain(x, "C_OWN_PERFORMANCE_FIRST", dict(SURGICAL, performance_status=2)) \
        .event(0, "progression", sites="liver", performance_status=0)
    # 1.5.19, only as far as 1.5.21 needs them
    _whole_brain(_brain(x, "W_ADH_DAY_60"), 60)
    _stereotactic(_brain(x, "W_NON_PARTIAL_ONLY"), 20)
    # 1.5.21: no resection and no brain radiotherapy within 60 days, or a not_suitable decision
    _brain(x, "P_ADH_DAY_60").care(60, "specialist_palliative_care_referral")
    _brain(x, "P_ADH_SAME_DAY").care(0, "specialist_palliative_care_referral")
    _brain(x, "P_NON_DAY_61").care(61, "specialist_palliative_care_referral")
    _brain(x, "P_NON_BEFORE_EVENT").care(-1, "specialist_palliative_care_referral")
    _whole_brain(_brain(x, "P_NON_RADIOTHERAPY_D61"), 61)
    _whole_brain(_brain(x, "P_ABSENT_RADIOTHERAPY_D60"), 60)
    _brain(x, "P_ABSENT_RESECTION_D60").procedure(60, "brain_metastasis_resection")
    _brain(x, "P_NON_RESECTION_D61").procedure(61, "brain_metastasis_resection")
    _whole_brain(_brain(x, "P_ADH_NOT_SUITABLE_DECISION"), 20).decision(5, "surgery", "not_suitable") \
        .care(30, "specialist_palliative_care_referral")
    _whole_brain(_brain(x, "P_NON_NOT_SUITABLE_D60"), 20).decision(60, "surgery", "not_suitable")
    _whole_brain(_brain(x, "P_ABSENT_NOT_SUITABLE_D61"), 20).decision(61, "surgery", "not_suitable")
    _whole_brain(_brain(x, "P_ADH_RADIOTHERAPY_NOT_SUITABLE"), 20).decision(10, "radiotherapy", "not_suitable") \
        .care(40, "specialist_palliative_care_referral")
    _whole_brain(_brain(x, "P_ABSENT_DECLINED"), 20).decision(10, "surgery", "declined_by_patient")
    _whole_brain(_later_brain(x, "P_LATER_NON_NOT_SUITABLE_DM30"), LATER + 10) \
        .decision(LATER - 30, "radiotherapy", "not_suitable")
    _whole_brain(_later_brain(x, "P_LATER_ABSENT_NOT_SUITABLE_DM31"), LATER + 10) \
        .decision(LATER - 31, "radiotherapy", "not_suitable")
    _later_brain(x, "P_LATER_ADH").care(LATER + 20, "specialist_palliative_care_referral")
    _brain(x, "P_EXC_DIED_D59", date_of_death=day(59))
    _brain(x, "P_NON_DIED_D60", date_of_death=day(60))
    _brain(x, "P_ADH_DIED_AFTER_REFERRAL", date_of_death=day(20)).care(10, "specialist_palliative_care_referral")
    folder = tmp_path_factory.mktemp("rule_1_5_18")
    return run_audit(x.write(folder / "extract"), folder)


def _check(run, rule, patient, expected, code):
    assert run.failure() is None
    row = run.outcomes(rule).get((patient, patient))
    assert (row and row["outcome"], row and row["reason_code"]) == (expected, code)


RESECTION_THEN_WBRT, NO_RESECTION = "resection_then_whole_brain_radiotherapy", "no_resection_in_window"
NO_WBRT_AFTER, INSTEAD = "no_whole_brain_radiotherapy_after_resection", "radiotherapy_instead_of_resection"
DIED = "died_before_window_closed"


@pytest.mark.parametrize("patient, expected, code", [
    ("S_ADH", "adherent", RESECTION_THEN_WBRT), ("S_ADH_EDGES", "adherent", RESECTION_THEN_WBRT),
    ("S_NON_RESECTION_D61", "non_adherent", NO_RESECTION),
    ("S_NON_RADIOTHERAPY_61_DAYS_AFTER", "non_adherent", NO_WBRT_AFTER),
    ("S_NON_RADIOTHERAPY_INSTEAD", "non_adherent", INSTEAD),
    ("S_NON_STEREOTACTIC_CAVITY", "non_adherent", "stereotactic_radiotherapy_after_resection"),
    ("S_EXC_SURGERY_DECLINED", "excluded", "declined_by_patient"),
    ("S_EXC_RADIOTHERAPY_DECLINED", "excluded", "declined_by_patient"),
    ("S_EXC_DIED_D59", "excluded", DIED), ("S_NON_DIED_D60", "non_adherent", NO_RESECTION),
    ("S_EXC_DIED_RESECTION_D59", "excluded", DIED), ("S_NON_DIED_RESECTION_D60", "non_adherent", NO_WBRT_AFTER),
    ("S_NON_RADIOTHERAPY_INSTEAD_DIED_D40", "non_adherent", INSTEAD),
    ("S_EXC_SURGERY_DECISION_D60", "excluded", "not_suitable"),
    ("S_NON_SURGERY_DECISION_D61", "non_adherent", NO_RESECTION),
    ("S_EXC_SURGERY_CLINICAL_TRIAL", "excluded", "clinical_trial"),
    ("S_LATER_EXC_DECISION_DM30", "excluded", "contraindicated"),
    ("S_LATER_NON_DECISION_DM31", "non_adherent", NO_RESECTION),
    ("S_LATER_ADH", "adherent", RESECTION_THEN_WBRT),
    ("W_ADH_DAY_60", None, None), ("P_ADH_DAY_60", None, None),
])
def test_1_5_18(run, patient, expected, code):
    _check(run, "1.5.18", patient, expected, code)


SUITABILITY_UNKNOWN = ("insufficient_data", "surgical_suitability_not_recorded")


# Each criterion recorded as met keeps the patient in 1.5.18 (judged there: no surgery, non-adherent)
# and out of 1.5.19; recorded as not met moves the patient to 1.5.19 (no radiotherapy: non-adherent);
# not recorded leaves the patient out of 1.5.18 and insufficient data in 1.5.19.
@pytest.mark.parametrize("patient, in_1_5_18, in_1_5_19", [
    ("C_MET_COUNT_1", "non_adherent", None), ("C_MET_COUNT_3", "non_adherent", None),
    ("C_NOT_MET_COUNT_4", None, "non_adherent"), ("C_MISSING_COUNT", None, SUITABILITY_UNKNOWN),
    ("C_COUNT_0", None, SUITABILITY_UNKNOWN),
    ("C_NOT_MET_RESECTABLE", None, "non_adherent"), ("C_MISSING_RESECTABLE", None, SUITABILITY_UNKNOWN),
    ("C_MET_PERFORMANCE_0", "non_adherent", None), ("C_NOT_MET_PERFORMANCE_2", None, "non_adherent"),
    ("C_MISSING_PERFORMANCE", None, SUITABILITY_UNKNOWN),
    ("C_NOT_MET_EXTRACRANIAL", None, "non_adherent"), ("C_MISSING_EXTRACRANIAL", None, SUITABILITY_UNKNOWN),
    ("C_PERFORMANCE_NEARBY_D30", "non_adherent", None), ("C_PERFORMANCE_NEARBY_DM30", "non_adherent", None),
    ("C_PERFORMANCE_NEARBY_D31", None, SUITABILITY_UNKNOWN),
    # the CNS event's own performance status (2) wins over another event's on the same day (0)
    ("C_OWN_PERFORMANCE_FIRST", None, "non_adherent"),
])
def test_each_criterion_recorded_met_not_met_or_missing(run, patient, in_1_5_18, in_1_5_19):
    assert run.outcome("1.5.18", patient) == in_1_5_18
    row = run.outcomes("1.5.19").get((patient, patient))
    found = None if row is None else (row["outcome"], row["reason_code"])
    assert found == (in_1_5_19 if isinstance(in_1_5_19, tuple) or in_1_5_19 is None
                     else (in_1_5_19, "no_whole_brain_radiotherapy_in_window"))


def test_1_5_18_reasons_name_the_dates(run):
    rows = run.outcomes("1.5.18")
    assert rows[("S_ADH", "S_ADH")]["reason"] == (
        f"brain metastasis resection on {day(30)}, 30 days after brain metastases were found ({day(0)}), then whole "
        f"brain radiotherapy started {day(60)}, 30 days after the surgery")
    assert rows[("S_NON_STEREOTACTIC_CAVITY", "S_NON_STEREOTACTIC_CAVITY")]["reason"] == (
        f"brain metastasis resection on {day(30)}, 30 days after brain metastases were found ({day(0)}), then "
        f"stereotactic radiotherapy to the brain on {day(50)} (not whole brain radiotherapy; accepted as an "
        "alternative only when the audit's configuration says so)")
    assert rows[("S_NON_RADIOTHERAPY_INSTEAD", "S_NON_RADIOTHERAPY_INSTEAD")]["reason"] == (
        f"whole brain radiotherapy started {day(20)}, 20 days after brain metastases were found ({day(0)}), instead "
        "of surgery: no brain metastasis resection within 60 days")
    assert rows[("S_NON_RESECTION_D61", "S_NON_RESECTION_D61")]["reason"] == (
        f"no brain metastasis resection within 60 days after brain metastases were found ({day(0)}); the resection "
        f"was on {day(61)}, 61 days after")
    assert rows[("S_NON_RADIOTHERAPY_61_DAYS_AFTER", "S_NON_RADIOTHERAPY_61_DAYS_AFTER")]["reason"].endswith(
        f"but no whole brain radiotherapy within 60 days after the surgery (whole brain radiotherapy started "
        f"{day(91)}, 61 days after the surgery)")


@pytest.mark.parametrize("rule, patient", [("1.5.18", "S_LATER_ADH"), ("1.5.21", "P_LATER_ADH")])
def test_the_reporting_period_is_the_quarter_of_the_first_cns_event(run, rule, patient):
    row = run.outcomes(rule)[(patient, patient)]
    assert str(row["index_date"]) == day(0) and str(row["unit_date"]) == day(LATER)
    assert row["period"] == "2024Q3" and row["outcome"] == "adherent"


REFERRED, NOT_REFERRED = "specialist_palliative_care_referral", "no_specialist_palliative_care_referral"


@pytest.mark.parametrize("patient, expected, code", [
    ("P_ADH_DAY_60", "adherent", REFERRED), ("P_ADH_SAME_DAY", "adherent", REFERRED),
    ("P_NON_DAY_61", "non_adherent", NOT_REFERRED), ("P_NON_BEFORE_EVENT", "non_adherent", NOT_REFERRED),
    # active treatment within 60 days (day 60 counts, day 61 does not) takes the patient out
    ("P_NON_RADIOTHERAPY_D61", "non_adherent", NOT_REFERRED), ("P_ABSENT_RADIOTHERAPY_D60", None, None),
    ("P_ABSENT_RESECTION_D60", None, None), ("P_NON_RESECTION_D61", "non_adherent", NOT_REFERRED),
    ("W_NON_PARTIAL_ONLY", None, None), ("W_ADH_DAY_60", None, None), ("S_ADH", None, None),
    # ... unless a surgery or radiotherapy decision not_suitable from the event - 30 to + 60 days
    ("P_ADH_NOT_SUITABLE_DECISION", "adherent", REFERRED),
    ("P_NON_NOT_SUITABLE_D60", "non_adherent", NOT_REFERRED), ("P_ABSENT_NOT_SUITABLE_D61", None, None),
    ("P_ADH_RADIOTHERAPY_NOT_SUITABLE", "adherent", REFERRED), ("P_ABSENT_DECLINED", None, None),
    ("P_LATER_NON_NOT_SUITABLE_DM30", "non_adherent", NOT_REFERRED), ("P_LATER_ABSENT_NOT_SUITABLE_DM31", None, None),
    ("P_LATER_ADH", "adherent", REFERRED),
    # deaths: a death on day 60 closes the window, the day before leaves it open
    ("P_EXC_DIED_D59", "excluded", DIED), ("P_NON_DIED_D60", "non_adherent", NOT_REFERRED),
    ("P_ADH_DIED_AFTER_REFERRAL", "adherent", REFERRED),
])
def test_1_5_21(run, patient, expected, code):
    _check(run, "1.5.21", patient, expected, code)


def test_1_5_21_reasons_say_how_active_treatment_was_inferred_inappropriate(run):
    rows = run.outcomes("1.5.21")
    assert rows[("P_ADH_DAY_60", "P_ADH_DAY_60")]["reason"] == (
        f"referred to specialist palliative care on {day(60)}, 60 days after brain metastases were found ({day(0)})")
    assert rows[("P_NON_BEFORE_EVENT", "P_NON_BEFORE_EVENT")]["reason"] == (
        f"no referral to specialist palliative care within 60 days after brain metastases were found ({day(0)}) "
        f"(a referral on {day(-1)}, before brain metastases were found, does not count); active treatment looked "
        "inappropriate: no brain surgery and no brain radiotherapy within 60 days")
    assert rows[("P_NON_NOT_SUITABLE_D60", "P_NON_NOT_SUITABLE_D60")]["reason"].endswith(
        f"active treatment looked inappropriate: surgery judged not suitable on {day(60)}")


def test_the_surgical_criteria_are_configuration(tmp_path):
    """measures.md: every number is a parameter; a unit that audits 1-4 metastases and performance status
    0-2 as surgical moves those patients from 1.5.19 into 1.5.18."""
    x = Extract()
    _brain(x, "FOUR_METASTASES", dict(SURGICAL, brain_metastasis_count=4))
    _brain(x, "PERFORMANCE_2", dict(SURGICAL, performance_status=2))
    _brain(x, "FIVE_METASTASES", dict(SURGICAL, brain_metastasis_count=5))
    _brain(x, "PERFORMANCE_3", dict(SURGICAL, performance_status=3))
    x.patient("OTHER").metastatic().procedure(10, "other").radiotherapy("C1", start=10)
    config = tmp_path / "config.yaml"
    config.write_text("timeline:\n  follow_up_end: 2030-12-31\n  surgery_max_brain_metastases: 4\n"
                      "  surgery_max_performance_status: 2\n", encoding="utf-8")
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, config)
    assert run.failure() is None
    assert run.outcome("1.5.18", "FOUR_METASTASES") == "non_adherent"
    assert run.outcome("1.5.18", "PERFORMANCE_2") == "non_adherent"
    assert run.outcome("1.5.18", "FIVE_METASTASES") is None
    assert run.outcome("1.5.19", "FIVE_METASTASES") == "non_adherent"
    assert run.outcome("1.5.19", "PERFORMANCE_3") == "excluded"


@pytest.mark.parametrize("table, judged", [("procedures", {"1.5.19"}), ("radiotherapy", set())])
def test_a_table_a_rule_needs_absent_leaves_its_units_insufficient(tmp_path, table, judged):
    """Without the table, "no resection" or "no radiotherapy" is not known (measures.md): 1.5.18 needs
    procedures and radiotherapy, 1.5.19 radiotherapy, 1.5.21 both (and care events)."""
    x = Extract()
    _whole_brain(_brain(x, "SURGICAL", SURGICAL).procedure(30, "brain_metastasis_resection"), 60)
    _whole_brain(_brain(x, "NOT_SURGICAL"), 20).care(10, "specialist_palliative_care_referral")
    _brain(x, "UNTREATED").care(10, "specialist_palliative_care_referral")
    tables = [t for t in load_contract().tables if t != table]
    run = run_audit(x.write(tmp_path / "extract", tables), tmp_path)
    assert run.failure() is None
    for rule in ("1.5.18", "1.5.19", "1.5.21"):
        found = {(r["outcome"], r["reason_code"], r["reason"]) for r in run.outcomes(rule).values()}
        assert found, rule
        if rule in judged:
            assert all(outcome != "insufficient_data" for outcome, _, _ in found), rule
        else:
            assert found == {("insufficient_data", "table_not_in_extract", f"no {table} table in the extract")}, rule


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.5.18', '1.5.19', '1.5.21')")
    assert len(rows) > 80
    assert unreadable_outcomes(rows) == []
