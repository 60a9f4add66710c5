"""measure_reports.json: the measures as FHIR R4 MeasureReports (type summary), in one Bundle.

One MeasureReport per audited rule and period (each quarter, and the whole period), with the eCQM
populations, the score and two stratifiers (provider, ICB). Counts are the real ones, as in
measures.csv: the file is for systems that receive the audit under its data-sharing agreement,
not for publication. Insufficient-data units are in the initial population but not in the
denominator, because they cannot be scored; so score = numerator / (denominator - exclusions -
exceptions), which is the adherence of measures.csv.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import math
import uuid
from collections import defaultdict
from pathlib import Path

import pandas as pd

POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population"
IMPROVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
# Canonical URLs of the measures: stable names, not resolvable web pages.
MEASURE_BASE = "urn:abc-audit:measure"
STRATIFIERS = (("provider", "Provider (ODS code)"), ("icb", "Integrated care board (ODS code)"))


def _quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    year, quarter = int(label[:4]), int(label[5])
    start = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, following - dt.timedelta(days=1)


def _populations(row) -> list[dict]:
    eligible = int(row.denominator)
    counts = {
        "initial-population": eligible + int(row.excluded) + int(row.insufficient_data),
        "denominator": eligible + int(row.excluded),
        "denominator-exclusion": int(row.exclusions),
        "denominator-exception": int(row.exceptions),
        "numerator": int(row.numerator),
    }
    return [{"code": {"coding": [{"system": POPULATION_SYSTEM, "code": code}]}, "count": count}
            for code, count in counts.items()]


def _score(row) -> dict:
    missing = row.adherence is None or (isinstance(row.adherence, float) and math.isnan(row.adherence))
    return {} if missing else {"measureScore": {"value": float(row.adherence)}}


def _slug(rule_id: str) -> str:
    return rule_id.replace(".", "-").lower()


def _measure_report(rule, period: str, bounds: tuple[dt.date, dt.date], rows: list) -> dict:
    by_level = defaultdict(list)
    for row in rows:
        by_level[row.level].append(row)
    national = by_level["national"][0]
    report_id = f"{_slug(rule.id)}-{period.lower()}"
    stratifiers = []
    for level, label in STRATIFIERS:
        if level not in by_level:
            continue
        strata = sorted(by_level[level], key=lambda s: s.group)
        stratifiers.append({
            "code": [{"text": label}],
            "stratum": [{"value": {"text": s.group}, "population": _populations(s), **_score(s)} for s in strata],
        })
    group = {"code": {"text": f"{rule.id} {rule.title}"}, "population": _populations(national),
             **_score(national)}
    if stratifiers:
        group["stratifier"] = stratifiers
    return {
        "resourceType": "MeasureReport",
        "id": report_id,
        "status": "complete",
        "type": "summary",
        "measure": f"{MEASURE_BASE}:{rule.id}|{rule.version}",  # the rule's own catalogue version
        "period": {"start": bounds[0].isoformat(), "end": bounds[1].isoformat()},
        "improvementNotation": {"coding": [{"system": IMPROVEMENT_SYSTEM, "code": "increase"}]},
        "group": [group],
    }


def build_measure_reports(measures: pd.DataFrame, rules: list) -> dict:
    """A FHIR Bundle (collection) of MeasureReports from measures.measures."""
    # ~1M small dicts at national scale: Python's cyclic collector would scan the growing bundle
    # again and again (5 s instead of 2 at 100,000 patients); they hold no cycles to collect
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _bundle(measures, rules)
    finally:
        if collecting:
            gc.enable()


def _bundle(measures: pd.DataFrame, rules: list) -> dict:
    quarters = sorted(p for p in measures["period"].unique() if p != "all")
    entries = []
    # rows grouped once, as plain tuples: pandas operations per report (~700 of them, with up to
    # ~140 strata each at national scale) took seconds
    by_rule_and_period = defaultdict(list)
    for row in measures.itertuples(index=False):
        by_rule_and_period[(row.rule_id, row.period)].append(row)
    for rule in rules:
        periods = [p for (rule_id, p) in by_rule_and_period if rule_id == rule.id]
        for period in sorted(periods, key=lambda p: (p == "all", p)):
            if period == "all":
                if not quarters:
                    continue  # no unit in any quarter: there is no reporting period to state
                bounds = (_quarter_bounds(quarters[0])[0], _quarter_bounds(quarters[-1])[1])
            else:
                bounds = _quarter_bounds(period)
            report = _measure_report(rule, period, bounds, by_rule_and_period[(rule.id, period)])
            entries.append({"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, report['measure'] + period)}",
                            "resource": report})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def write_measure_reports(bundle: dict, folder: Path) -> int:
    path = folder / "measure_reports.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(bundle, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(bundle["entry"])
