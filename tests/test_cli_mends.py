"""Issue 12 parts 4 and 7: no traceback from any command for a bad environment variable,
configuration or argument; `rules show` suggests the ids a partial id extends and is a usage
error without one. Through the real CLI, in a subprocess where the environment matters."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.extract_builder import Extract


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


@pytest.fixture
def configurations(tmp_path) -> tuple[Path, Path]:
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text("no_such_section: 1\n", encoding="utf-8")
    good.write_text("run:\n  latest_valid_date: 2026-01-01\n", encoding="utf-8")
    return bad, good


def test_a_bad_config_in_the_environment_does_not_stop_a_command_given_a_good_one(tmp_path, configurations):
    """Today's traceback: pipelines.definitions built its resources, reading ABC_AUDIT_CONFIG, on import."""
    bad, good = configurations
    x = Extract()
    x.patient("P1").metastatic().pathology()
    extract = x.write(tmp_path / "extract")
    completed = _cli("validate", "--input", str(extract), "--report", str(tmp_path / "report"), "--config", str(good),
                     env={"ABC_AUDIT_CONFIG": str(bad)})
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert (tmp_path / "report" / "data_quality" / "quarantine.csv").exists()


@pytest.mark.parametrize("variable, make_value, message", [
    ("ABC_AUDIT_CONFIG", lambda bad, tmp: str(bad), "unknown configuration key 'no_such_section'"),
    ("ABC_AUDIT_CONFIG", lambda bad, tmp: str(tmp / "missing.yaml"), "configuration file not found"),
    ("ABC_AUDIT_CONFIG", lambda bad, tmp: str(tmp), "configuration file not found"),  # a folder
])
def test_a_bad_config_in_the_environment_is_refused_in_one_line(tmp_path, configurations, variable, make_value,
                                                                message):
    bad, _ = configurations
    completed = _cli("validate", "--report", str(tmp_path / "report"), env={variable: make_value(bad, tmp_path)})
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.startswith("abc-audit: configuration refused: ") and message in completed.stderr
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr


def test_a_bad_input_in_the_environment_is_refused_in_one_line(tmp_path):
    completed = _cli("run", "--output", str(tmp_path / "out"), env={"ABC_AUDIT_INPUT": str(tmp_path / "nowhere")})
    assert completed.returncode == 2
    assert completed.stderr == f"abc-audit: extract refused: extract folder not found: {tmp_path / 'nowhere'}\n"


def test_importing_the_definitions_reads_no_configuration(tmp_path, configurations):
    """`dagster dev` loads pipelines.definitions (pyproject's module_name) whatever the environment;
    the run that uses a bad configuration is the one that stops, with its message."""
    bad, _ = configurations
    probe = ("import pipelines.definitions as d; "
             "print(d.defs.resolve_job_def('audit').name, d.defs.resolve_sensor_def('extract_inbox').name)")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                               env={**os.environ, "ABC_AUDIT_CONFIG": str(bad), "ABC_AUDIT_INPUT": str(tmp_path)})
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["audit", "extract_inbox"]


def test_rules_show_suggests_the_ids_a_partial_id_extends(capsys):
    assert main(["rules", "show", "1.3.4"]) == 1
    assert capsys.readouterr().err == ("abc-audit: no rule '1.3.4' in catalogue cg81_2025_02; "
                                       "did you mean 1.3.4a or 1.3.4b?\n")
    assert main(["rules", "show", "qs12-5"]) == 1
    assert "did you mean QS12-5?" in capsys.readouterr().err
    assert main(["rules", "show", "9.9.9"]) == 1
    assert "`abc-audit rules` lists the rule ids" in capsys.readouterr().err
    assert main(["rules", "show", "1.3.4a"]) == 0
    assert capsys.readouterr().out.startswith("id: 1.3.4a")


def test_rules_show_without_an_id_is_a_usage_error():
    completed = _cli("rules", "show")
    assert completed.returncode == 2
    assert "rules show needs a rule id" in completed.stderr and "Traceback" not in completed.stderr
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "2 for a usage error, such as\n`rules show` without a rule id" in readme
