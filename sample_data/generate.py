"""Seeded generator of synthetic extracts in the canonical contract (the bundled sample_data/).

Each patient follows a clinical story (diagnosis, receptors, treatment lines, radiotherapy,
imaging, decisions, death) whose adherence depends on the provider's quality profile, so that
the audit shows real differences between providers. One random stream per patient (seeded from
the run seed and the patient number) keeps the output identical whatever the chunking.

Many NHS systems export dates day-first: by default the CSV files of systemic_therapy and
radiotherapy write DD/MM/YYYY, a few values with a time of day (`01/03/2024 09:30`), and the
other tables ISO (data contract version 2 accepts both). `--iso-dates` writes every date ISO.
Parquet files hold ISO text (a Parquet export carries dates, not a clerk's format).

    python -m sample_data.generate --out sample_data/extract --patients 2000 [--seed 20250201] [--format csv|parquet] [--iso-dates]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from pipelines.contract import load_contract
from sample_data.providers import pick_provider, providers_for
from sample_data.stories import patient_story

# Tables whose dates are written day-first by default (issue 12), and the share of their dates
# that carry a time of day, as an e-prescribing or treatment-planning system stamps them.
DAY_FIRST_TABLES = ("systemic_therapy", "radiotherapy")
TIMED_SHARE = 0.03


def _day_first(row: dict, rng: random.Random) -> dict:
    """The row's dates as DD/MM/YYYY text, a few with a time; other values unchanged."""
    written = {}
    for column, value in row.items():
        if isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
            if rng.random() < TIMED_SHARE:
                value += f" {rng.randint(8, 17):02d}:{rng.choice([0, 15, 30, 45]):02d}"
        written[column] = value
    return written


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Parquet is written a chunk of patients at a time (one row group each), so memory stays bounded
# at any size; the rows do not depend on the chunk size.
PARQUET_CHUNK_PATIENTS = 20_000


def generate_extract(out_dir: Path, n_patients: int = 2000, seed: int = 20250201,
                     file_format: str = "csv", day_first_tables: tuple[str, ...] = DAY_FIRST_TABLES) -> dict[str, int]:
    """Write one file per contract table; returns the rows written per table. `day_first_tables`
    (CSV only) are written with day-first dates; pass () for ISO dates everywhere. From
    NATIONAL_FROM_PATIENTS patients up the patients are spread over an England-like structure
    (sample_data/providers.py)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = load_contract().tables
    providers = providers_for(n_patients, seed)
    writer = (_ParquetTables(out_dir, tables) if file_format == "parquet"
              else _CsvTables(out_dir, tables, day_first_tables))
    rows_written = {name: 0 for name in tables}
    try:
        for number in range(1, n_patients + 1):
            rng = random.Random(seed * 1_000_003 + number)
            provider = pick_provider(providers, rng)
            # a stream of its own, so that the ISO and day-first extracts hold the same records
            date_rng = random.Random(f"dates:{seed}:{number}")
            for table, row in patient_story(rng, f"PT{number:07d}", provider):
                rows_written[table] += 1
                writer.write(table, row, date_rng)
            if number % PARQUET_CHUNK_PATIENTS == 0:
                writer.flush()
    finally:
        writer.close()
    return rows_written


class _CsvTables:
    def __init__(self, out_dir: Path, tables, day_first_tables: tuple[str, ...]):
        self.day_first_tables = day_first_tables
        self.handles = {name: (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") for name in tables}
        self.writers = {name: csv.DictWriter(self.handles[name], fieldnames=t.column_names, lineterminator="\n")
                        for name, t in tables.items()}
        for writer in self.writers.values():
            writer.writeheader()

    def write(self, table: str, row: dict, date_rng: random.Random) -> None:
        if table in self.day_first_tables:
            row = _day_first(row, date_rng)
        self.writers[table].writerow({k: _cell(v) for k, v in row.items()})

    def flush(self) -> None:
        pass

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


class _ParquetTables:
    """ISO text in every column, as the CSV twin writes it (a Parquet export carries dates, not a
    clerk's format); one row group per chunk of patients."""

    def __init__(self, out_dir: Path, tables):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa, self.tables = pa, tables
        self.schemas = {name: pa.schema([(c, pa.string()) for c in t.column_names]) for name, t in tables.items()}
        self.writers = {name: pq.ParquetWriter(out_dir / f"{name}.parquet", self.schemas[name]) for name in tables}
        self.buffers: dict[str, list[dict]] = {name: [] for name in tables}

    def write(self, table: str, row: dict, date_rng: random.Random) -> None:
        self.buffers[table].append(row)

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                columns = {c: [_cell(r.get(c)) or None for r in rows] for c in self.tables[name].column_names}
                self.writers[name].write_table(self.pa.table(columns, schema=self.schemas[name]))
                rows.clear()

    def close(self) -> None:
        self.flush()
        for writer in self.writers.values():
            writer.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20250201)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--iso-dates", action="store_true", help="write every date as YYYY-MM-DD")
    args = parser.parse_args(argv)
    counts = generate_extract(args.out, args.patients, args.seed, args.format,
                              day_first_tables=() if args.iso_dates else DAY_FIRST_TABLES)
    for table, rows in counts.items():
        print(f"{table:20} {rows:>10}")


if __name__ == "__main__":
    main()
