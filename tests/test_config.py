"""The configuration file is validated on load: a bad value stops the run before it starts, with a
message naming the key (exit status 2), including values of the right type that would be unusable
or would quietly switch a safeguard such as small-number suppression off."""
import datetime as dt
import re

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


@pytest.mark.parametrize("text, message", [
    # a date YAML cannot read is still reported against its key
    ("run:\n  latest_valid_date: 2020-13-01\n", "'run.latest_valid_date' must be 'today' or a date YYYY-MM-DD, got '2020-13-01'"),
    ("timeline:\n  follow_up_end: 2024-02-30\n", "'timeline.follow_up_end' must be 'latest_recorded_date' or a date"),
    ("timeline:\n  follow_up_end: 20240201\n", "'timeline.follow_up_end' must be 'latest_recorded_date' or a date"),
    # a code that the extract cannot hold would silently match nothing
    ("rules:\n  \"1.1.1\": {parameters: {modalities: [ct, petct_typo]}}\n",
     "rules.1.1.1.parameters.modalities: unknown petct_typo"),
    ("rules:\n  \"1.5.17\": {parameters: {procedures: [prophylactic_fixation, pinning]}}\n",
     "rules.1.5.17.parameters.procedures: unknown pinning"),
    # parameters that say which recommendation a shared SQL file audits are not configuration
    ("rules:\n  \"1.2.1\": {parameters: {care_event: mdt_discussion}}\n",
     "rules.1.2.1.parameters.care_event: defines what rule 1.2.1 audits and cannot be changed"),
    ("rules:\n  \"1.3.12a\": {parameters: {progression_site: cns_only}}\n", "cannot be changed"),
    ("rules:\n  \"1.1.1\": {parameters: {window_start_days: 40, window_end_days: -40}}\n",
     r"rules.1.1.1.parameters: window_start_days \(40\) is after window_end_days \(-40\)"),
    ("rules:\n  \"1.1.4\": {parameters: {mri_within_days: -5}}\n",
     "rules.1.1.4.parameters.mri_within_days: must not be negative"),
])
def test_rule_parameters_and_dates_are_checked_naming_the_key(tmp_path, capsys, text, message):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    status = cli(["validate", "--config", str(path), "--report", str(tmp_path / "report")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert re.search(message, err), err


def test_a_whole_number_is_accepted_for_a_decimal_parameter_and_windows_can_open_earlier(tmp_path):
    from audit_rules.catalogue import load_catalogue, rule_parameters

    catalogue = load_catalogue()
    assert rule_parameters(catalogue.rule("1.5.16"), {"parameters": {"single_fraction_dose_gy": 8}}
                           )["single_fraction_dose_gy"] == 8.0
    assert rule_parameters(catalogue.rule("1.5.8"), {"parameters": {"window_start_days": -7}})["window_start_days"] == -7
    assert rule_parameters(catalogue.rule("1.1.1"), {"parameters": {"modalities": ["ct", "pet_ct"]}}
                           )["modalities"] == ["ct", "pet_ct"]


def test_a_configuration_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes("targets:\n  compliance: 0.9 # \u00e9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_config(path)


def test_dates_are_read_as_dates(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("run:\n  latest_valid_date: 2025-12-31\ntimeline:\n  follow_up_end: '2025-06-30'\n", encoding="utf-8")
    config = load_config(path)
    assert config.latest_valid_date == dt.date(2025, 12, 31)
    assert config.section("timeline")["follow_up_end"] == "2025-06-30"
