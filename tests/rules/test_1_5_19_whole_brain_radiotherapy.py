"""CG81 1.5.19: whole brain radiotherapy for patients for whom surgery is not appropriate, unless
they have a very poor prognosis (measures.md v2). Brain metastases are found at the index date
(day 0) unless a case says otherwise; by default 5 metastases, not resectable, performance status 1
(surgery not appropriate). What each 1.5.18 criterion does to 1.5.19 is tested with 1.5.18, in
tests/rules/test_1_5_18_to_1_5_21_brain_metastases.py. The extract is audited twice: with the
default configuration, and with stereotactic radiotherapy accepted as an alternative."""
import pytest

from audit_rules.catalogue import load_catalogue, validate_rule_overrides
from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

SURGICAL = dict(brain_metastasis_count=2, brain_metastases_resectable=True, extracranial_disease_controlled=True,
                performance_status=1)
NOT_SURGICAL = dict(brain_metastasis_count=5, brain_metastases_resectable=False, performance_status=1)
NOTHING_RECORDED = dict(brain_metastasis_count=None, brain_metastases_resectable=None, performance_status=None)
LATER = 200  # day of a CNS event after the index date (another quarter: 2024Q3)
ACCEPTING = ('timeline:\n  follow_up_end: 2030-12-31\nrules:\n'
             '  "1.5.19": {parameters: {accepted_alternatives: [stereotactic_radiotherapy]}}\n'
             '  "1.5.18": {parameters: {accepted_alternatives: [stereotactic_radiotherapy]}}\n')


def _brain(x: Extract, patient_id: str, presentation: dict = NOT_SURGICAL, **patient):
    return x.patient(patient_id, **patient).metastatic(sites="brain;bone", **presentation).pathology()


def _later_brain(x: Extract, patient_id: str, presentation: dict = NOT_SURGICAL):
    return x.patient(patient_id).metastatic(sites="liver").pathology() \
        .event(LATER, "progression", sites="brain", **presentation)


def _whole_brain(builder, start: int, course_id: str = "WB", technique: str | None = "conventional"):
    return builder.radiotherapy(course_id, start=start, site="brain_whole", indication="other", dose_gy=20,
                                fractions=5, technique=technique)


def _partial(builder, start: int, technique: str | None = "stereotactic", course_id: str = "SRS"):
    return builder.radiotherapy(course_id, start=start, site="brain_partial", indication="other", dose_gy=24,
                                fractions=3, technique=technique)


