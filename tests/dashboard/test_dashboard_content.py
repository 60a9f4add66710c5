"""What each figure of the sample's dashboard shows, read from the page itself: funnel plots with
their control limits and exactly the outlying providers (judged on the exact counts) labelled,
quarterly trends with intervals, messages on empty charts, and a definition for every rule."""
import csv
import html as html_lib

import pytest

from audit_rules.catalogue import load_catalogue
import pandas as pd

from dashboards import funnel, report
from dashboards.figures import funnel_figure, rule_slug, trend_figure
from tests.dashboard.plotly_page import figure_layout, figure_traces, values


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


@pytest.fixture(scope="module")
def exact(sample_output) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(numerator, denominator) of the whole period from measures.csv, the analysts' exact file."""
    with (sample_output / "measures.csv").open(encoding="utf-8") as handle:
        return {(r["rule_id"], r["level"], r["group"]): (int(r["numerator"]), int(r["denominator"]))
                for r in csv.DictReader(handle) if r["period"] == "all"}


def test_funnels_draw_both_limits_and_label_exactly_the_outlying_providers(page, disclosed, exact):
    labelled_somewhere = judged_apart = 0
    for rule in load_catalogue().audited_rules:
        traces = figure_traces(page, f"funnel-{rule_slug(rule.id)}")
        shown = {g: r for (rule_id, level, g), r in disclosed.items()
                 if rule_id == rule.id and level == "provider" and r["adherence"]}
        if not shown or not disclosed[(rule.id, "national", "national")]["adherence"]:
            continue
        names = {t.get("name") for t in traces}
        assert {"99.8% limits (alarm)", "95% limits (alert)", "Provider"} <= names, rule.id
        # the line and its legend are at the national adherence shown on the scorecard (rounded
        # counts): drawn at the exact one, they would give a small national count away
        shown_p0 = float(disclosed[(rule.id, "national", "national")]["adherence"])
        assert f"National adherence {shown_p0:.1%}" in names, rule.id
        centre = next(t for t in traces if t.get("name", "").startswith("National adherence"))
        assert values(centre["y"]) == [round(shown_p0, 5)] * 2, rule.id
        x, n = exact[(rule.id, "national", "national")]  # positions are judged on the exact counts
        points = next(t for t in traces if t.get("name") == "Provider")
        assert report.VERDICT_NOTE in points["hovertemplate"].replace("<br>", " "), rule.id
        groups = [c[0] for c in points["customdata"]]
        assert sorted(groups) == sorted(shown), rule.id  # providers with 1-7 cases are not plotted
        for group, label, custom, plotted_n, adherence in zip(
                groups, points["text"], points["customdata"], values(points["x"]), values(points["y"])):
            row = shown[group]
            assert (plotted_n, adherence) == (int(row["denominator"]), float(row["adherence"])), (rule.id, group)
            true_x, true_n = exact[(rule.id, "provider", group)]
            position = funnel.position(true_x / true_n, true_n, x / n)
            assert custom[3] == position, (rule.id, group)
            assert label == (group if position != "within limits" else ""), (rule.id, group)
            labelled_somewhere += position != "within limits"
            judged_apart += position != funnel.position(adherence, plotted_n, x / n)
    assert labelled_somewhere > 0, "the sample has outlying providers"
    assert judged_apart > 0, "the sample has providers whose rounded figures fall elsewhere than their exact counts"


def test_verdict_note_is_beside_the_scorecard(page):
    scorecard = page[page.index('<section id="scorecard">'):page.index("</section>", page.index('<section id="scorecard">'))]
    assert html_lib.escape(report.VERDICT_NOTE) in scorecard


def _exact_and_disclosed(rows: list[dict]) -> report.DashboardData:
    """Hand-written rows of one rule, whole period: exact and disclosed counts side by side."""
    disclosed = pd.DataFrame([{"rule_id": "1.1.1", "period": "all", **{k: v for k, v in r.items() if k != "exact"}}
                              for r in rows])
    exact = pd.DataFrame([{"rule_id": "1.1.1", "level": r["level"], "group": r["group"], "period": "all",
                           "numerator": r["exact"][0], "denominator": r["exact"][1]} for r in rows])
    return report.DashboardData(disclosed=disclosed, exact=exact, descriptive=pd.DataFrame(),
                                field_completeness=pd.DataFrame(), rules=(),
                                disclosure={"suppress_min": 1, "suppress_max": 7, "round_to": 5})


