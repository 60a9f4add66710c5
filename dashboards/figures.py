"""The dashboard's Plotly figures: funnel plots, trends and completeness heatmaps.

Every figure gets a fixed div id and no random state, so the same measures give the same bytes.
Counts shown are the disclosure-controlled ones (* for 1-7, others rounded to 5); funnel positions
are judged on the exact counts (dashboards.report).
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboards import funnel

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
COLOURS = {"within": "#0072B2", "outside": "#D55E00", "centre": "#555555", "alert": "#E69F00",
           "alarm": "#CC79A7", "met": "#009E73", "not_met": "#D55E00"}
SERIES = ["#000000", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
CONFIG = {"displaylogo": False, "responsive": True}


def rule_slug(rule_id: str) -> str:
    return rule_id.lower().replace(".", "-")


def _html(figure: go.Figure, div_id: str) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG)


def funnel_figure(rule_id: str, providers: pd.DataFrame, national: float | None, message: str | None,
                  verdict_note: str) -> str:
    """Providers' adherence against their (rounded) denominator with 95% and 99.8% limits.

    `providers` has group, adherence, numerator, denominator (disclosed text), plotted_n and position
    (judged on the exact counts); suppressed providers are not in it. `national` is the national
    adherence shown on the scorecard (of rounded counts): the centre line and the limits are drawn
    at it; `message` says why there is nothing to plot, when there is not.
    """
    figure = go.Figure()
    if message is None:
        curves = funnel.limit_curves(national, max(providers["plotted_n"].max() * 1.1, 10))
        for name, dash, label in (("alarm", "dot", "99.8% limits (alarm)"), ("alert", "dash", "95% limits (alert)")):
            for side in ("low", "high"):
                figure.add_trace(go.Scatter(
                    x=curves["n"], y=curves[f"{name}_{side}"], mode="lines", name=label, legendgroup=name,
                    showlegend=side == "low", hoverinfo="skip", line={"color": COLOURS[name], "dash": dash, "width": 1.5}))
        figure.add_trace(go.Scatter(x=[1, curves["n"][-1]], y=[round(national, 5)] * 2, mode="lines", hoverinfo="skip",
                                    name=f"National adherence {national:.1%}", line={"color": COLOURS["centre"]}))
        outside = providers["position"] != "within limits"
        # the note is one sentence; line breaks at its clauses keep the hover box inside the plot
        note = html.escape(verdict_note).replace("; ", ";<br>").replace(", so ", ",<br>so ")
        figure.add_trace(go.Scatter(
            x=providers["plotted_n"], y=providers["adherence"], mode="markers+text", name="Provider",
            text=[g if out else "" for g, out in zip(providers["group"], outside)], textposition="top center",
            marker={"size": 10, "color": [COLOURS["outside"] if o else COLOURS["within"] for o in outside],
                    "line": {"width": 1, "color": "#ffffff"}},
            customdata=providers[["group", "numerator", "denominator", "position"]].to_numpy(),
            hovertemplate="%{customdata[0]}: %{y:.1%} (%{customdata[1]} of %{customdata[2]} eligible)"
                          f"<br>%{{customdata[3]}}<br><i>{note}</i><extra></extra>"))
    else:
        _say(figure, message)
    figure.update_layout(
        title=f"{rule_id}: providers compared with the national adherence", template="plotly_white", height=400,
        margin={"t": 60, "b": 50, "l": 60, "r": 20},
        xaxis_title="Eligible cases at the provider (rounded to 5)", yaxis_title="Adherence",
        yaxis={"tickformat": ".0%", "range": [0, 1.05]}, legend={"orientation": "h", "y": -0.2})
    return _html(figure, f"funnel-{rule_slug(rule_id)}")


def _say(figure: go.Figure, message: str) -> None:
    """A message across an empty plot, so that a blank chart is never left to be guessed at."""
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")


def trend_figure(rule_id: str, quarters: pd.DataFrame) -> str:
    """Adherence by quarter, nationally and per ICB, with 95% intervals; suppressed quarters are gaps."""
    figure = go.Figure()
    periods = sorted(quarters["period"].unique())
    groups = list(quarters.groupby("group", sort=True))
    # With more ICBs than distinct colours (England has 42), ICB lines start hidden: click their
    # legend entries to compare a few with the national line.
    crowded = len(groups) > len(SERIES)
    for n, (group, rows) in enumerate(groups):
        rows = rows.set_index("period").reindex(periods)
        name = "National" if group == "national" else f"ICB {group}"
        colour = SERIES[n % len(SERIES)]
        figure.add_trace(go.Scatter(
            x=periods, y=rows["adherence"], mode="lines+markers", name=name, connectgaps=False,
            visible="legendonly" if crowded and group != "national" else None,
            line={"color": colour, "width": 3 if group == "national" else 1.5},
            error_y={"type": "data", "symmetric": False, "array": rows["ci_high"] - rows["adherence"],
                     "arrayminus": rows["adherence"] - rows["ci_low"], "thickness": 1},
            customdata=rows[["numerator", "denominator"]].fillna("").to_numpy(),
            hovertemplate=f"{name} %{{x}}: %{{y:.1%}} (%{{customdata[0]}} of %{{customdata[1]}})<extra></extra>"))
    if not quarters["adherence"].notna().any():
        _say(figure, "Every quarter's figures are suppressed (small numbers)." if quarters.get("suppressed", pd.Series(dtype=bool)).any()
             else "No quarter has eligible cases for this measure.")
    figure.update_layout(
        title=f"{rule_id}: adherence by quarter", template="plotly_white", height=400,
        margin={"t": 60, "b": 50, "l": 60, "r": 20}, xaxis_title="Quarter (of the unit's date)",
        yaxis_title="Adherence", yaxis={"tickformat": ".0%", "range": [0, 1.05]}, xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.25})
    return _html(figure, f"trend-{rule_slug(rule_id)}")


@dataclass
class HeatmapCells:
    shares: pd.DataFrame  # rows x columns, NaN where there is nothing to show or it is hidden
    labels: pd.DataFrame  # the text in each cell: a percentage, `*` when hidden, empty when no cases
    hover: pd.DataFrame   # counts, already disclosure-controlled


def heatmap(div_id: str, title: str, cells: HeatmapCells, x_title: str, y_title: str) -> str:
    """A share-per-cell heatmap (rows x columns) on the colour-blind-safe Cividis scale."""
    shares = cells.shares
    figure = go.Figure(go.Heatmap(
        z=shares.to_numpy(), x=list(shares.columns), y=list(shares.index), zmin=0, zmax=1, colorscale="Cividis",
        text=cells.labels.to_numpy(), texttemplate="%{text}", customdata=cells.hover.to_numpy(),
        hovertemplate="%{y} at %{x}: %{text} (%{customdata})<extra></extra>", colorbar={"tickformat": ".0%"}))
    figure.update_layout(title=title, template="plotly_white", height=max(320, 22 * len(shares.index) + 140),
                         margin={"t": 60, "b": 60, "l": 260, "r": 20}, xaxis_title=x_title, yaxis_title=y_title,
                         yaxis={"autorange": "reversed", "type": "category"}, xaxis={"type": "category"})
    return _html(figure, div_id)
