"""CG81 1.3.5 (tamoxifen and ovarian suppression first line for pre- and perimenopausal women) and
1.3.6 (ovarian suppression on progression after tamoxifen)."""
import pytest

from tests.conftest import COMPLETE_FOLLOW_UP, run_audit
from tests.extract_builder import Extract, day

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
])
def test_1_3_5(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.3.5", patient) == expected


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
])
def test_1_3_6(run, patient, unit, expected):
    assert run.outcome("1.3.6", patient, unit) == expected


def test_1_3_6_unit_date_is_the_event(run):
    row = run.outcomes("1.3.6")[("P_NON", "event_1")]
    assert str(row["unit_date"]) == day(200)
    assert "progression on or after palliative tamoxifen" in row["reason"]


def test_1_3_5_reason_says_what_is_missing(run):
    assert run.outcomes("1.3.5")[("T_NON_OS_DAY_31", "T_NON_OS_DAY_31")]["reason"].endswith(
        "no ovarian suppression within 30 days of its start")
    assert "has no tamoxifen" in run.outcomes("1.3.5")[("T_NON_AI_WITH_OS", "T_NON_AI_WITH_OS")]["reason"]


def test_1_3_5_accepted_alternative_from_configuration(tmp_path):
    x = Extract()
    _woman(x, "AI_WITH_OS").regimen(["letrozole", "goserelin"], start=14)
    _woman(x, "AI_ALONE").regimen("letrozole", start=14)
    config = tmp_path / "config.yaml"
    config.write_text('rules:\n  "1.3.5": {parameters: {accepted_alternatives: [ovarian_suppression_with_aromatase_inhibitor]}}\n'
                      + COMPLETE_FOLLOW_UP)
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, config)
    assert run.outcome("1.3.5", "AI_WITH_OS") == "adherent"
    assert "accepted alternative" in run.outcomes("1.3.5")[("AI_WITH_OS", "AI_WITH_OS")]["reason"]
    assert run.outcome("1.3.5", "AI_ALONE") == "non_adherent"
