"""measure_reports.json: FHIR MeasureReports validated against the FHIR structure, and their
populations checked against measures.csv and case_outcomes.csv of the same run (the bundled sample).

fhir.resources models R4B (4.3), whose MeasureReport has exactly the elements and cardinalities of
R4 (4.0.1); the R4-only differences are elsewhere in the specification."""
import copy
import csv
import json
import re
from collections import Counter

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.measurereport import MeasureReport
from pydantic import ValidationError

from audit_rules.catalogue import load_catalogue

# "<decision> <treatment> (decision recorded on <date>)": an exception, as resolve_outcomes.sql words it.
EXCEPTION_REASON = re.compile(r"^.+ \(decision recorded on \d{4}-\d{2}-\d{2}\)$")
POPULATION_CODES = {"initial-population", "numerator", "numerator-exclusion", "denominator",
                    "denominator-exclusion", "denominator-exception", "measure-population",
                    "measure-population-exclusion", "measure-observation"}


@pytest.fixture(scope="module")
def bundle(sample_output):
    return json.loads((sample_output / "measure_reports.json").read_text(encoding="utf-8"))


def _populations(group_or_stratum) -> dict[str, int]:
    return {p["code"]["coding"][0]["code"]: p["count"] for p in group_or_stratum["population"]}


def test_every_report_is_a_valid_fhir_measure_report(bundle):
    Bundle.model_validate(bundle)
    reports = [entry["resource"] for entry in bundle["entry"]]
    for report in reports:
        MeasureReport.model_validate(report)
        assert (report["status"], report["type"]) == ("complete", "summary")
        assert report["period"]["start"] <= report["period"]["end"]
    assert len({r["id"] for r in reports}) == len(reports)


def test_one_report_per_audited_rule_and_period(bundle, sample_output):
    with (sample_output / "measures.csv").open(encoding="utf-8") as handle:
        national = [r for r in csv.DictReader(handle) if r["level"] == "national"]
    expected = {(r["rule_id"], r["period"]) for r in national}
    reports = {}
    for entry in bundle["entry"]:
        report = entry["resource"]
        rule_id = report["measure"].split(":")[-1].split("|")[0]
        period = report["id"].rsplit("-", 1)[1].upper().replace("ALL", "all")
        reports[(rule_id, period)] = report
    assert set(reports) == expected
    assert {rule for rule, _ in reports} == {r.id for r in load_catalogue().audited_rules}
    q3 = reports[("QS12-5", "2024Q3")]
    assert q3["period"] == {"start": "2024-07-01", "end": "2024-09-30"}

    for row in national:
        group = reports[(row["rule_id"], row["period"])]["group"][0]
        populations = _populations(group)
        assert populations["numerator"] == int(row["numerator"])
        assert populations["denominator"] == int(row["denominator"]) + int(row["excluded"])
        assert populations["denominator-exclusion"] + populations["denominator-exception"] == int(row["excluded"])
        assert populations["initial-population"] == (int(row["denominator"]) + int(row["excluded"])
                                                     + int(row["insufficient_data"]))
        if row["adherence"]:
            assert group["measureScore"]["value"] == pytest.approx(float(row["adherence"]))
        else:
            assert "measureScore" not in group


def test_exceptions_are_documented_decisions_and_exclusions_are_not(bundle, sample_output):
    with (sample_output / "case_outcomes.csv").open(encoding="utf-8") as handle:
        excluded = [r for r in csv.DictReader(handle) if r["outcome"] == "excluded"]
    exceptions = Counter(r["rule_id"] for r in excluded if EXCEPTION_REASON.match(r["reason"]))
    exclusions = Counter(r["rule_id"] for r in excluded if not EXCEPTION_REASON.match(r["reason"]))
    assert sum(exceptions.values()) > 0 and sum(exclusions.values()) > 0
    for entry in bundle["entry"]:
        report = entry["resource"]
        if not report["id"].endswith("-all"):
            continue
        rule_id = report["measure"].split(":")[-1].split("|")[0]
        populations = _populations(report["group"][0])
        assert populations["denominator-exception"] == exceptions[rule_id], rule_id
        assert populations["denominator-exclusion"] == exclusions[rule_id], rule_id


def test_providers_and_icbs_are_stratifiers_that_add_up(bundle, sample_output):
    with (sample_output / "case_outcomes.csv").open(encoding="utf-8") as handle:
        providers = {r["provider_code"] for r in csv.DictReader(handle)}
    report = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "qs12-5-all")
    group = report["group"][0]
    by_code = {s["code"][0]["text"]: s for s in group["stratifier"]}
    provider_strata = by_code["Provider (ODS code)"]["stratum"]
    assert {s["value"]["text"] for s in provider_strata} == providers
    for code in ("initial-population", "numerator", "denominator"):
        assert sum(_populations(s)[code] for s in provider_strata) == _populations(group)[code]
        assert sum(_populations(s)[code] for s in by_code["Integrated care board (ODS code)"]["stratum"]) == \
            _populations(group)[code]


def test_codes_are_from_the_required_fhir_value_sets(bundle):
    # fhir.resources checks structure, not required bindings: those are checked here.
    for entry in bundle["entry"]:
        group = entry["resource"]["group"][0]
        strata = [s for stratifier in group["stratifier"] for s in stratifier["stratum"]]
        for holder in [group, *strata]:
            codings = [p["code"]["coding"][0] for p in holder["population"]]
            assert {c["system"] for c in codings} == {"http://terminology.hl7.org/CodeSystem/measure-population"}
            assert {c["code"] for c in codings} <= POPULATION_CODES


@pytest.mark.parametrize("damage", ["missing status", "period as text", "unknown element", "count as text"])
def test_the_validation_catches_a_malformed_report(bundle, damage):
    broken = copy.deepcopy(bundle["entry"][0]["resource"])
    if damage == "missing status":
        del broken["status"]
    elif damage == "period as text":
        broken["period"] = "2024"
    elif damage == "unknown element":
        broken["league_table"] = True
    else:
        broken["group"][0]["population"][0]["count"] = "many"
    with pytest.raises(ValidationError):
        MeasureReport.model_validate(broken)
