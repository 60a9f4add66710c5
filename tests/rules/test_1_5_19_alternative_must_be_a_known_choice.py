"""1.5.19's accepted_alternatives is configuration: none by default, and only the choices the catalogue
lists (stereotactic_radiotherapy) are accepted. What each setting does to the verdicts is in the rule
cases (audit_rules/cg81_2025_02/rules/1.5.19.cases.yaml and 1.5.18.cases.yaml, the _ACCEPTED cases)."""
import pytest

from audit_rules.catalogue import load_catalogue, validate_rule_overrides


def test_the_alternative_must_be_one_the_rule_knows():
    catalogue = load_catalogue()
    with pytest.raises(ValueError, match=r"accepted_alternatives: unknown stereotactic \(allowed: stereotactic_radio"):
        validate_rule_overrides(catalogue, {"1.5.19": {"parameters": {"accepted_alternatives": ["stereotactic"]}}})
    assert load_catalogue().rule("1.5.19").parameters["accepted_alternatives"] == []
