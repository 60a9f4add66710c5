"""Rules stage: the catalogue in force, one asset per audited recommendation, and the union of outcomes.

A rule's SQL file yields its units with population, numerator, exclusion and exception fields
(the unit contract); sql/outcomes/resolve_outcomes.sql applies the shared eCQM precedence to every
rule's units at once and writes rules.case_outcomes. Each rule's asset is the view of its rows,
rules.rule_<id>.
"""
import json

import dagster as dg
import pandas as pd

from audit_rules.catalogue import Rule, load_catalogue, rule_parameters, rule_target
from pipelines.partitions import REPORTING_QUARTERS, SINGLE_RUN_BACKFILL, replace_partition, run_quarters
from pipelines.ingest.national.coverage import not_judged_reason
from pipelines.engines import stage_connection
from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.rules.unit_contract import conformed_columns
from pipelines.ingest.reviews import REVIEW_TABLE_COLUMNS, REVIEWS_REFUSED
from pipelines.sql_runner import bind, create_table, sql_text, table_exists, upstream_assets

RESOLVER = "outcomes/resolve_outcomes.sql"
CASE_REVIEWS = "outcomes/case_reviews.sql"
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


def _resolve_into(con, rule: Rule, audit: AuditSettings, table: str) -> None:
    """The rule's units from its SQL file, read through the unit contract, resolved to outcomes in
    the temp table `table`."""
    params = rule_parameters(rule, audit.config.rule_overrides(rule.id))
    text = sql_text(rule.sql)
    con.execute(f"create or replace temp table one_rule_units as\n{text}", bind(text, params, rule.sql))
    # rule_units and rule_settings are what sql/outcomes/resolve_outcomes.sql reads (one rule at a time,
    # so that only one rule's candidate reasons are in memory)
    con.execute(f"create or replace temp view rule_units as select '{rule.id}' as rule_id, "  # a catalogue id: safe
                f"{conformed_columns(con, 'one_rule_units', rule.sql)} from one_rule_units")
    con.execute("create or replace temp table rule_settings as select $rule_id as rule_id, "
                "$needs_tables::varchar[] as needs_tables, $source_gap::varchar as source_gap_reason",
                {"rule_id": rule.id, "needs_tables": list(rule.needs_tables),
                 "source_gap": not_judged_reason(rule.id, audit.input_format)})
    resolver = sql_text(RESOLVER)
    params = bind(resolver, {"exception_days_before_index": audit.config.section("timeline")["exception_days_before_index"]},
                  RESOLVER)
    con.execute(f"create or replace temp table {table} as\n{resolver}", params)


def _resolve(con, rules: list[Rule], audit: AuditSettings) -> None:
    """rules.case_outcomes holds the outcomes of `rules` (replacing theirs when others are kept):
    resolved in memory, then written to the database once (each write of a table costs its
    compression: writing every rule's table, then their union, doubled the stage's time)."""
    # a temp table per rule: inserting every rule into one growing temp table took twice as long
    tables = [f"resolved_{n}" for n in range(len(rules))]
    for rule, table in zip(rules, tables):
        _resolve_into(con, rule, audit, table)
    con.execute("create or replace temp view resolved_outcomes as "
                + " union all ".join(f"select * from {table}" for table in tables))
    everything = {r.id for r in rules} == {r.id for r in AUDITED_RULES}
    if everything or not table_exists(con, "rules.case_outcomes"):
        con.execute("create or replace table rules.case_outcomes as select * from resolved_outcomes")
    else:  # a subset materialised from the UI: the other rules' outcomes stay
        con.execute("delete from rules.case_outcomes where rule_id in (select distinct rule_id from resolved_outcomes)")
        con.execute("insert into rules.case_outcomes select * from resolved_outcomes")
    con.execute("drop view resolved_outcomes")
    for table in tables:
        con.execute(f"drop table {table}")
    for rule in rules:
        con.execute(f"create or replace view rules.{rule.asset_name} as "
                    f"select * from rules.case_outcomes where rule_id = '{rule.id}'")


def _rule_metadata(con) -> dict[str, dict]:
    """Each rule's outcome counts and adherence, for the Dagster UI."""
    counts: dict[str, dict] = {}
    for rule_id, outcome, n in con.execute(
            "select rule_id, outcome, count(*) from rules.case_outcomes group by all").fetchall():
        counts.setdefault(rule_id, {})[outcome] = n
    metadata = {}
    for rule_id, found in counts.items():
        adherent, non_adherent = found.get("adherent", 0), found.get("non_adherent", 0)
        adherence = adherent / (adherent + non_adherent) if adherent + non_adherent else None
        metadata[rule_id] = {**{o: found.get(o, 0) for o in OUTCOMES},
                             "adherence": dg.MetadataValue.float(round(adherence, 4)) if adherence is not None else "n/a"}
    return metadata


