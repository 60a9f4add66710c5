"""A national-format extract of a dozen patients audited end to end through `abc-audit run
--input-format national`, the real Dagster graph, Great Expectations and DuckDB; the expected case
outcomes are written down below, patient by patient, from the guideline's point of view."""
import csv
import json
import subprocess
import sys

import pytest

from pipelines.cli import main
from tests.national.national_extract import NationalExtract


def twelve_patients() -> NationalExtract:
    x = NationalExtract()
    # 01: ER-positive, letrozole first: the recommended first line
    p = x.patient("1000000001"); x.tumour(p, "2023-01-10"); x.regimen(p, "2023-02-01", ["LETROZOLE"], cycles=3)
    # 02: ER-positive, paclitaxel first: SACT may lack an oral endocrine drug, so not judged non-adherent
    p = x.patient("1000000002"); x.tumour(p, "2023-01-10"); x.regimen(p, "2023-02-01", ["PACLITAXEL"], cycles=3)
    # 03: ER-negative: outside 1.3.1
    p = x.patient("1000000003"); x.tumour(p, "2023-03-10", er="N", pr="N", her2="N")
    x.regimen(p, "2023-04-01", ["DOXORUBICIN", "CYCLOPHOSPHAMIDE"], cycles=4)
    # 04: colorectal cancer: outside the audit (and its SACT rows too)
    p = x.patient("1000000004"); x.tumour(p, "2023-03-10", site="C189"); x.regimen(p, "2023-04-01", ["OXALIPLATIN"], cycles=2)
    # 05: early breast cancer (stage 2) only: not in the cohort
    p = x.patient("1000000005"); x.tumour(p, "2022-05-10", m_best="0", stage="2")
    # 06: HER2-positive, docetaxel + trastuzumab + pertuzumab first: the HER2-directed exclusion
    p = x.patient("1000000006"); x.tumour(p, "2023-02-10", her2="P")
    x.regimen(p, "2023-03-01", ["DOCETAXEL", "TRASTUZUMAB", "PERTUZUMAB"], cycles=3)
    # 07: anastrozole, and 8 Gy in one fraction to a vertebra (OPCS-4 Z66): the indication is not recorded
    p = x.patient("1000000007"); x.tumour(p, "2023-02-10"); x.regimen(p, "2023-03-01", ["ANASTROZOLE"])
    x.radiotherapy(p, "2023-03-15", dose="8", fractions="1", region="M", site="Z661")
    # 08: died 69 days after diagnosis, untreated
    p = x.patient("1000000008", vital="D", vital_date="2023-04-20"); x.tumour(p, "2023-02-10", age=80)
    # 09: ER-negative, epirubicin + cyclophosphamide stopped for progressive disease (outcome 2), then capecitabine
    p = x.patient("1000000009"); x.tumour(p, "2022-06-10", er="N")
    x.regimen(p, "2022-07-01", ["EPIRUBICIN", "CYCLOPHOSPHAMIDE"], outcome="2", cycles=3)
    x.regimen(p, "2022-11-01", ["CAPECITABINE"], cycles=2)
    # 10: letrozole and zoledronic acid (bone metastases are not recorded: 1.5.15 cannot place it)
    p = x.patient("1000000010"); x.tumour(p, "2023-01-20"); x.regimen(p, "2023-02-01", ["LETROZOLE"])
    x.regimen(p, "2023-02-05", ["ZOLEDRONIC ACID"], intent="D")
    # 11: tamoxifen, with a NOT CHEMO line in the regimen
    p = x.patient("1000000011"); x.tumour(p, "2023-01-20"); x.regimen(p, "2023-02-01", ["TAMOXIFEN", "NOT CHEMO"])
    # 12: fulvestrant; performance status Lansky 01 (90%: ECOG 0) and an unknown gender code
    p = x.patient("1000000012", gender="7"); x.tumour(p, "2023-01-20", performance="01")
    x.regimen(p, "2023-02-01", ["FULVESTRANT"])
    return x


EXPECTED = {  # (rule, patient) -> (outcome, reason_code)
    ("1.3.1", "1000000001"): ("adherent", "endocrine_first_line"),
    ("1.3.1", "1000000002"): ("insufficient_data", "endocrine_therapy_may_be_unrecorded"),
    ("1.3.1", "1000000006"): ("excluded", "her2_directed_first_line"),
    ("1.3.1", "1000000007"): ("adherent", "endocrine_first_line"),
    ("1.3.1", "1000000008"): ("excluded", "died_without_first_line"),
    ("1.3.1", "1000000010"): ("adherent", "endocrine_first_line"),
    ("1.3.1", "1000000011"): ("adherent", "endocrine_first_line"),
    ("1.3.1", "1000000012"): ("adherent", "endocrine_first_line"),
    ("1.3.8", "1000000009"): ("adherent", "single_agent"),
    ("1.3.10", "1000000009"): ("non_adherent", "line_out_of_sequence"),
    ("1.5.16", "1000000007"): ("insufficient_data", "indication_unknown"),
}
IN_COHORT = {f"10000000{n:02d}" for n in (1, 2, 3, 6, 7, 8, 9, 10, 11, 12)}


