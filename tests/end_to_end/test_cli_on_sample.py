"""`abc-audit run` on the bundled sample through the Dagster graph: files, columns, determinism."""
import csv
import json
import re

import duckdb
import pytest

from audit_rules.catalogue import load_catalogue

from tests.conftest import run_cli_on_sample

CASE_COLUMNS = ["rule_id", "patient_id", "unit_id", "provider_code", "icb_code", "period", "index_date",
                "unit_date", "outcome", "reason_code", "reason", "evidence"]
MEASURE_COLUMNS = ["rule_id", "level", "group", "period", "numerator", "denominator", "excluded",
                   "insufficient_data", "adherence", "ci_low", "ci_high", "target", "target_met", "suppressed"]



@pytest.fixture(scope="module")
def sample_runs(sample_cli_run, tmp_path_factory):
    """The session's audit of the sample (conftest) and a second, independent run to compare with."""
    base, first = sample_cli_run
    second = run_cli_on_sample(base / "second")
    return base, first, second


def test_run_succeeds_and_prints_dashboard(sample_runs):
    base, first, _ = sample_runs
    assert first.returncode == 0, first.stderr
    assert f"dashboard: {base / 'first' / 'dashboard.html'}" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    assert "warning" not in first.stderr  # the sample extract's folder holds its tables and nothing else


def test_outputs_exist_with_contract_columns(sample_runs):
    out = sample_runs[0] / "first"
    with (out / "case_outcomes.csv").open() as handle:
        assert next(csv.reader(handle)) == CASE_COLUMNS
    with (out / "measures.csv").open() as handle:
        assert next(csv.reader(handle)) == MEASURE_COLUMNS
    html = (out / "dashboard.html").read_text()
    assert not re.search(r"<script[^>]+src=[\"']https?:", html), "dashboard must not load scripts from the web"
    assert "Plotly.newPlot" in html
    for name in ("quarantine.csv", "validation_results.csv", "row_reconciliation.csv",
                 "unrecognised_codes.csv", "drug_names.csv"):
        assert (out / "data_quality" / name).is_file(), name
    exports = sorted(p.name for p in (out / "exports").iterdir() if p.name != "icb")
    providers = {r["provider_code"] for r in csv.DictReader((out / "case_outcomes.csv").open())}
    assert exports == sorted(providers)
    for provider in exports:
        with (out / "exports" / provider / "non_adherent_cases.csv").open() as handle:
            rows = list(csv.DictReader(handle))
        assert rows and {r["outcome"] for r in rows} <= {"non_adherent", "insufficient_data"}
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["guideline"]["version"] == "2025-02"
    assert all(r["reconciles"] for r in manifest["row_reconciliation"])
    assert {i["table"] for i in manifest["extract"]["inputs"]} >= {"patients", "disease_events"}
    assert all(len(i["sha256"]) == 64 for i in manifest["extract"]["inputs"] if i["file"])


def test_manifest_records_provenance(sample_runs):
    """Issue 5 "Provenance": software, guideline and catalogue versions, configuration, each input
    file with its row count and SHA-256, reconciliation, and timings per stage, checked against
    independent sources (package metadata, the catalogue, the default configuration, the files)."""
    import hashlib
    from importlib.metadata import version

    from pipelines.config import load_config
    from sample_data import SAMPLE_DATA_DIR

    manifest = json.loads((sample_runs[0] / "first" / "run_manifest.json").read_text())
    assert manifest["software"] == {"name": "abc-audit", "version": version("abc-audit")}
    catalogue = load_catalogue()
    assert manifest["rule_catalogue"]["version"] == catalogue.version
    assert {r: v["version"] for r, v in manifest["rule_catalogue"]["rules"].items()} == \
        {r.id: r.version for r in catalogue.rules}
    assert manifest["configuration"] == {"source": "default",
                                         "values": json.loads(json.dumps(load_config().as_manifest(), default=str))}
    for entry in manifest["extract"]["inputs"]:
        path = SAMPLE_DATA_DIR / entry["file"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), entry["file"]
        with path.open(encoding="utf-8", newline="") as handle:
            assert entry["rows_read"] == sum(1 for _ in csv.reader(handle)) - 1, entry["file"]
    assert set(manifest["timings_seconds"]) == {"ingest", "validate", "timeline", "rules", "measures", "reports"}
    assert all(seconds > 0 for seconds in manifest["timings_seconds"].values())
    assert manifest["started_at"] <= manifest["finished_at"]


