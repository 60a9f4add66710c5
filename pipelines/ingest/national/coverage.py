"""Which recommendations the national datasets can audit (coverage.csv, one line per catalogue rule):
`judged`, `partly` (judged where the data allow, insufficient_data where a fact is not recorded) or
`not_judged` (every unit insufficient_data, the reason naming what the datasets lack). The rules
stage, the manifest, the dashboard and the README read it."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

COVERAGE_PATH = Path(__file__).resolve().parent / "coverage.csv"
LEVELS = ("judged", "partly", "not_judged")


@dataclass(frozen=True)
class RuleCoverage:
    rule_id: str
    coverage: str
    why: str


@cache
def national_coverage() -> dict[str, RuleCoverage]:
    with COVERAGE_PATH.open(encoding="utf-8", newline="") as handle:
        return {row["rule_id"]: RuleCoverage(row["rule_id"], row["coverage"], row["why"] or "")
                for row in csv.DictReader(handle)}


def not_judged_reason(rule_id: str, input_format: str) -> str | None:
    """Why no unit of the rule can be judged from this input format, or None."""
    if input_format != "national":
        return None
    entry = national_coverage().get(rule_id)
    return entry.why if entry and entry.coverage == "not_judged" else None
