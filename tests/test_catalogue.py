"""The rule catalogue: complete against the guideline, consistent with its SQL, rendered to docs."""
import re
from pathlib import Path

import pytest

from audit_rules.catalogue import CATALOGUE_ROOT, load_catalogue, validate_rule_overrides
from audit_rules.render_docs import render
from pipelines.cli import main as cli
from pipelines.config import load_config
from pipelines.sql_runner import parameters_used, sql_text

REPO = Path(__file__).resolve().parents[1]


def test_every_guideline_recommendation_is_in_the_catalogue():
    catalogue = load_catalogue()
    numbers = [line.strip() for line in (CATALOGUE_ROOT / catalogue.name / "recommendations.txt").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    # the guideline's numbering, once each and in order (1.1.1 ... 1.5.21)
    assert numbers and len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers, key=lambda n: tuple(int(part) for part in n.split(".")))
    ids = {r.id for r in catalogue.rules}
    missing = {n for n in numbers if n not in ids and not any(re.fullmatch(re.escape(n) + "[a-z]", i) for i in ids)}
    assert missing == set()


def test_not_auditable_rules_say_why_and_1_3_9_reports_a_descriptive_figure():
    catalogue = load_catalogue()
    assert {r.id for r in catalogue.rules if r.status == "not_auditable"} == {"1.2.2", "1.3.9"}
    assert all(r.reason for r in catalogue.rules if not r.is_audited)
    assert catalogue.rule("1.3.9").descriptive_sql == "descriptive/1_3_9_combination_first_line_chemotherapy.sql"


def test_stood_down_recommendations_are_retired_and_never_audited():
    catalogue = load_catalogue()
    for n in range(1, 8):
        rule = catalogue.rule(f"1.5.{n}")
        assert rule.status == "retired" and rule not in catalogue.audited_rules


def test_every_audited_rule_uses_exactly_its_declared_parameters():
    for rule in load_catalogue().audited_rules:
        used = parameters_used(sql_text(rule.sql))
        assert used == set(rule.parameters), (rule.id, used ^ set(rule.parameters))


def test_rules_read_the_timeline_never_the_validated_tables():
    """Shared logic lives once, in the timeline (sql/timeline): a rule that read validated.* would
    re-derive it, and two rules could then disagree on what a scan, a course or a care record is."""
    files = {rule.sql for rule in load_catalogue().audited_rules}
    assert len(files) >= 20
    readers = sorted(f for f in files if re.search(r"\bvalidated\.", re.sub(r"--[^\n]*", "", sql_text(f))))
    assert readers == []


def test_docs_rules_md_is_in_sync_with_the_catalogue():
    rendered = render(load_catalogue(), load_config().section("targets"))
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rendered, "run `make docs`"


def test_configuration_overrides_are_validated():
    catalogue = load_catalogue()
    validate_rule_overrides(catalogue, {"1.5.16": {"target": 0.8, "parameters": {"single_fraction_dose_gy": 8.0}}})
    with pytest.raises(ValueError, match="no such rule"):
        validate_rule_overrides(catalogue, {"9.9.9": {}})
    with pytest.raises(ValueError, match="has no such parameter"):
        validate_rule_overrides(catalogue, {"1.5.16": {"parameters": {"dose": 8}}})
    validate_rule_overrides(catalogue, {"1.3.5": {"parameters": {
        "accepted_alternatives": ["ovarian_suppression_with_aromatase_inhibitor"]}}})
    with pytest.raises(ValueError, match=r"accepted_alternatives: unknown ovarian_suppression_with_ai \(allowed"):
        validate_rule_overrides(catalogue, {"1.3.5": {"parameters": {"accepted_alternatives": ["ovarian_suppression_with_ai"]}}})


def test_rules_command_lists_and_shows(capsys):
    assert cli(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "1.5.16" in listing and "retired" in listing and "not_auditable" in listing
    assert cli(["rules", "show", "1.5.16"]) == 0
    shown = capsys.readouterr().out
    assert "single fraction of 8 Gy" in shown and "single_fraction_dose_gy" in shown
    assert "\nexclusions:\n  - " in shown and "\nparameters:\n  single_fraction_dose_gy: 8" in shown
    assert "order:" not in shown and "('" not in shown and "{'" not in shown  # no Python reprs


def test_run_refuses_a_bad_configuration_with_exit_status_2(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text('rules:\n  "1.5.16": {parameters: {dose: 8}}\n')
    assert cli(["run", "--output", str(tmp_path / "out"), "--config", str(config)]) == 2
    assert "rules.1.5.16.parameters.dose" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_targets_follow_the_strength_of_each_recommendation():
    """measures.md "Strength and targets": `do not` recommendations 95%, `consider` none, others 90% or
    the majority. 1.3.12b measures "Do not discontinue trastuzumab if progression is within the CNS alone"."""
    audited = load_catalogue().audited_rules
    for rule in audited:
        if rule.strength == "consider":
            assert rule.target is None, rule.id
        elif rule.strength == "do_not":
            assert rule.target == "do_not", rule.id
        else:
            assert rule.target in ("compliance", "majority"), rule.id
    # a recommendation worded "Do not ..." is measured as one
    assert all(r.strength == "do_not" for r in audited if r.guideline_text.lstrip().startswith("Do not"))
    assert load_config().section("targets")["do_not"] == 0.95


def test_an_unquoted_colon_in_a_list_item_is_refused(tmp_path):
    from audit_rules.catalogue import _load_rule

    entry = tmp_path / "9.9.9.yaml"
    entry.write_text("id: '9.9.9'\ntitle: t\nsection: s\nguideline_text: g\nstrength: offer\nstatus: retired\n"
                     "version: 1\nreason: r\ninterpretations:\n  - Unit date: the regimen's start.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="every item of 'interpretations' must be text"):
        _load_rule(entry)
