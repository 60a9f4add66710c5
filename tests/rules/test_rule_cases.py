"""Every rule case of audit_rules/*/rules/<id>.cases.yaml (tests/rules/rule_cases.py says the format),
checked as its own test against the real asset graph: one audit per configuration group, run the
first time a case of the group is checked.

One rule's cases alone, in seconds (an extract of that rule's cases only):
    ABC_AUDIT_RULE_CASES=1.5.16 make test PYTEST_ARGS=tests/rules/test_rule_cases.py
"""
import pytest

from tests.conftest import run_audit
from tests.rules.readable_reasons import unreadable_outcomes
from tests.rules.rule_cases import build_extract, config_yaml, load_cases, problems

CASES = load_cases()


@pytest.fixture(scope="module")
def group_runs(tmp_path_factory):
    runs = {}

    def run_for(group: str):
        if group not in runs:
            members = [c for c in CASES if c.group == group]
            folder = tmp_path_factory.mktemp("rule_cases")
            config = folder / "config.yaml"
            config.write_text(config_yaml(members[0]), encoding="utf-8")
            extract = build_extract(members).write(folder / "extract", list(members[0].tables or []) or None)
            runs[group] = run_audit(extract, folder, config, upto="rules")
            assert runs[group].failure() is None, runs[group].failure()
        return runs[group]
    return run_for


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule_id}:{c.case}" for c in CASES])
def test_rule_case(case, group_runs):
    run = group_runs(case.group)
    rows = run.query("select * from rules.case_outcomes where rule_id = $rule and patient_id = $patient",
                     {"rule": case.rule_id, "patient": case.patient_id})
    assert problems(case, rows) == []


@pytest.mark.parametrize("group", sorted({c.group for c in CASES}))
def test_every_reason_of_the_cases_is_readable_by_a_clinician(group, group_runs):
    rows = group_runs(group).query("select * from rules.case_outcomes")
    assert rows and unreadable_outcomes(rows) == []
