"""exports/<provider>/review.html: the provider's review pack, one offline page (Plotly inlined once).

It lists the provider's non-adherent and insufficient-data cases grouped by recommendation, filterable
by recommendation and period; opening a case draws its patient's timeline (disease events, regimens as
bars named by their drugs, radiotherapy, scans, care events, procedures, decisions, death), the rule's
window shaded and the events the rule's evidence names in red. Cases and events travel as compact JSON
arrays and one timeline is drawn at a time, so a provider with tens of thousands of cases stays quick.
Only that provider's patients, by pseudonym. Byte-identical for identical input.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from string import Template

import duckdb
from plotly.offline import get_plotlyjs

from pipelines.reports.provider_exports import SAFE_CODE
from pipelines.sql_runner import sql_text

PAGE = Template((Path(__file__).resolve().parents[2] / "dashboards" / "review_page.html").read_text(encoding="utf-8"))
REVIEW_PAGE = "review.html"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _page(con: duckdb.DuckDBPyConnection, provider: str, guideline: str, plotlyjs: str) -> str:
    cases = con.execute("""select e.rule_id, e.patient_id, e.unit_id, e.period, e.outcome, e.reason, e.index_date,
            e.unit_date, o.window_end, e.evidence
        from export_cases e
            join rules.case_outcomes o using (rule_id, patient_id, unit_id)
        where e.provider_code = $provider
        order by e.rule_order, e.outcome, e.patient_id, e.unit_id""", {"provider": provider}).fetchall()
    events = defaultdict(list)
    for patient, lane, start, end, label, ref in con.execute("""select * from review_events
            where patient_id in (select patient_id from export_cases where provider_code = $provider)
            order by patient_id, start_date, lane, label""", {"provider": provider}).fetchall():
        events[patient].append([lane, _iso(start), _iso(end), label, ref])
    rules = {r: [title, text] for r, title, text in con.execute("""select distinct rule_id, rule_title, guideline_text
        from export_cases where provider_code = $provider""", {"provider": provider}).fetchall()}
    data = {
        "cases": [[r, p, u, period, outcome, reason, _iso(index), _iso(unit), _iso(window_end), evidence]
                  for r, p, u, period, outcome, reason, index, unit, window_end, evidence in cases],
        "events": events,
        "rules": rules,
        "rule_order": list(dict.fromkeys(c[0] for c in cases)),
        "periods": sorted({c[3] for c in cases if c[3]}),
    }
    # "</" cannot appear inside a script element
    data_json = json.dumps(data, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return PAGE.substitute(provider=provider, guideline=guideline, plotlyjs=plotlyjs, data_json=data_json)


def write_review_packs(con: duckdb.DuckDBPyConnection, folder: Path, guideline: str) -> dict[str, int]:
    """Every provider's review page beside its case list; needs temp.export_cases
    (pipelines/reports/provider_exports.py). Returns each page's size in bytes."""
    con.execute(f"create or replace temp table review_events as {sql_text('reports/review_events.sql')}")
    plotlyjs = get_plotlyjs()
    sizes = {}
    for (provider,) in con.execute("select distinct provider_code from export_cases order by 1").fetchall():
        if not SAFE_CODE.match(provider):
            continue
        path = folder / "exports" / provider / REVIEW_PAGE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_page(con, provider, guideline, plotlyjs), encoding="utf-8")
        sizes[provider] = path.stat().st_size
    con.execute("drop table review_events")
    return sizes


def record_review_pages(con: duckdb.DuckDBPyConnection, sizes: dict[str, int]) -> None:
    """bookkeeping.review_pages: each provider's page and its size, for the manifest."""
    con.execute("create schema if not exists bookkeeping")
    con.execute("create or replace table bookkeeping.review_pages (provider_code varchar, bytes bigint)")
    if sizes:
        con.executemany("insert into bookkeeping.review_pages values (?, ?)", sorted(sizes.items()))
