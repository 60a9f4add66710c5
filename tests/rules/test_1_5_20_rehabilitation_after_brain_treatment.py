"""CG81 1.5.20: active rehabilitation for patients who have brain metastasis surgery and/or whole brain
radiotherapy. Unit: patient, from the first resection or whole brain course on or after the index
date; a rehabilitation referral on that day or within 60 days after it; the treatment's date sets the
reporting period; deaths by the shared rule; the referral, surgery and radiotherapy tables are needed."""
import pytest

from pipelines.ingest.contract import load_contract
from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

T = 30  # day of the surgery or radiotherapy after the index date (2024-03-31, 2024Q1)
IN, NONE, DIED = "care_in_window", "no_care_in_window", "died_before_window_closed"


def _brain(x: Extract, patient_id: str, **patient):
    return x.patient(patient_id, **patient).metastatic(sites="brain;bone")


def _whole_brain(builder, start: int, course_id: str = "WB", site: str = "brain_whole", **fields):
    return builder.radiotherapy(course_id, start=start, site=site, indication="other", dose_gy=20, fractions=5, **fields)


def _extract() -> Extract:
    x = Extract()

    def surgery(patient_id, **patient):
        return _brain(x, patient_id, **patient).procedure(T, "brain_metastasis_resection")

    # the window: the day of the surgery to 60 days after
    surgery("R_ADH_SAME_DAY").care(T, "rehabilitation_referral")
    surgery("R_ADH_DAY_60").care(T + 60, "rehabilitation_referral")
    surgery("R_NON_DAY_61").care(T + 61, "rehabilitation_referral")
    surgery("R_NON_DAY_BEFORE").care(T - 1, "rehabilitation_referral")
    surgery("R_NON_NONE")
    # whole brain radiotherapy starts it too; surgery then radiotherapy: counted from the surgery
    _whole_brain(_brain(x, "R_ADH_WHOLE_BRAIN"), T).care(T + 10, "rehabilitation_referral")
    _whole_brain(surgery("R_NON_SURGERY_THEN_WHOLE_BRAIN"), T + 40).care(T + 95, "rehabilitation_referral")
    _whole_brain(surgery("R_ADH_SURGERY_AND_WHOLE_BRAIN_SAME_DAY"), T).care(T + 5, "rehabilitation_referral")
    # partial-brain or stereotactic radiotherapy does not start the window (CG81: whole brain)
    _whole_brain(_brain(x, "R_ABSENT_PARTIAL_ONLY"), T, site="brain_partial", technique="stereotactic") \
        .care(T + 5, "rehabilitation_referral")
    # a brain_whole course recorded as stereotactic is not whole brain radiotherapy (as 1.5.18-1.5.21 read it)
    _whole_brain(_brain(x, "R_ABSENT_WHOLE_BRAIN_SITE_STEREOTACTIC"), T, technique="stereotactic") \
        .care(T + 5, "rehabilitation_referral")
    _whole_brain(_whole_brain(_brain(x, "R_ADH_PARTIAL_THEN_WHOLE"), T, "SRS", site="brain_partial"), T + 100) \
        .care(T + 120, "rehabilitation_referral")
    # "after index": surgery the day before the index date does not count, on the index date it does
    _brain(x, "R_ABSENT_SURGERY_DM1").procedure(-1, "brain_metastasis_resection")
    _brain(x, "R_NON_SURGERY_ON_INDEX").procedure(0, "brain_metastasis_resection")
    # deaths: a death on day 60 closes the window; the day before leaves it open
    surgery("R_EXC_DIED_D59", date_of_death=day(T + 59))
    surgery("R_NON_DIED_D60", date_of_death=day(T + 60))
    surgery("R_ADH_REFERRED_THEN_DIED", date_of_death=day(T + 20)).care(T + 10, "rehabilitation_referral")
    # a later treatment reports in its own quarter
    _brain(x, "R_ADH_LATER_SURGERY").procedure(200, "brain_metastasis_resection").care(210, "rehabilitation_referral")
    # other care does not count
    surgery("R_NON_OTHER_CARE").care(T + 10, "specialist_palliative_care_referral")
    return x


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rule_1_5_20")
    return run_audit(_extract().write(folder / "extract"), folder)


@pytest.fixture(scope="module")
def runs_without(tmp_path_factory):
    """One run per table the rule needs, with that table left out of the extract."""
    found = {}
    for table in ("care_events", "procedures", "radiotherapy"):
        folder = tmp_path_factory.mktemp(f"rule_1_5_20_without_{table}")
        tables = [t for t in load_contract().tables if t != table]
        found[table] = run_audit(_extract().write(folder / "extract", tables), folder)
    return found


