"""CG81 1.3.8: on progression, sequential single-agent chemotherapy (target: majority)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract, day
from tests.rules.readable_reasons import unreadable_outcomes


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("SINGLE").metastatic().regimen("letrozole", start=10, end=200).event(200, "progression", sites="liver").regimen("capecitabine", start=210)
    x.patient("SINGLE_WITH_HER2").metastatic().event(100, "progression", sites="liver").regimen(["vinorelbine", "Herceptin"], start=110)
    x.patient("COMBINATION").metastatic().event(100, "progression", sites="liver").regimen(["gemcitabine", "paclitaxel"], start=110)
    x.patient("COMBINATION_CELL").metastatic().event(100, "progression", sites="liver").regimen("AC", start=110)
    x.patient("SAME_DAY").metastatic().event(100, "progression", sites="liver").regimen("eribulin", start=100)
    x.patient("FIRST_ONLY_JUDGED").metastatic().event(100, "progression", sites="bone").regimen("docetaxel", start=110, end=300).event(300, "progression", sites="bone").regimen(["carboplatin", "gemcitabine"], start=310)
    x.patient("UNRECOGNISED_PARTNER").metastatic().event(100, "progression", sites="liver").regimen(["capecitabine", "Study drug"], start=110)
    x.patient("NO_PROGRESSION").metastatic().regimen(["gemcitabine", "paclitaxel"], start=10)
    x.patient("CHEMO_BEFORE_PROGRESSION").metastatic().regimen(["gemcitabine", "paclitaxel"], start=10).event(100, "progression", sites="liver").regimen("fulvestrant", start=110)
    # a line starting the day before the progression is not "on progression"; on the day it is (SAME_DAY)
    x.patient("ABSENT_LINE_DAY_BEFORE").metastatic().event(100, "progression", sites="liver").regimen(["gemcitabine", "paclitaxel"], start=99)
    x.patient("COMBINATION_ON_THE_DAY").metastatic().event(100, "progression", sites="liver").regimen(["gemcitabine", "paclitaxel"], start=100)
    # v2 "Line of therapy": two regimens started the same day are one line (a combination); the
    # next day, the first regimen is a line of its own (single agent)
    x.patient("NON_SAME_DAY_REGIMEN_PAIR").metastatic().event(100, "progression", sites="liver") \
        .regimen("gemcitabine", start=110).regimen("paclitaxel", start=110)
    x.patient("ADH_NEXT_DAY_REGIMEN").metastatic().event(100, "progression", sites="liver") \
        .regimen("gemcitabine", start=110).regimen("paclitaxel", start=111)
    # no window: a death soon after the line does not exclude it
    x.patient("NON_DIED_AFTER_LINE", date_of_death=day(115)).metastatic().event(100, "progression", sites="liver") \
        .regimen(["epirubicin", "cyclophosphamide"], start=110)
    folder = tmp_path_factory.mktemp("rule_1_3_8")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected, code", [
    ("SINGLE", "adherent", "single_agent"), ("SINGLE_WITH_HER2", "adherent", "single_agent"),
    ("COMBINATION", "non_adherent", "combination_chemotherapy"),
    ("COMBINATION_CELL", "non_adherent", "combination_chemotherapy"), ("SAME_DAY", "adherent", "single_agent"),
    ("FIRST_ONLY_JUDGED", "adherent", "single_agent"),
    ("UNRECOGNISED_PARTNER", "insufficient_data", "unrecognised_drug_names"), ("NO_PROGRESSION", None, None),
    ("CHEMO_BEFORE_PROGRESSION", None, None), ("ABSENT_LINE_DAY_BEFORE", None, None),
    ("COMBINATION_ON_THE_DAY", "non_adherent", "combination_chemotherapy"),
    ("NON_SAME_DAY_REGIMEN_PAIR", "non_adherent", "combination_chemotherapy"),
    ("ADH_NEXT_DAY_REGIMEN", "adherent", "single_agent"),
    ("NON_DIED_AFTER_LINE", "non_adherent", "combination_chemotherapy"),
])
def test_outcome(run, patient, expected, code):
    assert run.failure() is None
    assert run.outcome("1.3.8", patient) == expected
    row = run.outcomes("1.3.8").get((patient, patient))
    assert (row and row["reason_code"]) == code


def test_reason_names_the_progression_the_line_and_its_drugs(run):
    assert run.outcomes("1.3.8")[("COMBINATION", "COMBINATION")]["reason"] == (
        f"the first chemotherapy line after progression ({day(100)}), started {day(110)} "
        "(gemcitabine, paclitaxel) combines 2 chemotherapy drugs (gemcitabine + paclitaxel) instead of one at a time")
    pair = run.outcomes("1.3.8")[("NON_SAME_DAY_REGIMEN_PAIR", "NON_SAME_DAY_REGIMEN_PAIR")]
    assert pair["evidence"]["regimen_id"] == "R1+R2" and pair["evidence"]["regimen_ids"] == ["R1", "R2"]
    # the progression before the first line, not the later one before the second line
    assert run.outcomes("1.3.8")[("FIRST_ONLY_JUDGED", "FIRST_ONLY_JUDGED")]["reason"].startswith(
        f"the first chemotherapy line after progression ({day(100)}), started {day(110)} (docetaxel)")


def test_no_reason_carries_a_code_index_arithmetic_or_a_sentinel_date(run):
    rows = run.query("select * from rules.case_outcomes where rule_id = '1.3.8'")
    assert len(rows) >= 10
    assert unreadable_outcomes(rows) == []