def _extract() -> Extract:
    x = Extract()
    _whole_brain(_brain(x, "W_ADH_D60"), 60)
    _whole_brain(_brain(x, "W_ADH_SAME_DAY"), 0, technique=None)
    _whole_brain(_brain(x, "W_NON_D61"), 61)
    _brain(x, "W_NON_NONE")
    # stereotactic or partial-brain radiotherapy: non-adherent unless accepted as an alternative
    _partial(_brain(x, "W_STEREOTACTIC"), 20)
    _partial(_brain(x, "W_PARTIAL_CONVENTIONAL"), 20, technique="conventional")
    _whole_brain(_brain(x, "W_WHOLE_RECORDED_STEREOTACTIC"), 20, technique="stereotactic")
    _partial(_brain(x, "W_STEREOTACTIC_D60"), 60)
    _partial(_brain(x, "W_STEREOTACTIC_D61"), 61)
    _whole_brain(_partial(_brain(x, "W_ADH_STEREOTACTIC_THEN_WHOLE"), 10), 40)
    # very poor prognosis: death within 30 days excludes first, whatever else is (not) recorded
    _whole_brain(_brain(x, "W_EXC_DIED_D30_AFTER_WBRT", date_of_death=day(30)), 20)
    _brain(x, "W_EXC_DIED_D30", date_of_death=day(30))
    _brain(x, "W_EXC_DIED_D30_NO_PERFORMANCE", dict(NOT_SURGICAL, performance_status=None), date_of_death=day(30))
    _brain(x, "W_EXC_DIED_D30_NOTHING_RECORDED", NOTHING_RECORDED, date_of_death=day(30))
    _whole_brain(_brain(x, "W_ADH_DIED_D31", date_of_death=day(31)), 20)
    _brain(x, "W_EXC_DIED_D31", date_of_death=day(31))
    # deaths while the window is open: a death on day 60 closes it, the day before leaves it open
    _brain(x, "W_EXC_DIED_D59", date_of_death=day(59))
    _brain(x, "W_NON_DIED_D60", date_of_death=day(60))
    # stereotactic radiotherapy given instead decided the unit before the death
    _partial(_brain(x, "W_STEREOTACTIC_THEN_DIED_D45", date_of_death=day(45)), 10)
    # very poor prognosis: performance status 3-4 at the CNS event (else the nearest within 30 days)
    _whole_brain(_brain(x, "W_EXC_PERFORMANCE_3", dict(NOT_SURGICAL, performance_status=3)), 20)
    _brain(x, "W_EXC_PERFORMANCE_4", dict(NOT_SURGICAL, performance_status=4))
    _whole_brain(_brain(x, "W_ADH_PERFORMANCE_2", dict(NOT_SURGICAL, performance_status=2)), 20)
    _brain(x, "W_EXC_PERFORMANCE_3_NEARBY_D30", dict(NOT_SURGICAL, performance_status=None)) \
        .event(30, "progression", performance_status=3)
    _brain(x, "W_EXC_PERFORMANCE_3_NEARBY_DM30", dict(NOT_SURGICAL, performance_status=None)) \
        .event(-30, "progression", performance_status=3)
    _brain(x, "W_INS_PERFORMANCE_3_NEARBY_D31", dict(NOT_SURGICAL, performance_status=None)) \
        .event(31, "progression", performance_status=3)
    _whole_brain(_brain(x, "W_ADH_OWN_PERFORMANCE_FIRST", dict(NOT_SURGICAL, performance_status=2)), 20) \
        .event(5, "progression", performance_status=4)
    _whole_brain(_brain(x, "W_INS_NO_PERFORMANCE_AFTER_WBRT", dict(NOT_SURGICAL, performance_status=None)), 20)
    # surgical suitability: not recorded, or decided by a surgery decision from the event - 30 to + 60 days
    _whole_brain(_brain(x, "W_INS_SUITABILITY_NOT_RECORDED",
                        dict(SURGICAL, brain_metastases_resectable=None, extracranial_disease_controlled=None)), 20)
    _brain(x, "W_INS_NOTHING_RECORDED", NOTHING_RECORDED)
    _whole_brain(_brain(x, "W_ADH_SURGERY_DECLINED", SURGICAL).decision(10, "surgery"), 20)
    _brain(x, "W_NON_SURGERY_CONTRAINDICATED_NOTHING_RECORDED", dict(NOTHING_RECORDED, performance_status=1)) \
        .decision(10, "surgery", "contraindicated")
    _brain(x, "W_NON_SURGERY_DECISION_D60", SURGICAL).decision(60, "surgery", "not_suitable")
    _brain(x, "W_ABSENT_SURGERY_DECISION_D61", SURGICAL).decision(61, "surgery", "not_suitable")
    _brain(x, "W_ABSENT_SURGERY_CLINICAL_TRIAL", SURGICAL).decision(10, "surgery", "clinical_trial")
    _later_brain(x, "W_LATER_NON_SURGERY_DECISION_DM30", SURGICAL).decision(LATER - 30, "surgery", "not_suitable")
    _later_brain(x, "W_LATER_ABSENT_SURGERY_DECISION_DM31", SURGICAL).decision(LATER - 31, "surgery", "not_suitable")
    # the radiotherapy exception, from the event - 30 to + 60 days
    _brain(x, "W_EXC_RADIOTHERAPY_DECISION_D60").decision(60, "radiotherapy", "declined_by_patient")
    _brain(x, "W_NON_RADIOTHERAPY_DECISION_D61").decision(61, "radiotherapy", "declined_by_patient")
    _later_brain(x, "W_LATER_EXC_RADIOTHERAPY_DECISION_DM30").decision(LATER - 30, "radiotherapy", "not_suitable")
    _later_brain(x, "W_LATER_NON_RADIOTHERAPY_DECISION_DM31").decision(LATER - 31, "radiotherapy", "not_suitable")
    # the first CNS event from index - 30 days; the reporting period is its quarter
    _whole_brain(_later_brain(x, "W_LATER_ADH"), LATER + 20)
    _whole_brain(x.patient("W_ADH_CNS_EVENT_DM30").event(-30, "progression", sites="brain", **NOT_SURGICAL)
                 .metastatic(sites="bone").pathology(), -10)
    x.patient("W_ABSENT_CNS_EVENT_DM31").event(-31, "progression", sites="brain", **NOT_SURGICAL) \
        .metastatic(sites="bone").pathology()
    # 1.5.18 with the stereotactic alternative: radiotherapy to the resection cavity
    _partial(_brain(x, "S_CAVITY_STEREOTACTIC", SURGICAL).procedure(30, "brain_metastasis_resection"), 50)
    _partial(_brain(x, "S_CAVITY_STEREOTACTIC_D61", SURGICAL).procedure(30, "brain_metastasis_resection"), 91)
    return x


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rule_1_5_19")
    extract = _extract().write(folder / "extract")
    config = folder / "accepting.yaml"
    config.write_text(ACCEPTING, encoding="utf-8")
    return {"default": run_audit(extract, folder / "default"),
            "accepting": run_audit(extract, folder / "accepting", config)}


