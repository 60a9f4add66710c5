"""CG81 1.5.18-1.5.21: brain metastases. Surgery then whole brain radiotherapy for limited
resectable disease; whole brain radiotherapy otherwise (unless a very poor prognosis);
rehabilitation after either; specialist palliative care when active treatment is inappropriate."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day

SURGICAL = dict(brain_metastasis_count=2, brain_metastases_resectable=True, extracranial_disease_controlled=True,
                performance_status=1)
NOT_SURGICAL = dict(brain_metastasis_count=5, brain_metastases_resectable=False, performance_status=1)


def _brain(x: Extract, patient_id: str, presentation: dict = NOT_SURGICAL, **patient):
    return x.patient(patient_id, **patient).metastatic(sites="brain;bone", **presentation).pathology()


def _whole_brain(builder, start: int, course_id: str = "WB"):
    return builder.radiotherapy(course_id, start=start, site="brain_whole", indication="other", dose_gy=20, fractions=5)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    # 1.5.18 (and 1.5.20 after surgery)
    _whole_brain(_brain(x, "S_ADH", SURGICAL).procedure(30, "brain_metastasis_resection"), 60) \
        .care(80, "rehabilitation_referral")
    _whole_brain(_brain(x, "S_ADH_EDGES", SURGICAL).procedure(60, "brain_metastasis_resection"), 120) \
        .care(120, "rehabilitation_referral")
    _whole_brain(_brain(x, "S_NON_RESECTION_DAY_61", SURGICAL).procedure(61, "brain_metastasis_resection"), 80)
    _whole_brain(_brain(x, "S_NON_RADIOTHERAPY_61_DAYS_AFTER", SURGICAL).procedure(30, "brain_metastasis_resection"), 91) \
        .care(91, "rehabilitation_referral")
    _whole_brain(_brain(x, "S_NON_NO_SURGERY", SURGICAL), 20)
    _whole_brain(_brain(x, "S_EXC_SURGERY_DECLINED", SURGICAL).decision(10, "surgery"), 20)
    _brain(x, "S_EXC_RADIOTHERAPY_DECLINED", SURGICAL).procedure(30, "brain_metastasis_resection") \
        .decision(40, "radiotherapy")
    _brain(x, "S_EXC_DIED", SURGICAL, date_of_death=day(50))
    _brain(x, "S_COUNT_4", dict(SURGICAL, brain_metastasis_count=4))
    _brain(x, "S_PERFORMANCE_MISSING", dict(SURGICAL, performance_status=None))
    _brain(x, "S_PERFORMANCE_NEARBY", dict(SURGICAL, performance_status=None)).event(20, "progression", performance_status=0)
    # 1.5.19 (and 1.5.20 after radiotherapy, 1.5.21 without active treatment)
    _whole_brain(_brain(x, "W_ADH_DAY_60"), 60).care(100, "rehabilitation_referral")
    _whole_brain(_brain(x, "W_NON_DAY_61"), 61)
    _brain(x, "W_NON_PARTIAL_ONLY").radiotherapy("SRS", start=20, site="brain_partial", indication="other",
                                                 dose_gy=24, fractions=3, technique="stereotactic")
    _whole_brain(_brain(x, "W_EXC_PERFORMANCE_3", dict(NOT_SURGICAL, performance_status=3)), 20)
    _brain(x, "W_EXC_DIED_DAY_30", date_of_death=day(30))
    _whole_brain(_brain(x, "W_ADH_DIED_DAY_31", date_of_death=day(31)), 20)
    _brain(x, "W_EXC_DIED_DAY_45", date_of_death=day(45))
    _brain(x, "W_EXC_RADIOTHERAPY_DECISION").decision(10, "radiotherapy", "not_suitable")
    _whole_brain(x.patient("W_ADH_LATER_CNS_EVENT").metastatic().pathology()
                 .event(200, "progression", sites="brain", **NOT_SURGICAL), 230)
    x.patient("W_ABSENT_CNS_BEFORE_INDEX_31").event(-31, "progression", sites="brain").metastatic().pathology()
    # 1.5.20 edges and 1.5.21
    _whole_brain(_brain(x, "R_NON_DAY_61"), 20).care(81, "rehabilitation_referral")
    _whole_brain(_brain(x, "R_EXC_DIED", date_of_death=day(50)), 20)
    # "after index": a resection 10 days before the index date does not start the window, radiotherapy does
    _whole_brain(_brain(x, "R_ADH_RESECTION_BEFORE_INDEX").procedure(-10, "brain_metastasis_resection"), 20) \
        .care(55, "rehabilitation_referral")
    _brain(x, "R_ABSENT_ONLY_BEFORE_INDEX").procedure(-1, "brain_metastasis_resection")
    _brain(x, "R_NON_RESECTION_ON_INDEX").procedure(0, "brain_metastasis_resection").care(61, "rehabilitation_referral")
    _brain(x, "P_ADH_DAY_60").care(60, "specialist_palliative_care_referral")
    _brain(x, "P_NON_DAY_61").care(61, "specialist_palliative_care_referral")
    _brain(x, "P_NON_BEFORE_EVENT").care(-1, "specialist_palliative_care_referral")
    _whole_brain(_brain(x, "P_NON_LATE_RADIOTHERAPY"), 61)
    _whole_brain(_brain(x, "P_ADH_NOT_SUITABLE_DECISION"), 20).decision(5, "surgery", "not_suitable") \
        .care(30, "specialist_palliative_care_referral")
    _brain(x, "P_EXC_DIED", date_of_death=day(40))
    # 1.5.18 eligibility: every criterion recorded as met (count 1-3, resectable, PS 0-1, controlled)
    _brain(x, "S_NON_COUNT_3", dict(SURGICAL, brain_metastasis_count=3))
    _brain(x, "S_NON_COUNT_1", dict(SURGICAL, brain_metastasis_count=1))
    _brain(x, "S_NON_PERFORMANCE_0", dict(SURGICAL, performance_status=0))
    _brain(x, "S_OUT_PERFORMANCE_2", dict(SURGICAL, performance_status=2))
    _brain(x, "S_OUT_NOT_RESECTABLE", dict(SURGICAL, brain_metastases_resectable=False))
    _brain(x, "S_OUT_EXTRACRANIAL_UNCONTROLLED", dict(SURGICAL, extracranial_disease_controlled=False))
    _brain(x, "S_OUT_EXTRACRANIAL_UNRECORDED", dict(SURGICAL, extracranial_disease_controlled=None))
    # 1.5.18's surgery exception, and 1.5.19's population, take a surgery decision up to event + 60
    _brain(x, "S_EXC_SURGERY_DECISION_D60", SURGICAL).decision(60, "surgery", "not_suitable")
    _brain(x, "S_NON_SURGERY_DECISION_D61", SURGICAL).decision(61, "surgery", "not_suitable")
    _brain(x, "S_EXC_SURGERY_CLINICAL_TRIAL", SURGICAL).decision(10, "surgery", "clinical_trial")
    # 1.5.19
    _whole_brain(_brain(x, "W_ADH_PERFORMANCE_2", dict(NOT_SURGICAL, performance_status=2)), 20)
    _brain(x, "W_EXC_RADIOTHERAPY_DECISION_D60").decision(60, "radiotherapy", "declined_by_patient")
    _brain(x, "W_NON_RADIOTHERAPY_DECISION_D61").decision(61, "radiotherapy", "declined_by_patient")
    _whole_brain(x.patient("W_ADH_CNS_EVENT_DM30").event(-30, "progression", sites="brain", **NOT_SURGICAL)
                 .metastatic(sites="bone").pathology(), -10)
    # 1.5.20: the referral counts from the day of the surgery or radiotherapy
    _whole_brain(_brain(x, "R_NON_REFERRAL_DAY_BEFORE"), 20).care(19, "rehabilitation_referral")
    _whole_brain(_brain(x, "R_ADH_REFERRAL_SAME_DAY"), 20).care(20, "rehabilitation_referral")
    # 1.5.21: a not_suitable surgery or radiotherapy decision up to event + 60 brings the patient in
    _whole_brain(_brain(x, "P_NON_NOT_SUITABLE_D60"), 20).decision(60, "surgery", "not_suitable")
    _whole_brain(_brain(x, "P_ABSENT_NOT_SUITABLE_D61"), 20).decision(61, "surgery", "not_suitable")
    _whole_brain(_brain(x, "P_ADH_RADIOTHERAPY_NOT_SUITABLE"), 20).decision(10, "radiotherapy", "not_suitable") \
        .care(40, "specialist_palliative_care_referral")
    _whole_brain(_brain(x, "P_ABSENT_DECLINED"), 20).decision(10, "surgery", "declined_by_patient")
    folder = tmp_path_factory.mktemp("rule_1_5_18")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("S_ADH", "adherent"), ("S_ADH_EDGES", "adherent"), ("S_NON_RESECTION_DAY_61", "non_adherent"),
    ("S_NON_RADIOTHERAPY_61_DAYS_AFTER", "non_adherent"), ("S_NON_NO_SURGERY", "non_adherent"),
    ("S_EXC_SURGERY_DECLINED", "excluded"), ("S_EXC_RADIOTHERAPY_DECLINED", "excluded"), ("S_EXC_DIED", "excluded"),
    ("S_COUNT_4", None), ("S_PERFORMANCE_MISSING", None), ("S_PERFORMANCE_NEARBY", "non_adherent"),
    ("W_ADH_DAY_60", None),
    ("S_NON_COUNT_3", "non_adherent"), ("S_NON_COUNT_1", "non_adherent"), ("S_NON_PERFORMANCE_0", "non_adherent"),
    ("S_OUT_PERFORMANCE_2", None), ("S_OUT_NOT_RESECTABLE", None), ("S_OUT_EXTRACRANIAL_UNCONTROLLED", None),
    ("S_OUT_EXTRACRANIAL_UNRECORDED", None),
    ("S_EXC_SURGERY_DECISION_D60", "excluded"), ("S_NON_SURGERY_DECISION_D61", "non_adherent"),
    ("S_EXC_SURGERY_CLINICAL_TRIAL", "excluded"),
])
def test_1_5_18(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.5.18", patient) == expected


@pytest.mark.parametrize("patient, expected", [
    ("W_ADH_DAY_60", "adherent"), ("W_NON_DAY_61", "non_adherent"), ("W_NON_PARTIAL_ONLY", "non_adherent"),
    ("W_EXC_PERFORMANCE_3", "excluded"), ("W_EXC_DIED_DAY_30", "excluded"), ("W_ADH_DIED_DAY_31", "adherent"),
    ("W_EXC_DIED_DAY_45", "excluded"), ("W_EXC_RADIOTHERAPY_DECISION", "excluded"),
    ("W_ADH_LATER_CNS_EVENT", "adherent"), ("W_ABSENT_CNS_BEFORE_INDEX_31", None),
    ("S_EXC_SURGERY_DECLINED", "adherent"), ("S_COUNT_4", "non_adherent"), ("S_PERFORMANCE_MISSING", "non_adherent"),
    ("S_ADH", None),
    # patients outside 1.5.18 go to 1.5.19; those in it only with a surgery decision up to event + 60
    ("S_OUT_PERFORMANCE_2", "non_adherent"), ("S_OUT_NOT_RESECTABLE", "non_adherent"),
    ("S_OUT_EXTRACRANIAL_UNCONTROLLED", "non_adherent"), ("S_OUT_EXTRACRANIAL_UNRECORDED", "non_adherent"),
    ("S_NON_COUNT_3", None), ("S_EXC_SURGERY_DECISION_D60", "non_adherent"), ("S_NON_SURGERY_DECISION_D61", None),
    ("S_EXC_SURGERY_CLINICAL_TRIAL", None),
    ("W_ADH_PERFORMANCE_2", "adherent"),
    ("W_EXC_RADIOTHERAPY_DECISION_D60", "excluded"), ("W_NON_RADIOTHERAPY_DECISION_D61", "non_adherent"),
    ("W_ADH_CNS_EVENT_DM30", "adherent"),
])
def test_1_5_19(run, patient, expected):
    assert run.outcome("1.5.19", patient) == expected


def test_1_5_19_poor_prognosis_reason(run):
    assert run.outcomes("1.5.19")[("W_EXC_PERFORMANCE_3", "W_EXC_PERFORMANCE_3")]["reason"] == \
        "clinical_exclusion: very poor prognosis (performance status 3)"


@pytest.mark.parametrize("patient, expected", [
    ("S_ADH", "adherent"), ("S_ADH_EDGES", "adherent"), ("W_ADH_DAY_60", "adherent"),
    ("S_NON_RADIOTHERAPY_61_DAYS_AFTER", "non_adherent"), ("R_NON_DAY_61", "non_adherent"),
    ("R_EXC_DIED", "excluded"), ("W_NON_PARTIAL_ONLY", None), ("P_ADH_DAY_60", None),
    ("R_ADH_RESECTION_BEFORE_INDEX", "adherent"), ("R_ABSENT_ONLY_BEFORE_INDEX", None),
    ("R_NON_RESECTION_ON_INDEX", "non_adherent"),
    ("R_NON_REFERRAL_DAY_BEFORE", "non_adherent"), ("R_ADH_REFERRAL_SAME_DAY", "adherent"),
])
def test_1_5_20(run, patient, expected):
    assert run.outcome("1.5.20", patient) == expected


@pytest.mark.parametrize("patient, expected", [
    ("P_ADH_DAY_60", "adherent"), ("P_NON_DAY_61", "non_adherent"), ("P_NON_BEFORE_EVENT", "non_adherent"),
    ("P_NON_LATE_RADIOTHERAPY", "non_adherent"), ("P_ADH_NOT_SUITABLE_DECISION", "adherent"),
    ("P_EXC_DIED", "excluded"), ("W_ADH_DAY_60", None), ("W_NON_PARTIAL_ONLY", None), ("S_ADH", None),
    ("P_NON_NOT_SUITABLE_D60", "non_adherent"), ("P_ABSENT_NOT_SUITABLE_D61", None),
    ("P_ADH_RADIOTHERAPY_NOT_SUITABLE", "adherent"), ("P_ABSENT_DECLINED", None),
])
def test_1_5_21(run, patient, expected):
    assert run.outcome("1.5.21", patient) == expected


def test_the_surgical_criteria_are_configuration(tmp_path):
    """measures.md: every number is a parameter; a unit that audits 1-4 metastases and performance status
    0-2 as surgical moves those patients from 1.5.19 into 1.5.18."""
    x = Extract()
    _brain(x, "FOUR_METASTASES", dict(SURGICAL, brain_metastasis_count=4))
    _brain(x, "PERFORMANCE_2", dict(SURGICAL, performance_status=2))
    _brain(x, "FIVE_METASTASES", dict(SURGICAL, brain_metastasis_count=5))
    config = tmp_path / "config.yaml"
    config.write_text("timeline:\n  follow_up_end: 2030-12-31\n  surgery_max_brain_metastases: 4\n"
                      "  surgery_max_performance_status: 2\n", encoding="utf-8")
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, config)
    assert run.failure() is None
    assert run.outcome("1.5.18", "FOUR_METASTASES") == "non_adherent"
    assert run.outcome("1.5.18", "PERFORMANCE_2") == "non_adherent"
    assert run.outcome("1.5.18", "FIVE_METASTASES") is None
    assert run.outcome("1.5.19", "FIVE_METASTASES") == "non_adherent"
