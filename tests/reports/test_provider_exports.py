"""Quality-team and commissioner exports: each provider gets only its own cases (CSV and XLSX, one
sheet per rule plus a summary); each ICB gets disclosure-controlled measures; reruns are identical."""
import csv
import json
import re
import zipfile

import pytest

from pipelines.cli import main as cli
from tests.conftest import run_audit
from tests.extract_builder import Extract


def _extract() -> Extract:
    x = Extract()
    for i in range(3):  # RAA (ICB QAA): no MDT discussion -> QS12-5 non-adherent
        x.patient(f"RAA_{i}").metastatic().pathology()
    x.patient("RAA_ER_UNKNOWN").metastatic().pathology(er="unknown").regimen("letrozole", start=14)
    for i in range(9):  # RBB (ICB QBB): adherent to QS12-5, one non-adherent
        x.patient(f"RBB_{i}", provider_code="RBB", icb_code="QBB").metastatic().pathology().care(5, "mdt_discussion")
    x.patient("RBB_NON", provider_code="RBB", icb_code="QBB").metastatic().pathology()
    x.patient("RBB_FIRST_LINE", provider_code="RBB", icb_code="QBB").metastatic().pathology() \
        .care(5, "mdt_discussion").regimen("letrozole", start=14)  # the only 1.3.1 case at RBB: suppressed
    # A patient of RAA (ICB QAA) given a course and a scan at RBB: those units are RBB's (measures.md,
    # "Provider of a unit: the unit's own provider_code when it has one, else the patient's"); both
    # non-adherent: 20 Gy in 5 fractions for bone pain (1.5.16), and a staging PET-CT without earlier
    # suspicious or equivocal imaging (1.1.5). Its patient-level units (QS12-5 and others) stay RAA's.
    x.patient("AT_RBB").metastatic(sites="bone").pathology() \
        .radiotherapy("RT_AT_RBB", dose_gy=20, fractions=5, provider_code="RBB") \
        .imaging(-10, "pet_ct", "staging", provider_code="RBB")
    return x


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    return [run_audit(_extract().write(folder / "extract"), folder, reports=True) for folder in (first, second)]