@pytest.fixture(scope="module")
def run(runs):
    return runs["default"]


WBRT, NO_WBRT, DIED = "whole_brain_radiotherapy", "no_whole_brain_radiotherapy_in_window", "died_before_window_closed"
STEREOTACTIC, ACCEPTED = "stereotactic_radiotherapy_not_whole_brain", "accepted_alternative_radiotherapy"
EARLY_DEATH, POOR_PERFORMANCE = "very_poor_prognosis_early_death", "very_poor_prognosis_performance_status"
NO_PERFORMANCE, NO_SUITABILITY = "performance_status_not_recorded", "surgical_suitability_not_recorded"


def _found(run, rule, patient):
    row = run.outcomes(rule).get((patient, patient))
    return None if row is None else (row["outcome"], row["reason_code"])


@pytest.mark.parametrize("patient, expected", [
    ("W_ADH_D60", ("adherent", WBRT)), ("W_ADH_SAME_DAY", ("adherent", WBRT)), ("W_NON_D61", ("non_adherent", NO_WBRT)),
    ("W_NON_NONE", ("non_adherent", NO_WBRT)),
    ("W_STEREOTACTIC", ("non_adherent", STEREOTACTIC)), ("W_PARTIAL_CONVENTIONAL", ("non_adherent", STEREOTACTIC)),
    ("W_WHOLE_RECORDED_STEREOTACTIC", ("non_adherent", STEREOTACTIC)),
    ("W_STEREOTACTIC_D60", ("non_adherent", STEREOTACTIC)), ("W_STEREOTACTIC_D61", ("non_adherent", NO_WBRT)),
    ("W_ADH_STEREOTACTIC_THEN_WHOLE", ("adherent", WBRT)),
    ("W_EXC_DIED_D30_AFTER_WBRT", ("excluded", EARLY_DEATH)), ("W_EXC_DIED_D30", ("excluded", EARLY_DEATH)),
    ("W_EXC_DIED_D30_NO_PERFORMANCE", ("excluded", EARLY_DEATH)),
    ("W_EXC_DIED_D30_NOTHING_RECORDED", ("excluded", EARLY_DEATH)),
    ("W_ADH_DIED_D31", ("adherent", WBRT)), ("W_EXC_DIED_D31", ("excluded", DIED)),
    ("W_EXC_DIED_D59", ("excluded", DIED)), ("W_NON_DIED_D60", ("non_adherent", NO_WBRT)),
    ("W_STEREOTACTIC_THEN_DIED_D45", ("non_adherent", STEREOTACTIC)),
    ("W_EXC_PERFORMANCE_3", ("excluded", POOR_PERFORMANCE)), ("W_EXC_PERFORMANCE_4", ("excluded", POOR_PERFORMANCE)),
    ("W_ADH_PERFORMANCE_2", ("adherent", WBRT)),
    ("W_EXC_PERFORMANCE_3_NEARBY_D30", ("excluded", POOR_PERFORMANCE)),
    ("W_EXC_PERFORMANCE_3_NEARBY_DM30", ("excluded", POOR_PERFORMANCE)),
    ("W_INS_PERFORMANCE_3_NEARBY_D31", ("insufficient_data", NO_PERFORMANCE)),
    ("W_ADH_OWN_PERFORMANCE_FIRST", ("adherent", WBRT)),
    ("W_INS_NO_PERFORMANCE_AFTER_WBRT", ("insufficient_data", NO_PERFORMANCE)),
    ("W_INS_SUITABILITY_NOT_RECORDED", ("insufficient_data", NO_SUITABILITY)),
    ("W_INS_NOTHING_RECORDED", ("insufficient_data", NO_SUITABILITY)),
    ("W_ADH_SURGERY_DECLINED", ("adherent", WBRT)),
    ("W_NON_SURGERY_CONTRAINDICATED_NOTHING_RECORDED", ("non_adherent", NO_WBRT)),
    ("W_NON_SURGERY_DECISION_D60", ("non_adherent", NO_WBRT)), ("W_ABSENT_SURGERY_DECISION_D61", None),
    ("W_ABSENT_SURGERY_CLINICAL_TRIAL", None),
    ("W_LATER_NON_SURGERY_DECISION_DM30", ("non_adherent", NO_WBRT)), ("W_LATER_ABSENT_SURGERY_DECISION_DM31", None),
    ("W_EXC_RADIOTHERAPY_DECISION_D60", ("excluded", "declined_by_patient")),
    ("W_NON_RADIOTHERAPY_DECISION_D61", ("non_adherent", NO_WBRT)),
    ("W_LATER_EXC_RADIOTHERAPY_DECISION_DM30", ("excluded", "not_suitable")),
    ("W_LATER_NON_RADIOTHERAPY_DECISION_DM31", ("non_adherent", NO_WBRT)),
    ("W_LATER_ADH", ("adherent", WBRT)), ("W_ADH_CNS_EVENT_DM30", ("adherent", WBRT)),
    ("W_ABSENT_CNS_EVENT_DM31", None), ("S_CAVITY_STEREOTACTIC", None),
])
def test_1_5_19(run, patient, expected):
    assert run.failure() is None
    assert _found(run, "1.5.19", patient) == expected


