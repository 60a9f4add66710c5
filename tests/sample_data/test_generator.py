"""The seeded sample generator: deterministic, contract-shaped, and the bundled files never drift."""
import csv
import re

from pipelines.ingest.contract import load_contract
from sample_data import SAMPLE_DATA_DIR
from sample_data.generate import generate_extract

NHS_LIKE = re.compile(r"(?<!\d)\d{10}(?!\d)")


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
                    assert "2010-01-01" <= value <= "2026-06-30", (name, column.name, value)
                assert not NHS_LIKE.search(value), (name, column.name)


def test_bundled_sample_equals_a_fresh_generation(tmp_path):
    generate_extract(tmp_path, 2000)
    for table in load_contract().tables:
        assert (SAMPLE_DATA_DIR / f"{table}.csv").read_bytes() == (tmp_path / f"{table}.csv").read_bytes(), table
