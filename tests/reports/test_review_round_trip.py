"""The audit loop through the real CLI: run, a provider's quality team fills in its case list (the
workbook with openpyxl, the CSV as a spreadsheet would save it), the run is repeated with --reviews:
the automated outcomes stay, the reviews sit beside them, the measures are given as audited and
after review; stale and unmatched reviews are reported, never applied; a bad file refuses the run."""
import csv
import hashlib
import json
import shutil

import pytest
from openpyxl import load_workbook

from pipelines.cli import main
from tests.extract_builder import Extract


def _extract() -> Extract:
    """QS12-5 (MDT discussion): P1, P2 (provider RAA) and P3 (RBB) have none, P4 (RBB) has one."""
    extract = Extract()
    for patient_id, provider in (("P1", "RAA"), ("P2", "RAA"), ("P3", "RBB"), ("P4", "RBB")):
        patient = extract.patient(patient_id, provider_code=provider)
        patient.metastatic(0).pathology(2)
        if patient_id == "P4":  # and a late record, so that every window has closed by the extract's end
            patient.care(10, "mdt_discussion").care(400, "holistic_needs_assessment")
    return extract


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("reviews")
    extract = _extract().write(base / "extract")
    assert main(["run", "--input", str(extract), "--output", str(base / "first")]) == 0
    return base, extract


def _fill_workbook(source, target, verdicts: dict[str, tuple[str, str]]) -> None:
    """The RAA team's workbook: the QS12-5 sheet's verdicts, reasons and roles typed in."""
    book = load_workbook(source)
    sheet = book["QS12-5"]
    header = [cell.value for cell in sheet[1]]
    patient, verdict, reason, role = (header.index(c) + 1 for c in ("patient pseudonym", "review verdict",
                                                                     "review reason", "reviewed by role"))
    for row in range(2, sheet.max_row + 1):
        given = verdicts.get(sheet.cell(row, patient).value)
        if given:
            sheet.cell(row, verdict).value, sheet.cell(row, reason).value = given
            sheet.cell(row, role).value = "breast unit audit lead"
    book.save(target)


@pytest.fixture(scope="module")
def reviewed_run(first_run):
    base, extract = first_run
    exports = base / "first" / "exports"
    raa = base / "RAA reviewed.xlsx"
    _fill_workbook(exports / "RAA" / "non_adherent_cases.xlsx", raa,
                   {"P1": ("justified_deviation", "frail: MDT by telephone not recorded"),
                    "P2": ("data_error", "MDT held, recorded in another system")})
    rows = _rows(exports / "RBB" / "non_adherent_cases.csv")
    qs12_5 = next(r for r in rows if r["rule_id"] == "QS12-5")
    qs12_5.update(review_verdict="agree", review_reason="no MDT before treatment", reviewed_by_role="clinical lead")
    other = next(r for r in rows if r["rule_id"] != "QS12-5")
    other.update(review_verdict="agree", evidence_sha256="0" * 64)  # the case changed since: stale
    rows.append({**qs12_5, "patient_id": "P9", "unit_id": "P9"})  # a case this run does not have
    rbb = base / "rbb_reviews.csv"
    with rbb.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    hashes = {path: _sha256(path) for path in (raa, rbb)}
    status = main(["run", "--input", str(extract), "--output", str(base / "second"), "--reviews", str(raa), str(rbb)])
    return base / "second", status, hashes, other["rule_id"]


def test_reviews_sit_beside_the_automated_outcomes(reviewed_run):
    out, status, _, _ = reviewed_run
    assert status == 0
    cases = {r["patient_id"]: r for r in _rows(out / "case_outcomes.csv") if r["rule_id"] == "QS12-5"}
    assert {p: (r["outcome"], r["review_verdict"], r["review_status"]) for p, r in cases.items()} == {
        "P1": ("non_adherent", "justified_deviation", "applied"),
        "P2": ("non_adherent", "data_error", "applied"),
        "P3": ("non_adherent", "agree", "applied"),
        "P4": ("adherent", "", "")}
    assert cases["P1"]["review_reason"] == "frail: MDT by telephone not recorded"


def test_measures_as_audited_and_after_review(reviewed_run):
    out, _, _, _ = reviewed_run
    national = next(r for r in _rows(out / "measures.csv")
                    if (r["rule_id"], r["level"], r["period"]) == ("QS12-5", "national", "all"))
    assert (national["numerator"], national["denominator"], national["excluded"]) == ("1", "4", "0")
    # P1 a justified deviation (an exception), P2 a data error (out of the measure), P3 agreed
    assert (national["numerator_after_review"], national["denominator_after_review"]) == ("1", "2")
    assert (national["adherence_after_review"], national["non_adherent_reviewed_share"]) == ("0.5", "1.0")
    errors = _rows(out / "data_quality" / "review_data_errors.csv")
    assert [(r["rule_id"], r["patient_id"], r["review_reason"]) for r in errors] == [
        ("QS12-5", "P2", "MDT held, recorded in another system")]


