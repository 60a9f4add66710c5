"""The unit contract (pipelines/rules/unit_contract.py): what every rule's SQL must return."""
import duckdb
import pytest

from pipelines.rules.unit_contract import UNIT_COLUMNS, UnitContractError, conformed_columns

MINIMAL_UNIT = """select 'P1' as patient_id, 'P1' as unit_id, date '2024-03-01' as unit_date, 'RAA' as provider_code,
    true as numerator_met, {'scan_date': date '2024-03-02'} as evidence"""


def _units(select: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"create temp table rule_units as {select}")
    return con


def conform_units(con: duckdb.DuckDBPyConnection, table: str, sql_file: str) -> None:
    """The units in the contract's shape, as the rules step reads them, in a table of their own."""
    con.execute(f"create temp table conformed as select {conformed_columns(con, table, sql_file)} from {table}")


def test_optional_columns_left_out_are_added_with_their_defaults():
    con = _units(MINIMAL_UNIT)
    conform_units(con, "rule_units", "rules/example.sql")
    columns = [name for name, *_ in con.execute("describe conformed").fetchall()]
    assert columns == [c.name for c in UNIT_COLUMNS]
    assert con.execute("select exception_treatments, window_end, deviation_date, evidence from conformed").fetchone() \
        == ([], None, None, '{"scan_date":"2024-03-02"}')


def test_a_missing_required_column_is_named_with_the_file():
    con = _units(MINIMAL_UNIT.replace("true as numerator_met, ", ""))
    with pytest.raises(UnitContractError, match=r"rules/example.sql returns no column 'numerator_met'"):
        conform_units(con, "rule_units", "rules/example.sql")


def test_an_untyped_null_is_cast_and_a_wrong_type_refused():
    con = _units(MINIMAL_UNIT + ", null as window_end")  # DuckDB types a bare NULL as INTEGER
    conform_units(con, "rule_units", "rules/example.sql")
    assert dict((n, t) for n, t, *_ in con.execute("describe conformed").fetchall())["window_end"] == "DATE"
    con = _units(MINIMAL_UNIT + ", 'soon' as window_end")
    with pytest.raises(UnitContractError, match="column 'window_end' is VARCHAR, the unit contract says DATE"):
        conform_units(con, "rule_units", "rules/example.sql")


def test_columns_the_contract_does_not_know_are_refused():
    con = _units(MINIMAL_UNIT + ", 1 as scan_number")
    with pytest.raises(UnitContractError, match="does not know: scan_number"):
        conform_units(con, "rule_units", "rules/example.sql")
