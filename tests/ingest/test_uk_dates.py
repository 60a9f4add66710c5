"""Dates as NHS systems write them (data-contract.md v2, "Conventions"): ISO or UK day-first, with or
without a time, value by value; month-first and Excel day numbers never guessed; Parquet DATE and
TIMESTAMP columns are dates. Every case goes through the real CLI on an extract the test writes."""
from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from pipelines.cli import main
from pipelines.contract import load_contract
from pipelines.sql_runner import load_macros
from tests.conftest import COMPLETE_FOLLOW_UP
from tests.extract_builder import Extract
from tests.robustness.damage import database_of

# How a UK export may write 2024-03-05, one form per value in turn, so that every column mixes them.
UK_FORMS = (
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: d.strftime("%d-%m-%Y 09:30"),
    lambda d: d.strftime("%d.%m.%Y"),
    lambda d: d.strftime("%d/%m/%Y 00:00:00"),
    lambda d: d.strftime("%Y-%m-%dT14:05:00.000Z"),
    lambda d: d.isoformat(),
)


def _cohort() -> Extract:
    """A few patients whose care touches every dated table, days on either side of windows."""
    x = Extract()
    x.patient("P1", date_of_death="2025-01-20").metastatic(0, sites="bone;liver").pathology(2) \
        .regimen(["letrozole"], 12).regimen(["zoledronic acid"], 20, end=200) \
        .radiotherapy("C1", start=15, dose_gy=8, fractions=1).imaging(-5, "ct", purpose="staging") \
        .care(5, "mdt_discussion").care(40, "holistic_needs_assessment")
    x.patient("P2").metastatic(0, sites="bone").pathology(3, er="negative", her2="positive") \
        .regimen(["docetaxel", "trastuzumab"], 30).radiotherapy("C1", start=9, dose_gy=20, fractions=5) \
        .imaging(60, "mri", result="equivocal").procedure(70, "biopsy_metastasis").decision(25, "bone_targeted_therapy")
    x.patient("P3", sex="male").metastatic(0, sites="brain", brain_metastasis_count=1).pathology(1) \
        .regimen(["tamoxifen"], 8).care(61, "mdt_discussion").event(120, "progression", sites="brain")
    x.patient("P4").metastatic(0, menopausal_status="pre").pathology(400, origin="metastasis") \
        .regimen(["anastrozole", "goserelin"], 45, end=100, end_reason="progression")
    return x


def _rewrite_dates(folder: Path, forms=UK_FORMS) -> None:
    """Every date of every table written in the next of `forms`, in place."""
    cycle = itertools.cycle(forms)
    for name, table in load_contract().tables.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle))
        dates = [c.name for c in table.columns if c.type == "date"]
        for record in records:
            for column in dates:
                if record[column]:
                    record[column] = next(cycle)(dt.date.fromisoformat(record[column]))
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(COMPLETE_FOLLOW_UP + "run:\n  latest_valid_date: 2026-01-01\n", encoding="utf-8")
    return path


