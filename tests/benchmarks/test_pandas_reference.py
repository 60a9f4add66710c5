"""The vectorised pandas reference of five rules (benchmarks/pandas_reference.py, written from
measures.md v2 on the validated tables alone) gives the same case outcomes as the audit's SQL rules
on a generated 5,000-patient extract run through the real Dagster graph; and the benchmark's timing
function times both on that database."""
import duckdb
import pandas as pd
import pytest
import yaml

from benchmarks.pandas_reference import OUTPUT_COLUMNS, RULE_IDS, reference_outcomes, time_reference
from sample_data.generate import generate_extract
from tests.conftest import COMPLETE_FOLLOW_UP, run_audit

PATIENTS = 5_000
KEY = ["rule_id", "patient_id", "unit_id"]


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    base = tmp_path_factory.mktemp("pandas_reference")
    generate_extract(base / "extract", PATIENTS, file_format="parquet")
    run = run_audit(base / "extract", base)
    assert run.result.success, run.failure()
    return run


@pytest.fixture(scope="module")
def sql_outcomes(audited) -> pd.DataFrame:
    with duckdb.connect(str(audited.database), read_only=True) as con:
        return con.execute("""select rule_id, patient_id, unit_id, outcome, reason_code, reason
            from rules.case_outcomes where list_contains($rules, rule_id)""", {"rules": list(RULE_IDS)}).df()


def _differences(reference: pd.DataFrame, sql: pd.DataFrame) -> pd.DataFrame:
    both = reference.merge(sql, on=KEY, how="outer", suffixes=("_pandas", "_sql"))
    return both[both["outcome_pandas"].fillna("(no unit)") != both["outcome_sql"].fillna("(no unit)")]


def _report(differences: pd.DataFrame) -> str:
    counts = differences.fillna("(no unit)").groupby(["rule_id", "outcome_pandas", "outcome_sql"]).size()
    shown = differences.head(20)[KEY + ["outcome_pandas", "outcome_sql", "reason_code", "reason"]]
    with pd.option_context("display.width", 250, "display.max_colwidth", 110, "display.max_columns", 10):
        return (f"{len(differences)} units differ (pandas reference vs SQL rules):\n{counts.to_string()}\n"
                f"first 20:\n{shown.to_string(index=False)}")


def test_reference_gives_the_sql_rules_outcomes(audited, sql_outcomes):
    follow_up_end = str(yaml.safe_load(COMPLETE_FOLLOW_UP)["timeline"]["follow_up_end"])
    reference = reference_outcomes(audited.database, follow_up_end=follow_up_end)
    assert list(reference.columns) == OUTPUT_COLUMNS
    assert not reference.duplicated(KEY).any()
    # a comparison of near-empty rules would prove nothing: every rule judges many units both ways
    for rule_id in RULE_IDS:
        outcomes = reference.loc[reference["rule_id"] == rule_id, "outcome"].value_counts()
        assert outcomes.sum() >= 500 and outcomes.get("adherent", 0) >= 50 and outcomes.get("non_adherent", 0) >= 50, \
            f"{rule_id}: {outcomes.to_dict()}"
    differences = _differences(reference, sql_outcomes)
    assert differences.empty, _report(differences)


def test_time_reference_times_both_on_a_copy(audited, sql_outcomes, capsys):
    before = audited.database.stat().st_mtime_ns
    timing = time_reference(audited.database, repeats=1)
    assert timing["units"] == len(sql_outcomes)
    assert timing["pandas_reference_s"] > 0 and timing["sql_rules_s"] > 0
    assert timing["pandas_over_sql"] == round(timing["pandas_reference_s"] / timing["sql_rules_s"], 1)
    assert "SQL" in capsys.readouterr().out and audited.database.stat().st_mtime_ns == before
