"""Shared fixtures: run the real Dagster asset graph on a real DuckDB file for a hand-built extract."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import ALL_ASSETS, STAGE_OF_ASSET, default_resources
from pipelines.sql_runner import load_macros
from sample_data import SAMPLE_DATA_DIR


@dataclass
class AuditRun:
    result: dg.ExecuteInProcessResult
    database: Path
    output: Path

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        with duckdb.connect(str(self.database), read_only=True) as con:
            cursor = con.execute(sql, params or {})
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def outcomes(self, rule_id: str) -> dict[tuple[str, str], dict]:
        rows = self.query("select * from rules.case_outcomes where rule_id = $r", {"r": rule_id})
        for row in rows:
            row["evidence"] = json.loads(row["evidence"])
        return {(r["patient_id"], r["unit_id"]): r for r in rows}

    def outcome(self, rule_id: str, patient_id: str, unit_id: str | None = None) -> str | None:
        """The patient's (or unit's) outcome for a rule; None when the unit is outside the population."""
        row = self.outcomes(rule_id).get((patient_id, unit_id or patient_id))
        return None if row is None else row["outcome"]

    def failure(self) -> str | None:
        for event in self.result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                data = event.step_failure_data
                if data.user_failure_data:
                    return data.user_failure_data.description
                return f"{event.step_key}: {(data.error.cause or data.error).message}"
        return None


# Hand-built extracts describe complete stories: their follow-up runs to the end of 2030, so that
# a window is never cut short by the extract's own last date (tests/rules/test_follow_up.py tests that).
COMPLETE_FOLLOW_UP = "timeline:\n  follow_up_end: 2030-12-31\n"


# Everything up to the measures: the reports stage writes files, never outcomes, and costs seconds
# per run; tests that read the published output (or check that nothing was published) ask for it.
AUDIT_ASSETS = [a for a in ALL_ASSETS if STAGE_OF_ASSET[a.node_def.name] != "reports"]


# Up to the case outcomes: what the rule cases read (tests/rules/test_rule_cases.py).
RULE_ASSETS = [a for a in ALL_ASSETS if STAGE_OF_ASSET[a.node_def.name] in ("ingest", "validate", "timeline", "rules")]


def run_audit(extract_dir: Path, tmp_path: Path, config_file: Path | None = None, *,
              reports: bool = False, upto: str | None = None, engine: str = "duckdb") -> AuditRun:
    """The real asset graph on a real DuckDB file; with reports=True also the published output;
    with upto="rules" only as far as the case outcomes; engine="spark": its SQL stages on Spark."""
    output = tmp_path / "out"
    if config_file is None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        config_file = tmp_path / "complete_follow_up.yaml"
        config_file.write_text(COMPLETE_FOLLOW_UP, encoding="utf-8")
    resources = default_resources(str(extract_dir), str(output), str(config_file) if config_file else None,
                                  engine=engine)
    assets = ALL_ASSETS if reports else RULE_ASSETS if upto == "rules" else AUDIT_ASSETS
    result = dg.materialize(assets, resources=resources, raise_on_error=False,
                            instance=dg.DagsterInstance.ephemeral())
    return AuditRun(result=result, database=Path(resources["duckdb"].path), output=output)


@pytest.fixture
def audit(tmp_path):
    """Call with an Extract; returns the AuditRun of the asset graph on it (reports=True: all of it)."""
    def _run(extract, config_file: Path | None = None, tables: list[str] | None = None, *,
             reports: bool = False) -> AuditRun:
        return run_audit(extract.write(tmp_path / "extract", tables), tmp_path, config_file, reports=reports)
    return _run


def run_cli_on_sample(output: Path, extract: Path = SAMPLE_DATA_DIR) -> subprocess.CompletedProcess:
    """`abc-audit run` in a subprocess, as a user runs it (the bundled sample unless told otherwise)."""
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--input", str(extract),
                           "--output", str(output)], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def sample_cli_run(tmp_path_factory):
    """`abc-audit run` on the bundled sample, once per test session: (base folder, completed process);
    the outputs are in base / "first"."""
    base = tmp_path_factory.mktemp("sample")
    return base, run_cli_on_sample(base / "first")


@pytest.fixture(scope="session")
def sample_output(sample_cli_run) -> Path:
    base, completed = sample_cli_run
    assert completed.returncode == 0, completed.stderr
    return base / "first"


@pytest.fixture(scope="module")
def macros():
    """An in-memory DuckDB connection with the project's SQL macros, for testing them on their own."""
    connection = duckdb.connect()
    load_macros(connection)
    yield connection
    connection.close()


SAMPLE_FIXTURES = {"sample_output", "sample_cli_run"}


def _uses_module_fixture(item) -> bool:
    """Whether the test uses a fixture built once per module (or class): its file's tests then share a worker."""
    return any(defs and defs[-1].scope in ("module", "class", "package")
               for defs in item._fixtureinfo.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks to group the tests
def pytest_collection_modifyitems(config, items):
    """Under `--dist loadgroup` (make test): the tests that read the audit of the bundled sample run in one
    worker, so that the sample is audited once per suite, not once per worker; the tests of a file with
    a module fixture run in one worker, so that it is built once; every other test goes wherever a worker
    is free (grouping whole files left one worker finishing a two-minute file while the other idled)."""
    for item in items:
        if SAMPLE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.xdist_group("bundled_sample"))
        elif _uses_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """xdist groups tests by an `@group` suffix it writes into each node id; when a pytest release
    stops that taking effect (pytest 9 did), each worker would silently build every module fixture."""
    if node.config.getvalue("dist") == "loadgroup" and len(ids) > 100:  # the suite or a large part of it
        if not any("@" in nodeid for nodeid in ids):  # files with module fixtures are in every large part
            pytest.exit("--dist loadgroup is not grouping tests (no node id carries its @group): check the "
                        "pytest and pytest-xdist versions in constraints.txt", returncode=4)
