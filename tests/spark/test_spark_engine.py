"""`--engine spark` against DuckDB on a real local Spark (make test-slow; needs the `spark` extra and
Java 17, both installed by .ci/run, which sets ABC_AUDIT_REQUIRE_SPARK so that nothing is skipped).

The same asset graph runs twice, once per engine, on the bundled sample with the rule cases' patients
added and bad values of every kind the contract checks written into it (so that validation
quarantines rows and sets values to unknown on both); every published file must be the same bytes.
A national extract goes through a Spark Connect server; every statement of the SQL files the Spark
engine runs is planned by Spark (EXPLAIN).
"""
import functools
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import sqlglot

from pipelines.definitions import ALL_ASSETS, default_resources
from sample_data import SAMPLE_DATA_DIR
from sql import SQL_DIR
from tests.rules.rule_cases import build_extract, config_yaml, load_cases
from tests.spark.test_translate import SPARK_FUNCTIONS_WE_EMIT, _parameters_of

pytestmark = pytest.mark.slow
SPARK_READY = shutil.which("java") is not None and importlib.util.find_spec("pyspark") is not None


@pytest.fixture(autouse=True, scope="module")
def _needs_spark():
    if not SPARK_READY and not os.environ.get("ABC_AUDIT_REQUIRE_SPARK"):
        pytest.skip("the Spark engine's tests need Java 17 and the spark extra (make test-slow installs the extra)")


# Bad values of each column type (from the bad-extract corpus, tests/robustness/), each written into
# its own row of the sample; rows quarantined when the column is required, else the value set to unknown.
BAD_VALUES = {"enum": ("not_a_code",), "enum_list": ("bone; mars", "mars"), "boolean": ("maybe",),
              "ods_code": ("R-1",), "integer": ("1,000", "9" * 20, "-8", "2.5"), "decimal": ("1,000.5", "-8", "NaN"),
              "date": ("02/13/2024", "45352", "2024-02-30", "31/02/2024", "2099-01-01", "01/03/2024 09:30", "1850-01-01")}


@functools.cache
def rule_cases() -> list:
    """The rule cases of the default configuration: almost all of them."""
    return [c for c in load_cases() if c.group == '{"config": {}, "tables": null}']


def damaged_sample(folder: Path, cases: Path | None = None) -> Path:
    """The bundled sample (with the patients of the extract `cases` added) with every bad value of
    BAD_VALUES in every column of its type, a patient recorded twice with different values, an exact
    duplicate, an orphan, an event before the year of birth and a line the CSV parser cannot split."""
    from pipelines.contract import load_contract
    from tests.robustness.damage import rows, write_rows

    shutil.copytree(SAMPLE_DATA_DIR, folder)
    for name, table in load_contract().tables.items():
        records = rows(folder, name) + (rows(cases, name) if cases and (cases / f"{name}.csv").exists() else [])
        columns = list(dict.fromkeys(column for record in records for column in record))
        records = [{column: record.get(column, "") for column in columns} for record in records]
        edits = [(c.name, value) for c in table.columns for value in BAD_VALUES.get(c.type, ())]
        for i, (column, value) in enumerate(edits):
            records[(7 * i + 3) % len(records)][column] = value
        if name == "patients":
            records.append({**records[20], "sex": "male"})  # a key conflict: both rows quarantined
            records[40]["birth_year"] = "2010"  # born after their events: those rows quarantined
        elif name == "radiotherapy":
            records.append(dict(records[25]))  # an exact duplicate: the first copy kept
        elif name == "care_events":
            records.append({**records[0], "patient_id": "NOBODY"})
        write_rows(folder, name, records)
    with (folder / "procedures.csv").open("a", encoding="utf-8") as handle:
        handle.write('PT0000001,"2024-05-01,other\n')
    return folder


@pytest.fixture(scope="module")
def sample_on_both_engines(tmp_path_factory) -> Path:
    """One audit per engine of the damaged sample with the rule cases' patients in it, under the rule
    cases' configuration (each Spark run costs minutes of fixed cost, so one extract serves both)."""
    base = tmp_path_factory.mktemp("engines")
    extract = damaged_sample(base / "extract", build_extract(rule_cases()).write(base / "rule_cases"))
    config = base / "config.yaml"
    config.write_text(config_yaml(rule_cases()[0]), encoding="utf-8")
    for engine in ("duckdb", "spark"):
        resources = default_resources(str(extract), str(base / engine), str(config), engine=engine)
        result = dg.materialize(ALL_ASSETS, resources=resources, raise_on_error=False,
                                instance=dg.DagsterInstance.ephemeral())
        assert result.success, engine
    return base


