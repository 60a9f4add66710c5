"""Validation stage: each table's Great Expectations suite; failing rows are quarantined with a reason.

validated.<table> holds the accepted rows with the contract's types; validated.quarantine holds
every set-aside row (table, row number, column, check, reason, value). patients is validated
first because every other table must refer to an accepted patient.
"""

import dagster as dg

from pipelines.bookkeeping import record_validation
from pipelines.contract import Table, load_contract
from pipelines.engines import record_of, stage_connection
from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.validate import VALIDATION_REFUSAL
from pipelines.validate.runner import validate_table
from pipelines.validate.staging import staging_select, validated_select
from pipelines.validate.suites import suite_expectations

QUARANTINE_COLUMNS = """(table_name varchar, source_row bigint, source_line bigint, column_name varchar,
    check_name varchar, action varchar, reason varchar, value varchar)"""


def _quarantine(con, table: Table, failed_rows) -> None:
    con.execute(f"create table if not exists validated.quarantine {QUARANTINE_COLUMNS}")
    con.execute("delete from validated.quarantine where table_name = $t", {"t": table.name})
    con.register("failed_rows", failed_rows)
    # With the lines the CSV parser could not split: known by line number only (their text may hold anything).
    con.execute(f"""insert into validated.quarantine
        select $t, source_row, null, column_name, check_name, action, reason, value from failed_rows
        union all
        select $t, null, source_line, coalesce(column_name, '(line)'), 'file.parse', 'row_quarantined',
               'line could not be read as CSV: ' || lower(error_type), null
        from raw.{table.name}__rejects""", {"t": table.name})
    con.unregister("failed_rows")


def _top_reason(con, table: Table) -> str | None:
    row = con.execute("""select reason from validated.quarantine where table_name = $t
        and action = 'row_quarantined' group by reason order by count(*) desc, reason limit 1""",
                      {"t": table.name}).fetchone()
    return row[0] if row else None


def _blocking_failure(con, table: Table, reconciliation: dict, balanced: bool) -> str | None:
    """Why validation must stop the audit (outputs.md: a blocking validation failure refuses the extract)."""
    if not balanced:
        return (f"{table.name} does not reconcile (read {reconciliation['rows_read']}, accepted "
                f"{reconciliation['rows_accepted']}, quarantined {reconciliation['rows_quarantined']}); "
                "no row may be lost")
    if table.required and reconciliation["rows_read"] and not reconciliation["rows_accepted"]:
        return (f"none of the {reconciliation['rows_read']} rows of {table.name} passed validation "
                f"(most frequent reason: {_top_reason(con, table)})")
    return None


def _validated_spec(table: Table) -> dg.AssetSpec:
    deps = [f"raw_{table.name}"]
    if table.references_patients:
        deps += ["raw_patients", "validated_patients"]
    return dg.AssetSpec(f"validated_{table.name}", group_name="validate", deps=deps, kinds={"duckdb", "pandas"},
                        description=f"{table.name} rows that pass the contract's expectation suite, typed.")


def _check_specs(table: Table) -> list[dg.AssetCheckSpec]:
    name = f"validated_{table.name}"
    return [dg.AssetCheckSpec("contract_suite", asset=name,
                              description=f"Great Expectations suite for {table.name} (failing rows quarantined)"),
            dg.AssetCheckSpec("rows_reconcile", asset=name, blocking=True,
                              description="rows read = rows accepted + rows quarantined")]


def _validate(con, table: Table, audit: AuditSettings) -> dg.MaterializeResult:
    """Validates raw.<table> into validated.<table>, quarantining what fails, and reconciles the rows;
    raises dg.Failure when the table refuses the extract."""
    config = audit.config
    name = f"validated_{table.name}"
    con.execute(f"create or replace table staged.{table.name} as {staging_select(table)}")
    expectations = suite_expectations(table, load_contract(), config.latest_valid_date)
    outcome = validate_table(con, table.name, expectations, config.section("run")["validation_batch_rows"])
    _quarantine(con, table, outcome.failed_rows())
    con.execute(f"create or replace table validated.{table.name} as {validated_select(table)}")
    parsed, rejected = record_of(con).execute(  # the raw tables are the record's, whatever the engine
        f"select (select count(*) from raw.{table.name}), (select count(*) from raw.{table.name}__rejects)"
    ).fetchone()
    accepted, quarantined_rows = con.execute(
        f"""select (select count(*) from validated.{table.name}),
                   (select count(distinct source_row) from validated.quarantine
                    where table_name = $t and source_row is not null and action = 'row_quarantined')""",
        {"t": table.name}).fetchone()
    reconciliation = {"rows_read": parsed + rejected, "rows_accepted": accepted,
                      "rows_quarantined": quarantined_rows + rejected, "rows_rejected_by_parser": rejected}
    record_validation(record_of(con), table.name, outcome.tallies.values(), outcome.suite, reconciliation)
    balanced = reconciliation["rows_read"] == accepted + reconciliation["rows_quarantined"]
    blocking = _blocking_failure(con, table, reconciliation, balanced)
    if blocking:
        raise dg.Failure(description=f"{VALIDATION_REFUSAL}: {blocking}", metadata=reconciliation,
                         allow_retries=False)
    failing = {t.check: t.rows_failed for t in outcome.tallies.values() if not t.success}
    return dg.MaterializeResult(
        asset_key=name,
        metadata={**reconciliation, "expectations": len(expectations), "validation_batches": outcome.batches},
        check_results=[
            dg.AssetCheckResult(
                asset_key=name, check_name="contract_suite", passed=not failing, severity=dg.AssetCheckSeverity.WARN,
                metadata={"rows_quarantined": reconciliation["rows_quarantined"],
                          "failing_checks": dg.MetadataValue.json(failing)}),
            dg.AssetCheckResult(asset_key=name, check_name="rows_reconcile", passed=balanced,
                                severity=dg.AssetCheckSeverity.ERROR, metadata=reconciliation),
        ],
    )


_TABLES = list(load_contract().tables.values())  # patients first: every other table refers to it


# One step for every table (a Dagster step costs ~0.25 s of bookkeeping); each table stays its own
# asset with its own checks in the graph, and the UI can materialise any of them.
@dg.multi_asset(name="validate", specs=[_validated_spec(t) for t in _TABLES],
                check_specs=[spec for t in _TABLES for spec in _check_specs(t)], can_subset=True)
def validated_tables(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    refusals = []
    with stage_connection(audit, duckdb, context.run_id) as con:
        for schema in ("staged", "validated"):
            con.execute(f"create schema if not exists {schema}")
        for table in _TABLES:
            if f"validated_{table.name}" not in selected:
                continue
            try:
                yield _validate(con, table, audit)
            except dg.Failure as refusal:
                refusals.append(refusal)  # the other tables' findings are still worth reporting
                if table.name == "patients":
                    break  # every other table is checked against the accepted patients
    # raised once the connection is closed: on Spark, what was found is written to DuckDB first
    if refusals:
        raise refusals[0]


validated_assets = [validated_tables]