def _case_reviews(con) -> dict:
    """rules.case_reviews: each returned review matched to its case; a review of a case that belongs to
    another provider than its file's refuses the run (the file is some other provider's)."""
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists raw.reviews {REVIEW_TABLE_COLUMNS}")
    create_table(con, "rules.case_reviews", CASE_REVIEWS)
    wrong = con.execute("""select file_name, location, provider_code, reviewed_provider_code from rules.case_reviews
        where provider_code <> reviewed_provider_code order by file_name, file_row limit 1""").fetchone()
    if wrong:
        file_name, location, provider, reviewed = wrong
        raise dg.Failure(description=f"{REVIEWS_REFUSED}: {file_name} {location}: the case is provider {provider}'s, "
                                     f"but the file is provider {reviewed}'s case list; return each provider's own file",
                         allow_retries=False)
    counts = dict(con.execute("select review_status, count(*) from rules.case_reviews group by all").fetchall())
    return {status: counts.get(status, 0) for status in ("applied", "stale", "unmatched")}


AUDITED_RULES = load_catalogue().audited_rules
CATALOGUE_SPEC = dg.AssetSpec("rule_catalogue", group_name="rules", kinds={"duckdb", "python"},
                              description="The rule catalogue in force for this run, with targets from the configuration.")
CASE_REVIEWS_SPEC = dg.AssetSpec("case_reviews", group_name="rules", kinds={"duckdb", "sql"},
                                 deps=["case_outcomes", "raw_reviews", "rule_catalogue"],
                                 description="Returned case reviews matched to this run's cases: applied, stale "
                                             "(rule version or evidence changed) or unmatched.")
CASE_OUTCOMES_SPEC = dg.AssetSpec("case_outcomes", group_name="rules", kinds={"duckdb"},
                                  deps=[r.asset_name for r in AUDITED_RULES],
                                  description="Every rule's case outcomes in one table (files sort them in "
                                              "catalogue order).")


# One step for the catalogue, every rule and their union (a step costs ~0.25 s of Dagster
# bookkeeping, a rule's SQL milliseconds); each rule stays its own asset in the graph, and the UI
# can materialise any subset of them.
@dg.multi_asset(name="rules", specs=[CATALOGUE_SPEC, *(_rule_spec(r) for r in AUDITED_RULES), CASE_OUTCOMES_SPEC, CASE_REVIEWS_SPEC],
                can_subset=True)
def rule_outcomes(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    with stage_connection(audit, duckdb, context.run_id) as con:
        con.execute("create schema if not exists rules")
        if "rule_catalogue" in selected:
            yield dg.MaterializeResult(asset_key="rule_catalogue", metadata=_write_catalogue(con, audit))
        rules = [rule for rule in AUDITED_RULES if rule.asset_name in selected]
        if rules:
            _resolve(con, rules, audit)
            metadata = _rule_metadata(con)
            for rule in rules:
                yield dg.MaterializeResult(asset_key=rule.asset_name,
                                           metadata=metadata.get(rule.id, {o: 0 for o in OUTCOMES}))
        if "case_outcomes" in selected:
            rows = con.execute("select count(*) from rules.case_outcomes").fetchone()[0]
            yield dg.MaterializeResult(asset_key="case_outcomes", metadata={"rows": rows})
        if "case_reviews" in selected:
            yield dg.MaterializeResult(asset_key="case_reviews", metadata=_case_reviews(con))


rule_assets = [rule_outcomes]


@dg.asset(group_name="rules", partitions_def=REPORTING_QUARTERS, backfill_policy=SINGLE_RUN_BACKFILL,
          deps=["case_outcomes"], kinds={"duckdb", "sql"},
          description="The case outcomes of one reporting quarter (units dated in it), for the quarterly audit.")
def quarter_case_outcomes(context: dg.AssetExecutionContext, duckdb: AuditDatabase) -> dg.MaterializeResult:
    quarters = run_quarters(context)
    with duckdb.connect() as con:
        rows = sum(replace_partition(con, "rules.quarter_case_outcomes", "outcomes/quarter_case_outcomes.sql", quarter)
                   for quarter in quarters)
        counts = dict(con.execute("""select outcome, count(*) from rules.quarter_case_outcomes
            where list_contains($quarters, period) group by outcome""", {"quarters": quarters}).fetchall())
    return dg.MaterializeResult(metadata={"quarter": ", ".join(quarters), "rows": rows,
                                          **{o: counts.get(o, 0) for o in OUTCOMES}})
