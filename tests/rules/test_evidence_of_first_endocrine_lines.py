"""The evidence (not the verdicts: those are the rule cases, audit_rules/cg81_2025_02/rules/<id>.cases.yaml)
of the first-line endocrine rules: a first line grouped from same-day regimens keeps the ids of its
regimens and all their drugs (1.3.1, 1.3.4a, 1.3.5), the first endocrine line leaves out a CDK4/6
inhibitor started the day before (1.3.4a), and 1.3.4b names the endocrine drugs before the diagnosis
of advanced disease and those of the first endocrine line."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract

PRIOR_TAMOXIFEN = dict(drugs="Nolvadex", start=-1500, end=-100, intent="adjuvant")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("CHEMOTHERAPY_FIRST_LINE").metastatic().pathology().regimen("paclitaxel", start=20)
    x.patient("HER2_ONE_REGIMEN_PER_DRUG").metastatic().pathology(her2="positive") \
        .regimen("paclitaxel", start=10).regimen("Herceptin", start=10).regimen("Perjeta", start=10)
    x.patient("FULVESTRANT_LETROZOLE_SAME_DAY").metastatic().pathology() \
        .regimen("fulvestrant", start=14).regimen("letrozole", start=14)
    x.patient("PALBOCICLIB_LETROZOLE_NEXT_DAY").metastatic().pathology() \
        .regimen("palbociclib", start=14).regimen("letrozole", start=15)
    x.patient("FULVESTRANT_AFTER_TAMOXIFEN").metastatic(de_novo=False).pathology().regimen(**PRIOR_TAMOXIFEN) \
        .regimen("fulvestrant", start=20)
    x.patient("PREMENOPAUSAL_SAME_DAY_REGIMENS").metastatic(menopausal_status="pre").pathology() \
        .regimen("fulvestrant", start=14).regimen("tamoxifen", start=14).regimen("goserelin", start=14)
    folder = tmp_path_factory.mktemp("endocrine_line_evidence")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


def _evidence(run, rule, patient):
    return run.outcomes(rule)[(patient, patient)]["evidence"]


def test_1_3_1_names_the_first_line_drugs(run):
    assert run.failure() is None
    assert _evidence(run, "1.3.1", "CHEMOTHERAPY_FIRST_LINE")["first_line_drugs"] == ["paclitaxel"]


def test_1_3_1_groups_one_regimen_per_drug_into_one_first_line(run):
    evidence = _evidence(run, "1.3.1", "HER2_ONE_REGIMEN_PER_DRUG")
    assert evidence["first_line_regimen_id"] == "R1+R2+R3"
    assert evidence["first_line_drugs"] == ["paclitaxel", "pertuzumab", "trastuzumab"]


def test_1_3_4a_names_both_regimens_of_a_same_day_endocrine_line(run):
    assert _evidence(run, "1.3.4a", "FULVESTRANT_LETROZOLE_SAME_DAY")["first_endocrine_regimen_id"] == "R1+R2"


def test_1_3_4a_leaves_out_a_cdk_inhibitor_started_the_day_before(run):
    assert _evidence(run, "1.3.4a", "PALBOCICLIB_LETROZOLE_NEXT_DAY")["first_endocrine_drugs"] == ["letrozole"]


def test_1_3_4b_names_the_prior_and_the_first_endocrine_drugs(run):
    evidence = _evidence(run, "1.3.4b", "FULVESTRANT_AFTER_TAMOXIFEN")
    assert evidence["prior_endocrine_drugs"] == ["tamoxifen"]
    assert evidence["first_endocrine_drugs"] == ["fulvestrant"]


def test_1_3_5_names_the_three_regimens_of_a_same_day_endocrine_line(run):
    assert _evidence(run, "1.3.5", "PREMENOPAUSAL_SAME_DAY_REGIMENS")["first_endocrine_regimen_id"] == "R1+R2+R3"
