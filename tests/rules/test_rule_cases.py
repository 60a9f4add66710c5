"""Every rule case of audit_rules/*/rules/<id>.cases.yaml (tests/rules/rule_cases.py says the format),
checked as its own test against the real asset graph: one audit per configuration group, run the
first time a case of the group is checked.

One rule's cases alone, in seconds (an extract of that rule's cases only):
    ABC_AUDIT_RULE_CASES=1.5.16 make test PYTEST_ARGS=tests/rules/test_rule_cases.py
"""
import os

import pytest

from tests.conftest import run_audit
from tests.rules.readable_reasons import unreadable_outcomes
from tests.rules.rule_cases import build_extract, config_yaml, load_cases, problems

CASES = load_cases()


@pytest.fixture(scope="module")
def group_outcomes(tmp_path_factory):
    """Every case outcome of a configuration group's run, read once: {(rule, patient): [rows]}."""
    outcomes = {}

    def outcomes_of(group: str) -> dict[tuple[str, str], list[dict]]:
        if group not in outcomes:
            members = [c for c in CASES if c.group == group]
            folder = tmp_path_factory.mktemp("rule_cases")
            config = folder / "config.yaml"
            config.write_text(config_yaml(members[0]), encoding="utf-8")
            extract = build_extract(members).write(folder / "extract", list(members[0].tables or []) or None)
            run = run_audit(extract, folder, config, upto="rules")
            assert run.failure() is None, run.failure()
            outcomes[group] = {}
            for row in run.query("select * from rules.case_outcomes order by rule_id, patient_id, unit_id"):
                outcomes[group].setdefault((row["rule_id"], row["patient_id"]), []).append(row)
        return outcomes[group]
    return outcomes_of


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule_id}:{c.case}" for c in CASES])
def test_rule_case(case, group_outcomes):
    rows = group_outcomes(case.group).get((case.rule_id, case.patient_id), [])
    assert problems(case, rows) == []


@pytest.mark.parametrize("group", sorted({c.group for c in CASES}))
def test_every_reason_of_the_cases_is_readable_by_a_clinician(group, group_outcomes):
    rows = [row for rows in group_outcomes(group).values() for row in rows]
    assert rows and unreadable_outcomes(rows) == []


def test_every_audited_rule_has_cases_of_every_outcome_it_can_produce():
    """Adding a recommendation is a catalogue entry, its SQL file and its case file: the cases, not the
    bundled sample, must show every outcome the entry allows."""
    from audit_rules.catalogue import load_catalogue

    if os.environ.get("ABC_AUDIT_RULE_CASES"):
        pytest.skip("only some rules' cases are loaded")
    seen: dict[str, set[str]] = {}
    for case in CASES:
        seen.setdefault(case.rule_id, set()).update(u["outcome"] for u in case.expect or [])
    for rule in load_catalogue().audited_rules:
        assert seen.get(rule.id, set()) >= rule.possible_outcomes, (rule.id, seen.get(rule.id))
