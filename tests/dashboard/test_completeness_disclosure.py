"""The data-completeness heatmaps are commissioner-facing too: a share whose numerator or
denominator is from 1 to 7 is shown as `*`, with no colour, hover counts are disclosure-controlled,
and the other shares are those of the rounded counts (a share of the true counts would reveal them).
Checked on the sample's dashboard against the true counts in measures.csv."""
import csv
import json


def _heatmap(html: str, div_id: str) -> dict:
    """The first trace of the figure drawn into `div_id` (Plotly.newPlot("<id>", [traces], layout))."""
    call = html.index("Plotly.newPlot(", html.index(f'document.getElementById("{div_id}")'))
    start = html.index("[", html.index(f'"{div_id}"', call))
    data, _ = json.JSONDecoder().raw_decode(html[start:])
    return data[0]


def _rounded(count: int) -> int:
    return int(count / 5 + 0.5) * 5  # half away from zero, as DuckDB's round


def test_small_counts_are_hidden_in_the_completeness_heatmap(sample_output):
    html = (sample_output / "dashboard.html").read_text(encoding="utf-8")
    heatmap = _heatmap(html, "completeness-rules")
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
