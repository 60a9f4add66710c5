"""The audit dashboard: one self-contained HTML file (plotly.js inlined, works offline).

Sections: data completeness first (as national audits do), then the scorecard with ICB and period
filters, a funnel plot and a trend per measure, descriptive figures, and the rule definitions.
Everything a commissioner sees is disclosure-controlled (measures.disclosed_measures); the exact
counts (measures.measures) are used only for one-bit verdicts: each provider's funnel position,
judged against the exact national adherence. The funnel's centre line and limits are drawn at the
national adherence shown (of rounded counts): drawn at the exact one they would give a small
national count away (8/11 is 0.72727; its counts are shown as 10/10).
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pandas as pd
from plotly.offline import get_plotlyjs

from audit_rules.catalogue import Rule
from dashboards import figures, funnel

PAGE = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))
# Shown near the scorecard and in the funnels' hover text, where a figure and its verdict can disagree.
VERDICT_NOTE = ("Verdicts (target met, funnel position) are judged on the exact counts; the figures shown are "
                "calculated from rounded counts, so a figure shown near a target or limit can sit on either side of it.")


@dataclass
class DashboardData:
    disclosed: pd.DataFrame           # what commissioners may see (measures.disclosed_measures)
    exact: pd.DataFrame               # measures.measures: for verdicts and the centre line only, never shown
    descriptive: pd.DataFrame         # descriptive figures of non-auditable rules
    field_completeness: pd.DataFrame
    rules: tuple[Rule, ...]           # the catalogue, in report order
    disclosure: dict
    data_quality_warnings: list[str] = field(default_factory=list)  # plain-English messages, shown first
    rules_not_judged: list[dict] = field(default_factory=list)       # {rule_id, missing_tables, table_status}
    national_coverage: list[dict] = field(default_factory=list)      # a national-format run: {rule_id, coverage, why}
    disclosed_after_review: pd.DataFrame | None = None  # a run given reviews: the disclosed measures after review


def _none(value):
    return None if pd.isna(value) else value


def _scorecard_measures(disclosed: pd.DataFrame) -> dict[str, dict]:
    rows = disclosed[disclosed["level"].isin(["national", "icb"])]
    measures: dict[str, dict] = {}
    for r in rows.itertuples(index=False):
        key = f"{'national' if r.level == 'national' else 'icb:' + r.group}|{r.period}"
        measures.setdefault(key, {})[r.rule_id] = {
            "numerator": r.numerator, "denominator": r.denominator, "excluded": r.excluded,
            "insufficient_data": r.insufficient_data, "adherence": _none(r.adherence), "ci_low": _none(r.ci_low),
            "ci_high": _none(r.ci_high), "target": _none(r.target),
            "target_met": None if pd.isna(r.target_met) else bool(r.target_met), "suppressed": bool(r.suppressed)}
    return measures


def _scorecard_json(data: DashboardData) -> str:
    audited = [{"id": r.id, "title": r.title} for r in data.rules if r.is_audited]
    scorecard = {"rules": audited, "measures": _scorecard_measures(data.disclosed)}
    if data.disclosed_after_review is not None:  # "as audited" and "after review" side by side
        scorecard["after_review"] = _scorecard_measures(data.disclosed_after_review)
    # "</" cannot appear inside a script element
    return json.dumps(scorecard, sort_keys=True).replace("</", "<\\/")


def _options(values: list[tuple[str, str]]) -> str:
    return "".join(f'<option value="{html.escape(v)}">{html.escape(label)}</option>' for v, label in values)


def _exact_counts(exact: pd.DataFrame, level: str) -> pd.DataFrame:
    """One rule's exact counts (measures.measures) at `level`, all periods."""
    rows = exact[(exact["level"] == level) & (exact["period"] == "all")]
    return rows[["group", "numerator", "denominator"]].rename(
        columns={"numerator": "exact_numerator", "denominator": "exact_denominator"})