def _files(folder: Path) -> dict[str, Path]:
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_published_file_is_the_same_bytes_on_both_engines(sample_on_both_engines):
    duck, spark = _files(sample_on_both_engines / "duckdb"), _files(sample_on_both_engines / "spark")
    assert duck.keys() == spark.keys()
    assert {"case_outcomes.csv", "measures.csv", "dashboard.html"} <= duck.keys()
    different = [name for name in duck if name != "run_manifest.json" and duck[name].read_bytes() != spark[name].read_bytes()]
    assert different == []


def test_validation_on_spark_quarantined_what_the_damage_put_there(sample_on_both_engines):
    """The comparison above is only worth something if validation found things: every kind of finding."""
    import csv
    with (sample_on_both_engines / "spark" / "data_quality" / "quarantine.csv").open(encoding="utf-8") as handle:
        findings = list(csv.DictReader(handle))
    assert {f["action"] for f in findings} == {"row_quarantined", "value_set_to_unknown", "unknown_items_removed"}
    checks = {f["check_name"].split(".")[-1] for f in findings}
    assert {"code", "codes", "boolean", "ods_code", "integer", "decimal", "date", "date_range", "range",
            "key_conflict", "exact_duplicate", "known", "accepted", "after_birth_year", "parse"} <= checks, checks


def test_the_manifests_differ_only_in_the_engine_and_the_timings(sample_on_both_engines):
    manifests = {engine: json.loads((sample_on_both_engines / engine / "run_manifest.json").read_text())
                 for engine in ("duckdb", "spark")}
    assert manifests["spark"]["engine"]["name"] == "spark" and manifests["duckdb"]["engine"]["name"] == "duckdb"
    for manifest in manifests.values():
        for key in ("engine", "timings_seconds", "started_at", "finished_at"):
            manifest.pop(key)
        manifest["workbooks"].pop("seconds")
    assert manifests["duckdb"].keys() == manifests["spark"].keys()
    assert [k for k in manifests["duckdb"] if manifests["duckdb"][k] != manifests["spark"][k]] == []


def test_the_rule_cases_give_the_same_case_outcomes_on_spark(sample_on_both_engines):
    """The rule cases of the default configuration (the extract the rule tests audit), audited with
    the sample: their outcomes row for row (case_outcomes.csv is the same bytes above; this says
    that the rule cases are in it)."""
    import csv
    patients = {case.patient_id for case in rule_cases()}
    outcomes = {}
    for engine in ("duckdb", "spark"):
        with (sample_on_both_engines / engine / "case_outcomes.csv").open(encoding="utf-8") as handle:
            outcomes[engine] = [row for row in csv.DictReader(handle) if row["patient_id"] in patients]
    assert len(rule_cases()) > 500 and len(outcomes["duckdb"]) > 1000
    assert outcomes["spark"] == outcomes["duckdb"]


def test_spark_has_every_function_the_translation_writes():
    from pipelines.spark.session import spark_session
    names = {row[0].upper() for row in spark_session().sql("show functions").collect()}
    assert SPARK_FUNCTIONS_WE_EMIT - names == set()


# The SQL files of the stages the Spark engine runs; each statement planned by Spark (EXPLAIN) over the
# tables of the sample's audit (validation's statements are written from the contract and run on Spark
# above). Ingest, the national adapter, the bookkeeping, the reports and `abc-audit diff` still run on
# DuckDB (test_translate.py translates their files).
SPARK_STAGE_FOLDERS = ("timeline", "rules", "rule_templates", "outcomes", "measures", "descriptive")
SPARK_SQL_FILES = sorted(str(p.relative_to(SQL_DIR)) for folder in SPARK_STAGE_FOLDERS
                         for p in (SQL_DIR / folder).glob("*.sql"))


@pytest.fixture(scope="module")
def spark_over_the_sample(sample_on_both_engines):
    """A Spark connection over the Spark run's database, with the session views the stages make
    for their statements (a rule's units, the outcomes the measures read) made as the stages do."""
    from audit_rules.catalogue import load_catalogue
    from pipelines.measures.assets import _measure_outcomes
    from pipelines.resources import AuditSettings
    from pipelines.rules.assets import _resolve_into
    from pipelines.spark.connection import SparkConnection
    from pipelines.spark.session import spark_session

    database = duckdb.connect(str(sample_on_both_engines / ".spark.work" / "audit.duckdb"), read_only=True)
    con = SparkConnection(spark_session(), database, run_id="explain")
    audit = AuditSettings(input_dir=str(SAMPLE_DATA_DIR), output_dir=str(sample_on_both_engines / "spark"))
    _resolve_into(con, load_catalogue().audited_rules[0], audit, "one_rule_resolved")
    _measure_outcomes(con, after_review=False)
    con.execute("create or replace temp view measures_to_disclose as select * from measures.measures")
    con.execute("create or replace temp table figure_units as select rule_id, patient_id, unit_id, unit_date, "
                "provider_code, true as in_numerator from rules.case_outcomes")
    yield con
    database.close()


