"""An absent optional table is not evidence that nothing happened (measures.md v2, issue 12 part 6):
through the real CLI, a copy of a small part of the sample without imaging.csv, and another
without care_events.csv, give no adherent or non-adherent unit for the rules that need the
missing table; every unit of those rules is insufficient data with a reason naming the table."""
import csv
from pathlib import Path

import pytest

from audit_rules.catalogue import load_catalogue
from sample_data import SAMPLE_DATA_DIR

from pipelines.cli import main as cli

PATIENTS = 150  # the first patients of the sample by pseudonym: enough for every rule to have units


def _small_copy(folder: Path, without: str) -> Path:
    """The sample's tables restricted to its first patients, without the file of table `without`."""
    with (SAMPLE_DATA_DIR / "patients.csv").open(encoding="utf-8", newline="") as handle:
        keep = set(sorted(row["patient_id"] for row in csv.DictReader(handle))[:PATIENTS])
    folder.mkdir(parents=True)
    for source in sorted(SAMPLE_DATA_DIR.glob("*.csv")):
        if source.stem == without:
            continue
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [row for row in reader if row["patient_id"] in keep]
            columns = reader.fieldnames
        with (folder / source.name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, list[dict]]:
    """Case outcomes of one CLI run per missing table."""
    base = tmp_path_factory.mktemp("absent_tables")
    found = {}
    for table in ("imaging", "care_events"):
        extract = _small_copy(base / f"without_{table}", without=table)
        assert cli(["run", "--input", str(extract), "--output", str(base / f"out_without_{table}")]) == 0
        with (base / f"out_without_{table}" / "case_outcomes.csv").open(encoding="utf-8", newline="") as handle:
            found[table] = list(csv.DictReader(handle))
    return found


def _rules_needing(table: str) -> set[str]:
    return {r.id for r in load_catalogue().audited_rules if table in r.needs_tables}


def test_the_catalogue_says_which_rules_need_each_table():
    assert _rules_needing("imaging") == {"1.1.1", "1.1.2", "1.1.3", "1.1.4", "1.1.5", "1.1.7", "1.1.8"}
    assert _rules_needing("care_events") >= {"1.2.1", "1.2.3", "1.2.4", "1.4.1a", "1.4.1b", "QS12-5", "QS12-6"}


@pytest.mark.parametrize("table, reason", [
    ("imaging", "no imaging table in the extract"),
    ("care_events", "no care events table in the extract"),
])
def test_rules_needing_an_absent_table_judge_no_unit(outcomes, table, reason):
    needing = _rules_needing(table)
    rows = [r for r in outcomes[table] if r["rule_id"] in needing]
    # patient-level rules still have every cohort patient as a unit: the table's absence is reported.
    # Rules whose population is itself read from the table have no unit without it (1.1.4 and 1.1.5
    # start from a scan; 1.5.8-1.5.10 from a fatigue report, a care event); the manifest lists them.
    assert {r["rule_id"] for r in rows} >= needing - {"1.1.4", "1.1.5", "1.5.8", "1.5.9", "1.5.10"}
    assert {(r["outcome"], r["reason_code"], r["reason"]) for r in rows} == {
        ("insufficient_data", "table_not_in_extract", reason)}


@pytest.mark.parametrize("table, other", [("imaging", "care_events"), ("care_events", "imaging")])
def test_rules_of_the_table_supplied_are_still_judged(outcomes, table, other):
    # the same small extract, missing only the other table: its rules have judged units
    judged = {r["rule_id"] for r in outcomes[table]
              if r["rule_id"] in _rules_needing(other) and r["outcome"] in ("adherent", "non_adherent")}
    assert judged >= {"1.1.1", "1.1.2", "1.1.7"} if other == "imaging" else judged >= {"1.2.1", "QS12-5", "QS12-6"}
