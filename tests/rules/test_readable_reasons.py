"""The check that reasons are readable by a clinician (tests/rules/readable_reasons.py, applied to every
rule case run by tests/rules/test_rule_cases.py) finds what it is for."""
from tests.rules.readable_reasons import reason_problems


def test_the_reason_check_finds_what_it_is_for():
    assert reason_problems("no ct, mri, bone_scintigraphy from index - 60 to + 30 days") == [
        "underscore-joined word 'bone_scintigraphy'", "index arithmetic"]
    assert reason_problems("window from 1924-04-06") == ["date before 1950 '1924-04-06'"]
    assert reason_problems("MRI on 2024-03-10, 5 days after the equivocal CT of 2024-03-05") == []