def _xlsx_sheets_and_strings(path) -> tuple[list[str], set[str]]:
    with zipfile.ZipFile(path) as book:
        sheets = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        # every text cell: shared strings, or inline strings (the streamed case workbooks write those)
        parts = [name for name in book.namelist()
                 if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet")]
        strings = {s for name in parts for s in re.findall(r"<t[^>]*>([^<]*)</t>", book.read(name).decode())}
    return sheets, strings


def test_provider_csv_and_xlsx_hold_only_that_providers_cases(runs):
    out = runs[0].output
    with (out / "exports" / "RAA" / "non_adherent_cases.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    # AT_RBB is RAA's patient: its patient-level units are RAA's, its course and scan at RBB are not
    assert {r["patient_id"] for r in rows} == {"RAA_0", "RAA_1", "RAA_2", "RAA_ER_UNKNOWN", "AT_RBB"}
    assert {r["outcome"] for r in rows} == {"non_adherent", "insufficient_data"}
    sheets, strings = _xlsx_sheets_and_strings(out / "exports" / "RAA" / "non_adherent_cases.xlsx")
    assert sheets[0] == "Summary"
    assert set(sheets[1:]) == {r["rule_id"] for r in rows}
    assert {"RAA_0", "RAA_ER_UNKNOWN", "patient pseudonym", "guideline text", "evidence"} <= strings
    assert not any(s.startswith("RBB_") for s in strings)
    _, rbb_strings = _xlsx_sheets_and_strings(out / "exports" / "RBB" / "non_adherent_cases.xlsx")
    assert "RBB_NON" in rbb_strings and not any(s.startswith("RAA_") for s in rbb_strings)


def test_workbooks_are_byte_identical_across_reruns(runs):
    first, second = runs[0].output, runs[1].output
    for path in sorted(first.glob("exports/**/*.xlsx")):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path


def test_icb_export_is_disclosure_controlled_and_limited_to_its_providers(runs):
    out = runs[0].output
    with (out / "exports" / "icb" / "QBB" / "measures.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["level"], r["group"]) for r in rows} == {("national", "national"), ("icb", "QBB"), ("provider", "RBB")}
    qs12_5 = next(r for r in rows if r["rule_id"] == "QS12-5" and r["level"] == "provider" and r["period"] == "all")
    assert (qs12_5["numerator"], qs12_5["denominator"]) == ("10", "10")  # 10 of 11, rounded to 5
    small = [r for r in rows if r["suppressed"] == "true"]
    assert small and all(r["adherence"] == "" for r in small)
    assert all(v == "*" or int(v) % 5 == 0 for r in rows for v in (r["numerator"], r["denominator"]))
    sheets, strings = _xlsx_sheets_and_strings(out / "exports" / "icb" / "QBB" / "measures.xlsx")
    assert sheets == ["Measures"] and "RAA" not in strings


def test_a_rule_with_more_cases_than_a_sheet_holds_continues_on_numbered_sheets(runs, tmp_path):
    """Excel caps a sheet's rows and xlsxwriter silently skips the rest: no case may be lost that way.
    The cap is lowered to 2 rows so that the sample's cases overflow."""
    import duckdb

    from pipelines.reports.provider_exports import export_case_rows
    from pipelines.reports.workbooks import write_provider_workbook

    with (runs[0].output / "exports" / "RAA" / "non_adherent_cases.csv").open() as handle:
        csv_rows = list(csv.DictReader(handle))
    per_rule = {rule: sum(r["rule_id"] == rule for r in csv_rows) for rule in {r["rule_id"] for r in csv_rows}}
    assert max(per_rule.values()) > 2, "the extract must give some rule more cases than the lowered cap"
    with duckdb.connect(str(runs[0].database), read_only=True) as con:
        export_case_rows(con)
        written = write_provider_workbook(con, "RAA", tmp_path / "split.xlsx", "CG81", max_rows_per_sheet=2)
    assert written == len(csv_rows)
    sheets, strings = _xlsx_sheets_and_strings(tmp_path / "split.xlsx")
    expected = {f"{rule} ({n})" if n > 1 else rule for rule, count in per_rule.items()
                for n in range(1, (count + 1) // 2 + 1)}
    assert set(sheets[1:]) == expected
    with zipfile.ZipFile(tmp_path / "split.xlsx") as book:
        data_rows = sum(len(re.findall(r"<row ", book.read(f"xl/worksheets/sheet{i}.xml").decode())) - 1
                        for i in range(2, len(sheets) + 1))
    assert data_rows == len(csv_rows)
    assert {r["patient_id"] for r in csv_rows} <= strings


def test_units_given_at_another_provider_are_that_providers(runs):
    run, out = runs[0], runs[0].output
    units = {("1.5.16", "RT_AT_RBB"), ("1.1.5", "scan_1")}  # a patient's scans are numbered by date
    outcomes = {(r["rule_id"], r["unit_id"]): r for r in run.query(
        "select * from rules.case_outcomes where patient_id = 'AT_RBB' and rule_id in ('1.5.16', '1.1.5')")}
    assert set(outcomes) == units
    assert {(r["provider_code"], r["icb_code"], r["outcome"]) for r in outcomes.values()} == \
        {("RBB", "QAA", "non_adherent")}

    def exported(provider: str) -> set[tuple[str, str]]:
        with (out / "exports" / provider / "non_adherent_cases.csv").open() as handle:
            return {(r["rule_id"], r["unit_id"]) for r in csv.DictReader(handle) if r["patient_id"] == "AT_RBB"}

    assert exported("RBB") == units
    assert not exported("RAA") & units
    _, rbb_strings = _xlsx_sheets_and_strings(out / "exports" / "RBB" / "non_adherent_cases.xlsx")
    assert {"AT_RBB", "RT_AT_RBB", "scan_1"} <= rbb_strings
    _, raa_strings = _xlsx_sheets_and_strings(out / "exports" / "RAA" / "non_adherent_cases.xlsx")
    assert not {"RT_AT_RBB", "scan_1"} & raa_strings

    measures = {(r["rule_id"], r["level"], r["group"]): (r["numerator"], r["denominator"]) for r in run.query(
        """select * from measures.measures where rule_id in ('1.5.16', '1.1.5') and period = 'all'""")}
    for rule in ("1.5.16", "1.1.5"):  # the only units of these rules
        assert measures[(rule, "provider", "RBB")] == (0, 1), rule
        assert (rule, "provider", "RAA") not in measures, rule
        # ICBs are the patient's: the commissioner of the patient's care, wherever it was given
        assert measures[(rule, "icb", "QAA")] == (0, 1), rule
        assert (rule, "icb", "QBB") not in measures, rule


def test_above_workbook_max_rows_the_run_writes_csv_only_and_export_workbooks_writes_the_same_workbooks(
        runs, tmp_path, capsys):
    """Issue 14: xlsxwriter writes ~6,000 rows a second, so above `exports.workbook_max_rows` case rows a
    run writes the CSV and Parquet lists only and says so; `abc-audit export-workbooks OUT` then writes
    the workbooks from the published files, byte for byte those a run would have written."""
    from tests.conftest import COMPLETE_FOLLOW_UP

    config = tmp_path / "no_workbooks.yaml"
    config.write_text(COMPLETE_FOLLOW_UP + "exports:\n  workbook_max_rows: 3\n", encoding="utf-8")
    out = tmp_path / "out"
    status = cli(["run", "--input", str(_extract().write(tmp_path / "x")), "--output", str(out), "--config", str(config)])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    rows = sum(len(_rows(p)) for p in out.glob("exports/*/non_adherent_cases.csv"))
    assert f"the case lists have {rows:,} rows, more than exports.workbook_max_rows (3)" in printed.out
    assert f"abc-audit export-workbooks {out}" in printed.out
    assert not list(out.glob("exports/**/*.xlsx"))
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["workbooks"]["written"] is False and manifest["workbooks"]["case_rows"] == rows

    assert cli(["export-workbooks", str(out)]) == 0, capsys.readouterr().err
    written = sorted(p.relative_to(out) for p in out.glob("exports/**/*.xlsx"))
    in_run = sorted(p.relative_to(runs[0].output) for p in runs[0].output.glob("exports/**/*.xlsx"))
    assert written == in_run and len(written) >= 4
    for path in written:
        assert (out / path).read_bytes() == (runs[0].output / path).read_bytes(), path


def test_export_workbooks_refuses_a_folder_that_is_not_an_audit_output(tmp_path, capsys):
    assert cli(["export-workbooks", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is not an audit output" in err and "Traceback" not in err


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
