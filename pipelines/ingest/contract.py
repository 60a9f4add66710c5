"""The input data contract (contract.yaml) as typed Python objects."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACT_PATH = Path(__file__).with_name("contract.yaml")
COLUMN_TYPES = {"string", "ods_code", "enum", "enum_list", "date", "integer", "decimal", "boolean"}
# Types whose text must be parsed; validation keeps the original text beside the parsed value.
PARSED_TYPES = {"date", "integer", "decimal", "boolean"}
BOOLEAN_TRUE = ("true", "1", "yes", "y")
BOOLEAN_FALSE = ("false", "0", "no", "n")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    min: object = None
    max: object = None
    exclusive_min: object = None

    @property
    def is_parsed(self) -> bool:
        return self.type in PARSED_TYPES


@dataclass(frozen=True)
class RowCheck:
    name: str
    column: str
    condition: str  # SQL boolean over the parsed columns; false quarantines the row
    reason: str


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    row_checks: tuple[RowCheck, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def references_patients(self) -> bool:
        return self.name != "patients"


@dataclass(frozen=True)
class Contract:
    version: int
    tables: dict[str, Table]
    ods_code_pattern: str
    identifier_names: frozenset[str] = field(default_factory=frozenset)
    identifier_phrases: frozenset[str] = field(default_factory=frozenset)
    identifier_fragments: tuple[str, ...] = ()

    def looks_like_identifier(self, column_name: str) -> bool:
        """True when a column name suggests a direct identifier (contract "Privacy", close variants too)."""
        words = [w for w in normalise_column_name(column_name).split("_") if w]
        together = "".join(words)
        runs = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
        return (together in self.identifier_names or bool(runs & self.identifier_phrases)
                or any(fragment in together for fragment in self.identifier_fragments))


def normalise_column_name(name: str) -> str:
    """`Date Of Birth` / `date-of-birth` / `DateOfBirth` / `NHSNumber` -> `date_of_birth`-like snake case."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def _column(name: str, spec: dict) -> Column:
    if spec["type"] not in COLUMN_TYPES:
        raise ValueError(f"contract column {name}: unknown type {spec['type']!r}")
    return Column(
        name=name,
        type=spec["type"],
        required=bool(spec.get("required", False)),
        values=tuple(spec.get("values", ())),
        min=spec.get("min"),
        max=spec.get("max"),
        exclusive_min=spec.get("exclusive_min"),
    )


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = {
        name: Table(
            name=name,
            required=bool(spec.get("required", False)),
            columns=tuple(_column(c, s) for c, s in spec["columns"].items()),
            key=tuple(spec.get("key", ())),
            row_checks=tuple(RowCheck(**check) for check in spec.get("row_checks", ())),
        )
        for name, spec in raw["tables"].items()
    }
    identifiers = raw["identifier_columns"]
    return Contract(
        version=raw["version"],
        tables=tables,
        ods_code_pattern=raw["ods_code_pattern"],
        identifier_names=frozenset(identifiers["names"]),
        identifier_phrases=frozenset(p.replace(" ", "") for p in identifiers["phrases"]),
        identifier_fragments=tuple(identifiers["fragments"]),
    )
