"""The data-completeness heatmaps are commissioner-facing too: a share whose numerator or
denominator is from 1 to 7 is shown as `*`, with no colour, hover counts are disclosure-controlled,
and the other shares are those of the rounded counts (a share of the true counts would reveal them).
Checked on the sample's dashboard against the true counts in measures.csv."""
import csv

from tests.dashboard.plotly_page import figure_traces


def _rounded(count: int) -> int:
    return int(count / 5 + 0.5) * 5  # half away from zero, as DuckDB's round


def test_small_counts_are_hidden_in_the_completeness_heatmap(sample_output):
    html = (sample_output / "dashboard.html").read_text(encoding="utf-8")
    heatmap = figure_traces(html, "completeness-rules")[0]
    label = {(rule, provider): heatmap["text"][i][j]
             for i, rule in enumerate(heatmap["y"]) for j, provider in enumerate(heatmap["x"])}
    hover = {(rule, provider): heatmap["customdata"][i][j]
             for i, rule in enumerate(heatmap["y"]) for j, provider in enumerate(heatmap["x"])}
    with (sample_output / "measures.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["level"] == "provider" and r["period"] == "all"]
    hidden = shown = 0
    for r in rows:
        insufficient = int(r["insufficient_data"])
        units = int(r["denominator"]) + int(r["excluded"]) + insufficient
        key = (r["rule_id"], r["group"])
        if not units:
            continue
        if 1 <= insufficient <= 7 or 1 <= units <= 7:
            assert label[key] == "*", (key, label[key])
            hidden += 1
        else:
            assert label[key] == f"{_rounded(insufficient) / _rounded(units):.0%}", key
            shown += 1
        for count in hover[key].replace(" cases", "").split(" of "):
            assert count == "*" or int(count) % 5 == 0, hover[key]
    assert hidden and shown, "the sample has both kinds of cell"


def test_field_completeness_counts_are_disclosure_controlled(sample_output):
    html = (sample_output / "dashboard.html").read_text(encoding="utf-8")
    heatmap = figure_traces(html, "completeness-fields")[0]
    labels = [label for row in heatmap["text"] for label in row if label]
    hovers = [hover for row in heatmap["customdata"] for hover in row if hover]
    assert labels and hovers
    assert all(label == "*" or label.endswith("%") for label in labels)
    for hover in hovers:
        count = hover.removesuffix(" rows")
        assert count == "*" or int(count) % 5 == 0, hover
