"""The dashboard's Plotly figures: funnel plots, trends and completeness heatmaps.

Every figure gets a fixed div id and no random state, so the same measures give the same bytes.
Counts shown are the disclosure-controlled ones (* for 1-7, others rounded to 5); funnel positions
are judged on the exact counts (dashboards.report).

Figures are plain dicts in Plotly's JSON schema, drawn by the page's `abcPlot` (dashboards/page.html),
which adds the one shared template (TEMPLATE_JSON, written into the page once). Building them as
`plotly.graph_objects` validated and deep-copied every property of ~90 figures: seconds per run.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from plotly.io.json import to_json_plotly

from dashboards import funnel

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
COLOURS = {"within": "#0072B2", "outside": "#D55E00", "centre": "#555555", "alert": "#E69F00",
           "alarm": "#CC79A7", "met": "#009E73", "not_met": "#D55E00"}
SERIES = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
CONFIG = {"displaylogo": False, "responsive": True}


def plot_function() -> str:
    """The page's one drawing function: every figure's layout with the shared template and config."""
    return (f"var abcTemplate = {template_json()};\n"
            f"function abcPlot(id, traces, layout) {{ layout.template = abcTemplate; "
            f"Plotly.newPlot(id, traces, layout, {to_json_plotly(CONFIG)}); }}")


def rule_slug(rule_id: str) -> str:
    return rule_id.lower().replace(".", "-")


@cache
def template_json() -> str:
    """The plotly_white template, once per page (every figure's layout refers to it)."""
    import plotly.io as pio

    return to_json_plotly(pio.templates["plotly_white"].to_plotly_json())


def _html(traces: list[dict], layout: dict, div_id: str) -> str:
    """The figure's div and the call that draws it; JSON numbers and nulls as Plotly writes them."""
    height = layout.get("height", 400)
    return (f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px; width:100%;"></div>'
            f'<script type="text/javascript">if (document.getElementById("{div_id}")) {{ abcPlot("{div_id}", '
            f"{to_json_plotly(traces)}, {to_json_plotly(layout)}) }};</script>")


def _layout(title: str, height: int, margin: dict, x_title: str, y_title: str, **axes_and_more) -> dict:
    layout = {"title": {"text": title}, "height": height, "margin": margin,
              "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}}}
    for key, value in axes_and_more.items():
        layout[key] = {**layout.get(key, {}), **value} if isinstance(value, dict) else value
    return layout


def _values(series) -> list:
    return series.tolist() if hasattr(series, "tolist") else list(series)


def funnel_figure(rule_id: str, providers: pd.DataFrame, national: float | None, message: str | None,
                  verdict_note: str) -> str:
    """Providers' adherence against their (rounded) denominator with 95% and 99.8% limits.

    `providers` has group, adherence, numerator, denominator (disclosed text), plotted_n and position
    (judged on the exact counts); suppressed providers are not in it. `national` is the national
    adherence shown on the scorecard (of rounded counts): the centre line and the limits are drawn
    at it; `message` says why there is nothing to plot, when there is not.
    """
    traces, annotations = [], []
    if message is None:
        curves = funnel.limit_curves(national, max(providers["plotted_n"].max() * 1.1, 10))
        n = _values(curves["n"])
        for name, dash, label in (("alarm", "dot", "99.8% limits (alarm)"), ("alert", "dash", "95% limits (alert)")):
            for side in ("low", "high"):
                traces.append({"type": "scatter", "x": n, "y": _values(curves[f"{name}_{side}"]), "mode": "lines",
                               "name": label, "legendgroup": name, "showlegend": side == "low", "hoverinfo": "skip",
                               "line": {"color": COLOURS[name], "dash": dash, "width": 1.5}})
        traces.append({"type": "scatter", "x": [1, n[-1]], "y": [round(national, 5)] * 2, "mode": "lines",
                       "hoverinfo": "skip", "name": f"National adherence {national:.1%}",
                       "line": {"color": COLOURS["centre"]}})
        outside = (providers["position"] != "within limits").tolist()
        # the note is one sentence; line breaks at its clauses keep the hover box inside the plot
        note = html.escape(verdict_note).replace("; ", ";<br>").replace(", so ", ",<br>so ")
        traces.append({
            "type": "scatter", "x": _values(providers["plotted_n"]), "y": _values(providers["adherence"]),
            "mode": "markers+text", "name": "Provider",
            "text": [g if out else "" for g, out in zip(providers["group"], outside)], "textposition": "top center",
            "marker": {"size": 10, "color": [COLOURS["outside"] if o else COLOURS["within"] for o in outside],
                       "line": {"width": 1, "color": "#ffffff"}},
            "customdata": providers[["group", "numerator", "denominator", "position"]].to_numpy().tolist(),
            "hovertemplate": "%{customdata[0]}: %{y:.1%} (%{customdata[1]} of %{customdata[2]} eligible)"
                             f"<br>%{{customdata[3]}}<br><i>{note}</i><extra></extra>"})
    else:
        annotations.append(_say(message))
    layout = _layout(f"{rule_id}: providers compared with the national adherence", 400,
                     {"t": 60, "b": 50, "l": 60, "r": 20}, "Eligible cases at the provider (rounded to 5)", "Adherence",
                     yaxis={"tickformat": ".0%", "range": [0, 1.05]}, legend={"orientation": "h", "y": -0.2})
    if annotations:
        layout["annotations"] = annotations
    return _html(traces, layout, f"funnel-{rule_slug(rule_id)}")


def _say(message: str) -> dict:
    """A message across an empty plot, so that a blank chart is never left to be guessed at."""
    return {"text": message, "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper"}


def trend_figure(rule_id: str, quarters: pd.DataFrame) -> str:
    """Adherence by quarter, nationally and per ICB, with 95% intervals; suppressed quarters are gaps."""
    traces = []
    periods = sorted(quarters["period"].unique())
    groups = sorted(quarters["group"].unique())
    # each (group, quarter) cell looked up once: pivoting five columns per trend cost a second a run
    cell = {(r.group, r.period): r for r in quarters[["group", "period", "adherence", "ci_low", "ci_high", "numerator",
                                                       "denominator"]].itertuples(index=False)}
    nan = float("nan")

    def series(group: str, column: str, missing):
        values = [getattr(cell[(group, p)], column) if (group, p) in cell else missing for p in periods]
        return [missing if pd.isna(v) else v for v in values]

    wide = {column: np.array([series(g, column, nan) for g in groups], dtype=float).reshape(len(groups), len(periods))
            for column in ("adherence", "ci_low", "ci_high")}
    shown = {column: [series(g, column, "") for g in groups] for column in ("numerator", "denominator")}
    # With more ICBs than distinct colours (England has 42), ICB lines start hidden: click their
    # legend entries to compare a few with the national line.
    crowded = len(groups) > len(SERIES)
    for n, group in enumerate(groups):
        adherence, low, high = (wide[c][n].astype(float) for c in ("adherence", "ci_low", "ci_high"))
        name = "National" if group == "national" else f"ICB {group}"
        trace = {
            "type": "scatter", "x": periods, "y": adherence.tolist(), "mode": "lines+markers", "name": name,
            "connectgaps": False,
            "line": {"color": SERIES[n % len(SERIES)], "width": 3 if group == "national" else 1.5},
            "error_y": {"type": "data", "symmetric": False, "array": (high - adherence).tolist(),
                        "arrayminus": (adherence - low).tolist(), "thickness": 1},
            "customdata": [list(pair) for pair in zip(shown["numerator"][n], shown["denominator"][n])],
            "hovertemplate": f"{name} %{{x}}: %{{y:.1%}} (%{{customdata[0]}} of %{{customdata[1]}})<extra></extra>"}
        if crowded and group != "national":
            trace["visible"] = "legendonly"
        traces.append(trace)
    layout = _layout(f"{rule_id}: adherence by quarter", 400, {"t": 60, "b": 50, "l": 60, "r": 20},
                     "Quarter (of the unit's date)", "Adherence", yaxis={"tickformat": ".0%", "range": [0, 1.05]},
                     xaxis={"type": "category"}, legend={"orientation": "h", "y": -0.25})
    if not quarters["adherence"].notna().any():
        layout["annotations"] = [_say(
            "Every quarter's figures are suppressed (small numbers)." if quarters.get("suppressed", pd.Series(dtype=bool)).any()
            else "No quarter has eligible cases for this measure.")]
    return _html(traces, layout, f"trend-{rule_slug(rule_id)}")


@dataclass
class HeatmapCells:
    shares: pd.DataFrame  # rows x columns, NaN where there is nothing to show or it is hidden
    labels: pd.DataFrame  # the text in each cell: a percentage, `*` when hidden, empty when no cases
    hover: pd.DataFrame   # counts, already disclosure-controlled


def heatmap(div_id: str, title: str, cells: HeatmapCells, x_title: str, y_title: str) -> str:
    """A share-per-cell heatmap (rows x columns) on the colour-blind-safe Cividis scale."""
    shares = cells.shares
    trace = {"type": "heatmap", "z": shares.to_numpy().tolist(), "x": list(shares.columns), "y": list(shares.index),
             "zmin": 0, "zmax": 1, "colorscale": "Cividis", "text": cells.labels.to_numpy().tolist(),
             "texttemplate": "%{text}", "customdata": cells.hover.to_numpy().tolist(),
             "hovertemplate": "%{y} at %{x}: %{text} (%{customdata})<extra></extra>", "colorbar": {"tickformat": ".0%"}}
    layout = _layout(title, max(320, 22 * len(shares.index) + 140), {"t": 60, "b": 60, "l": 260, "r": 20},
                     x_title, y_title, yaxis={"autorange": "reversed", "type": "category"}, xaxis={"type": "category"})
    return _html([trace], layout, div_id)
