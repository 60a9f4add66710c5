"""The DuckDB -> Spark translation layer, construct by construct (no Spark needed: sqlglot only).

Each rewrite of pipelines/spark/rewrites.py has a case here; tests/spark/test_spark_engine.py (make
test-slow) runs the translated SQL on a real Spark and compares its answers with DuckDB's.
"""
import duckdb
import pytest
import sqlglot
from sqlglot import exp

from audit_rules.catalogue import load_catalogue, rule_parameters
from pipelines.config import load_config
from pipelines.contract import load_contract
from pipelines.spark.rewrites import TranslationError
from pipelines.spark.translate import bind_literals, literal, macros, to_spark
from pipelines.sql_runner import load_macros, parameters_used
from sql import SQL_DIR

# Functions the translated SQL may call that sqlglot does not know (it leaves them as they are);
# test_spark_engine.py checks that Spark has every one.
SPARK_FUNCTIONS_WE_EMIT = {"TRY_ELEMENT_AT", "SLICE", "FORALL", "EXISTS", "AGGREGATE", "TRY_TO_TIMESTAMP",
                           "ARRAY_POSITION", "TRANSFORM", "FILTER", "ARRAYS_OVERLAP", "ARRAY_SORT"}


def spark(sql: str, params: dict | None = None, columns=None) -> str:
    (statement,) = to_spark(sql, params, columns)
    return statement


def test_parameters_become_literals_of_their_type():
    assert literal(None) == "NULL" and literal(True) == "TRUE" and literal(3) == "3" and literal(2.5) == "2.5"
    assert literal("it's") == "'it''s'" and literal(["a", "b"]) == "['a', 'b']"
    assert bind_literals("select $days + 1 -- $not_a_parameter", {"days": 30}).strip() == "select 30 + 1"
    with pytest.raises(KeyError, match="needs parameters"):
        bind_literals("select $days", {})


def test_macros_are_expanded_in_place_with_their_arguments():
    translated = spark("select days_from_anchor_text(x) from t")
    assert "days_from_anchor_text" not in translated.lower() and "'the day of'" in translated
    assert "CASE WHEN (x) = 0" in translated
    # a macro calling macros, and a default argument (wilson_interval's z)
    assert "disclosed_count" not in spark("select disclosed_count(n, 1, 7, 5) from t").lower()
    assert "1.959963984540054" in spark("select wilson_interval(3, 10) from t")


def test_every_macro_file_is_read():
    assert {"is_nhs_number", "parse_date", "text_list", "wilson_interval", "number_text"} <= set(macros())


@pytest.mark.parametrize("duckdb_sql, spark_sql", [
    ("select list_extract(x, n) from t", "TRY_ELEMENT_AT(x, n)"),
    ("select x[1] from t", "TRY_ELEMENT_AT(x, 1)"),
    ("select list_slice(x, 1, n - 1) from t", "SLICE(x, 1, (n - 1) - (1) + 1)"),
    ("select list_position(['a', 'b'], s) from t", "NULLIF(ARRAY_POSITION(ARRAY('a', 'b'), s), 0)"),
    ("select list_has_all(x, ['a', 'b']) from t", "FORALL(ARRAY('a', 'b'), __x -> ARRAY_CONTAINS(x, __x))"),
    ("select list_has_any(x, ['a']) from t", "ARRAYS_OVERLAP(x, ARRAY('a'))"),
    ("select list_bool_or(x) from t", "EXISTS(x, __x -> __x)"),
    ("select list_sum(x) from t", "AGGREGATE(x, 0, (__acc, __x) -> __acc + __x)"),
    ("select list_distinct(x) from t", "ARRAY_DISTINCT(FILTER(x, __x -> NOT __x IS NULL))"),
    ("select array_length(x) from t", "SIZE(x)"),
    ("select regexp_full_match(s, '[0-9]+') from t", "s RLIKE '^(?:[0-9]+)$'"),
    ("select try_strptime(s, ['%Y-%m-%d', '%d/%m/%Y']) from t",
     "COALESCE(TRY_TO_TIMESTAMP(s, 'yyyy-M-d'), TRY_TO_TIMESTAMP(s, 'd/M/yyyy'))"),
    ("select list(x) from t", "IF(COUNT(*) = 0, NULL, TRANSFORM(COLLECT_LIST(STRUCT(x AS v)), __s -> __s.v))"),
    ("select list(x) filter (where y) from t",
     "IF(COUNT(*) FILTER(WHERE y) = 0, NULL, TRANSFORM(COLLECT_LIST(STRUCT(x AS v)) FILTER(WHERE y), __s -> __s.v))"),
    ("select list(x order by k) from t",
     "TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(k AS k0, x AS v))), __s -> __s.v)"),
    ("select arg_min(l, l.d) from lines l", "MIN_BY(STRUCT(l.*), l.d)"),
    ("select strftime(d, '%Y-%m-%d') from t", "DATE_FORMAT(d, 'yyyy-MM-dd')"),
    ("select * from t unpivot (v for k in (a as 'x', b as 'y'))", "UNPIVOT(v FOR k IN (a AS x, b AS y))"),
])
def test_each_construct_has_its_spark_form(duckdb_sql, spark_sql):
    assert spark_sql in spark(duckdb_sql)


