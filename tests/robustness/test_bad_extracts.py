"""Every extract in the corpus is refused with its named reason, or audited with each problem
reported and every row accounted for: never a traceback, never a silently lost row, never an
identifier in a message or a file. Each case goes through the real CLI (`abc-audit validate`, the
ingest and validation stages); test_bad_extracts_audited.py audits the accepted ones end to end."""
from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.contract import load_contract
from tests.robustness.corpus import CORPUS, BadExtract
from tests.robustness.corpus_values import AFTER_BIRTH_YEAR
from tests.robustness.damage import database_of

csv.field_size_limit(sys.maxsize)


def _records_in(path: Path) -> int:
    """Rows of a table file, counted independently of the pipeline's reader."""
    if path.suffix.lower() == ".parquet":
        with duckdb.connect() as con:
            return con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("utf-8", errors="replace")
    return max(sum(1 for _ in csv.reader(text.splitlines(keepends=True))) - 1, 0)  # an empty file: no rows


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _files_holding(root: Path, value: str, skip: Path) -> list[str]:
    needle = value.encode()
    return [str(p) for p in root.rglob("*") if p.is_file() and skip not in p.parents and needle in p.read_bytes()]


def _table_file(extract: Path, table: str) -> Path | None:
    """The table's file, found as the contract says: stem and extension in any case."""
    files = [p for p in extract.iterdir() if p.stem.lower() == table and p.suffix.lower() in (".csv", ".parquet")]
    return files[0] if files else None


def _validate(case: BadExtract, tmp_path: Path, capsys) -> tuple[int, str, str, Path, Path]:
    extract = case.build(tmp_path)
    report = tmp_path / "report"
    status = main(["validate", "--input", str(extract), "--report", str(report)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err, report, extract


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_bad_extract(case: BadExtract, tmp_path, capsys):
    status, out, err, report, extract = _validate(case, tmp_path, capsys)
    assert "Traceback" not in out + err
    assert ("abc-audit: warning:" in err) == bool(case.warning), err
    if case.warning:
        assert case.warning in err, err
    if case.refused:
        assert status == 2, out + err
        assert len(err.strip().splitlines()) == 1, err
        assert err.lower().startswith("abc-audit: extract refused"), err  # one prefix for every refusal
        for fragment in [case.refused] if isinstance(case.refused, str) else case.refused:
            assert fragment in err, err
        if case.never_printed:
            assert case.never_printed not in out + err
            assert _files_holding(tmp_path, case.never_printed, skip=extract) == []
        if not case.findings:
            return  # refused before validation: nothing to report
    else:
        assert status == 0, err
    quarantine = _csv(report / "data_quality" / "quarantine.csv")
    found = {(q["table_name"], q["check_name"], q["action"]) for q in quarantine}
    for finding in case.findings:
        assert (finding.table, finding.check, finding.action) in found, (finding, sorted(found))
        if finding.reason or finding.value:
            assert any(q["table_name"] == finding.table and q["check_name"] == finding.check
                       and (finding.reason or "") in q["reason"] and q["value"] == (finding.value or q["value"])
                       for q in quarantine), (finding, quarantine)
    for finding in case.absent:
        assert (finding.table, finding.check, finding.action) not in found, finding
    assert all(q["reason"] for q in quarantine), "every quarantined row has its reason"
    if "most frequent reasons" in out:  # the summary counts every quarantined row, unreadable lines too
        following = out.split("most frequent reasons for quarantine:")[1].splitlines()[1:]
        listed = list(itertools.takewhile(lambda line: line.split()[:1] and line.split()[0].isdigit(), following))
        assert listed and all(int(line.split()[0]) >= 1 for line in listed), out
    reconciliation = {r["table_name"]: r for r in _csv(report / "data_quality" / "row_reconciliation.csv")}
    for table, row in reconciliation.items():
        assert row["reconciles"] == "true", row
        path = _table_file(extract, table)
        assert int(row["rows_read"]) == (_records_in(path) if path else 0), (table, row)
    for table, accepted in case.rows_accepted.items():
        assert int(reconciliation[table]["rows_accepted"]) == accepted, reconciliation[table]
    if case.validated and status == 0:
        with duckdb.connect(str(database_of(report)), read_only=True) as con:
            case.validated(con)


def test_every_event_date_is_checked_against_the_year_of_birth():
    """The corpus dates a row of each of these tables before the year of birth: every table with
    dates, besides patients (whose date_of_death has its own check), must be among them."""
    tables = load_contract().tables
    dated = {name for name, t in tables.items() if any(c.type == "date" for c in t.columns)} - {"patients"}
    assert set(AFTER_BIRTH_YEAR) == dated
    assert any(c.name == "after_birth_year" for c in tables["patients"].row_checks)