# With stereotactic radiotherapy accepted, stereotactic or partial-brain courses within the window
# are adherent (and decide nothing after it); every other verdict stays as it was.
@pytest.mark.parametrize("rule, patient, default, accepting", [
    ("1.5.19", "W_STEREOTACTIC", ("non_adherent", STEREOTACTIC), ("adherent", ACCEPTED)),
    ("1.5.19", "W_PARTIAL_CONVENTIONAL", ("non_adherent", STEREOTACTIC), ("adherent", ACCEPTED)),
    ("1.5.19", "W_WHOLE_RECORDED_STEREOTACTIC", ("non_adherent", STEREOTACTIC), ("adherent", ACCEPTED)),
    ("1.5.19", "W_STEREOTACTIC_D60", ("non_adherent", STEREOTACTIC), ("adherent", ACCEPTED)),
    ("1.5.19", "W_STEREOTACTIC_D61", ("non_adherent", NO_WBRT), ("non_adherent", NO_WBRT)),
    ("1.5.19", "W_STEREOTACTIC_THEN_DIED_D45", ("non_adherent", STEREOTACTIC), ("adherent", ACCEPTED)),
    ("1.5.19", "W_ADH_STEREOTACTIC_THEN_WHOLE", ("adherent", WBRT), ("adherent", WBRT)),
    ("1.5.19", "W_NON_NONE", ("non_adherent", NO_WBRT), ("non_adherent", NO_WBRT)),
    ("1.5.18", "S_CAVITY_STEREOTACTIC", ("non_adherent", "stereotactic_radiotherapy_after_resection"),
     ("adherent", "resection_then_accepted_alternative_radiotherapy")),
    ("1.5.18", "S_CAVITY_STEREOTACTIC_D61", ("non_adherent", "no_whole_brain_radiotherapy_after_resection"),
     ("non_adherent", "no_whole_brain_radiotherapy_after_resection")),
])
def test_stereotactic_radiotherapy_with_and_without_the_accepted_alternative(runs, rule, patient, default,
                                                                            accepting):
    assert runs["accepting"].failure() is None
    assert (_found(runs["default"], rule, patient), _found(runs["accepting"], rule, patient)) == (default, accepting)