def test_sample_gives_every_rule_it_covers_every_outcome_it_can_produce(sample_runs):
    """The dashboard of the sample shows every kind of outcome of every rule the generator's stories
    reach (today all of them). A new rule need not be in the sample: its case file shows its outcomes
    (tests/rules/test_rule_cases.py)."""
    with (sample_runs[0] / "first" / "case_outcomes.csv").open() as handle:
        seen = {}
        for row in csv.DictReader(handle):
            seen.setdefault(row["rule_id"], set()).add(row["outcome"])
    audited = load_catalogue().audited_rules
    assert len(seen) >= 0.9 * len(audited)
    for rule in audited:
        if rule.id in seen:
            assert seen[rule.id] == rule.possible_outcomes, (rule.id, seen[rule.id])


def test_sample_adherence_differs_between_providers(sample_runs):
    """The sample is for trying the dashboard: providers must differ (funnels with outliers), as the
    generator's provider profiles intend. Judged on providers with at least 20 eligible cases."""
    adherence: dict[str, list[float]] = {}
    with (sample_runs[0] / "first" / "measures.csv").open() as handle:
        for r in csv.DictReader(handle):
            if r["level"] == "provider" and r["period"] == "all" and r["adherence"] and int(r["denominator"]) >= 20:
                adherence.setdefault(r["rule_id"], []).append(float(r["adherence"]))
    spreads = {rule: max(v) - min(v) for rule, v in adherence.items() if len(v) >= 2}
    assert len(spreads) >= 30
    assert sum(spread >= 0.05 for spread in spreads.values()) >= 0.8 * len(spreads), spreads


def test_two_runs_are_byte_identical(sample_runs):
    base = sample_runs[0]
    for name in ("case_outcomes.csv", "case_outcomes.parquet", "measures.csv", "measure_reports.json",
                 "dashboard.html"):
        assert (base / "first" / name).read_bytes() == (base / "second" / name).read_bytes(), name


def test_case_outcomes_parquet_holds_the_csv_rows(sample_runs):
    out = sample_runs[0] / "first"
    with duckdb.connect() as con:
        different = con.execute(f"""select count(*) from (
            (select * from read_parquet('{out / "case_outcomes.parquet"}')
             except all select * from read_csv('{out / "case_outcomes.csv"}', all_varchar = true))
            union all
            (select * from read_csv('{out / "case_outcomes.csv"}', all_varchar = true)
             except all select * from read_parquet('{out / "case_outcomes.parquet"}')))""").fetchone()[0]
        columns = [c[0] for c in con.execute(f"describe select * from read_parquet('{out / 'case_outcomes.parquet'}')").fetchall()]
    assert columns == CASE_COLUMNS and different == 0


# measures.md "Reasons a clinician can read": no internal codes, window arithmetic or sentinel dates
CODE_IN_TEXT = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\bindex [-+]|\b1[0-8]\d\d-\d\d-\d\d|\b19[0-4]\d-\d\d-\d\d")


def test_every_reason_is_coded_and_readable_by_a_clinician(sample_runs):
    out = sample_runs[0] / "first"
    rows = list(csv.DictReader((out / "case_outcomes.csv").open(encoding="utf-8")))
    uncoded = sorted({r["rule_id"] for r in rows if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", r["reason_code"])})
    assert not uncoded, f"rules with reasons lacking a reason_code: {uncoded}"
    unreadable = {}
    for r in rows:
        if CODE_IN_TEXT.search(r["reason"]) or not r["reason"].strip():
            unreadable.setdefault(r["rule_id"], r["reason"])
    assert not unreadable, unreadable