def test_a_lambda_parameter_named_like_a_table_stays_a_parameter():
    translated = spark("select list_transform(s.sites, lambda s: upper(s)) from sites s")
    assert "s -> UPPER(s)" in translated and "STRUCT(s.*)" not in translated


def test_stars_are_expanded_from_the_columns_of_the_tables_they_read():
    columns = {"t": ["id", "a", "b"]}
    translated = spark("with c as (select id, coalesce(columns(* exclude (id))::varchar, '') from t) "
                       "select * from (unpivot c on columns(* exclude (id)) into name k value v)",
                       columns=lambda table: columns[table.name])
    assert "COALESCE(CAST(a AS STRING), '') AS a" in translated and "UNPIVOT(v FOR k IN (a, b))" in translated


@pytest.mark.parametrize("duckdb_sql, refused", [
    ("select x[i + 1] from t", "list_extract"),
    ("select x[1:2] from t", "list_slice"),
    ("select e::varchar from events e", "name its columns"),
    ("select list(x order by k desc) from t", "ascending"),
    ("select try_strptime(s, fmt) from t", "literal"),
    ("select try_strptime(s, '%d %b %Y') from t", "only %Y"),
    ("select regexp_full_match(s, p) from t", "literal"),
])
def test_constructs_without_a_faithful_translation_are_refused_by_name(duckdb_sql, refused):
    with pytest.raises(TranslationError, match=refused):
        spark(duckdb_sql)


def test_the_portable_forms_give_duckdb_its_old_answers():
    """The SQL files were moved to forms both engines run; DuckDB answers them as before."""
    con = duckdb.connect()
    load_macros(con)
    assert con.execute("select text_list(['a', 'b', 'c'], 'or'), text_list(['a'], 'and'), text_list([], 'or')"
                       ).fetchall() == [("a, b or c", "a", "")]
    assert con.execute("select number_text(8.0), number_text(7.5), number_text(20::double)").fetchall() == [("8", "7.5", "20")]
    assert con.execute("select is_nhs_number('9434765919'), is_nhs_number('9434765918')").fetchall() == [(True, False)]


def test_shares_are_rounded_half_up_from_the_counts_not_from_a_double():
    """71/160 = 0.44375: as a double a shade below the half, which DuckDB rounded down and Spark up;
    rounded_share rounds the exact ratio, so both engines (and a clinician's calculator) say 0.4438."""
    con = duckdb.connect()
    load_macros(con)
    assert con.execute("select rounded_share(71, 160), rounded_share(1, 3), rounded_share(2, 3), "
                       "rounded_share(0, 5), rounded_share(3, 0)").fetchall() == [(0.4438, 0.3333, 0.6667, 0.0, None)]
    assert "DIV" in spark("select rounded_share(x, n) from t")


