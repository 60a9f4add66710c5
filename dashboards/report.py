"""The audit dashboard: one self-contained HTML file (plotly.js inlined, works offline).

Figures get fixed div ids and no random state, so the same measures give the same bytes.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
COLOURS = {"met": "#009E73", "not_met": "#D55E00", "neutral": "#0072B2", "line": "#555555"}


def _percent(value) -> str:
    return "" if pd.isna(value) else f"{value:.1%}"


def _scorecard(national: pd.DataFrame) -> str:
    rows = []
    for r in national.itertuples():
        target = "no target" if pd.isna(r.target) else f"{r.target:.0%}"
        met = "" if pd.isna(r.target_met) else ("met" if r.target_met else "not met")
        interval = "" if pd.isna(r.ci_low) else f"{r.ci_low:.1%} to {r.ci_high:.1%}"
        rows.append(
            f"<tr><td>{html.escape(r.rule_id)}</td><td>{html.escape(r.title)}</td>"
            f"<td class=num>{r.numerator} / {r.denominator}</td><td class=num>{_percent(r.adherence)}</td>"
            f"<td class=num>{interval}</td><td class=num>{target}</td><td class='{met.replace(' ', '_')}'>{met}</td>"
            f"<td class=num>{r.excluded}</td><td class=num>{r.insufficient_data}</td></tr>")
    return ("<table class=scorecard><thead><tr><th>Rule</th><th>Recommendation</th><th>Adherent / eligible</th>"
            "<th>Adherence</th><th>95% interval</th><th>Target</th><th>Target met?</th><th>Excluded</th>"
            "<th>Insufficient data</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _provider_chart(rule_id: str, title: str, providers: pd.DataFrame, national: float | None) -> str:
    shown = providers[providers["denominator"] > 0].sort_values("group")
    figure = go.Figure(go.Bar(
        x=shown["group"], y=shown["adherence"], marker_color=COLOURS["neutral"],
        error_y={"type": "data", "symmetric": False, "array": shown["ci_high"] - shown["adherence"],
                 "arrayminus": shown["adherence"] - shown["ci_low"]},
        customdata=shown[["numerator", "denominator"]].to_numpy(),
        hovertemplate="%{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]})<extra></extra>",
    ))
    if national is not None and not pd.isna(national):
        figure.add_hline(y=national, line_dash="dash", line_color=COLOURS["line"],
                         annotation_text=f"All providers {national:.1%}")
    figure.update_layout(title=f"{rule_id}: {title} - adherence by provider", yaxis_tickformat=".0%",
                         yaxis_range=[0, 1.05], xaxis_title="Provider (trust)", yaxis_title="Adherence",
                         height=380, margin={"t": 60, "b": 50, "l": 60, "r": 20}, template="plotly_white")
    div_id = "provider-" + rule_id.replace(".", "-").lower()
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config={"displaylogo": False, "responsive": True})


def build_dashboard(measures: pd.DataFrame, catalogue: pd.DataFrame, run: dict) -> str:
    titles = catalogue.set_index("rule_id")["title"]
    national = measures[(measures["level"] == "national") & (measures["period"] == "all")].copy()
    national["title"] = national["rule_id"].map(titles)
    sections = []
    for r in national.itertuples():
        providers = measures[(measures["level"] == "provider") & (measures["period"] == "all")
                             & (measures["rule_id"] == r.rule_id)]
        sections.append(_provider_chart(r.rule_id, r.title, providers, r.adherence))
    subtitle = html.escape(f"{run['guideline']} (version {run['guideline_version']}) · extract {run['extract']}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Advanced breast cancer audit (NICE CG81)</title>
<style>
body {{ font-family: Arial, sans-serif; margin: 2rem; color: #222; }}
table.scorecard {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; }}
.scorecard th, .scorecard td {{ border-bottom: 1px solid #ddd; padding: 0.35rem; text-align: left; }}
td.num {{ text-align: right; }} td.met {{ color: {COLOURS['met']}; }} td.not_met {{ color: {COLOURS['not_met']}; }}
</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>Advanced breast cancer audit against NICE CG81</h1>
<p>{subtitle}</p>
<h2>Scorecard (all providers, all periods)</h2>
{_scorecard(national)}
<h2>Adherence by provider</h2>
{''.join(sections)}
</body></html>
"""