@pytest.fixture(scope="module")
def national_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("national")
    extract = twelve_patients().write(base / "extract")
    status = main(["run", "--input", str(extract), "--output", str(base / "out"), "--input-format", "national"])
    return base, status


def _outcomes(out) -> list[dict]:
    with (out / "case_outcomes.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_judged_rules_give_the_expected_outcomes(national_run):
    base, status = national_run
    assert status == 0
    outcomes = _outcomes(base / "out")
    found = {(r["rule_id"], r["patient_id"]): (r["outcome"], r["reason_code"]) for r in outcomes
             if r["rule_id"] in {rule for rule, _ in EXPECTED}}
    assert found == EXPECTED
    assert {r["patient_id"] for r in outcomes} == IN_COHORT


def test_rules_the_datasets_cannot_judge_are_insufficient_data_naming_what_they_lack(national_run):
    base, _ = national_run
    outcomes = _outcomes(base / "out")
    for rule in ("1.1.1", "QS12-5", "1.4.1a"):
        cases = [r for r in outcomes if r["rule_id"] == rule]
        assert {r["patient_id"] for r in cases} == IN_COHORT
        assert {(r["outcome"], r["reason_code"]) for r in cases} == {("insufficient_data", "not_in_source")}
    reasons = {r["reason"] for r in outcomes if r["rule_id"] == "1.1.1"}
    assert reasons == {"the national datasets (cancer registry, SACT, RTDS) hold no imaging"}
    menopause = {r["patient_id"]: (r["outcome"], r["reason_code"]) for r in outcomes if r["rule_id"] == "1.3.4a"}
    assert menopause.pop("1000000012") == ("insufficient_data", "sex_unknown")  # gender code 7
    assert set(menopause.values()) == {("insufficient_data", "menopausal_status_unknown")}


def test_the_run_accounts_for_every_national_row_and_says_what_it_could_audit(national_run):
    base, _ = national_run
    out = base / "out"
    manifest = json.loads((out / "run_manifest.json").read_text(encoding="utf-8"))
    national = manifest["national_input"]
    written = twelve_patients().rows
    read = {f["table"]: f["rows_read"] for f in national["files"]}
    assert read == {table: len(rows) for table, rows in written.items()}
    accounted = {}
    for row in national["rows"]:
        accounted[row["table"]] = accounted.get(row["table"], 0) + row["rows"]
    assert accounted == {t: n for t, n in read.items() if n}
    assert {t["table"] for t in national["tables_not_held"]} == {"imaging", "procedures", "care_events",
                                                                  "treatment_decisions"}
    assert manifest["configuration"]["values"]["timeline"]["oral_endocrine_therapy_recorded"] is False
    # the registry's vital status date of living patients (2024-06-30) is the end of follow-up
    assert (manifest["extract"]["follow_up_end"], manifest["extract"]["format"]) == ("2024-06-30", "national")
    coverage = {c["rule_id"]: c["coverage"] for c in national["coverage"]}
    assert coverage["1.3.3"] == "judged" and coverage["1.3.1"] == "partly" and coverage["1.1.1"] == "not_judged"
    dashboard = (out / "dashboard.html").read_text(encoding="utf-8")
    assert "What the national datasets can audit" in dashboard
    with (out / "data_quality" / "unrecognised_codes.csv").open(encoding="utf-8") as handle:
        assert [(r["table_name"], r["column_name"], r["value"]) for r in csv.DictReader(handle)] == [
            ("sim_av_patient", "GENDER", "7")]
    with (out / "data_quality" / "national_rows.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {"table_name": "sim_sact_drug_detail", "disposition": "outside_audit", "rows": "1",
            "reason": "DRUG_GROUP NOT CHEMO is not a cancer drug (national/codes/drug_groups_not_drugs.csv)"} in rows


def test_validate_reads_the_national_format_and_a_refusal_is_one_line(tmp_path):
    extract = twelve_patients().write(tmp_path / "extract")
    validated = subprocess.run([sys.executable, "-m", "pipelines.cli", "validate", "--input", str(extract),
                                "--report", str(tmp_path / "report"), "--input-format", "national"],
                               capture_output=True, text=True, timeout=300)
    assert validated.returncode == 0, validated.stderr
    assert "sim_sact_drug_detail" in validated.stdout and "not held by the national datasets" in validated.stdout
    (extract / "sim_av_tumour.csv").unlink()
    refused = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--input", str(extract),
                              "--output", str(tmp_path / "out"), "--input-format", "national"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "abc-audit: extract refused: national format: required table sim_av_tumour missing: expected "
        "sim_av_tumour.csv or sim_av_tumour.parquet (the registry's patient and tumour tables are the audit's "
        "patients and diagnoses)"]
    assert not (tmp_path / "out").exists()
