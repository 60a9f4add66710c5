"""CG81 1.3.8: on progression, sequential single-agent chemotherapy (target: majority)."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract


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
    folder = tmp_path_factory.mktemp("rule_1_3_8")
    return run_audit(x.write(folder / "extract"), folder)


@pytest.mark.parametrize("patient, expected", [
    ("SINGLE", "adherent"), ("SINGLE_WITH_HER2", "adherent"), ("COMBINATION", "non_adherent"),
    ("COMBINATION_CELL", "non_adherent"), ("SAME_DAY", "adherent"), ("FIRST_ONLY_JUDGED", "adherent"),
    ("UNRECOGNISED_PARTNER", "insufficient_data"), ("NO_PROGRESSION", None), ("CHEMO_BEFORE_PROGRESSION", None),
    ("ABSENT_LINE_DAY_BEFORE", None), ("COMBINATION_ON_THE_DAY", "non_adherent"),
])
def test_outcome(run, patient, expected):
    assert run.failure() is None
    assert run.outcome("1.3.8", patient) == expected


def test_reason_names_the_agents(run):
    assert run.outcomes("1.3.8")[("COMBINATION", "COMBINATION")]["reason"] == \
        "combination chemotherapy gemcitabine + paclitaxel (regimen R1)"
