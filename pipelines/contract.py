"""The input data contract (contract.yaml) as typed Python objects: what every stage reads (ingest,
validation, the timeline's code lists, the catalogue's value-set checks), so it belongs to none of them."""
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
    birth_words: frozenset[str] = field(default_factory=frozenset)
    year_words: frozenset[str] = field(default_factory=frozenset)
    year_of_birth_names: frozenset[str] = field(default_factory=frozenset)

    def looks_like_identifier(self, column_name: str) -> bool:
        """True when a column name suggests a direct identifier (contract "Privacy", close variants too)."""
        words = _words(column_name)
        together = "".join(words)
        runs = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
        return (together in self.identifier_names or bool(runs & self.identifier_phrases)
                or any(fragment in together for fragment in self.identifier_fragments)
                or (bool(self.birth_words.intersection(words)) and not self.year_words.intersection(words)))

    def is_year_of_birth(self, column_name: str) -> bool:
        """True when a column name says year of birth (`year_of_birth`, `BirthYr`, `YOB`): the
        contract allows the year, so the column passes, but a full date in it is a date of birth."""
        words = _words(column_name)
        return ("".join(words) in self.year_of_birth_names
                or bool(self.birth_words.intersection(words) and self.year_words.intersection(words)))


def _words(column_name: str) -> list[str]:
    return [w for w in normalise_column_name(column_name).split("_") if w]


def normalise_column_name(name: str) -> str:
    """`Date Of Birth` / `date-of-birth` / `DateOfBirth` / `NHSNumber` -> `date_of_birth`-like snake case."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


# Contract names are written into SQL unquoted in places (raw.<table>, staged columns, `<column>__text`);
# snake case without double underscores keeps them valid identifiers that never collide with those.
CONTRACT_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Columns every raw.<table> has or DuckDB defines (the row number); an extract column of that name
# is kept under another name (pipelines/ingest/reader.py).
RESERVED_COLUMNS = frozenset({"source_row", "rowid"})


def _checked_name(name: str, what: str) -> str:
    if not CONTRACT_NAME.fullmatch(name):
        raise ValueError(f"contract {what} {name!r}: names must be snake_case (a-z, 0-9, single underscores)")
    return name


def _column(name: str, spec: dict) -> Column:
    if _checked_name(name, "column") in RESERVED_COLUMNS:
        raise ValueError(f"contract column {name!r}: the name is reserved for the audit's row numbers")
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
            name=_checked_name(name, "table"),
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
        birth_words=frozenset(identifiers["birth_words"]),
        year_words=frozenset(identifiers["year_words"]),
        year_of_birth_names=frozenset(identifiers["year_of_birth_names"]),
    )