def _centre_line(disclosed: pd.DataFrame, exact: pd.DataFrame) -> tuple[float | None, float | None]:
    """One rule's (exact national adherence, the national adherence shown), both None where the national
    figure is hidden (a suppressed count) or has no denominator."""
    shown = disclosed[(disclosed["level"] == "national") & (disclosed["period"] == "all")]["adherence"].dropna()
    national = _exact_counts(exact, "national")
    if shown.empty or national.empty or not national["exact_denominator"].iloc[0]:
        return None, None
    return float(national["exact_numerator"].iloc[0] / national["exact_denominator"].iloc[0]), float(shown.iloc[0])


def _funnel_points(disclosed: pd.DataFrame, exact: pd.DataFrame, p0: float | None) -> pd.DataFrame:
    """Providers whose figures may be shown, plotted at their rounded denominator and the adherence of the
    rounded counts, but placed against the limits on their exact counts: positions judged on rounded
    counts were wrong for about one provider in seven of the sample (true 17/24 is within the limits,
    shown as 15/25 it fell below the alarm limit). Only the one-word position comes from exact counts."""
    shown = disclosed[(disclosed["level"] == "provider") & (disclosed["period"] == "all")
                      & disclosed["adherence"].notna()]
    shown = shown.merge(_exact_counts(exact, "provider"), on="group", how="left", validate="one_to_one")
    shown["plotted_n"] = shown["denominator"].astype(int)
    shown["position"] = [funnel.position(x / n, int(n), p0) if p0 is not None else "within limits"
                         for x, n in zip(shown["exact_numerator"], shown["exact_denominator"])]
    return shown.drop(columns=["exact_numerator", "exact_denominator"]).sort_values("group")


def _funnel_message(disclosure: dict, disclosed: pd.DataFrame, points: pd.DataFrame, p0: float | None) -> str | None:
    """Why a funnel has nothing to show, or None when it has."""
    if not points.empty and p0 is not None:
        return None
    providers = disclosed[(disclosed["level"] == "provider") & (disclosed["period"] == "all")]
    if points.empty and providers["suppressed"].any():
        return (f"Every provider's figures are suppressed (small numbers: counts from {disclosure['suppress_min']} to "
                f"{disclosure['suppress_max']} are hidden).")
    if points.empty:
        return "No provider has eligible cases for this measure."
    return "The national figures are suppressed (small numbers), so providers are not compared with them."


def _measure_sections(data: DashboardData) -> str:
    # each rule's rows split off once (filtering the whole tables per rule cost a second a run)
    disclosed_by_rule = dict(tuple(data.disclosed.groupby("rule_id", sort=False)))
    exact_by_rule = dict(tuple(data.exact.groupby("rule_id", sort=False)))
    sections = []
    for rule in (r for r in data.rules if r.is_audited):
        disclosed = disclosed_by_rule.get(rule.id, data.disclosed.iloc[0:0])
        exact = exact_by_rule.get(rule.id, data.exact.iloc[0:0])
        p0, p0_shown = _centre_line(disclosed, exact)
        points = _funnel_points(disclosed, exact, p0)
        quarters = disclosed[(disclosed["period"] != "all") & disclosed["level"].isin(["national", "icb"])]
        funnel_html = figures.funnel_figure(rule.id, points, p0_shown,
                                            _funnel_message(data.disclosure, disclosed, points, p0), VERDICT_NOTE)
        sections.append(
            f'<div class="measure" id="measure-{figures.rule_slug(rule.id)}"><h3>{html.escape(rule.id)}: '
            f'{html.escape(rule.title)}</h3><div class="pair">'
            f"{funnel_html}{figures.trend_figure(rule.id, quarters)}</div></div>")
    return "\n".join(sections)


def _completeness(data: DashboardData) -> str:
    providers = data.disclosed[(data.disclosed["level"] == "provider") & (data.disclosed["period"] == "all")]
    order = [r.id for r in data.rules if r.is_audited]
    rule_cells = providers.assign(text=lambda d: d["insufficient_data"] + " of " + d["units"] + " cases")
    by_rule = figures.heatmap("completeness-rules", "Share of cases with insufficient data, by rule and provider",
                              _cells(rule_cells, "rule_id", "group", "insufficient_data_share", order),
                              "Provider", "Rule")
    field_cells = data.field_completeness.assign(field=lambda d: d["table_name"] + "." + d["column_name"],
                                text=lambda d: d["rows_disclosed"] + " rows")
    by_field = figures.heatmap("completeness-fields", "Share of records with each field recorded, by provider",
                               _cells(field_cells, "field", "provider_code", "share_recorded_disclosed"),
                               "Provider (of the patient)", "Table.field")
    return by_rule + by_field


