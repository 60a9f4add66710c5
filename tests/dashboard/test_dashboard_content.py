"""What each figure of the sample's dashboard shows, read from the page itself: funnel plots with
their control limits and exactly the outlying providers labelled, quarterly trends with intervals,
and a definition for every rule of the catalogue."""
import csv
import html as html_lib

import pytest

from audit_rules.catalogue import load_catalogue
from dashboards import funnel
from dashboards.figures import rule_slug
from tests.dashboard.plotly_page import figure_traces, values


@pytest.fixture(scope="module")
def page(sample_output) -> str:
    return (sample_output / "dashboard.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def disclosed(sample_output) -> dict[tuple[str, str, str], dict]:
    """Whole-period rows of the commissioners' exports: national and every provider with an ICB."""
    rows = {}
    for export in (sample_output / "exports" / "icb").glob("*/measures.csv"):
        with export.open(encoding="utf-8") as handle:
            rows |= {(r["rule_id"], r["level"], r["group"]): r for r in csv.DictReader(handle) if r["period"] == "all"}
    return rows


def test_funnels_draw_both_limits_and_label_exactly_the_outlying_providers(page, disclosed):
    labelled_somewhere = 0
    for rule in load_catalogue().audited_rules:
        traces = figure_traces(page, f"funnel-{rule_slug(rule.id)}")
        shown = {g: r for (rule_id, level, g), r in disclosed.items()
                 if rule_id == rule.id and level == "provider" and r["adherence"]}
        if not shown:
            continue
        names = {t.get("name") for t in traces}
        assert {"99.8% limits (alarm)", "95% limits (alert)", "Provider"} <= names, rule.id
        p0 = float(disclosed[(rule.id, "national", "national")]["adherence"])
        assert f"National adherence {p0:.1%}" in names, rule.id
        points = next(t for t in traces if t.get("name") == "Provider")
        groups = [c[0] for c in points["customdata"]]
        assert sorted(groups) == sorted(shown), rule.id  # providers with 1-7 cases are not plotted
        for group, label, n, adherence in zip(groups, points["text"], values(points["x"]), values(points["y"])):
            row = shown[group]
            assert (n, adherence) == (int(row["denominator"]), float(row["adherence"])), (rule.id, group)
            outside = funnel.position(adherence, n, p0) != "within limits"
            assert label == (group if outside else ""), (rule.id, group)
            labelled_somewhere += outside
    assert labelled_somewhere > 0, "the sample has outlying providers"


def test_trends_have_a_national_line_and_intervals(page):
    for rule in load_catalogue().audited_rules:
        traces = figure_traces(page, f"trend-{rule_slug(rule.id)}")
        national = next(t for t in traces if t["name"] == "National")
        assert national["error_y"]["type"] == "data" and "array" in national["error_y"], rule.id
        assert any(t["name"].startswith("ICB ") for t in traces), rule.id


def test_every_rule_of_the_catalogue_is_defined(page):
    for rule in load_catalogue().rules:
        start = page.index(f'<details id="definition-{rule_slug(rule.id)}">')
        block = page[start:page.index("</details>", start)]
        assert html_lib.escape(rule.title) in block, rule.id
        assert ("Adherent when" in block) == rule.is_audited, rule.id


@pytest.mark.parametrize("icbs, hidden", [(3, False), (12, True)])
def test_trend_hides_icb_lines_when_there_are_more_than_its_colours(icbs, hidden):
    import pandas as pd

    from dashboards.figures import trend_figure

    groups = ["national"] + [f"Q{n:02d}" for n in range(icbs)]
    quarters = pd.DataFrame([{"group": g, "period": p, "adherence": 0.8, "ci_low": 0.7, "ci_high": 0.9,
                              "numerator": "40", "denominator": "50"} for g in groups for p in ("2024Q1", "2024Q2")])
    traces = figure_traces(trend_figure("1.1.1", quarters), "trend-1-1-1")
    visibility = {t["name"]: t.get("visible", True) for t in traces}
    assert visibility.pop("National") is True
    assert set(visibility.values()) == ({"legendonly"} if hidden else {True})
