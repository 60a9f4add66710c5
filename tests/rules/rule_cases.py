"""Rule cases as data: each rule's `<id>.cases.yaml` beside its catalogue entry holds given/expect
cases (the form of dbt unit tests and OHDSI's check tests). This module loads them, writes one extract
per configuration group (every case is a patient of its own, so cases never meet), runs the real
asset graph once per group up to the case outcomes, and checks each case.

A case file:

    rule: "1.5.16"
    cases:
      - case: NON_20GY_5                 # the patient's id is "<rule>.<case>" (1_5_16.NON_20GY_5)
        why: 20 Gy in 5 fractions        # optional, for the reader
        patient: {sex: female, date_of_death: 11}   # optional; dates as days from the index date
        given:                           # the patient's story: tests/extract_builder.py steps, in order
          - metastatic: {}
          - radiotherapy: {course_id: C1, dose_gy: 20, fractions: 5}
        expect:                          # one entry per unit of this rule; `none`: no unit at all
          - {unit: C1, outcome: non_adherent, reason_code: not_single_fraction_8_gy}
        config: {rules: {"1.5.16": {parameters: {single_fraction_dose_gy: 8}}}}   # optional
        tables: [patients, disease_events]   # optional: only these tables are written

`unit` is left out for patient units; optional `reason` (exact; `{day:N}` is the date N days from the
index date), `period`, `index_date` and `unit_date` (days from the index date), `provider_code` and `evidence` (the
fields given, each equal to the unit's evidence: `{day:N}` for a date, null for an empty field) are
checked when given. The index
date is tests.extract_builder.INDEX (2024-03-01); every run's follow-up ends on 2030-12-31.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from audit_rules.catalogue import CATALOGUE_ROOT, load_catalogue
from tests.extract_builder import Extract, day

STEPS = {"metastatic", "event", "pathology", "regimen", "radiotherapy", "imaging", "decision", "procedure", "care"}
CASE_KEYS = {"case", "why", "patient", "given", "expect", "config", "tables"}
EXPECT_KEYS = {"unit", "outcome", "reason_code", "reason", "period", "index_date", "unit_date", "provider_code",
               "evidence"}
OUTCOMES = {"adherent", "non_adherent", "excluded", "insufficient_data"}
FOLLOW_UP = {"timeline": {"follow_up_end": "2030-12-31"}}
_DAY = re.compile(r"\{day:(-?\d+)\}")


class CaseFileError(ValueError):
    """A case file that does not follow the format above (named with the file and the case)."""


@dataclass(frozen=True)
class RuleCase:
    rule_id: str
    case: str
    file: Path
    patient: dict
    given: list
    expect: list | None  # None: the rule has no unit for this patient
    config: dict = field(default_factory=dict)
    tables: tuple[str, ...] | None = None

    @property
    def patient_id(self) -> str:
        return f"{self.rule_id.replace('.', '_')}.{self.case}"

    @property
    def group(self) -> str:
        """Cases with the same configuration and tables share one audit run."""
        return json.dumps({"config": self.config, "tables": self.tables}, sort_keys=True)


def case_files() -> list[Path]:
    """Every case file; ABC_AUDIT_RULE_CASES=1.5.16,1.5.14 keeps those rules' alone (a small, quick run)."""
    files = sorted((CATALOGUE_ROOT / load_catalogue().name / "rules").glob("*.cases.yaml"))
    chosen = {r.strip() for r in os.environ.get("ABC_AUDIT_RULE_CASES", "").split(",") if r.strip()}
    return [f for f in files if f.name.removesuffix(".cases.yaml") in chosen] if chosen else files


def load_cases(files: list[Path] | None = None) -> list[RuleCase]:
    audited = {r.id for r in load_catalogue().audited_rules}
    cases, seen = [], set()
    for path in files or case_files():
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule_id = str(document.get("rule", ""))
        if rule_id not in audited or path.name != f"{rule_id}.cases.yaml":
            raise CaseFileError(f"{path.name}: 'rule' must be the audited rule the file is named after, got {rule_id!r}")
        for entry in document.get("cases") or []:
            case = _case(rule_id, path, entry)
            if case.patient_id in seen:
                raise CaseFileError(f"{path.name}: case {case.case} appears twice")
            seen.add(case.patient_id)
            cases.append(case)
    return cases