def _cells(frame: pd.DataFrame, rows: str, columns: str, share: str, order: list[str] | None = None):
    """Shares, labels (`*` where disclosure control hides the share) and hover counts, as grids."""
    labelled = frame.assign(label=[("*" if pd.isna(v) else f"{v:.0%}") for v in frame[share]])
    grids = [labelled.pivot(index=rows, columns=columns, values=v) for v in (share, "label", "text")]
    if order is not None:
        grids = [g.reindex([r for r in order if r in g.index]) for g in grids]
    return figures.HeatmapCells(shares=grids[0], labels=grids[1].fillna(""), hover=grids[2].fillna(""))


def _descriptive(data: DashboardData) -> str:
    parts = []
    for rule in (r for r in data.rules if r.descriptive_sql):
        rows = data.descriptive[(data.descriptive["rule_id"] == rule.id) & (data.descriptive["period"] == "all")]
        lines = "".join(
            f"<tr><td>{html.escape(r.level)}</td><td>{html.escape(r.group)}</td>"
            f"<td class=num>{r.numerator_disclosed} / {r.denominator_disclosed}</td>"
            f"<td class=num>{'hidden (small numbers)' if pd.isna(r.share_disclosed) else f'{r.share_disclosed:.1%}'}</td>"
            f"<td class=num>{'' if pd.isna(r.share_disclosed) else f'{r.ci_low_disclosed:.1%} to {r.ci_high_disclosed:.1%}'}"
            "</td></tr>"
            for r in rows.itertuples())
        parts.append(f"<h3>{html.escape(rule.id)}: {html.escape(rule.title)} (not audited)</h3>"
                     f"<p>{html.escape(rule.reason.strip())}</p><table><thead><tr><th>Level</th><th>Group</th>"
                     "<th>Combination / first-line chemotherapy</th><th>Share</th><th>95% interval</th></tr></thead>"
                     f"<tbody>{lines}</tbody></table>")
    return "\n".join(parts) or "<p>None.</p>"


def _definitions(rules: tuple[Rule, ...]) -> str:
    def items(label: str, values) -> str:
        values = [v for v in values if v]
        return f"<dt>{label}</dt><dd>{'<br>'.join(html.escape(str(v).strip()) for v in values)}</dd>" if values else ""

    blocks = []
    for r in rules:
        body = items("Guideline text", [r.guideline_text]) + items("Strength", [r.strength]) + \
            items("Status", [r.status.replace("_", " ")])
        if r.is_audited:
            body += items("Unit", [r.unit]) + items("Population", [r.population]) + \
                items("Adherent when", [r.numerator]) + items("Exclusions", r.exclusions) + \
                items("Exceptions (documented decisions)", r.exceptions) + \
                items("Insufficient data when", r.insufficient_data) + items("Interpretations", r.interpretations)
        else:
            body += items("Why", [r.reason])
        blocks.append(f"<details id=\"definition-{figures.rule_slug(r.id)}\"><summary>{html.escape(r.id)}: "
                      f"{html.escape(r.title)}</summary><dl>{body}</dl></details>")
    return "\n".join(blocks)


def _data_quality_banner(warnings: list[str]) -> str:
    """The warning printed by `abc-audit run`, above everything else: figures that leave out rows
    must not be read without knowing it."""
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(message)}</li>" for message in warnings)
    return ('<div class="data-quality-warning" id="data-quality-warning" role="alert">'
            "<strong>Warning: data quality.</strong> Rows of the extract were set aside by validation and the "
            f"figures below leave them out.<ul>{items}</ul>Every row set aside, with its reason: "
            "data_quality/quarantine.csv, in the folder of this dashboard.</div>")


_NOT_SUPPLIED = {"absent": "the extract has no {table} table", "empty": "the {table} file in the extract is empty",
                 "all_quarantined": "every row of the {table} table was set aside by validation",
                 "not_in_source": "the national datasets (cancer registry, SACT, RTDS) hold no {table}"}