def _quarantine(report: Path) -> list[dict]:
    with (report / "data_quality" / "quarantine.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_uk_dated_extract_audits_to_the_same_case_outcomes_as_its_iso_twin(tmp_path, capsys):
    iso = _cohort().write(tmp_path / "iso")
    uk = _cohort().write(tmp_path / "uk")
    _rewrite_dates(uk)
    assert "20/03/2024" not in (iso / "systemic_therapy.csv").read_text()
    assert {"/", "-", ".", "T"} <= set((uk / "systemic_therapy.csv").read_text() + (uk / "imaging.csv").read_text())
    config = _config(tmp_path)
    for extract in (iso, uk):
        assert main(["run", "--input", str(extract), "--output", str(tmp_path / f"{extract.name}_out"),
                     "--config", str(config)]) == 0, capsys.readouterr().err
    quarantined = [r for r in _quarantine(tmp_path / "uk_out") if r["check_name"].endswith(".date")]
    assert quarantined == []
    for name in ("case_outcomes.csv", "measures.csv"):
        assert (tmp_path / "uk_out" / name).read_bytes() == (tmp_path / "iso_out" / name).read_bytes(), name
    outcomes = (tmp_path / "uk_out" / "case_outcomes.csv").read_text(encoding="utf-8")
    assert "adherent" in outcomes and "2024-03-13" in outcomes  # P1's letrozole, dated as ISO in the evidence


def test_impossible_month_first_and_excel_dates_are_quarantined_naming_the_accepted_forms(tmp_path, capsys):
    x = Extract()
    for patient_id, written in (("P1", "31/02/2024"), ("P2", "02/13/2024"), ("P3", "45352"),
                                ("P4", "2024-02-30"), ("P5", "1/3/24"), ("P6", "03/02/2024 25:00"),
                                ("P7", "03/02/2024")):
        x.patient(patient_id).metastatic(0).pathology(2)
        x.rows["disease_events"][-1]["event_date"] = written
    report = tmp_path / "report"
    assert main(["validate", "--input", str(x.write(tmp_path / "extract")), "--report", str(report),
                 "--config", str(_config(tmp_path))]) == 0
    capsys.readouterr()
    quarantined = {r["value"]: r for r in _quarantine(report)
                   if r["table_name"] == "disease_events" and r["check_name"] == "event_date.date"}
    assert set(quarantined) == {"31/02/2024", "02/13/2024", "45352", "2024-02-30", "1/3/24", "03/02/2024 25:00"}
    reason = quarantined["31/02/2024"]["reason"]
    assert reason.startswith("event_date is not a real date in an accepted form (YYYY-MM-DD, or day first "
                             "DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY")
    assert "month-first" in reason and quarantined["31/02/2024"]["action"] == "row_quarantined"
    with duckdb.connect(str(database_of(report)), read_only=True) as con:
        accepted = con.execute("select event_date from validated.disease_events").fetchall()
    assert accepted == [(dt.date(2024, 2, 3),)]  # P7: 3 February, day first, never 2 March


def _day_in_england(iso_day: str) -> str:
    """The day in England of 23:30 UTC on `iso_day`: the next day in summer time."""
    instant = dt.datetime.combine(dt.date.fromisoformat(iso_day), dt.time(23, 30), tzinfo=dt.timezone.utc)
    return instant.astimezone(ZoneInfo("Europe/London")).date().isoformat()


def test_parquet_date_and_timestamp_columns_are_dates(tmp_path, capsys):
    """DATE, TIMESTAMP with a time of day (as pandas and SQL Server write them), nanosecond
    timestamps, and a timestamp with a time zone, which is the day in England."""
    extract = _cohort().write(tmp_path / "extract")
    as_types = {("disease_events", "event_date"): "{c}::date",
                ("systemic_therapy", "start_date"): "{c}::timestamp + interval 14 hour",
                ("imaging", "imaging_date"): "({c}::timestamp + interval 9 hour)::timestamp_ns",
                ("care_events", "event_date"): "({c} || ' 23:30:00+00')::timestamptz"}
    with duckdb.connect() as con:
        for (table, column), typed in as_types.items():
            source, target = extract / f"{table}.csv", extract / f"{table}.parquet"
            con.execute(f"""copy (select * replace ({typed.format(c=column)} as {column})
                                  from read_csv('{source}', all_varchar = true)) to '{target}' (format parquet)""")
            source.unlink()
            types = dict(con.execute(f"select column_name, column_type from (describe from '{target}')").fetchall())
            assert types[column].startswith(("DATE", "TIMESTAMP")), types
    report = tmp_path / "report"
    assert main(["validate", "--input", str(extract), "--report", str(report),
                 "--config", str(_config(tmp_path))]) == 0, capsys.readouterr().err
    assert [r for r in _quarantine(report) if ".date" in r["check_name"]] == []
    iso = _cohort()
    with duckdb.connect(str(database_of(report)), read_only=True) as con:
        for table, column in as_types:
            read = sorted(str(d) for (d,) in con.execute(f"select {column} from validated.{table}").fetchall())
            written = [r[column] for r in iso.rows[table]]
            expected = sorted(_day_in_england(d) if table == "care_events" else d for d in written)
            assert read == expected, table
    assert _day_in_england("2024-04-10") == "2024-04-11"  # the cohort has a care event in summer time


@pytest.mark.parametrize("written, day", [
    ("2024-03-05", "2024-03-05"), ("05/03/2024", "2024-03-05"), ("5/3/2024", "2024-03-05"),
    ("05-03-2024", "2024-03-05"), ("05.03.2024", "2024-03-05"), (" 05/03/2024 ", "2024-03-05"),
    ("05/03/2024 09:30", "2024-03-05"), ("05/03/2024 9:30:59", "2024-03-05"),
    ("2024-03-05 00:00:00.000", "2024-03-05"), ("2024-03-05T23:59:59Z", "2024-03-05"),
    ("2024-03-05T10:00:00.123456", "2024-03-05"), ("29/02/2024", "2024-02-29"),
    ("29/02/2023", None), ("05/03-2024", None), ("2024/03/05", None), ("5/3/24", None), ("45356", None),
    ("05/03/2024 24:00", None), ("2024-3-5", None), ("5 Mar 2024", None), ("", None), (None, None),
])
def test_parse_date_macro(written, day):
    """The macro every stage reads dates with (sql/macros/04_*), in DuckDB as the pipeline loads it."""
    with duckdb.connect() as con:
        load_macros(con)
        parsed = con.execute("select parse_date($t)", {"t": written}).fetchone()[0]
    assert (None if parsed is None else parsed.isoformat()) == day
