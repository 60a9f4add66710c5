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

from pipelines.ingest.contract import load_contract
from sample_data.stories import patient_story

# (provider ODS code, ICB code, share of patients, quality: probability of following a recommendation)
PROVIDERS = [
    ("RAA", "QAA", 0.18, 0.93), ("RBB", "QAA", 0.24, 0.86), ("RCC", "QBB", 0.28, 0.80),
    ("RDD", "QBB", 0.12, 0.90), ("REE", "QCC", 0.08, 0.60), ("RFF", "QCC", 0.10, 0.78),
]


def _provider(rng: random.Random) -> tuple[str, str, float]:
    pick, cumulative = rng.random(), 0.0
    for code, icb, share, quality in PROVIDERS:
        cumulative += share
        if pick < cumulative:
            return code, icb, quality
    return PROVIDERS[-1][0], PROVIDERS[-1][1], PROVIDERS[-1][3]


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


def generate_extract(out_dir: Path, n_patients: int = 2000, seed: int = 20250201,
                     file_format: str = "csv", day_first_tables: tuple[str, ...] = DAY_FIRST_TABLES) -> dict[str, int]:
    """Write one file per contract table; returns the rows written per table. `day_first_tables`
    (CSV only) are written with day-first dates; pass () for ISO dates everywhere."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = load_contract().tables
    rows_written = {name: 0 for name in tables}
    if file_format == "parquet":
        buffers: dict[str, list[dict]] = {name: [] for name in tables}
    else:
        handles = {name: (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") for name in tables}
        writers = {name: csv.DictWriter(handles[name], fieldnames=t.column_names, lineterminator="\n")
                   for name, t in tables.items()}
        for writer in writers.values():
            writer.writeheader()
    try:
        for number in range(1, n_patients + 1):
            rng = random.Random(seed * 1_000_003 + number)
            provider, icb, quality = _provider(rng)
            # a stream of its own, so that the ISO and day-first extracts hold the same records
            date_rng = random.Random(f"dates:{seed}:{number}")
            for table, row in patient_story(rng, f"PT{number:07d}", provider, icb, quality):
                rows_written[table] += 1
                if file_format == "parquet":
                    buffers[table].append(row)
                else:
                    if table in day_first_tables:
                        row = _day_first(row, date_rng)
                    writers[table].writerow({k: _cell(v) for k, v in row.items()})
    finally:
        if file_format != "parquet":
            for handle in handles.values():
                handle.close()
    if file_format == "parquet":
        _write_parquet(out_dir, tables, buffers)
    return rows_written


def _write_parquet(out_dir: Path, tables, buffers) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, table in tables.items():
        columns = {c: [_cell(r.get(c)) or None for r in buffers[name]] for c in table.column_names}
        pq.write_table(pa.table({c: pa.array(v, type=pa.string()) for c, v in columns.items()}),
                       out_dir / f"{name}.parquet")


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
