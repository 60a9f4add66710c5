"""Rules stage: the catalogue in force, one asset per audited recommendation, and the union of outcomes.

A rule's SQL file yields its units with population, numerator, exclusion and exception fields;
sql/rules/resolve_outcomes.sql applies the shared eCQM precedence and writes the case outcomes.
"""
import json

import dagster as dg
import pandas as pd

from audit_rules.catalogue import Rule, load_catalogue, rule_parameters, rule_target
from pipelines.partitions import REPORTING_QUARTERS, SINGLE_RUN_BACKFILL, replace_partition, run_quarters
from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.rules.unit_contract import conform_units
from pipelines.sql_runner import bind, sql_text, upstream_assets

RESOLVER = "rules/resolve_outcomes.sql"
OUTCOMES = ("adherent", "non_adherent", "excluded", "insufficient_data")


def _write_catalogue(con, audit: AuditSettings) -> dict:
    """rules.catalogue: the rule catalogue in force for this run, with targets from the configuration."""
    config = audit.config
    rows = [{
        "rule_id": r.id, "rule_order": r.order, "title": r.title, "section": r.section,
        "strength": r.strength, "status": r.status, "unit": r.unit, "version": r.version,
        "guideline_text": r.guideline_text,
        "target": rule_target(r, config.section("targets"), config.rule_overrides(r.id)),
        "parameters": json.dumps(rule_parameters(r, config.rule_overrides(r.id)), sort_keys=True),
    } for r in audit.rules.rules]
    con.register("catalogue_rows", pd.DataFrame(rows))
    con.execute("create or replace table rules.catalogue as select * from catalogue_rows order by rule_order")
    con.unregister("catalogue_rows")
    return {"rules": len(rows), "catalogue": audit.rules.name}


def _rule_spec(rule: Rule) -> dg.AssetSpec:
    deps = sorted(set(upstream_assets(rule.sql) + upstream_assets(RESOLVER)) | {"rule_catalogue"})
    return dg.AssetSpec(rule.asset_name, group_name="rules", deps=deps, kinds={"duckdb", "sql"},
                        description=f"CG81 {rule.id}: {rule.title}" if not rule.id.startswith("QS") else rule.title,
                        metadata={"rule_id": rule.id, "sql": rule.sql, "unit": rule.unit})


def _resolve_rule(con, rule: Rule, audit: AuditSettings) -> dict:
    """The rule's units from its SQL file, checked against the unit contract, resolved to outcomes."""
    params = rule_parameters(rule, audit.config.rule_overrides(rule.id))
    text = sql_text(rule.sql)
    con.execute(f"create or replace temp table rule_units as\n{text}", bind(text, params, rule.sql))
    conform_units(con, "rule_units", rule.sql)
    resolved = sql_text(RESOLVER)
    shared = {"rule_id": rule.id, "needs_tables": list(rule.needs_tables),
              "exception_days_before_index": audit.config.section("timeline")["exception_days_before_index"]}
    con.execute(f"create or replace table rules.{rule.asset_name} as\n{resolved}", bind(resolved, shared, RESOLVER))
    counts = dict(con.execute(f"select outcome, count(*) from rules.{rule.asset_name} group by outcome").fetchall())
    adherent, non_adherent = counts.get("adherent", 0), counts.get("non_adherent", 0)
    adherence = adherent / (adherent + non_adherent) if adherent + non_adherent else None
    return {**{o: counts.get(o, 0) for o in OUTCOMES},
            "adherence": dg.MetadataValue.float(round(adherence, 4)) if adherence is not None else "n/a"}


def _union_case_outcomes(con, audit: AuditSettings) -> dict:
    """rules.case_outcomes: every rule's case outcomes in one table, in catalogue order."""
    union = "\nunion all\n".join(f"select * from rules.{r.asset_name}" for r in audit.rules.audited_rules)
    con.execute(f"""create or replace table rules.case_outcomes as
        with outcomes as ({union})
        select o.* from outcomes o join rules.catalogue c using (rule_id)
        order by c.rule_order, o.patient_id, o.unit_id""")
    return {"rows": con.execute("select count(*) from rules.case_outcomes").fetchone()[0]}


AUDITED_RULES = load_catalogue().audited_rules
CATALOGUE_SPEC = dg.AssetSpec("rule_catalogue", group_name="rules", kinds={"duckdb", "python"},
                              description="The rule catalogue in force for this run, with targets from the configuration.")
CASE_OUTCOMES_SPEC = dg.AssetSpec("case_outcomes", group_name="rules", kinds={"duckdb"},
                                  deps=[r.asset_name for r in AUDITED_RULES],
                                  description="Every rule's case outcomes in one table, in catalogue order.")


# One step for the catalogue, every rule and their union (a step costs ~0.25 s of Dagster
# bookkeeping, a rule's SQL milliseconds); each rule stays its own asset in the graph, and the UI
# can materialise any subset of them.
@dg.multi_asset(name="rules", specs=[CATALOGUE_SPEC, *(_rule_spec(r) for r in AUDITED_RULES), CASE_OUTCOMES_SPEC],
                can_subset=True)
def rule_outcomes(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    with duckdb.connect() as con:
        con.execute("create schema if not exists rules")
        if "rule_catalogue" in selected:
            yield dg.MaterializeResult(asset_key="rule_catalogue", metadata=_write_catalogue(con, audit))
        for rule in AUDITED_RULES:
            if rule.asset_name in selected:
                yield dg.MaterializeResult(asset_key=rule.asset_name, metadata=_resolve_rule(con, rule, audit))
        if "case_outcomes" in selected:
            yield dg.MaterializeResult(asset_key="case_outcomes", metadata=_union_case_outcomes(con, audit))


rule_assets = [rule_outcomes]


@dg.asset(group_name="rules", partitions_def=REPORTING_QUARTERS, backfill_policy=SINGLE_RUN_BACKFILL,
          deps=["case_outcomes"], kinds={"duckdb", "sql"},
          description="The case outcomes of one reporting quarter (units dated in it), for the quarterly audit.")
def quarter_case_outcomes(context: dg.AssetExecutionContext, duckdb: AuditDatabase) -> dg.MaterializeResult:
    quarters = run_quarters(context)
    with duckdb.connect() as con:
        rows = sum(replace_partition(con, "rules.quarter_case_outcomes", "rules/quarter_case_outcomes.sql", quarter)
                   for quarter in quarters)
        counts = dict(con.execute("""select outcome, count(*) from rules.quarter_case_outcomes
            where list_contains($quarters, period) group by outcome""", {"quarters": quarters}).fetchall())
    return dg.MaterializeResult(metadata={"quarter": ", ".join(quarters), "rows": rows,
                                          **{o: counts.get(o, 0) for o in OUTCOMES}})
