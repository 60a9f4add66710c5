"""The data-quality banner and the notice of rules that could not be judged (issue 12 parts 2 and 6).
The pages of real runs are tested in tests/test_data_quality_summary.py; these are the texts."""
from dashboards import report


def test_no_banner_and_no_notice_when_there_is_nothing_to_say():
    assert report._data_quality_banner([]) == ""
    assert report._rules_not_judged_notice([]) == ""


def test_the_banner_lists_every_warning_escaped_and_names_the_quarantine_file():
    banner = report._data_quality_banner(["5 of the 50 rows of systemic_therapy (10.0%) were set aside",
                                          "a reason quoting <b>markup</b>"])
    assert banner.startswith('<div class="data-quality-warning" id="data-quality-warning" role="alert">')
    assert banner.count("<li>") == 2 and "&lt;b&gt;markup&lt;/b&gt;" in banner
    assert "data_quality/quarantine.csv" in banner


def test_the_banner_comes_before_the_header_title_and_the_notice_before_the_sections():
    page = report.PAGE.template
    assert page.index("<header>") < page.index("$data_quality_banner") < page.index("<h1>")
    assert page.index("$rules_not_judged") < page.index('<section id="completeness">')


def test_the_notice_groups_rules_by_the_tables_they_lacked():
    notice = report._rules_not_judged_notice([
        {"rule_id": "1.1.1", "missing_tables": ["imaging"], "table_status": {"imaging": "absent"}},
        {"rule_id": "1.1.2", "missing_tables": ["imaging"], "table_status": {"imaging": "absent"}},
        {"rule_id": "1.5.21", "missing_tables": ["care_events"], "table_status": {"care_events": "empty"}},
    ])
    assert ("These rules could not be judged: 1.1.1 and 1.1.2 because the extract has no imaging table; "
            "1.5.21 because the care events file in the extract is empty.") in notice
    assert "care_events" not in notice  # table names written for people