@pytest.mark.parametrize("relative", SPARK_SQL_FILES)
def test_spark_plans_every_statement_of_the_spark_stages(relative, spark_over_the_sample):
    from pipelines.spark.translate import bind_literals
    text = bind_literals((SQL_DIR / relative).read_text(encoding="utf-8"), _parameters_of(relative), relative)
    for tree in sqlglot.parse(text, read="duckdb"):
        plan = spark_over_the_sample.spark.sql("explain " + spark_over_the_sample.translate(tree)).collect()[0][0]
        assert "== Physical Plan ==" in plan and "Error occurred" not in plan, f"{relative}: {plan[:2000]}"


def test_quarters_are_replaced_on_spark_as_on_duckdb(sample_on_both_engines, tmp_path):
    """The quarterly partitions' tables (pipelines/partitions.py): a quarter added, another, the first
    replaced; on Spark (written back to DuckDB) the same rows in the same order as on DuckDB."""
    from pipelines.partitions import replace_partition
    from pipelines.spark.connection import SparkConnection
    from pipelines.spark.session import spark_session

    tables = {}
    for engine in ("duckdb", "spark"):
        copy = tmp_path / f"{engine}.duckdb"
        shutil.copy(sample_on_both_engines / ".spark.work" / "audit.duckdb", copy)
        database = duckdb.connect(str(copy))
        quarters = [q for (q,) in database.execute("select distinct period from rules.case_outcomes "
                                                     "where period is not null order by 1 desc limit 2").fetchall()]
        con = database if engine == "duckdb" else SparkConnection(spark_session(), database, f"quarters-{tmp_path.name}")
        for quarter in (*quarters, quarters[0]):
            assert replace_partition(con, "rules.quarter_case_outcomes", "outcomes/quarter_case_outcomes.sql", quarter) > 0
        if engine == "spark":
            con.publish()
        tables[engine] = database.execute("select * from rules.quarter_case_outcomes").fetchall()
        assert {p for (p,) in database.execute("select distinct period from rules.quarter_case_outcomes").fetchall()
                } == set(quarters)
        database.close()
    assert tables["spark"] == tables["duckdb"]


# A Spark Connect server: a local Spark with the Connect plugin, in a process of its own, serving
# on the port it is given until its standard input closes.
CONNECT_SERVER = """
import sys
from pyspark.sql import SparkSession
(SparkSession.builder.master("local[2]").config("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin")
 .config("spark.connect.grpc.binding.port", sys.argv[1]).config("spark.ui.enabled", "false")
 .config("spark.driver.memory", "2g").getOrCreate())
print("serving", flush=True)
sys.stdin.read()
"""


@pytest.fixture(scope="module")
def spark_connect_url():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", CONNECT_SERVER, str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout.readline().strip() == "serving"
        yield f"sc://localhost:{port}"
    finally:
        server.stdin.close()
        server.wait(timeout=120)


def test_a_national_extract_through_spark_connect_gives_duckdbs_outputs(tmp_path, spark_connect_url):
    """The national adapter's mapping, validation, timeline, rules and measures on a Spark Connect
    server, through the CLI as a user runs it: every published file the same bytes as DuckDB's."""
    from tests.national.test_national_audit import twelve_patients
    extract = twelve_patients().write(tmp_path / "extract")
    for engine in ("duckdb", "spark"):
        command = [sys.executable, "-m", "pipelines.cli", "run", "--input", str(extract), "--input-format", "national",
                   "--output", str(tmp_path / engine), "--engine", engine]
        run = subprocess.run(command + (["--spark-remote", spark_connect_url] if engine == "spark" else []),
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr[-3000:]
    duck, spark = _files(tmp_path / "duckdb"), _files(tmp_path / "spark")
    assert duck.keys() == spark.keys() and "data_quality/national_rows.csv" in duck
    assert [name for name in duck if name != "run_manifest.json" and duck[name].read_bytes() != spark[name].read_bytes()] == []
    manifest = json.loads((tmp_path / "spark" / "run_manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["session"] == spark_connect_url
