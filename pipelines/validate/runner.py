"""Runs a table's Great Expectations suite over staged.<table>: on DuckDB streamed in batches, on Spark
as one Spark DataFrame (`--engine spark`); the same suite either way.

GE 1.x cannot validate DuckDB tables directly (its SQL datasource fails with duckdb-engine), so
each batch of at most `batch_rows` rows is handed to GE as a pandas DataFrame: memory stays
bounded whatever the table's size. On Spark, GE's Spark data source validates the staged table
where it is, and only the failing rows come to this process. Failing rows come back by `source_row`.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import pandas as pd

from pipelines.engines import on_spark

VALUE_CHARS = 120
# Up to this many rows a batch is first validated pass/fail only (BOOLEAN_ONLY: half the time of the
# row-level report, which GE spends mostly on fixed per-expectation work); only a batch with a failing
# expectation is validated again for its failing rows. Larger batches go straight to the row-level report.
PROBE_ROWS = 50_000
ROW_LEVEL = {"result_format": "COMPLETE", "unexpected_index_column_names": ["source_row"]}
log = logging.getLogger("abc_audit")


class ValidationCrashed(RuntimeError):
    """An expectation raised instead of evaluating: a defect of the pipeline, never a pass."""


@dataclass
class ExpectationTally:
    check: str
    column: str
    expectation_type: str
    reason: str
    rows_evaluated: int = 0
    rows_failed: int = 0

    @property
    def success(self) -> bool:
        return self.rows_failed == 0


@dataclass
class TableValidation:
    table: str
    rows_checked: int = 0
    batches: int = 0
    tallies: dict[str, ExpectationTally] = field(default_factory=dict)
    failures: list[pd.DataFrame] = field(default_factory=list)
    suite: dict = field(default_factory=dict)

    def failed_rows(self) -> pd.DataFrame:
        columns = ["source_row", "column_name", "check_name", "action", "reason", "value"]
        if not self.failures:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in columns})
        return pd.concat(self.failures, ignore_index=True)[columns]


_built: dict[str, tuple] = {}  # suite as JSON -> (validation definition, suite); one per process
_context = []  # the process's one ephemeral Great Expectations context


def _validation_for(table: str, expectations: list[dict], data: str = "pandas"):
    """The table's validation definition (over pandas or Spark DataFrames), built once per process
    for the same suite, in one shared ephemeral context (a context of its own per table cost ~0.2 s each)."""
    key = json.dumps([table, expectations, data], sort_keys=True, default=str)
    if key not in _built:
        _built[key] = _build_validation(table, expectations, name=f"{table}_{len(_built)}", data=data)
    return _built[key]


def _ge_context():
    import great_expectations as gx  # imported lazily: ~3 s, only when validation runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if not _context:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _context.append(context)
    return _context[0]


def _build_validation(table: str, expectations: list[dict], name: str, data: str):
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = _ge_context()
    # persist=False: the staged table on Spark is already computed and kept (a local checkpoint)
    source = (context.data_sources.add_spark(f"{name}_source", persist=False) if data == "spark"
              else context.data_sources.add_pandas(f"{name}_source"))
    batch = (source.add_dataframe_asset(table)
             .add_batch_definition_whole_dataframe(f"{name}_batch"))
    suite = context.suites.add(gx.ExpectationSuite(name=f"{table}_contract_{name}"))
    for spec in expectations:
        suite.add_expectation(ExpectationConfiguration(**spec).to_domain_obj())
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_validation", data=batch, suite=suite))
    return validation, _suite_json(suite, table)


def _suite_json(suite, table: str) -> dict:
    """The suite as recorded in the data-quality report: named after its table alone."""
    as_json = suite.to_json_dict()
    as_json["name"] = f"{table}_contract"
    return as_json


def _raised(exception_info) -> str | None:
    """GE reports exceptions either flat or per metric; find any that was raised."""
    if not exception_info:
        return None
    if "raised_exception" in exception_info:
        return exception_info.get("exception_message") if exception_info["raised_exception"] else None
    for info in exception_info.values():
        if isinstance(info, dict) and info.get("raised_exception"):
            return info.get("exception_message") or "exception"
    return None


def _recorded_values(frame: pd.DataFrame, source_rows: pd.Series, expectation_result, meta) -> pd.Series:
    """The value as the extract recorded it (the text, not the parsed value), shortened."""
    column = expectation_result.expectation_config.kwargs["column"]
    text_column = f"{meta['column']}__text"
    source = meta.get("value_column") or (text_column if text_column in frame else column)
    recorded = frame.set_index("source_row")[source].reindex(source_rows.to_numpy())
    return pd.Series([None if pd.isna(v) else str(v)[:VALUE_CHARS] for v in recorded], dtype="object")


def _reasons(frame: pd.DataFrame, source_rows: pd.Series, expectation_result, meta) -> pd.Series | str:
    """The finding's reason: the expectation's own, or one per row counting what the row holds
    (`sites holds 1 code(s) outside ...`), from the checked column."""
    if "row_reason" not in meta:
        return meta["reason"]
    column = expectation_result.expectation_config.kwargs["column"]
    counts = frame.set_index("source_row")[column].reindex(source_rows.to_numpy())
    return pd.Series([meta["row_reason"].format(count=int(n)) for n in counts], dtype="object")


def _new_outcome(table: str, expectations: list[dict], suite_json: dict) -> TableValidation:
    outcome = TableValidation(table=table, suite=suite_json)
    for spec in expectations:
        meta = spec["meta"]
        outcome.tallies[meta["check"]] = ExpectationTally(
            meta["check"], meta["column"], spec["type"], meta["reason"])
    return outcome


def _record_results(outcome: TableValidation, result, frame: pd.DataFrame, rows: int) -> None:
    """Tallies a row-level validation result and keeps its failing rows; `frame` holds at least the
    failing rows of the `rows` validated (their recorded values and reasons are read from it)."""
    for expectation_result in result.results:
        meta = expectation_result.expectation_config.meta
        error = _raised(expectation_result.exception_info)
        if error:
            raise ValidationCrashed(f"{outcome.table}: expectation {meta['check']} raised: {error}")
        tally = outcome.tallies[meta["check"]]
        tally.rows_evaluated += int(expectation_result.result.get("element_count") or rows)
        if expectation_result.success:
            continue
        failed = pd.DataFrame(expectation_result.result.get("unexpected_index_list") or [])
        if failed.empty:
            continue
        failed = failed.sort_values("source_row", ignore_index=True)  # Spark gives them in any order
        tally.rows_failed += len(failed)
        outcome.failures.append(pd.DataFrame({
            "source_row": failed["source_row"].astype("int64"),
            "column_name": meta["column"],
            "check_name": meta["check"],
            "action": meta["action"],
            "reason": _reasons(frame, failed["source_row"], expectation_result, meta),
            "value": _recorded_values(frame, failed["source_row"], expectation_result, meta),
        }))


def validate_table(con, table: str, expectations: list[dict], batch_rows: int) -> TableValidation:
    if on_spark(con):
        return _validate_on_spark(con, table, expectations)
    validation, suite_json = _validation_for(table, expectations)
    outcome = _new_outcome(table, expectations, suite_json)
    reader = con.sql(f"select * from staged.{table} order by source_row").to_arrow_reader(batch_rows)
    for record_batch in reader:
        frame = record_batch.to_pandas(date_as_object=False, coerce_temporal_nanoseconds=True)
        outcome.rows_checked += len(frame)
        outcome.batches += 1
        if len(frame) <= PROBE_ROWS:
            probe = validation.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "BOOLEAN_ONLY"})
            if probe.success:  # every expectation evaluated and met (one that raised is never a success)
                for expectation_result in probe.results:
                    outcome.tallies[expectation_result.expectation_config.meta["check"]].rows_evaluated += len(frame)
                continue
        _record_results(outcome, validation.run(batch_parameters={"dataframe": frame}, result_format=ROW_LEVEL),
                        frame, len(frame))
        log.debug("validated %s rows of %s", outcome.rows_checked, table)
    return outcome


def _validate_on_spark(con, table: str, expectations: list[dict]) -> TableValidation:
    """The suite over the staged table as one Spark DataFrame (GE's Spark data source): first pass or
    fail only, then the failing expectations alone row by row; only the failing rows come to this
    process, to read their recorded values."""
    validation, suite_json = _validation_for(table, expectations, data="spark")
    outcome = _new_outcome(table, expectations, suite_json)
    staged = con.execute(f"select * from staged.{table}").frame
    outcome.rows_checked, outcome.batches = staged.count(), 1
    probe = validation.run(batch_parameters={"dataframe": staged}, result_format={"result_format": "BOOLEAN_ONLY"})
    failing = {r.expectation_config.meta["check"] for r in probe.results if not r.success}
    for tally in outcome.tallies.values():
        if tally.check not in failing:
            tally.rows_evaluated = outcome.rows_checked
    if not failing:
        return outcome
    rerun, _ = _validation_for(table, [e for e in expectations if e["meta"]["check"] in failing], data="spark")
    result = rerun.run(batch_parameters={"dataframe": staged}, result_format=ROW_LEVEL)
    failing_rows = sorted({int(row["source_row"]) for r in result.results
                           for row in r.result.get("unexpected_index_list") or []})
    rows = con.spark.createDataFrame([(row,) for row in failing_rows], "source_row bigint")
    frame = (staged.join(rows, "source_row").toArrow()
             .to_pandas(date_as_object=False, coerce_temporal_nanoseconds=True))
    _record_results(outcome, result, frame, outcome.rows_checked)
    return outcome