def test_stale_and_unmatched_reviews_are_reported_never_applied(reviewed_run):
    out, _, hashes, stale_rule = reviewed_run
    reviews = _rows(out / "data_quality" / "reviews.csv")
    assert sorted((r["rule_id"], r["patient_id"], r["review_status"]) for r in reviews) == sorted([
        ("QS12-5", "P1", "applied"), ("QS12-5", "P2", "applied"), ("QS12-5", "P3", "applied"),
        (stale_rule, "P3", "stale"), ("QS12-5", "P9", "unmatched")])
    stale = next(r for r in reviews if r["review_status"] == "stale")
    assert stale["status_reason"] == "the case's evidence has changed since it was reviewed"
    manifest = json.loads((out / "run_manifest.json").read_text(encoding="utf-8"))
    assert manifest["reviews"]["status"] == {"applied": 3, "stale": 1, "unmatched": 1}
    assert {f["file"]: f["sha256"] for f in manifest["reviews"]["files"]} == {p.name: h for p, h in hashes.items()}
    assert {p: _sha256(p) for p in hashes} == hashes  # the reviews files are never modified
    # the next round's case list carries the applied verdicts, so a team sees what it decided
    raa = {r["patient_id"]: r["review_verdict"] for r in _rows(out / "exports" / "RAA" / "non_adherent_cases.csv")
           if r["rule_id"] == "QS12-5"}
    assert raa == {"P1": "justified_deviation", "P2": "data_error"}


def test_export_workbooks_writes_a_reviewed_runs_workbooks_with_the_same_bytes(reviewed_run, tmp_path):
    """`abc-audit export-workbooks` rebuilds the workbooks from case_outcomes.parquet: in a run given reviews,
    the applied verdicts come from there and the workbook must be the one the run wrote."""
    out, _, _, _ = reviewed_run
    copy = tmp_path / "second"
    shutil.copytree(out, copy)
    written = {p.relative_to(copy): _sha256(p) for p in copy.glob("exports/*/non_adherent_cases.xlsx")}
    for path in written:
        (copy / path).unlink()
    assert main(["export-workbooks", str(copy)]) == 0
    assert {p: _sha256(copy / p) for p in written} == written


def _refused(capsys, *arguments) -> str:
    assert main(["run", *arguments]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_bad_reviews_file_refuses_the_run_naming_the_file_and_row(first_run, tmp_path, capsys):
    base, extract = first_run
    source = _rows(base / "first" / "exports" / "RAA" / "non_adherent_cases.csv")
    out = ["--input", str(extract), "--output", str(tmp_path / "out")]

    def reviews(name, rows, fields=None):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields or list(rows[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return str(path)

    unknown = reviews("unknown.csv", [{**source[0], "review_verdict": "maybe"}])
    assert _refused(capsys, *out, "--reviews", unknown) == (
        "abc-audit: reviews refused: unknown.csv row 2: review_verdict 'maybe' is not one of agree, "
        "justified_deviation, data_error")
    columns = reviews("columns.csv", source, fields=[f for f in source[0] if f != "evidence_sha256"])
    assert _refused(capsys, *out, "--reviews", columns).startswith(
        "abc-audit: reviews refused: columns.csv has no column evidence_sha256")
    mixed = reviews("mixed.csv", [{**source[0], "review_verdict": "agree"},
                                  {**source[1], "review_verdict": "agree", "provider_code": "RBB"}])
    assert "mixed.csv holds reviews of the cases of providers RAA, RBB" in _refused(capsys, *out, "--reviews", mixed)
    twice = reviews("twice.csv", [{**source[0], "review_verdict": "agree"}])
    assert "already reviewed in twice.csv row 2" in _refused(capsys, *out, "--reviews", twice, twice)
    assert "reviews file not found" in _refused(capsys, *out, "--reviews", str(tmp_path / "none.csv"))
    other = reviews("other.csv", [{**source[0], "review_verdict": "agree", "provider_code": "RBB"}])
    assert _refused(capsys, *out, "--reviews", other).startswith(
        "abc-audit: reviews refused: other.csv row 2: the case is provider RAA's, but the file is provider RBB's")
    assert not (tmp_path / "out").exists()


def test_review_packs_dashboard_and_diff_show_the_reviews(first_run, reviewed_run):
    base, _ = first_run
    out, _, _, _ = reviewed_run
    manifest = json.loads((out / "run_manifest.json").read_text(encoding="utf-8"))
    pages = {p["provider"]: p["bytes"] for p in manifest["review_pages"]}
    assert set(pages) == {"RAA", "RBB"}
    for provider, size in pages.items():
        page = out / "exports" / provider / "review.html"
        assert page.stat().st_size == size
        text = page.read_text(encoding="utf-8")
        assert "<script src=" not in text and "Plotly" in text  # offline: plotly.js inlined once
        own, others = ({"P1", "P2"}, {"P3", "P4"}) if provider == "RAA" else ({"P3"}, {"P1", "P2"})
        assert all(f'"{p}"' in text for p in own) and not any(f'"{p}"' in text for p in others)
    assert '"after_review"' in (out / "dashboard.html").read_text(encoding="utf-8")
    assert '"after_review"' not in (base / "first" / "dashboard.html").read_text(encoding="utf-8")
    assert main(["diff", str(base / "first"), str(out), "--report", str(base / "changes")]) == 0
    changes = {(r["rule_id"], r["patient_id"]): (r["change"], r["new_review"])
               for r in _rows(base / "changes" / "case_changes.csv")}
    assert changes[("QS12-5", "P1")] == ("review_changed", "justified_deviation (applied)")
    assert changes[("QS12-5", "P3")] == ("review_changed", "agree (applied)")
