"""The rule catalogue: one YAML entry per recommendation, for one version of the guideline.

Adding a recommendation means adding an entry under `<catalogue>/rules/`, its SQL file under
`sql/rules/` and its tests. Entries are data: the pipeline builds one Dagster asset per audited
rule from them, and docs/rules.md is rendered from them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_ROOT = Path(__file__).parent
DEFAULT_CATALOGUE = "cg81_2025_02"
STATUSES = {"audited", "not_auditable", "retired"}
UNITS = {"patient", "regimen", "course", "scan", "event"}
TARGET_KINDS = {"compliance", "do_not", "majority", None}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    section: str
    guideline_text: str
    strength: str
    status: str
    version: int
    unit: str | None = None
    population: str | None = None
    numerator: str | None = None
    exclusions: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    insufficient_data: tuple[str, ...] = ()
    target: str | None = None  # a kind from the configuration's `targets`
    sql: str | None = None
    value_sets: tuple[str, ...] = ()
    needs_tables: tuple[str, ...] = ()  # optional contract tables without which no unit can be judged
    parameters: dict[str, Any] = field(default_factory=dict)
    parameter_choices: dict[str, tuple] = field(default_factory=dict)  # allowed items of list parameters
    interpretations: tuple[str, ...] = ()
    reason: str | None = None  # why a rule is not auditable or retired
    descriptive_sql: str | None = None  # a figure reported instead of adherence
    order: int = 0

    @property
    def asset_name(self) -> str:
        return "rule_" + re.sub(r"[^a-z0-9]+", "_", self.id.lower())

    @property
    def is_audited(self) -> bool:
        return self.status == "audited"

    @property
    def possible_outcomes(self) -> set[str]:
        """What the rule can yield: excluded only with exclusions or exceptions, insufficient_data only
        with its cases listed (its case file must show each; tests/rules/test_rule_cases.py)."""
        outcomes = {"adherent", "non_adherent"}
        if self.exclusions or self.exceptions:
            outcomes.add("excluded")
        if self.insufficient_data:
            outcomes.add("insufficient_data")
        return outcomes


@dataclass(frozen=True)
class Catalogue:
    name: str
    guideline: str
    guideline_version: str
    quality_standard: str
    version: int
    rules: tuple[Rule, ...]

    @property
    def audited_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.is_audited)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r} in catalogue {self.name}")


def _rule_sort_key(rule_id: str) -> tuple:
    """QS12 statements first, then CG81 by section: 1.1.4 < 1.1.10, 1.3.4a < 1.3.4b."""
    parts = re.findall(r"\d+|[a-z]+", rule_id.lower())
    is_cg81 = not rule_id.upper().startswith("QS")
    return (is_cg81, *[(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "qs"])


def _load_rule(path: Path) -> Rule:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = f"catalogue entry {path.name}"
    for key in ("id", "title", "section", "guideline_text", "strength", "status", "version"):
        if key not in raw:
            raise ValueError(f"{where}: missing '{key}'")
    if raw["status"] not in STATUSES:
        raise ValueError(f"{where}: status must be one of {sorted(STATUSES)}")
    if raw["status"] == "audited":
        for key in ("unit", "population", "numerator", "sql"):
            if not raw.get(key):
                raise ValueError(f"{where}: an audited rule needs '{key}'")
        if raw["unit"] not in UNITS:
            raise ValueError(f"{where}: unit must be one of {sorted(UNITS)}")
    elif not raw.get("reason"):
        raise ValueError(f"{where}: a {raw['status']} rule needs a 'reason'")
    if raw.get("target") not in TARGET_KINDS:
        raise ValueError(f"{where}: target must be one of {sorted(k for k in TARGET_KINDS if k)} or empty")
    fields = {k: v for k, v in raw.items() if k in Rule.__dataclass_fields__}
    unknown = set(raw) - set(Rule.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("exclusions", "exceptions", "insufficient_data", "value_sets", "needs_tables", "interpretations"):
        fields[key] = tuple(raw.get(key) or ())
        # an unquoted "text: more text" item is read by YAML as a mapping, not a sentence
        if not all(isinstance(item, str) for item in fields[key]):
            raise ValueError(f"{where}: every item of '{key}' must be text (quote an item holding ': ')")
    fields["parameters"] = dict(raw.get("parameters") or {})
    fields["parameter_choices"] = {k: tuple(v) for k, v in (raw.get("parameter_choices") or {}).items()}
    fields["id"] = str(raw["id"])
    return Rule(**fields)


@cache
def load_catalogue(name: str = DEFAULT_CATALOGUE) -> Catalogue:
    folder = CATALOGUE_ROOT / name
    meta = yaml.safe_load((folder / "catalogue.yaml").read_text(encoding="utf-8"))
    # beside each entry <id>.yaml, its test cases <id>.cases.yaml (tests/rules/rule_cases.py)
    rules = [_load_rule(p) for p in sorted((folder / "rules").glob("*.yaml")) if not p.name.endswith(".cases.yaml")]
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"catalogue {name}: duplicate rule ids {duplicates}")
    ordered = sorted(rules, key=lambda r: _rule_sort_key(r.id))
    rules = tuple(Rule(**{**r.__dict__, "order": i + 1}) for i, r in enumerate(ordered))
    return Catalogue(
        name=name,
        guideline=meta["guideline"],
        guideline_version=str(meta["guideline_version"]),
        quality_standard=meta["quality_standard"],
        version=int(meta["version"]),
        rules=rules,
    )


# Parameters that say which recommendation a shared SQL file audits: changing one in the
# configuration would audit another recommendation under this one's name, so they are fixed.
FIXED_PARAMETERS = {"care_event", "modality", "trigger", "progression_site", "prior_endocrine",
                    "bone_metastases_only", "expect_continued"}
# List parameters that are value sets of contract codes (they may be extended, but only with codes
# the extract can hold: a typo would silently match nothing).
CODE_PARAMETERS = {"modalities": ("imaging", "modality"), "care_events": ("care_events", "event_type"),
                   "procedures": ("procedures", "procedure")}


def _parameter_value(rule: Rule, key: str, default: Any, value: Any) -> Any:
    where = f"rules.{rule.id}.parameters.{key}"
    if key in FIXED_PARAMETERS:
        raise ValueError(f"{where}: defines what rule {rule.id} audits and cannot be changed")
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # 8 for 8.0 Gy
    if type(value) is not type(default):
        raise ValueError(f"{where}: expected {type(default).__name__}, got {value!r}")
    # windows may open before their anchor; other numbers (days after, doses) cannot be negative
    if isinstance(value, (int, float)) and default >= 0 > value and not key.startswith("window_"):
        raise ValueError(f"{where}: must not be negative, got {value!r}")
    choices = rule.parameter_choices.get(key)
    if key in CODE_PARAMETERS:
        from pipelines.contract import load_contract

        table, column = CODE_PARAMETERS[key]
        choices = load_contract().tables[table].column(column).values
    unknown = [item for item in value if item not in choices] if choices else []
    if unknown:
        raise ValueError(f"{where}: unknown {', '.join(map(str, unknown))} (allowed: {', '.join(choices)})")
    return value


def rule_parameters(rule: Rule, overrides: dict[str, Any]) -> dict[str, Any]:
    """The rule's window parameters with the configuration's overrides, validated."""
    params = dict(rule.parameters)
    for key, value in (overrides.get("parameters") or {}).items():
        if key not in params:
            raise ValueError(f"rules.{rule.id}.parameters.{key}: rule {rule.id} has no such parameter "
                             f"(it has: {', '.join(sorted(params)) or 'none'})")
        params[key] = _parameter_value(rule, key, params[key], value)
    if params.get("window_start_days", 0) > params.get("window_end_days", 0):
        raise ValueError(f"rules.{rule.id}.parameters: window_start_days ({params['window_start_days']}) is after "
                         f"window_end_days ({params['window_end_days']})")
    return params


def rule_target(rule: Rule, targets: dict[str, float], overrides: dict[str, Any]) -> float | None:
    if "target" in overrides:
        value = overrides["target"]
        if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
            raise ValueError(f"rules.{rule.id}.target must be between 0 and 1 or empty, got {value!r}")
        return value
    return targets[rule.target] if rule.target else None


def validate_rule_overrides(catalogue: Catalogue, overrides: dict[str, Any]) -> None:
    known = {r.id: r for r in catalogue.rules}
    for rule_id, override in overrides.items():
        rule = known.get(str(rule_id))
        if rule is None:
            raise ValueError(f"rules.{rule_id}: no such rule in catalogue {catalogue.name}")
        if not isinstance(override, dict) or set(override) - {"target", "parameters"}:
            raise ValueError(f"rules.{rule_id}: only 'target' and 'parameters' can be set")
        rule_parameters(rule, override)
        rule_target(rule, {"compliance": 0, "do_not": 0, "majority": 0}, override)