def test_the_alternative_must_be_one_the_rule_knows():
    catalogue = load_catalogue()
    with pytest.raises(ValueError, match=r"accepted_alternatives: unknown stereotactic \(allowed: stereotactic_radio"):
        validate_rule_overrides(catalogue, {"1.5.19": {"parameters": {"accepted_alternatives": ["stereotactic"]}}})
    assert load_catalogue().rule("1.5.19").parameters["accepted_alternatives"] == []


def _reason(run, patient):
    return run.outcomes("1.5.19")[(patient, patient)]["reason"]


def test_reasons_name_the_radiotherapy_the_prognosis_and_what_was_not_recorded(runs):
    run = runs["default"]
    assert _reason(run, "W_ADH_D60") == f"whole brain radiotherapy started {day(60)}, 60 days after brain metastases " \
                                        f"were found ({day(0)})"
    assert _reason(run, "W_STEREOTACTIC") == (
        f"stereotactic radiotherapy to the brain on {day(20)}, 20 days after brain metastases were found ({day(0)}) "
        "(not whole brain radiotherapy; accepted as an alternative only when the audit's configuration says so); "
        "surgery not appropriate: 5 brain metastases and metastases not resectable")
    assert _reason(run, "W_PARTIAL_CONVENTIONAL").startswith(f"radiotherapy to part of the brain on {day(20)}")
    assert _reason(runs["accepting"], "W_STEREOTACTIC") == (
        f"stereotactic radiotherapy to the brain started {day(20)}, 20 days after brain metastases were found "
        f"({day(0)}), accepted as an alternative to whole brain radiotherapy by the audit's configuration")
    assert _reason(run, "W_NON_D61") == (
        f"no whole brain radiotherapy within 60 days after brain metastases were found ({day(0)}); whole brain "
        f"radiotherapy started {day(61)}, 61 days after; surgery not appropriate: 5 brain metastases and metastases "
        "not resectable")
    assert _reason(run, "W_EXC_PERFORMANCE_3") == \
        f"performance status 3 at the first brain metastasis event ({day(0)}): very poor prognosis"
    assert _reason(run, "W_EXC_PERFORMANCE_3_NEARBY_D30") == \
        f"performance status 3 recorded on {day(30)}, 30 days after brain metastases were found ({day(0)}): " \
        "very poor prognosis"
    assert _reason(run, "W_EXC_DIED_D30") == \
        f"died on {day(30)}, 30 days after brain metastases were found ({day(0)}): very poor prognosis"
    assert _reason(run, "W_INS_NO_PERFORMANCE_AFTER_WBRT") == (
        f"performance status not recorded at the first brain metastasis event ({day(0)}) or on any disease event "
        "within 30 days of it, so a very poor prognosis (performance status 3 or more) cannot be ruled out")
    assert _reason(run, "W_INS_SUITABILITY_NOT_RECORDED") == (
        f"surgical suitability not recorded: the first brain metastasis event ({day(0)}) records 2 brain metastases "
        "and performance status 1 but not whether the metastases can be resected or whether disease outside the "
        "brain is controlled, and no surgery decision is recorded")
    assert _reason(run, "W_INS_NOTHING_RECORDED") == (
        f"surgical suitability not recorded: the first brain metastasis event ({day(0)}) does not record the number "
        "of brain metastases, whether the metastases can be resected, performance status or whether disease outside "
        "the brain is controlled, and no surgery decision is recorded")
    assert _reason(run, "W_NON_SURGERY_DECISION_D60").endswith(
        f"surgery not appropriate: surgery judged not suitable on {day(60)}")


def test_the_reporting_period_is_the_quarter_of_the_first_cns_event(run):
    row = run.outcomes("1.5.19")[("W_LATER_ADH", "W_LATER_ADH")]
    assert str(row["index_date"]) == day(0) and str(row["unit_date"]) == day(LATER) and row["period"] == "2024Q3"
    assert str(run.outcomes("1.5.19")[("W_ADH_CNS_EVENT_DM30", "W_ADH_CNS_EVENT_DM30")]["unit_date"]) == day(-30)


@pytest.mark.parametrize("setting", ["default", "accepting"])
def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(runs, setting):
    rows = runs[setting].query("select * from rules.case_outcomes where rule_id in ('1.5.18', '1.5.19', '1.5.21')")
    assert len(rows) > 60
    assert unreadable_outcomes(rows) == []