def _parameters_of(relative: str) -> dict:
    """Each SQL file's parameters as the pipeline binds them (their types are what matter here)."""
    config = load_config(None)
    values = {**config.section("timeline"), **config.section("disclosure"), **config.section("national"),
              "reasons_shown": 3, "table_order": list(load_contract().tables), "quarter": "2024Q1",
              "after_review": False}
    for rule in load_catalogue().rules:
        if relative in (rule.sql, rule.descriptive_sql):
            values.update(rule_parameters(rule, {}))
    return values


def _columns_of(table: exp.Table) -> list[str]:
    contract = load_contract().tables[table.name]
    return ["source_row", *(c.name for c in contract.columns)]


SQL_FILES = sorted(str(p.relative_to(SQL_DIR)) for p in SQL_DIR.rglob("*.sql") if p.parent.name != "macros")


@pytest.mark.parametrize("relative", SQL_FILES)
def test_every_sql_file_translates_to_spark_with_known_functions_only(relative):
    text = (SQL_DIR / relative).read_text(encoding="utf-8")
    params = _parameters_of(relative)
    assert parameters_used(text) <= set(params), relative
    for statement in to_spark(text, params, _columns_of, where=relative):
        tree = sqlglot.parse_one(statement, read="spark")
        unknown = {f.name.upper() for f in tree.find_all(exp.Anonymous)} - SPARK_FUNCTIONS_WE_EMIT
        assert unknown == set(), f"{relative}: functions neither sqlglot nor the translation layer carries: {unknown}"


def _validation_statements():
    """The SQL validation writes from the contract (pipelines/validate/staging.py), table by table."""
    from pipelines.validate.staging import staging_select, validated_select
    return [(f"{kind.__name__}:{name}", kind(table)) for name, table in load_contract().tables.items()
            for kind in (staging_select, validated_select)]


@pytest.mark.parametrize("where, text", _validation_statements(), ids=lambda v: v if ":" in str(v) else "")
def test_every_validation_statement_translates_with_known_functions_only(where, text):
    for statement in to_spark(text, {}, _columns_of, where=where):
        unknown = {f.name.upper() for f in sqlglot.parse_one(statement, read="spark").find_all(exp.Anonymous)}
        assert unknown - SPARK_FUNCTIONS_WE_EMIT == set(), where


def test_numbers_are_parsed_only_from_text_in_the_contracts_form():
    """A malformed number is NULL once staged, so that the range check never judges it as well, and
    DuckDB and Spark read it the same ('2.5' would round in one and truncate in the other)."""
    import duckdb

    from pipelines.validate.staging import _parsed_expressions
    integer, decimal = (next(c for t in load_contract().tables.values() for c in t.columns if c.type == kind)
                        for kind in ("integer", "decimal"))
    con = duckdb.connect()

    def parsed(column, text):
        expression = _parsed_expressions(column)[1].replace(f'r."{column.name}"', "$v")
        return con.execute(f"select {expression}", {"v": text}).fetchone()[0]

    assert [parsed(integer, v) for v in ("12", " 12 ", "12.00", "+7", "-8", "9" * 18)] == [
        12, 12, 12, 7, -8, 999_999_999_999_999_999]
    assert [parsed(integer, v) for v in ("2.5", "NaN", "1e3", "1,000", "9" * 19, "", "٣")] == [None] * 7
    assert [parsed(decimal, v) for v in ("7.5", ".5", "-8", "12.")] == [7.5, 0.5, -8.0, 12.0]
    assert [parsed(decimal, v) for v in ("NaN", "inf", "1e3", "1,000.5", "7,5")] == [None] * 5


def test_an_unknown_engine_or_spark_without_pyspark_is_refused_before_the_run(monkeypatch, tmp_path):
    import importlib.util

    from pipelines.config import ConfigError
    from pipelines.resources import AuditSettings

    with pytest.raises(ConfigError, match="engine must be one of duckdb, spark"):
        AuditSettings(input_dir=str(tmp_path), output_dir=str(tmp_path / "out"), engine="polars").config
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real_find_spec(name, *a))
    with pytest.raises(ConfigError, match="needs the spark extra"):
        AuditSettings(input_dir=str(tmp_path), output_dir=str(tmp_path / "out"), engine="spark").config