def _case(rule_id: str, path: Path, entry: dict) -> RuleCase:
    where = f"{path.name}, case {entry.get('case')!r}"
    unknown = set(entry) - CASE_KEYS
    if unknown or not entry.get("case") or not isinstance(entry.get("given"), list):
        raise CaseFileError(f"{where}: needs 'case' and a list 'given'; unknown keys {sorted(unknown)}")
    for step in entry["given"]:
        if not (isinstance(step, dict) and len(step) == 1 and next(iter(step)) in STEPS):
            raise CaseFileError(f"{where}: a step must be one of {sorted(STEPS)} with its arguments, got {step!r}")
    expect = entry.get("expect")
    if expect == "none":
        expect = None
    elif not isinstance(expect, list) or not expect:
        raise CaseFileError(f"{where}: 'expect' must be a list of units or 'none'")
    else:
        for unit in expect:
            if set(unit) - EXPECT_KEYS or unit.get("outcome") not in OUTCOMES or not unit.get("reason_code"):
                raise CaseFileError(f"{where}: each expected unit needs an outcome of {sorted(OUTCOMES)} and a "
                                    f"reason_code (other keys: {sorted(EXPECT_KEYS)}), got {unit!r}")
    tables = entry.get("tables")
    return RuleCase(rule_id, str(entry["case"]), path, dict(entry.get("patient") or {}), entry["given"], expect,
                    dict(entry.get("config") or {}), tuple(tables) if tables else None)


def _dated(fields: dict) -> dict:
    """Patient fields with dates given as days from the index date."""
    return {k: day(v) if k.endswith("date_of_death") and isinstance(v, int) else v for k, v in fields.items()}


def build_extract(cases: list[RuleCase]) -> Extract:
    """The cases' patients, and one patient outside the cohort (no metastatic diagnosis) with a row in
    every table: a table is then supplied whichever cases share the run, so no case depends on another
    (an absent or empty table makes every unit of the rules that need it insufficient data)."""
    extract = Extract()
    extract.patient("rule_cases.TABLES_SUPPLIED").event(-400, "early_diagnosis").pathology(-395) \
        .regimen("letrozole", start=-300, intent="adjuvant").radiotherapy("FILLER", start=-350, site="breast_chest_wall") \
        .imaging(-400, "ct").procedure(-390, "biopsy_metastasis").care(-390, "mdt_discussion") \
        .decision(-390, "chemotherapy")
    for case in cases:
        builder = extract.patient(case.patient_id, **_dated(case.patient))
        for step in case.given:
            (method, arguments), = step.items()
            getattr(builder, method)(**(arguments or {}))
    return extract


def config_yaml(case: RuleCase) -> str:
    config = {**case.config, "timeline": {**FOLLOW_UP["timeline"], **case.config.get("timeline", {})}}
    return yaml.safe_dump(config, sort_keys=True)


def expected_text(text: str) -> str:
    return _DAY.sub(lambda m: day(int(m.group(1))), text)


def problems(case: RuleCase, rows: list[dict]) -> list[str]:
    """How the outcomes of the case's patient for its rule differ from what the case expects."""
    found = {r["unit_id"]: r for r in rows}
    if case.expect is None:
        return [f"expected no unit, found {sorted(found)}"] if found else []
    wrong = []
    expected_units = {unit.get("unit", case.patient_id) for unit in case.expect}
    if set(found) != expected_units:
        wrong.append(f"units {sorted(found)}, expected {sorted(expected_units)}")
    for unit in case.expect:
        row = found.get(unit.get("unit", case.patient_id))
        if row is None:
            continue
        checks = {"outcome": unit["outcome"], "reason_code": unit["reason_code"], "reason": unit.get("reason"),
                  "period": unit.get("period"), "provider_code": unit.get("provider_code"),
                  "unit_date": day(unit["unit_date"]) if "unit_date" in unit else None,
                  "index_date": day(unit["index_date"]) if "index_date" in unit else None}
        for key, value in checks.items():
            if value is not None and str(row[key]) != (expected_text(value) if key == "reason" else str(value)):
                wrong.append(f"{unit.get('unit', 'patient unit')}: {key} {row[key]!r}, expected {value!r}")
        evidence = json.loads(row["evidence"]) if "evidence" in unit else {}
        for key, value in (unit.get("evidence") or {}).items():
            expected = expected_text(value) if isinstance(value, str) else value
            if evidence.get(key, "(missing)") != expected:
                wrong.append(f"{unit.get('unit', 'patient unit')}: evidence {key} {evidence.get(key, '(missing)')!r}, "
                             f"expected {expected!r}")
    return wrong
