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
    folder = tmp_path_factory.mktemp("rule_1_5_18")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("S_ADH", "adherent"), ("S_ADH_EDGES", "adherent"), ("S_NON_RESECTION_DAY_61", "non_adherent"),
    ("S_NON_RADIOTHERAPY_61_DAYS_AFTER", "non_adherent"), ("S_NON_NO_SURGERY", "non_adherent"),
    ("S_EXC_SURGERY_DECLINED", "excluded"), ("S_EXC_RADIOTHERAPY_DECLINED", "excluded"), ("S_EXC_DIED", "excluded"),
    ("S_COUNT_4", None), ("S_PERFORMANCE_MISSING", None), ("S_PERFORMANCE_NEARBY", "non_adherent"),
    ("W_ADH_DAY_60", None),
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
])
def test_1_5_20(run, patient, expected):
    assert run.outcome("1.5.20", patient) == expected


@pytest.mark.parametrize("patient, expected", [
    ("P_ADH_DAY_60", "adherent"), ("P_NON_DAY_61", "non_adherent"), ("P_NON_BEFORE_EVENT", "non_adherent"),
    ("P_NON_LATE_RADIOTHERAPY", "non_adherent"), ("P_ADH_NOT_SUITABLE_DECISION", "adherent"),
    ("P_EXC_DIED", "excluded"), ("W_ADH_DAY_60", None), ("W_NON_PARTIAL_ONLY", None), ("S_ADH", None),
])
def test_1_5_21(run, patient, expected):
    assert run.outcome("1.5.21", patient) == expected
