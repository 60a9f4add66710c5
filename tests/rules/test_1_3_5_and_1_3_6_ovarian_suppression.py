"""CG81 1.3.5 (tamoxifen and ovarian suppression first line for pre- and perimenopausal women) and
1.3.6 (ovarian suppression on progression after tamoxifen). Prior treatment history complete or
partial: test_1_3_4_to_1_3_7_prior_therapy_history.py."""
import pytest

from tests.conftest import COMPLETE_FOLLOW_UP, run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes

PRIOR_TAMOXIFEN = dict(drugs="tamoxifen", start=-1500, end=-100, intent="adjuvant")


def _woman(x: Extract, patient_id: str, menopausal_status="pre", **patient):
    return x.patient(patient_id, **patient).metastatic(menopausal_status=menopausal_status).pathology()


def _recurrence(x: Extract, patient_id: str, menopausal_status="pre", **patient):
    return (x.patient(patient_id, **patient).metastatic(menopausal_status=menopausal_status, de_novo=False)
            .pathology().regimen(**PRIOR_TAMOXIFEN))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    # 1.3.5: first palliative endocrine regimen starts on day 14.
    _woman(x, "T_ADH").regimen(["tamoxifen", "goserelin"], start=14)
    _woman(x, "T_ADH_PERI", menopausal_status="peri").regimen(["Nolvadex", "Zoladex"], start=14)
    _woman(x, "T_ADH_OS_DAY_30").regimen("tamoxifen", start=14).regimen("goserelin", start=44)
    _woman(x, "T_NON_OS_DAY_31").regimen("tamoxifen", start=14).regimen("goserelin", start=45)
    _woman(x, "T_ADH_OOPHORECTOMY_BEFORE").procedure(-200, "oophorectomy").regimen("tamoxifen", start=14)
    _woman(x, "T_ADH_GNRH_IN_PLACE").regimen("goserelin", start=-100, end=-16).regimen("tamoxifen", start=14)
    _woman(x, "T_NON_GNRH_ENDED").regimen("goserelin", start=-100, end=-17).regimen("tamoxifen", start=14)
    _woman(x, "T_NON_TAMOXIFEN_ALONE").regimen("tamoxifen", start=14)
    _woman(x, "T_NON_AI_WITH_OS").regimen(["letrozole", "goserelin"], start=14)
    _woman(x, "T_EXC").regimen("tamoxifen", start=14).decision(20, "ovarian_suppression")
    _woman(x, "T_EXC_TAMOXIFEN").regimen(["letrozole", "goserelin"], start=14).decision(5, "tamoxifen", "contraindicated")
    _woman(x, "T_EXC_DAY_30").regimen("tamoxifen", start=14).decision(44, "ovarian_suppression")
    _woman(x, "T_NON_DECISION_DAY_31").regimen("tamoxifen", start=14).decision(45, "ovarian_suppression")
    _woman(x, "T_INS_MENOPAUSE", menopausal_status=None).regimen(["tamoxifen", "goserelin"], start=14)
    x.patient("T_INS_ER").metastatic(menopausal_status="pre").pathology(er="unknown").regimen("tamoxifen", start=14)
    _woman(x, "T_INS_SEX", sex="unknown").regimen("tamoxifen", start=14)
    _woman(x, "T_ABSENT_POST", menopausal_status="post").regimen("tamoxifen", start=14)
    _woman(x, "T_ABSENT_NO_ENDOCRINE").regimen("paclitaxel", start=14)
    # 1.3.6, unit `index`: the metastatic recurrence after adjuvant tamoxifen.
    _recurrence(x, "R_ADH").regimen(["goserelin", "letrozole"], start=20)
    _recurrence(x, "R_ADH_DAY_90").regimen("letrozole", start=20).regimen("goserelin", start=90)
    _recurrence(x, "R_NON_DAY_91").regimen("letrozole", start=20).regimen("goserelin", start=91)
    _recurrence(x, "R_ADH_IN_PLACE").regimen("goserelin", start=-500, intent="adjuvant").regimen("letrozole", start=20)
    _recurrence(x, "R_ADH_OOPHORECTOMY").procedure(60, "oophorectomy").regimen("letrozole", start=20)
    _recurrence(x, "R_EXC").decision(30, "ovarian_suppression", "contraindicated").regimen("letrozole", start=20)
    _recurrence(x, "R_EXC_DIED_DAY_89", date_of_death=day(89)).regimen("letrozole", start=20)
    _recurrence(x, "R_NON_DIED_DAY_90", date_of_death=day(90)).regimen("letrozole", start=20)
    _recurrence(x, "R_INS_MENOPAUSE", menopausal_status=None).regimen("letrozole", start=20)
    _recurrence(x, "R_ABSENT_POST", menopausal_status="post").regimen("letrozole", start=20)
    # 1.3.6, unit = progression event on or after palliative tamoxifen (no prior tamoxifen).
    _woman(x, "P_ADH").regimen("tamoxifen", start=14, end=200).event(200, "progression", sites="liver") \
        .regimen("goserelin", start=250)
    _woman(x, "P_NON").regimen("tamoxifen", start=14, end=200).event(200, "progression", sites="liver") \
        .regimen("paclitaxel", start=210)
    x.patient("R_INS_ER").metastatic(menopausal_status="pre", de_novo=False).pathology(er="unknown") \
        .regimen(**PRIOR_TAMOXIFEN).regimen("letrozole", start=20)
    _recurrence(x, "R_INS_SEX", sex="unknown").regimen("letrozole", start=20)

    def progressed_on_tamoxifen(patient_id: str, **patient):
        return _woman(x, patient_id, **patient).regimen("tamoxifen", start=14, end=200).event(200, "progression", sites="liver")

    progressed_on_tamoxifen("P_ADH_DAY_90").regimen("goserelin", start=290)
    progressed_on_tamoxifen("P_NON_DAY_91").regimen("goserelin", start=291)
    progressed_on_tamoxifen("P_EXC_DAY_90").decision(290, "ovarian_suppression", "declined_by_patient")
    progressed_on_tamoxifen("P_NON_DECISION_DAY_91").decision(291, "ovarian_suppression", "declined_by_patient")
    _woman(x, "P_ABSENT_BEFORE_TAMOXIFEN").event(10, "progression", sites="liver").regimen("tamoxifen", start=14)
    # tamoxifen started the day before the progression was on it; started that day, it treats it
    _woman(x, "P_NON_TAMOXIFEN_DAY_BEFORE").regimen("tamoxifen", start=99).event(100, "progression", sites="liver")
    _woman(x, "P_ABSENT_TAMOXIFEN_ON_EVENT_DAY").event(100, "progression", sites="liver").regimen("tamoxifen", start=100)
    # "in place": a GnRH agonist course not ended before the event
    progressed_on_tamoxifen("P_NON_GNRH_ENDED_DAY_BEFORE").regimen("goserelin", start=50, end=199)
    progressed_on_tamoxifen("P_ADH_GNRH_ENDED_ON_EVENT_DAY").regimen("goserelin", start=50, end=200)
    # deaths count from the progression event (day 200): the window closes on day 290
    progressed_on_tamoxifen("P_EXC_DIED_DAY_89", date_of_death=day(289))
    progressed_on_tamoxifen("P_NON_DIED_DAY_90", date_of_death=day(290))
    # v2 1.3.5: the 30 days after the tamoxifen start are a window; a line without tamoxifen is decided
    _woman(x, "T_EXC_DIED_DAY_29", date_of_death=day(43)).regimen("tamoxifen", start=14)
    _woman(x, "T_NON_DIED_DAY_30", date_of_death=day(44)).regimen("tamoxifen", start=14)
    _woman(x, "T_NON_DIED_AFTER_FULVESTRANT", date_of_death=day(20)).regimen("fulvestrant", start=14)
    # v2 1.3.5: same-day regimens are one first endocrine line; the next day is a later line
    _woman(x, "T_ADH_SAME_DAY_REGIMENS").regimen("fulvestrant", start=14).regimen("tamoxifen", start=14) \
        .regimen("goserelin", start=14)
    _woman(x, "T_NON_TAMOXIFEN_NEXT_DAY").regimen(["fulvestrant", "goserelin"], start=14).regimen("tamoxifen", start=15)
    _woman(x, "T_INS_UNRECOGNISED").regimen(["tamoxifen", "Hormone NOS"], start=14)
    # v2 1.3.6: an endocrine_therapy decision is an exception too; decisions count from the event - 30 days
    _recurrence(x, "R_EXC_ENDOCRINE_DECISION").decision(30, "endocrine_therapy", "not_suitable").regimen("letrozole", start=20)
    progressed_on_tamoxifen("P_EXC_DECISION_DM30").decision(170, "ovarian_suppression", "declined_by_patient")
    progressed_on_tamoxifen("P_NON_DECISION_DM31").decision(169, "ovarian_suppression", "declined_by_patient")
    progressed_on_tamoxifen("P_EXC_ENDOCRINE_DECISION_DAY_90").decision(290, "endocrine_therapy", "declined_by_patient")
    progressed_on_tamoxifen("P_NON_ENDOCRINE_DECISION_DAY_91").decision(291, "endocrine_therapy", "declined_by_patient")
    # v2 1.3.6: deaths by the shared rule, after an unknown population
    _recurrence(x, "R_INS_MENOPAUSE_DIED", menopausal_status=None, date_of_death=day(30)).regimen("letrozole", start=20)
    folder = tmp_path_factory.mktemp("rule_1_3_5")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("T_ADH", "adherent"), ("T_ADH_PERI", "adherent"),
    ("T_ADH_OS_DAY_30", "adherent"), ("T_NON_OS_DAY_31", "non_adherent"),
    ("T_ADH_OOPHORECTOMY_BEFORE", "adherent"),
    ("T_ADH_GNRH_IN_PLACE", "adherent"), ("T_NON_GNRH_ENDED", "non_adherent"),
    ("T_NON_TAMOXIFEN_ALONE", "non_adherent"), ("T_NON_AI_WITH_OS", "non_adherent"),
    ("T_EXC", "excluded"), ("T_EXC_TAMOXIFEN", "excluded"),
    ("T_EXC_DAY_30", "excluded"), ("T_NON_DECISION_DAY_31", "non_adherent"),
    ("T_INS_MENOPAUSE", "insufficient_data"), ("T_INS_ER", "insufficient_data"), ("T_INS_SEX", "insufficient_data"),
    ("T_ABSENT_POST", None), ("T_ABSENT_NO_ENDOCRINE", None), ("R_ADH", None), ("P_ADH", "non_adherent"),
    ("T_EXC_DIED_DAY_29", "excluded"), ("T_NON_DIED_DAY_30", "non_adherent"),
    ("T_NON_DIED_AFTER_FULVESTRANT", "non_adherent"),
    ("T_ADH_SAME_DAY_REGIMENS", "adherent"), ("T_NON_TAMOXIFEN_NEXT_DAY", "non_adherent"),
    ("T_INS_UNRECOGNISED", "insufficient_data"),
])
def test_1_3_5(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.3.5", patient) == expected


SUPPRESSED, NO_SUPPRESSION = "tamoxifen_with_ovarian_suppression", "no_ovarian_suppression"


@pytest.mark.parametrize("patient, code", [
    ("T_ADH", SUPPRESSED), ("T_ADH_OS_DAY_30", SUPPRESSED), ("T_NON_OS_DAY_31", NO_SUPPRESSION),
    ("T_ADH_GNRH_IN_PLACE", SUPPRESSED), ("T_NON_GNRH_ENDED", NO_SUPPRESSION),
    ("T_NON_TAMOXIFEN_ALONE", NO_SUPPRESSION), ("T_NON_AI_WITH_OS", "no_tamoxifen"),
    ("T_EXC", "declined_by_patient"), ("T_EXC_TAMOXIFEN", "contraindicated"),
    ("T_EXC_DAY_30", "declined_by_patient"), ("T_NON_DECISION_DAY_31", NO_SUPPRESSION),
    ("T_INS_MENOPAUSE", "menopausal_status_unknown"), ("T_INS_ER", "er_status_unknown"), ("T_INS_SEX", "sex_unknown"),
    ("P_ADH", NO_SUPPRESSION),
    ("T_EXC_DIED_DAY_29", "died_before_window_closed"), ("T_NON_DIED_DAY_30", NO_SUPPRESSION),
    ("T_NON_DIED_AFTER_FULVESTRANT", "no_tamoxifen_or_ovarian_suppression"),
    ("T_ADH_SAME_DAY_REGIMENS", SUPPRESSED), ("T_NON_TAMOXIFEN_NEXT_DAY", "no_tamoxifen"),
    ("T_INS_UNRECOGNISED", "unrecognised_drug_names"),
])
def test_1_3_5_reason_codes(run, patient, code):
    assert run.outcomes("1.3.5")[(patient, patient)]["reason_code"] == code


@pytest.mark.parametrize("patient, unit, expected", [
    ("R_ADH", "index", "adherent"), ("R_ADH_DAY_90", "index", "adherent"), ("R_NON_DAY_91", "index", "non_adherent"),
    ("R_ADH_IN_PLACE", "index", "adherent"), ("R_ADH_OOPHORECTOMY", "index", "adherent"),
    ("R_EXC", "index", "excluded"), ("R_EXC_DIED_DAY_89", "index", "excluded"),
    ("R_NON_DIED_DAY_90", "index", "non_adherent"), ("R_INS_MENOPAUSE", "index", "insufficient_data"),
    ("R_ABSENT_POST", "index", None),
    ("P_ADH", "event_1", "adherent"), ("P_NON", "event_1", "non_adherent"),
    ("P_ABSENT_BEFORE_TAMOXIFEN", "event_1", None), ("T_ADH", "index", None),
    ("R_INS_ER", "index", "insufficient_data"), ("R_INS_SEX", "index", "insufficient_data"),
    ("P_ADH_DAY_90", "event_1", "adherent"), ("P_NON_DAY_91", "event_1", "non_adherent"),
    ("P_EXC_DAY_90", "event_1", "excluded"), ("P_NON_DECISION_DAY_91", "event_1", "non_adherent"),
    ("P_NON_TAMOXIFEN_DAY_BEFORE", "event_1", "non_adherent"), ("P_ABSENT_TAMOXIFEN_ON_EVENT_DAY", "event_1", None),
    ("P_NON_GNRH_ENDED_DAY_BEFORE", "event_1", "non_adherent"), ("P_ADH_GNRH_ENDED_ON_EVENT_DAY", "event_1", "adherent"),
    ("P_EXC_DIED_DAY_89", "event_1", "excluded"), ("P_NON_DIED_DAY_90", "event_1", "non_adherent"),
    ("R_EXC_ENDOCRINE_DECISION", "index", "excluded"),
    ("P_EXC_DECISION_DM30", "event_1", "excluded"), ("P_NON_DECISION_DM31", "event_1", "non_adherent"),
    ("P_EXC_ENDOCRINE_DECISION_DAY_90", "event_1", "excluded"),
    ("P_NON_ENDOCRINE_DECISION_DAY_91", "event_1", "non_adherent"),
    ("R_INS_MENOPAUSE_DIED", "index", "insufficient_data"),
])
def test_1_3_6(run, patient, unit, expected):
    assert run.outcome("1.3.6", patient, unit) == expected


STARTED, IN_PLACE = "ovarian_suppression_started", "ovarian_suppression_in_place"


@pytest.mark.parametrize("patient, unit, code", [
    ("R_ADH", "index", STARTED), ("R_ADH_DAY_90", "index", STARTED), ("R_NON_DAY_91", "index", NO_SUPPRESSION),
    ("R_ADH_IN_PLACE", "index", IN_PLACE), ("R_ADH_OOPHORECTOMY", "index", STARTED),
    ("R_EXC", "index", "contraindicated"), ("R_EXC_DIED_DAY_89", "index", "died_before_window_closed"),
    ("R_NON_DIED_DAY_90", "index", NO_SUPPRESSION), ("R_INS_MENOPAUSE", "index", "menopausal_status_unknown"),
    ("R_INS_ER", "index", "er_status_unknown"), ("R_INS_SEX", "index", "sex_unknown"),
    ("P_ADH", "event_1", STARTED), ("P_NON", "event_1", NO_SUPPRESSION),
    ("P_NON_GNRH_ENDED_DAY_BEFORE", "event_1", NO_SUPPRESSION), ("P_ADH_GNRH_ENDED_ON_EVENT_DAY", "event_1", IN_PLACE),
    ("P_EXC_DAY_90", "event_1", "declined_by_patient"), ("P_EXC_DIED_DAY_89", "event_1", "died_before_window_closed"),
    ("R_EXC_ENDOCRINE_DECISION", "index", "not_suitable"), ("P_EXC_DECISION_DM30", "event_1", "declined_by_patient"),
    ("P_NON_DECISION_DM31", "event_1", NO_SUPPRESSION), ("R_INS_MENOPAUSE_DIED", "index", "menopausal_status_unknown"),
])
def test_1_3_6_reason_codes(run, patient, unit, code):
    assert run.outcomes("1.3.6")[(patient, unit)]["reason_code"] == code


def test_1_3_6_unit_date_is_the_event(run):
    row = run.outcomes("1.3.6")[("P_NON", "event_1")]
    assert str(row["unit_date"]) == day(200) and row["period"] == "2024Q3"
    assert row["reason"] == ("no ovarian suppression (GnRH agonist, oophorectomy or ovarian ablation) in place at, or "
                             f"started within 90 days after, the progression on {day(200)}, after palliative tamoxifen "
                             f"started {day(14)}")


def test_1_3_6_reasons_name_the_event_and_the_suppression(run):
    rows = run.outcomes("1.3.6")
    assert rows[("R_ADH_IN_PLACE", "index")]["reason"] == (
        f"ovarian suppression (goserelin from {day(-500)}) was in place at the metastatic recurrence diagnosed "
        f"{day(0)}, after tamoxifen first started {day(-1500)}")
    assert rows[("R_ADH_OOPHORECTOMY", "index")]["reason"] == (
        f"ovarian suppression (oophorectomy on {day(60)}) started within 90 days after the metastatic recurrence "
        f"diagnosed {day(0)}, after tamoxifen first started {day(-1500)}")
    assert rows[("P_EXC_DIED_DAY_89", "event_1")]["reason"] == (
        f"died on {day(289)}, before the window closed on {day(290)}, without the care recorded")


def test_1_3_5_reason_says_what_is_missing(run):
    rows = run.outcomes("1.3.5")
    assert rows[("T_NON_OS_DAY_31", "T_NON_OS_DAY_31")]["reason"] == (
        f"the first palliative endocrine treatment started {day(14)} (tamoxifen) contains tamoxifen, but no ovarian "
        "suppression (GnRH agonist, oophorectomy or ovarian ablation) in place or started within 30 days of its start")
    assert rows[("T_NON_AI_WITH_OS", "T_NON_AI_WITH_OS")]["reason"] == (
        f"the first palliative endocrine treatment started {day(14)} (goserelin, letrozole) contains no tamoxifen "
        f"(ovarian suppression: goserelin from {day(14)})")
    assert rows[("T_ADH_OS_DAY_30", "T_ADH_OS_DAY_30")]["reason"] == (
        f"the first palliative endocrine treatment started {day(14)} (tamoxifen) contains tamoxifen, with ovarian "
        f"suppression (goserelin from {day(44)})")
    assert rows[("T_ADH_SAME_DAY_REGIMENS", "T_ADH_SAME_DAY_REGIMENS")]["evidence"]["first_endocrine_regimen_id"] == \
        "R1+R2+R3"


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id in ('1.3.5', '1.3.6')")
    assert len(rows) > 50
    assert unreadable_outcomes(rows) == []


def test_1_3_5_accepted_alternative_from_configuration(tmp_path):
    x = Extract()
    _woman(x, "AI_WITH_OS").regimen(["letrozole", "goserelin"], start=14)
    _woman(x, "AI_ALONE").regimen("letrozole", start=14)
    config = tmp_path / "config.yaml"
    config.write_text('rules:\n  "1.3.5": {parameters: {accepted_alternatives: [ovarian_suppression_with_aromatase_inhibitor]}}\n'
                      + COMPLETE_FOLLOW_UP)
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, config)
    assert run.outcome("1.3.5", "AI_WITH_OS") == "adherent"
    row = run.outcomes("1.3.5")[("AI_WITH_OS", "AI_WITH_OS")]
    assert row["reason_code"] == "accepted_alternative"
    assert row["reason"] == (f"the first palliative endocrine treatment started {day(14)} (goserelin, letrozole) "
                             "contains an aromatase inhibitor (accepted alternative to tamoxifen), with ovarian "
                             f"suppression (goserelin from {day(14)})")
    assert run.outcome("1.3.5", "AI_ALONE") == "non_adherent"