def _row(level, group, exact, numerator, denominator, adherence, suppressed=False):
    return {"level": level, "group": group, "exact": exact, "numerator": numerator, "denominator": denominator,
            "adherence": adherence, "suppressed": suppressed}


def test_funnel_position_and_centre_line_come_from_the_exact_counts():
    # true 17/24 = 70.8% sits within the limits around 85%; its rounded figures, 15/25 = 60%, would fall
    # below the 95% (alert) limit
    data = _exact_and_disclosed([_row("national", "national", (850, 1000), "850", "1000", 0.85),
                                 _row("provider", "RAA", (17, 24), "15", "25", 0.6)])
    p0, p0_shown = report._centre_line(data.disclosed, data.exact)
    assert (p0, p0_shown) == (0.85, 0.85)
    points = report._funnel_points(data.disclosed, data.exact, p0)
    assert points["position"].tolist() == [funnel.position(17 / 24, 24, 0.85)] == ["within limits"]
    assert funnel.position(0.6, 25, 0.85) == "below alert limit"
    assert points[["plotted_n", "adherence", "numerator"]].values.tolist() == [[25, 0.6, "15"]]


@pytest.mark.parametrize("providers, national, message", [
    ([_row("provider", "RAA", (3, 12), "*", "10", None, True)], (300, 400),
     "Every provider's figures are suppressed (small numbers: counts from 1 to 7 are hidden)."),
    ([_row("provider", "RAA", (0, 0), "0", "0", None)], (300, 400), "No provider has eligible cases for this measure."),
    ([_row("provider", "RAA", (0, 20), "0", "20", 0.0)], (5, 400),
     "The national figures are suppressed (small numbers), so providers are not compared with them."),
])
def test_an_empty_funnel_says_why(providers, national, message):
    shown = None if 1 <= national[0] <= 7 else national[0] / national[1]
    data = _exact_and_disclosed([_row("national", "national", national, "*" if shown is None else str(national[0]),
                                      str(national[1]), shown, shown is None)] + providers)
    p0, p0_shown = report._centre_line(data.disclosed, data.exact)
    points = report._funnel_points(data.disclosed, data.exact, p0)
    assert report._funnel_message(data.disclosure, data.disclosed, points, p0) == message
    page = funnel_figure("1.1.1", points, p0_shown, message, report.VERDICT_NOTE)
    assert [a["text"] for a in figure_layout(page, "funnel-1-1-1")["annotations"]] == [message]
    assert figure_traces(page, "funnel-1-1-1") == []


@pytest.mark.parametrize("numerator, suppressed, message", [
    ("*", True, "Every quarter's figures are suppressed (small numbers)."),
    ("0", False, "No quarter has eligible cases for this measure."),
])
def test_a_trend_without_a_figure_to_show_says_why(numerator, suppressed, message):
    quarters = pd.DataFrame([{"group": g, "period": p, "adherence": None, "ci_low": None, "ci_high": None,
                              "numerator": numerator, "denominator": numerator, "suppressed": suppressed}
                             for g in ("national", "QAA") for p in ("2024Q1", "2024Q2")])
    page = trend_figure("1.1.1", quarters)
    assert [a["text"] for a in figure_layout(page, "trend-1-1-1")["annotations"]] == [message]
    shown = quarters.assign(adherence=0.8, ci_low=0.7, ci_high=0.9, suppressed=False)
    assert "annotations" not in figure_layout(trend_figure("1.1.1", shown), "trend-1-1-1")


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
    groups = ["national"] + [f"Q{n:02d}" for n in range(icbs)]
    quarters = pd.DataFrame([{"group": g, "period": p, "adherence": 0.8, "ci_low": 0.7, "ci_high": 0.9,
                              "numerator": "40", "denominator": "50"} for g in groups for p in ("2024Q1", "2024Q2")])
    traces = figure_traces(trend_figure("1.1.1", quarters), "trend-1-1-1")
    visibility = {t["name"]: t.get("visible", True) for t in traces}
    assert visibility.pop("National") is True
    assert set(visibility.values()) == ({"legendonly"} if hidden else {True})
