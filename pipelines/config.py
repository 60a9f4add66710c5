"""Audit configuration: bundled defaults, overridden by the user's YAML file, validated on load."""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.yaml")
# Shares of a table's rows (0 to 1); the optional one may be null (the check is off).
SHARE_KEYS = {"validation.warn_quarantined_share", "validation.refuse_quarantined_share"}
OPTIONAL_SHARE_KEYS = {"validation.refuse_quarantined_share"}
# Settings that take one of a few words.
CHOICE_KEYS = {"timeline.prior_therapy_history": ("complete", "partial")}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the key."""


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without implicit dates: `2020-13-01` stays text, so that the check of its key can name
    the key ('run.latest_valid_date must be a date') instead of YAML failing on the file."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class AuditConfig:
    values: dict[str, Any]
    source: str

    def section(self, name: str) -> dict[str, Any]:
        return self.values[name]

    @property
    def latest_valid_date(self) -> dt.date:
        value = self.values["run"]["latest_valid_date"]
        return dt.date.today() if value == "today" else value

    def rule_overrides(self, rule_id: str) -> dict[str, Any]:
        return self.values["rules"].get(rule_id, {})

    def with_values(self, changes: dict[str, Any]) -> "AuditConfig":
        """A copy with `section.key` values replaced (what an input format fixes, e.g. the national one)."""
        values = copy.deepcopy(self.values)
        for dotted, value in changes.items():
            section, key = dotted.split(".")
            values[section][key] = value
        return AuditConfig(values=values, source=self.source)

    def as_manifest(self) -> dict[str, Any]:
        resolved = copy.deepcopy(self.values)
        resolved["run"]["latest_valid_date"] = self.latest_valid_date.isoformat()
        return resolved


def _merge(defaults: dict, overrides: dict, path: str) -> dict:
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in defaults:
            raise ConfigError(f"unknown configuration key '{where}'")
        default = defaults[key]
        if key in ("rules", "drug_names", "drugs"):  # open mappings, validated by their owners
            if not isinstance(value, dict):
                raise ConfigError(f"'{where}' must be a mapping")
            merged[key] = value
        elif isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"'{where}' must be a mapping")
            merged[key] = _merge(default, value, where)
        else:
            merged[key] = _check_scalar(where, default, value)
    return merged


def _iso_date(where: str, value: Any, alternative: str) -> dt.date | str:
    """`alternative` (a word such as 'today') or a real date written YYYY-MM-DD."""
    if value == alternative:
        return value
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ConfigError(f"'{where}' must be '{alternative}' or a date YYYY-MM-DD, got {value!r}")


def _check_scalar(where: str, default: Any, value: Any) -> Any:
    if where == "timeline.follow_up_end":
        date = _iso_date(where, value, "latest_recorded_date")
        # kept as ISO text: it is bound into SQL and written into the manifest as is
        return date if isinstance(date, str) else date.isoformat()
    if where == "run.latest_valid_date":
        return _iso_date(where, value, "today")
    if where in CHOICE_KEYS:
        if value not in CHOICE_KEYS[where]:
            raise ConfigError(f"'{where}' must be one of {', '.join(CHOICE_KEYS[where])}, got {value!r}")
        return value
    if where in SHARE_KEYS:
        if value is None and where in OPTIONAL_SHARE_KEYS:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"'{where}' must be a share between 0 and 1"
                              f"{' or null' if where in OPTIONAL_SHARE_KEYS else ''}, got {value!r}")
        return value
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ConfigError(f"'{where}' must be {type(default).__name__}, got {value!r}")
        return value
    if isinstance(default, (int, float)):
        if not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"'{where}' must be a non-negative number, got {value!r}")
        if isinstance(default, int) and not isinstance(value, int):
            raise ConfigError(f"'{where}' must be a whole number, got {value!r}")
        return value
    if not isinstance(value, type(default)):
        raise ConfigError(f"'{where}' must be {type(default).__name__}, got {value!r}")
    return value


def load_config(path: str | Path | None = None) -> AuditConfig:
    defaults = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    if path is None:
        return AuditConfig(values=_merge(defaults, {}, ""), source="default")
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        overrides = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDatesLoader) or {}
    except UnicodeDecodeError:
        raise ConfigError(f"configuration file {path} is not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"configuration file {path} is not valid YAML: {error}") from None
    if not isinstance(overrides, dict):
        raise ConfigError(f"configuration file {path} must hold a mapping of settings")
    values = _merge(defaults, overrides, "")
    _check_relations(values)
    return AuditConfig(values=values, source=str(path))


def _check_relations(values: dict) -> None:
    """Values that are the right type but unusable, or that would quietly switch a safeguard off."""
    for key, target in values["targets"].items():
        if not 0 <= target <= 1:
            raise ConfigError(f"'targets.{key}' must be between 0 and 1, got {target!r}")
    disclosure = values["disclosure"]
    if disclosure["round_to"] < 1:
        raise ConfigError(f"'disclosure.round_to' must be 1 (no rounding) or more, got {disclosure['round_to']!r}")
    if not 1 <= disclosure["suppress_min"] <= disclosure["suppress_max"]:
        raise ConfigError("'disclosure.suppress_min' must be at least 1 and at most 'disclosure.suppress_max', got "
                          f"{disclosure['suppress_min']!r} and {disclosure['suppress_max']!r}")
    run = values["run"]
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", run["duckdb_memory_limit"].strip()):
        raise ConfigError(f"'run.duckdb_memory_limit' must be a size such as 2GB or 512MB, "
                          f"got {run['duckdb_memory_limit']!r}")
    for key in ("duckdb_threads", "validation_batch_rows"):
        if run[key] < 1:
            raise ConfigError(f"'run.{key}' must be at least 1, got {run[key]!r}")
    national = values["national"]
    if not re.fullmatch(r"[A-Z0-9]{3,5}", str(national["provider_when_not_recorded"])):
        raise ConfigError("'national.provider_when_not_recorded' must be an ODS-like code (3 to 5 capital letters "
                          f"or digits), got {national['provider_when_not_recorded']!r}")
    if not 18 <= national["postmenopausal_from_age"] <= 80:
        raise ConfigError(f"'national.postmenopausal_from_age' must be an age from 18 to 80, "
                          f"got {national['postmenopausal_from_age']!r}")
    if values["exports"]["workbook_max_rows"] < 0:
        raise ConfigError(f"'exports.workbook_max_rows' must be 0 or more, got {values['exports']['workbook_max_rows']!r}")
