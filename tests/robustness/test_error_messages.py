"""An unexpected failure is reported by its meaningful line: a DuckDB error's own first line, never
the caret line that DuckDB puts under the query it quotes."""
import dagster as dg
import duckdb

from pipelines.cli import EXIT_FAILED, _failure_reason


def _failed_run(sql: str) -> dg.ExecuteInProcessResult:
    @dg.asset(name="failing_step")
    def failing_step() -> None:
        with duckdb.connect() as con:
            con.execute(sql)

    return dg.materialize([failing_step], raise_on_error=False, instance=dg.DagsterInstance.ephemeral())


def test_duckdb_error_reported_by_its_first_line_not_its_caret_line():
    result = _failed_run("select no_such_column from (select 1 as x)")
    code, message = _failure_reason(result)
    assert code == EXIT_FAILED
    assert message.startswith("audit failed at failing_step: ")
    assert "Binder Error: Referenced column" in message and "no_such_column" in message, message
    assert "^" not in message and "LINE 1" not in message, message


def test_single_line_error_reported_whole():
    result = _failed_run("select cast('x' as integer)")
    code, message = _failure_reason(result)
    assert "Conversion Error" in message and "^" not in message, message
