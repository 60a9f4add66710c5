"""The configuration file is validated on load: a bad value stops the run before it starts, with a
message naming the key (exit status 2), including values of the right type that would be unusable
or would quietly switch a safeguard such as small-number suppression off."""
import pytest

from pipelines.cli import main as cli
from pipelines.config import ConfigError, load_config


@pytest.mark.parametrize("text, message", [
    ("disclosure:\n  suppress_maxx: 7\n", "unknown configuration key 'disclosure.suppress_maxx'"),
    ("disclosure:\n  round_to: 0\n", "'disclosure.round_to' must be 1 .no rounding. or more, got 0"),
    ("disclosure:\n  suppress_min: 9\n  suppress_max: 2\n", "'disclosure.suppress_min' must be at least 1 and at most"),
    ("disclosure:\n  suppress_min: 0\n", "'disclosure.suppress_min' must be at least 1"),
    ("disclosure:\n  suppress_max: -1\n", "'disclosure.suppress_max' must be a non-negative number"),
    ("targets:\n  compliance: 1.5\n", "'targets.compliance' must be between 0 and 1"),
    ("targets:\n  compliance: high\n", "'targets.compliance' must be a non-negative number"),
    ("run:\n  duckdb_memory_limit: lots\n", "'run.duckdb_memory_limit' must be a size such as 2GB"),
    ("run:\n  duckdb_threads: 0\n", "'run.duckdb_threads' must be at least 1"),
    ("run:\n  validation_batch_rows: 2.5\n", "'run.validation_batch_rows' must be a whole number"),
    ("run:\n  latest_valid_date: yesterday\n", "'run.latest_valid_date' must be 'today' or a date"),
    ("timeline:\n  receptor_days_after_index: sixty\n", "'timeline.receptor_days_after_index' must be a non-negative"),
    ("disclosure: 5\n", "'disclosure' must be a mapping"),
    ("- just\n- a list\n", "must hold a mapping of settings"),
])
def test_bad_values_are_refused_on_load_naming_the_key(tmp_path, text, message):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_good_values_are_accepted(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("disclosure: {suppress_min: 1, suppress_max: 9, round_to: 1}\n"
                    "run: {duckdb_memory_limit: 512MB, duckdb_threads: 1}\n", encoding="utf-8")
    config = load_config(path)
    assert config.section("disclosure") == {"suppress_min": 1, "suppress_max": 9, "round_to": 1}


@pytest.mark.parametrize("text, message", [
    ("disclosure:\n  round_to: 0\n", "'disclosure.round_to' must be 1"),
    ("value_sets:\n  drug_names: {\"zometa 4mg\": zoledronate}\n",
     "value_sets.drug_names.zometa 4mg: unknown generic drug 'zoledronate'"),
    ("rules:\n  \"1.5.16\": {target: 2}\n", "rules.1.5.16.target must be between 0 and 1"),
])
def test_the_cli_refuses_a_bad_configuration_before_auditing(tmp_path, capsys, text, message):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    status = cli(["validate", "--config", str(path), "--report", str(tmp_path / "report")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("abc-audit: configuration refused: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "report").exists()
