"""The national datasets' layout (layout.yaml) and reading its files into DuckDB as text.

Each table file (`sim_av_tumour.csv` or `.parquet`, any case) lands in `national.<table>` with
lower-case column names (`DIAGNOSISDATEBEST` -> diagnosisdatebest), every value as text, a
`source_row`, and every optional column the file lacks added empty, so the mapping SQL sees one
shape. What each file lacked is returned, so that the run can say which facts are unknown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import yaml

from pipelines.contract import load_contract
from pipelines.ingest.files import TABLE_EXTENSIONS, printable_name
from pipelines.ingest.reader import file_sha256, quote_identifier
from pipelines.ingest.structure import ExtractRefused, csv_encoding, read_csv_header

NATIONAL_DIR = Path(__file__).resolve().parent
FORMAT_NAME = "national"


@dataclass(frozen=True)
class NationalTable:
    name: str
    required: bool
    needed: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]]
    keys: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.needed + self.optional


@dataclass
class NationalFile:
    table: str
    file_name: str | None
    sha256: str | None = None
    rows_read: int = 0
    rows_rejected: int = 0
    missing_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@cache
def load_layout() -> dict[str, NationalTable]:
    spec = yaml.safe_load((NATIONAL_DIR / "layout.yaml").read_text(encoding="utf-8"))
    return {name: NationalTable(name=name, required=bool(t.get("required")), needed=tuple(t["needed"]),
                                optional=tuple(t.get("optional", ())),
                                aliases={k: tuple(v) for k, v in t.get("aliases", {}).items()},
                                keys=tuple(t.get("keys", ())))
            for name, t in spec["tables"].items()}


def find_files(input_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """The layout's table files in the folder, and every other entry (ignored, and listed)."""
    if not input_dir.is_dir():
        raise ExtractRefused(f"extract folder not found: {input_dir}")
    layout = load_layout()
    found: dict[str, list[Path]] = {}
    ignored = []
    for path in sorted(input_dir.iterdir()):
        stem, extension = path.stem.lower(), path.suffix.lower()
        if path.name.startswith("."):
            continue
        if extension in TABLE_EXTENSIONS and stem in layout and path.is_file():
            found.setdefault(stem, []).append(path)
        else:
            ignored.append(printable_name(path.name))
    for table, paths in found.items():
        if len(paths) > 1:
            raise ExtractRefused(f"{table}: {' and '.join(p.name for p in paths)} are both present; keep one")
    for table in layout.values():
        if table.required and table.name not in found:
            raise ExtractRefused(f"national format: required table {table.name} missing: expected "
                                 f"{table.name}.csv or {table.name}.parquet (the registry's patient and tumour "
                                 "tables are the audit's patients and diagnoses)")
    return {t: paths[0] for t, paths in found.items()}, ignored


def _header(path: Path) -> list[str]:
    if path.suffix.lower() == ".csv":
        return read_csv_header(path, csv_encoding(path))
    with duckdb.connect() as con:
        try:
            return [row[0] for row in con.execute("describe select * from read_parquet($p)", {"p": str(path)}).fetchall()]
        except duckdb.Error:
            raise ExtractRefused(f"{path.name} is not a readable Parquet file; export the table again") from None


def checked_columns(table: NationalTable, path: Path) -> tuple[list[str], list[str]]:
    """The file's columns as layout names (aliases resolved) and the layout's columns it lacks;
    refuses a needed column missing, a repeated column or one named like a personal identifier."""
    header = _header(path)
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    renamed = []
    for name in names:
        canonical = next((c for c, alias in table.aliases.items() if name in alias and c not in names), name)
        renamed.append(canonical)
    repeated = sorted({n for n in renamed if renamed.count(n) > 1})
    if repeated:
        raise ExtractRefused(f"{table.name}: {path.name} has the column {repeated[0].upper()} more than once; keep one")
    contract = load_contract()
    known = set(table.columns) | set(table.keys)
    flagged = [h for h, n in zip(header, renamed) if n not in known and contract.looks_like_identifier(h)]
    if flagged:
        raise ExtractRefused(f"direct identifier refused: {path.name} has a column '{flagged[0]}', which looks like "
                             "a personal identifier; remove that column from the extract and send it again")
    missing_needed = [c for c in table.needed if c not in renamed]
    if missing_needed:
        raise ExtractRefused(f"national format: {path.name} lacks the column {missing_needed[0].upper()}, which the "
                             f"mapping needs (its header: {', '.join(header[:12])})")
    return renamed, [c for c in table.optional if c not in renamed]


def check_national_extract(input_dir: Path) -> None:
    """The preflight of a national-format extract: files and headers only, before any row is read."""
    files, _ = find_files(input_dir)
    layout = load_layout()
    for name, path in files.items():
        checked_columns(layout[name], path)


def load_national_table(con: duckdb.DuckDBPyConnection, table: NationalTable, path: Path | None) -> NationalFile:
    """national.<table> (text, source_row, every layout column) from its file; empty when absent."""
    con.execute("create schema if not exists national")
    record = NationalFile(table=table.name, file_name=path.name if path else None)
    target = f"national.{table.name}"
    if path is None:
        columns = ", ".join(f"null::varchar as {c}" for c in table.columns + tuple(k for k in table.keys if k not in table.columns))
        con.execute(f"create or replace table {target} as select null::bigint as source_row, {columns} where false")
        return record
    names, record.missing_columns = checked_columns(table, path)
    rejects = f"national_rejects_{table.name}"
    if path.suffix.lower() == ".csv":
        column_types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
        source = (f"read_csv($path, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                  f"encoding = $encoding, columns = {{{column_types}}}, max_line_size = 20000000, "
                  f"store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan')")
        params = {"path": str(path), "encoding": csv_encoding(path)}
        positional = [f"c{i}" for i in range(len(names))]
    else:
        source, params = "read_parquet($path)", {"path": str(path)}
        positional = [quote_identifier(h) for h in _header(path)]
    known = set(table.columns) | set(table.keys)
    record.ignored_columns = [n for n in names if n not in known]
    selects = [f"{src}::varchar as {quote_identifier(n)}" for src, n in zip(positional, names) if n in known]
    selects += [f"null::varchar as {c}" for c in record.missing_columns]
    selects += [f"null::varchar as {k}" for k in table.keys if k not in names and k not in table.columns]
    con.execute(f"create or replace temp table loaded as select {', '.join(selects)} from {source}", params)
    con.execute(f"create or replace table {target} as select rowid + 1 as source_row, * from loaded")
    con.execute("drop table loaded")
    record.rows_read = con.execute(f"select count(*) from {target}").fetchone()[0]
    if path.suffix.lower() == ".csv":
        record.rows_rejected = con.execute(f"select count(distinct line) from {rejects}").fetchone()[0]
        record.rows_read += record.rows_rejected
    record.sha256 = file_sha256(path)
    return record
