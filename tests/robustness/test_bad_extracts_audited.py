"""The accepted extracts of the corpus, audited end to end through the real CLI (`abc-audit run`):
the valid patients are still audited, with one outcome per rule and unit. (Apart from
test_bad_extracts.py, so that the two halves of the corpus can run side by side.)"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.robustness.corpus import CORPUS, BadExtract


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ACCEPTED = [c for c in CORPUS if not c.refused]


@pytest.mark.parametrize("case", [c for c in ACCEPTED if c.after_audit or c.name in {
    "unknown_code_in_every_enumerated_column", "parquet_with_wrong_types", "ten_megabyte_line",
    "event_before_birth_year", "duplicate_ids", "unknown_item_in_a_code_list", "files_that_are_not_tables"}],
    ids=lambda c: c.name)
def test_messy_extract_is_audited_end_to_end(case: BadExtract, tmp_path, capsys):
    extract = case.build(tmp_path)
    status = main(["run", "--input", str(extract), "--output", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "Traceback" not in captured.out + captured.err
    outcomes = _csv(tmp_path / "out" / "case_outcomes.csv")
    assert outcomes, "the valid patients are still audited"
    units = [(o["rule_id"], o["unit_id"]) for o in outcomes]
    assert len(units) == len(set(units)), "one outcome per rule and unit"
    if case.after_audit:
        case.after_audit(tmp_path / "out")
