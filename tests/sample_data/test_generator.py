"""The seeded sample generator: deterministic, contract-shaped, day-first dates where asked, and
the bundled files never drift."""
import csv
import datetime as dt
import re

import pyarrow.parquet as pq

from pipelines.contract import load_contract
from sample_data import SAMPLE_DATA_DIR
from sample_data.generate import DAY_FIRST_TABLES, generate_extract

NHS_LIKE = re.compile(r"(?<!\d)\d{10}(?!\d)")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_FIRST_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})( \d{2}:\d{2})?$")


def _iso(text: str) -> str:
    """A written date as YYYY-MM-DD (day-first text checked to be a real date), time dropped."""
    match = DAY_FIRST_DATE.match(text)
    if not match:
        assert ISO_DATE.match(text), text
        return text
    day, month, year = (int(g) for g in match.groups()[:3])
    return dt.date(year, month, day).isoformat()


def _read(folder, table):
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    generate_extract(tmp_path / "a", 150, seed=7)
    generate_extract(tmp_path / "b", 150, seed=7)
    generate_extract(tmp_path / "c", 150, seed=8)
    for table in load_contract().tables:
        assert (tmp_path / "a" / f"{table}.csv").read_bytes() == (tmp_path / "b" / f"{table}.csv").read_bytes()
    assert (tmp_path / "a" / "patients.csv").read_bytes() != (tmp_path / "c" / "patients.csv").read_bytes()


def test_rows_follow_the_contract(tmp_path):
    generate_extract(tmp_path, 300, seed=11)
    contract = load_contract()
    patient_ids = {r["patient_id"] for r in _read(tmp_path, "patients")}
    assert len(patient_ids) == 300
    for name, table in contract.tables.items():
        rows = _read(tmp_path, name)
        with (tmp_path / f"{name}.csv").open() as handle:
            assert next(csv.reader(handle)) == table.column_names
        for row in rows:
            assert row["patient_id"] in patient_ids
            for column in table.columns:
                value = row[column.name]
                assert value or not column.required, (name, column.name)
                if value and column.type == "enum":
                    assert value in column.values, (name, column.name, value)
                if value and column.type == "date":
                    assert "2010-01-01" <= _iso(value) <= "2026-06-30", (name, column.name, value)
                assert not NHS_LIKE.search(value), (name, column.name)


def test_bundled_sample_equals_a_fresh_generation(tmp_path):
    generate_extract(tmp_path, 2000)
    for table in load_contract().tables:
        assert (SAMPLE_DATA_DIR / f"{table}.csv").read_bytes() == (tmp_path / f"{table}.csv").read_bytes(), table


def _dates(folder, table):
    date_columns = [c.name for c in load_contract().tables[table].columns if c.type == "date"]
    return [row[c] for row in _read(folder, table) for c in date_columns if row[c]]


def test_day_first_tables_and_their_iso_twin_hold_the_same_records(tmp_path):
    generate_extract(tmp_path / "uk", 400, seed=5)
    generate_extract(tmp_path / "iso", 400, seed=5, day_first_tables=())
    assert set(DAY_FIRST_TABLES) == {"systemic_therapy", "radiotherapy"}
    for table in load_contract().tables:
        uk, iso = _dates(tmp_path / "uk", table), _dates(tmp_path / "iso", table)
        assert all(ISO_DATE.match(v) for v in iso), table
        if table in DAY_FIRST_TABLES:
            assert uk and all(DAY_FIRST_DATE.match(v) for v in uk), table
            timed = [v for v in uk if " " in v]
            assert 0 < len(timed) < 0.1 * len(uk), (table, len(timed), len(uk))
            # some days above 12, so a month-first reading could not pass for the same records
            assert any(int(v[:2]) > 12 for v in uk), table
            as_iso = [{k: (_iso(v) if k.endswith("_date") and v else v) for k, v in row.items()}
                      for row in _read(tmp_path / "uk", table)]
            assert as_iso == _read(tmp_path / "iso", table), table
        else:
            assert (tmp_path / "uk" / f"{table}.csv").read_bytes() == (tmp_path / "iso" / f"{table}.csv").read_bytes()


def test_parquet_extract_holds_the_csv_rows_with_iso_dates(tmp_path):
    csv_counts = generate_extract(tmp_path / "csv", 200, seed=3, day_first_tables=())
    parquet_counts = generate_extract(tmp_path / "parquet", 200, seed=3, file_format="parquet")
    assert parquet_counts == csv_counts
    for name, table in load_contract().tables.items():
        frame = pq.read_table(tmp_path / "parquet" / f"{name}.parquet")
        assert frame.num_rows == csv_counts[name] and frame.column_names == table.column_names, name
        rows = [{k: v or "" for k, v in row.items()} for row in frame.to_pylist()]
        assert rows == _read(tmp_path / "csv", name), name


def test_parquet_rows_do_not_depend_on_the_chunk_size(tmp_path, monkeypatch):
    import sample_data.generate as generate

    generate_extract(tmp_path / "whole", 120, seed=4, file_format="parquet")
    monkeypatch.setattr(generate, "PARQUET_CHUNK_PATIENTS", 7)
    generate_extract(tmp_path / "chunked", 120, seed=4, file_format="parquet")
    for name in load_contract().tables:
        chunked = pq.ParquetFile(tmp_path / "chunked" / f"{name}.parquet")
        assert chunked.read().equals(pq.read_table(tmp_path / "whole" / f"{name}.parquet")), name
    assert pq.ParquetFile(tmp_path / "chunked" / "patients.parquet").num_row_groups == 18  # 17 chunks of 7, then 1


def test_national_shape_from_100k_patients_and_the_sample_keeps_its_six_providers():
    from sample_data.providers import NATIONAL_FROM_PATIENTS, SAMPLE_PROVIDERS, providers_for

    contract = load_contract()
    national = providers_for(NATIONAL_FROM_PATIENTS)
    assert national == providers_for(1_000_000)  # the same structure at every national size
    assert len(national) == 140 and len({p.icb for p in national}) == 42
    assert len({p.code for p in national}) == 140
    assert all(re.fullmatch(contract.ods_code_pattern, code) for p in national for code in (p.code, p.icb))
    assert abs(sum(p.share for p in national) - 1) < 1e-9
    assert min(p.quality for p in national) < 0.65 < 0.85 < max(p.quality for p in national)  # outliers exist
    assert providers_for(NATIONAL_FROM_PATIENTS - 1) == SAMPLE_PROVIDERS
    assert {p.icb for p in SAMPLE_PROVIDERS} == {"QAA", "QBB", "QCC"}
