"""The evidence (not the verdicts: those are the rule cases, audit_rules/cg81_2025_02/rules/<id>.cases.yaml)
of the chemotherapy-line and trastuzumab rules: a line grouped from same-day regimens keeps the ids of
its regimens (1.3.8, 1.3.11), 1.3.10 lists the drugs of each line it judged, and 1.3.12b records the
progression's sites and when trastuzumab was active until."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract

ADJUVANT_EC = dict(drugs=["epirubicin", "cyclophosphamide"], start=-1500, end=-1400, intent="adjuvant")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("SAME_DAY_REGIMEN_PAIR").metastatic().event(100, "progression", sites="liver") \
        .regimen("gemcitabine", start=110).regimen("paclitaxel", start=110)
    x.patient("FULL_SEQUENCE").metastatic(de_novo=False).pathology(er="negative").regimen(**ADJUVANT_EC) \
        .regimen("docetaxel", start=14, end=100).regimen("vinorelbine", start=110, end=200).regimen("Xeloda", start=210)
    x.patient("GEMCITABINE_PACLITAXEL_PAIR").metastatic(de_novo=False).pathology(er="negative").regimen(**ADJUVANT_EC) \
        .regimen("gemcitabine", start=14, regimen_id="G").regimen("paclitaxel", start=14, regimen_id="P")
    x.patient("CNS_PROGRESSION_ON_TRASTUZUMAB").metastatic(sites="liver").pathology(er="negative", her2="positive") \
        .regimen("Herceptin", start=14).event(200, "progression", sites="brain", brain_metastasis_count=7)
    folder = tmp_path_factory.mktemp("line_evidence")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


def _evidence(run, rule, patient, unit=None):
    return run.outcomes(rule)[(patient, unit or patient)]["evidence"]


def test_1_3_8_names_both_regimens_of_a_same_day_line(run):
    assert run.failure() is None
    evidence = _evidence(run, "1.3.8", "SAME_DAY_REGIMEN_PAIR")
    assert evidence["regimen_id"] == "R1+R2" and evidence["regimen_ids"] == ["R1", "R2"]


def test_1_3_10_lists_the_drugs_of_each_line(run):
    evidence = _evidence(run, "1.3.10", "FULL_SEQUENCE")
    assert [line["chemotherapy_drugs"] for line in evidence["chemotherapy_lines"]] == [
        ["docetaxel"], ["vinorelbine"], ["capecitabine"]]


def test_1_3_11_names_both_regimens_of_its_grouped_line(run):
    assert _evidence(run, "1.3.11", "GEMCITABINE_PACLITAXEL_PAIR", "G+P")["regimen_ids"] == ["G", "P"]


def test_1_3_12b_records_the_progression_sites_and_trastuzumab_still_running(run):
    evidence = _evidence(run, "1.3.12b", "CNS_PROGRESSION_ON_TRASTUZUMAB", "event_1")
    assert evidence["progression_sites"] == ["brain"] and evidence["trastuzumab_active_until"] is None