def _rules_not_judged_notice(rules_not_judged: list[dict]) -> str:
    """One sentence per set of missing tables: 'These rules could not be judged: 1.1.1 and 1.1.2
    because the extract has no imaging table.'"""
    if not rules_not_judged:
        return ""
    by_cause: dict[str, list[str]] = {}
    for entry in rules_not_judged:
        cause = " and ".join(_NOT_SUPPLIED[entry["table_status"][t]].format(table=t.replace("_", " "))
                             for t in entry["missing_tables"])
        by_cause.setdefault(cause, []).append(entry["rule_id"])
    sentences = []
    for cause, rule_ids in by_cause.items():
        listed = rule_ids[0] if len(rule_ids) == 1 else ", ".join(rule_ids[:-1]) + " and " + rule_ids[-1]
        sentences.append(f"{listed} because {cause}")
    return ('<p class="note" id="rules-not-judged">These rules could not be judged: '
            f"{html.escape('; '.join(sentences))}. Every case of these rules is counted as insufficient data; "
            "an absent table is not evidence that nothing happened.</p>")


_COVERAGE_WORDS = {"judged": "judged", "partly": "partly judged", "not_judged": "not judged"}


def _national_coverage(coverage: list[dict], audited: set[str]) -> str:
    """A national-format run: which rules these datasets can judge, partly judge or not, and why."""
    rows = [c for c in coverage if c["rule_id"] in audited]
    if not rows:
        return ""
    body = "".join(f"<tr><td>{html.escape(c['rule_id'])}</td><td>{_COVERAGE_WORDS[c['coverage']]}</td>"
                   f"<td>{html.escape(c['why'])}</td></tr>" for c in rows)
    counts = {level: sum(c["coverage"] == level for c in rows) for level in _COVERAGE_WORDS}
    return ('<section id="national-coverage"><h2>What the national datasets can audit</h2>'
            f"<p>This audit read the cancer registry, SACT and RTDS tables. Of {len(rows)} recommendations, "
            f"{counts['judged']} are judged, {counts['partly']} partly judged and {counts['not_judged']} not judged: "
            "a case the data cannot decide is insufficient data, never non-adherent.</p>"
            f"<table><thead><tr><th>Rule</th><th>Coverage</th><th>Why</th></tr></thead><tbody>{body}</tbody></table>"
            "</section>")


def build_dashboard(data: DashboardData, run: dict) -> str:
    icbs = sorted(data.disclosed.loc[data.disclosed["level"] == "icb", "group"].unique())
    quarters = sorted(data.disclosed.loc[data.disclosed["period"] != "all", "period"].unique())
    d = data.disclosure
    return PAGE.substitute(
        plotlyjs=get_plotlyjs(),
        plot_function=figures.plot_function(),
        data_quality_banner=_data_quality_banner(data.data_quality_warnings),
        rules_not_judged=_rules_not_judged_notice(data.rules_not_judged),
        national_coverage=_national_coverage(data.national_coverage, {r.id for r in data.rules if r.status == "audited"}),
        subtitle=html.escape(f"{run['guideline']} (version {run['guideline_version']}) · extract folder …/{run['extract']}"),
        disclosure_note=html.escape(
            f"Small numbers are protected: counts from {d['suppress_min']} to {d['suppress_max']} are shown as * "
            f"and the adherence they would reveal is hidden; other counts are rounded to the nearest "
            f"{d['round_to']}, and percentages and intervals are calculated from the rounded counts. "
            f"Each provider's own case lists (exports/) are not suppressed."),
        verdict_note=html.escape(VERDICT_NOTE),
        completeness=_completeness(data),
        area_options=_options([("national", "England (all providers)")] + [(f"icb:{i}", f"ICB {i}") for i in icbs]),
        period_options=_options([("all", "All periods")] + [(q, q) for q in quarters]),
        measure_sections=_measure_sections(data),
        descriptive=_descriptive(data),
        catalogue=html.escape(f"{run['guideline']}, version {run['guideline_version']}"),
        definitions=_definitions(data.rules),
        scorecard_json=_scorecard_json(data))