@pytest.mark.parametrize("patient, expected, code", [
    ("R_ADH_SAME_DAY", "adherent", IN), ("R_ADH_DAY_60", "adherent", IN), ("R_NON_DAY_61", "non_adherent", NONE),
    ("R_NON_DAY_BEFORE", "non_adherent", NONE), ("R_NON_NONE", "non_adherent", NONE),
    ("R_ADH_WHOLE_BRAIN", "adherent", IN), ("R_NON_SURGERY_THEN_WHOLE_BRAIN", "non_adherent", NONE),
    ("R_ADH_SURGERY_AND_WHOLE_BRAIN_SAME_DAY", "adherent", IN),
    ("R_ABSENT_PARTIAL_ONLY", None, None), ("R_ADH_PARTIAL_THEN_WHOLE", "adherent", IN),
    ("R_ABSENT_WHOLE_BRAIN_SITE_STEREOTACTIC", None, None),
    ("R_ABSENT_SURGERY_DM1", None, None), ("R_NON_SURGERY_ON_INDEX", "non_adherent", NONE),
    ("R_EXC_DIED_D59", "excluded", DIED), ("R_NON_DIED_D60", "non_adherent", NONE),
    ("R_ADH_REFERRED_THEN_DIED", "adherent", IN), ("R_ADH_LATER_SURGERY", "adherent", IN),
    ("R_NON_OTHER_CARE", "non_adherent", NONE),
])
def test_outcome(run, patient, expected, code):
    assert run.failure() is None
    assert run.outcome("1.5.20", patient) == expected
    row = run.outcomes("1.5.20").get((patient, patient))
    assert (row and row["reason_code"]) == code


def test_the_treatment_sets_the_unit_date_and_reporting_period(run):
    rows = run.outcomes("1.5.20")
    assert str(rows[("R_ADH_SAME_DAY", "R_ADH_SAME_DAY")]["unit_date"]) == day(T)
    assert rows[("R_ADH_SAME_DAY", "R_ADH_SAME_DAY")]["period"] == "2024Q1"
    later = rows[("R_ADH_LATER_SURGERY", "R_ADH_LATER_SURGERY")]
    assert str(later["unit_date"]) == day(200) and later["period"] == "2024Q3"
    assert str(rows[("R_ADH_PARTIAL_THEN_WHOLE", "R_ADH_PARTIAL_THEN_WHOLE")]["unit_date"]) == day(T + 100)


def test_reasons_name_the_treatment_and_its_date(run):
    def reason(patient):
        return run.outcomes("1.5.20")[(patient, patient)]["reason"]

    assert reason("R_ADH_DAY_60") == (
        f"Referral for rehabilitation recorded on {day(T + 60)}, within 60 days after brain metastasis surgery "
        f"({day(T)})")
    assert reason("R_NON_SURGERY_THEN_WHOLE_BRAIN") == (
        f"no referral for rehabilitation recorded within 60 days after brain metastasis surgery ({day(T)})")
    assert reason("R_ADH_WHOLE_BRAIN") == (
        f"Referral for rehabilitation recorded on {day(T + 10)}, within 60 days after the start of whole brain "
        f"radiotherapy ({day(T)})")
    assert reason("R_ADH_SURGERY_AND_WHOLE_BRAIN_SAME_DAY").endswith(
        f"within 60 days after brain metastasis surgery and the start of whole brain radiotherapy ({day(T)})")
    assert reason("R_EXC_DIED_D59") == (
        f"died on {day(T + 59)}, before the window closed on {day(T + 60)}, without the care recorded")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id = '1.5.20'")
    assert len(rows) >= 15
    assert unreadable_outcomes(rows) == []


@pytest.mark.parametrize("table, patient, reason", [
    ("care_events", "R_ADH_WHOLE_BRAIN", "no care events table in the extract"),
    ("procedures", "R_ADH_WHOLE_BRAIN", "no procedures table in the extract"),
    ("radiotherapy", "R_ADH_SAME_DAY", "no radiotherapy table in the extract"),
])
def test_an_absent_table_leaves_every_unit_insufficient(runs_without, table, patient, reason):
    run = runs_without[table]
    assert run.failure() is None
    rows = run.outcomes("1.5.20")
    assert (patient, patient) in rows
    assert {(r["outcome"], r["reason_code"], r["reason"]) for r in rows.values()} == {
        ("insufficient_data", "table_not_in_extract", reason)}
