"""CG81 1.3.9 is not audited: it is a descriptive figure (the share of first-line chemotherapy given
as a combination), published beside the audited rules but never a case outcome."""
import csv

from tests.conftest import run_audit
from tests.extract_builder import Extract


def _no_anthracycline(x: Extract, patient_id: str):
    return x.patient(patient_id).metastatic().pathology(er="negative")


def test_1_3_9_descriptive_figure(tmp_path):
    x = Extract()
    _no_anthracycline(x, "COMBINATION").regimen(["epirubicin", "cyclophosphamide"], start=14)
    _no_anthracycline(x, "SINGLE_WITH_PARTNER").regimen(["docetaxel", "trastuzumab"], start=14)
    _no_anthracycline(x, "COMBINATION_SAME_DAY_REGIMENS").regimen("gemcitabine", start=14).regimen("carboplatin", start=14)
    _no_anthracycline(x, "COMBINATION_SECOND_LINE").regimen("paclitaxel", start=14, end=100) \
        .regimen(["gemcitabine", "carboplatin"], start=110)
    x.patient("ENDOCRINE_ONLY", provider_code="RBB").metastatic().pathology().regimen("letrozole", start=14)
    x.patient("OTHER_PROVIDER", provider_code="RBB").metastatic().pathology().regimen(["FEC"], start=14)
    run = run_audit(x.write(tmp_path / "extract"), tmp_path, reports=True)
    assert run.failure() is None
    figures = {(r["level"], r["group"], r["period"]): r for r in run.query("select * from measures.descriptive_figures")}
    national = figures[("national", "national", "all")]
    # the same-day regimen pair is one combination line (v2 "Line of therapy"), counted once
    assert (national["numerator"], national["denominator"], national["share"]) == (3, 5, 0.6)
    assert (figures[("provider", "RAA", "all")]["numerator"], figures[("provider", "RAA", "all")]["denominator"]) == (2, 4)
    assert figures[("provider", "RBB", "all")]["suppressed"] is True
    assert "1.3.9" not in {r["rule_id"] for r in run.query("select distinct rule_id from rules.case_outcomes")}
    with (run.output / "descriptive_figures.csv").open() as handle:
        assert {r["rule_id"] for r in csv.DictReader(handle)} == {"1.3.9"}
