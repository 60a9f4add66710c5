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
from pathlib import Path
from string import Template

import duckdb
from plotly.offline import get_plotlyjs

from pipelines.reports.provider_exports import SAFE_CODE
from pipelines.sql_runner import sql_text

PAGE = Template((Path(__file__).resolve().parents[2] / "dashboards" / "review_page.html").read_text(encoding="utf-8"))
REVIEW_PAGE = "review.html"


def _page(con: duckdb.DuckDBPyConnection, provider: str, guideline: str, plotlyjs: str) -> str:
    """The provider's page. The JSON is built by DuckDB (a provider may have tens of thousands of cases
    and their patients hundreds of thousands of events), with keys in sorted order for identical bytes."""
    params = {"provider": provider}
    cases, rule_order, periods, rules = con.execute("""
        with cases as (
            select e.rule_order, e.rule_id, e.patient_id, e.unit_id, e.period, e.outcome, e.reason, e.index_date,
                e.unit_date, o.window_end, e.evidence, e.rule_title, e.guideline_text,
                row_number() over (partition by e.rule_id order by e.patient_id, e.unit_id) = 1 as first_of_rule
            from export_cases e
                join rules.case_outcomes o using (rule_id, patient_id, unit_id)
            where e.provider_code = $provider
        )
        select
            to_json(list([rule_id, patient_id, unit_id, period, outcome, reason, index_date::varchar,
                          unit_date::varchar, window_end::varchar, evidence]
                         order by rule_order, outcome, patient_id, unit_id)),
            to_json(list(rule_id order by rule_order) filter (where first_of_rule)),
            to_json(coalesce(list(distinct period order by period) filter (where period is not null), [])),
            to_json(map_from_entries(list({'k': rule_id, 'v': [rule_title, guideline_text]} order by rule_order)
                                     filter (where first_of_rule)))
        from cases""", params).fetchone()
    events = con.execute("""select patient_id, to_json(list([lane, start_date::varchar, end_date::varchar, label, ref]
            order by start_date, lane, label, end_date, ref)) from review_events
        where provider_code = $provider group by patient_id order by patient_id""", params).fetchall()
    events_json = "{" + ",".join(f"{json.dumps(patient)}:{patient_events}" for patient, patient_events in events) + "}"
    data_json = (f'{{"cases":{cases},"events":{events_json},"periods":{periods},"rule_order":{rule_order},'
                 f'"rules":{rules}}}')
    # "</" cannot appear inside a script element
    return PAGE.substitute(provider=provider, guideline=guideline, plotlyjs=plotlyjs,
                           data_json=data_json.replace("</", "<\\/"))


def write_review_packs(con: duckdb.DuckDBPyConnection, folder: Path, guideline: str) -> dict[str, int]:
    """Every provider's review page beside its case list; needs temp.export_cases
    (pipelines/reports/provider_exports.py). Returns each page's size in bytes."""
    # each event with the providers whose lists hold its patient, sorted so that a provider's rows are together
    con.execute(f"""create or replace temp table review_events as
        select p.provider_code, e.* from ({sql_text('reports/review_events.sql')}) e
            join (select distinct provider_code, patient_id from export_cases) p using (patient_id)
        order by p.provider_code, e.patient_id""")
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
