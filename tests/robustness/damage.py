"""What the bad-extract corpus is made of: the valid base extract, the ways to damage its files, and
what a case states the audit must do (tests/robustness/corpus.py lists the cases)."""
from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from pipelines.contract import load_contract
from pipelines.resources import work_dir_for
from tests.extract_builder import Extract

BASE_ROWS = 3  # rows of every table in the base extract: one per patient


def base_extract() -> Extract:
    """Three patients touching every table, all valid; each table's first row is P1's."""
    x = Extract()
    for n, provider in ((1, "RAA"), (2, "RAA"), (3, "RBB")):
        p = x.patient(f"P{n}", provider_code=provider)
        p.metastatic(0, sites="bone;liver").pathology(2).regimen(["letrozole"], start=20)
        p.radiotherapy(f"C{n}", start=10).imaging(-5, "ct", purpose="staging", result="metastatic")
        p.procedure(30, "biopsy_metastasis").care(5, "mdt_discussion").decision(40, "chemotherapy")
    return x


@dataclass(frozen=True)
class Finding:
    """A row of data_quality/quarantine.csv that the case must produce (reason: a fragment of it)."""
    table: str
    check: str
    action: str = "row_quarantined"
    reason: str | None = None
    value: str | None = None


@dataclass
class BadExtract:
    name: str
    damage: Callable[[Path], None]  # damages the written base extract in place
    refused: str | tuple[str, ...] | None = None  # fragment(s) of the one-line refusal reason
    findings: list[Finding] = field(default_factory=list)
    absent: list[Finding] = field(default_factory=list)  # findings the case must not produce
    rows_accepted: dict[str, int] = field(default_factory=dict)  # table -> rows that must be accepted
    never_printed: str | None = None  # an identifier value that must appear in no message or file
    warning: str | None = None  # fragment of the warning line on stderr (none at all if not given)
    folder: str = "extract"  # the extract folder's name (a str from os.fsdecode for a non-UTF-8 one)
    validated: Callable[[duckdb.DuckDBPyConnection], None] | None = None  # checks on the validate run's database
    after_audit: Callable[[Path], None] | None = None  # checks on the outputs of a full run, if any

    def build(self, parent: Path) -> Path:
        folder = parent / self.folder
        base_extract().write(folder)
        self.damage(folder)
        return folder


def database_of(output: Path) -> Path:
    """The run's working database (kept after a run, beside the output folder)."""
    return work_dir_for(output) / "audit.duckdb"


def rows(folder: Path, table: str) -> list[dict]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(folder: Path, table: str, records: list[dict], **options) -> None:
    path = folder / f"{table}.csv"
    with path.open("w", encoding=options.pop("encoding", "utf-8"), newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator="\n", **options)
        writer.writeheader()
        writer.writerows(records)


def edit(table: str, row: int, **values) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        records = rows(folder, table)
        records[row].update(values)
        write_rows(folder, table, records)
    return damage


def append(table: str, **values) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        records = rows(folder, table)
        records.append({**records[0], **values})
        write_rows(folder, table, records)
    return damage


def both(*damages: Callable[[Path], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        for d in damages:
            d(folder)
    return damage


def replace_bytes(table: str, content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / f"{table}.csv").write_bytes(content)


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        write_rows(folder, table, [{k: v for k, v in r.items() if k != column} for r in rows(folder, table)])
    return damage


def add_column(table: str, column: str, value: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        write_rows(folder, table, [{**r, column: value} for r in rows(folder, table)])
    return damage


def rename_file(old: str, new: str) -> Callable[[Path], None]:
    return lambda folder: (folder / old).rename(folder / os.fsdecode(new))


def as_parquet(table: str, select: str = "*") -> Callable[[Path], None]:
    """The table's CSV file replaced by a Parquet file of `select` over its text columns."""
    def damage(folder: Path) -> None:
        csv_path = folder / f"{table}.csv"
        with duckdb.connect() as con:
            con.execute(f"""copy (select {select} from read_csv('{csv_path}', all_varchar = true))
                            to '{folder / f"{table}.parquet"}' (format parquet)""")
        csv_path.unlink()
    return damage


# --- one bad value in every column of a type ------------------------------------------------------

def columns_of_type(*types: str) -> list[tuple[str, object]]:
    return [(name, c) for name, table in load_contract().tables.items() for c in table.columns if c.type in types]


def bad_value_in_every_column(types: tuple[str, ...], values: tuple[str, ...]) -> Callable[[Path], None]:
    """One extra row per column of those types and per value: a copy of the table's first row with
    the value there, made distinct from the others (its own key, or its own date: validation takes
    rows equal once parsed, the bad value being unknown, for duplicates)."""
    def damage(folder: Path) -> None:
        for name, table in load_contract().tables.items():
            targets = [(c, v) for c in table.columns if c.type in types for v in values]
            if not targets:
                continue
            records = rows(folder, name)
            dated = next(c.name for c in table.columns if c.type == "date" and c.required) if name != "patients" else None
            for i, (column, value) in enumerate(targets):
                copy = {**records[0], column.name: value}
                for key, prefix in (("patients", "patient_id"), ("radiotherapy", "course_id"),
                                    ("systemic_therapy", "regimen_id")):
                    if name == key:
                        copy[prefix] = f"X{i}"
                if dated:
                    copy[dated] = (dt.date.fromisoformat(copy[dated]) + dt.timedelta(days=i + 1)).isoformat()
                records.append(copy)
            write_rows(folder, name, records)
    return damage


def findings_in_every_column(types: tuple[str, ...], check: Callable[[object], str],
                             optional_action: str = "value_set_to_unknown") -> list[Finding]:
    """The finding each column gets: its row quarantined when the column is required, else the
    optional action (the value set to unknown)."""
    return [Finding(name, f"{c.name}.{check(c)}", "row_quarantined" if c.required else optional_action)
            for name, c in columns_of_type(*types)]


def accepted_after_bad_values(types: tuple[str, ...], values: int) -> dict[str, int]:
    """Rows accepted per table when every bad value in a required column quarantines its row."""
    accepted = {}
    for name, table in load_contract().tables.items():
        columns = [c for c in table.columns if c.type in types]
        if columns:
            accepted[name] = BASE_ROWS + values * sum(not c.required for c in columns)
    return accepted


NHS_NUMBER = "943 476 5919"  # a valid NHS number (the NHS's own test number format)
POSTCODE = "LS1 4AP"
