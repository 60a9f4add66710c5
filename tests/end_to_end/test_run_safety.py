"""Safe publishing under stress: a run killed mid-way leaves the previous output untouched, a second
run on the same output folder is refused while the first holds it, and shuffled input rows give
byte-identical results."""
import csv
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sample_data import SAMPLE_DATA_DIR
from sample_data.generate import generate_extract
from tests.conftest import run_audit, run_cli_on_sample
from tests.extract_builder import Extract


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _start(output: Path, extract: Path = SAMPLE_DATA_DIR) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-u", "-m", "pipelines.cli", "run", "--input", str(extract),
                             "--output", str(output)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(process: subprocess.Popen, needle: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if needle in line:
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"never printed {needle!r}")


def test_a_run_killed_mid_way_leaves_the_previous_output_untouched(sample_output, tmp_path):
    output = tmp_path / "out"
    shutil.copytree(sample_output, output)
    before = _snapshot(output)
    process = _start(output)
    _wait_for_line(process, " rules ")  # killed while rule outcomes are being computed
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert _snapshot(output) == before
    with (output / "measures.csv").open() as handle:  # still readable, still whole
        assert len(list(csv.DictReader(handle))) > 1000
    # the lock died with the process: the next run goes ahead and publishes (a small extract will do)
    rerun = run_cli_on_sample(output, _small_extract(tmp_path / "small"))
    assert rerun.returncode == 0, rerun.stderr


def _small_extract(folder: Path) -> Path:
    generate_extract(folder, 200, seed=11)
    return folder


def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(tmp_path):
    output = tmp_path / "out"
    first = _start(output, _small_extract(tmp_path / "small"))
    _wait_for_line(first, "abc-audit: auditing")
    second = run_cli_on_sample(output)
    assert second.returncode == 2
    assert "another audit run is writing to this output folder" in second.stderr
    assert "Traceback" not in second.stderr
    first.stdout.read()
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert (output / "dashboard.html").exists()


def test_shuffled_input_rows_give_byte_identical_outcomes_and_measures(sample_output, tmp_path):
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    rng = random.Random(7)
    for table in sorted(SAMPLE_DATA_DIR.glob("*.csv")):
        header, *rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
        rng.shuffle(rows)
        (shuffled / table.name).write_text(header + "".join(rows), encoding="utf-8")
    completed = run_cli_on_sample(tmp_path / "out", shuffled)
    assert completed.returncode == 0, completed.stderr
    for name in ("case_outcomes.csv", "measures.csv", "measure_reports.json"):
        assert (tmp_path / "out" / name).read_bytes() == (sample_output / name).read_bytes(), name


def _same_day_ties() -> Extract:
    """Rows that tie on their dates and differ only in what else they record."""
    x = Extract()
    # two CNS events on one day: one meets the 1.5.18 criteria, the other does not
    x.patient("CNS_TIE").metastatic(sites="lung").pathology() \
        .event(20, "progression", sites="brain", brain_metastasis_count=2, brain_metastases_resectable=True,
               extracranial_disease_controlled=True, performance_status=1) \
        .event(20, "progression", sites="brain", brain_metastasis_count=6, performance_status=1)
    # two staging PET-CTs on one day at different providers
    x.patient("PET_TIE").metastatic().pathology() \
        .imaging(5, "pet_ct", purpose="staging", provider_code="RBB") \
        .imaging(5, "pet_ct", purpose="staging", result="metastatic", provider_code="RCC")
    # chemotherapy completed, then two endocrine regimens starting on one day
    x.patient("ENDO_TIE").metastatic().pathology() \
        .regimen("paclitaxel", start=10, end=100, end_reason="completed", regimen_id="R1") \
        .regimen("letrozole", start=150, regimen_id="R3").regimen("anastrozole", start=150, regimen_id="R2")
    return x


def test_rows_that_tie_on_their_dates_give_the_same_outcomes_in_any_row_order(tmp_path):
    outputs = []
    for name, reverse in (("as_given", False), ("reversed", True)):
        extract = _same_day_ties()
        if reverse:
            extract.rows = {table: rows[::-1] for table, rows in extract.rows.items()}
        run = run_audit(extract.write(tmp_path / name / "extract"), tmp_path / name, reports=True)
        assert run.result.success, run.failure()
        outputs.append(run.output)
    for file in ("case_outcomes.csv", "measures.csv"):
        assert (outputs[0] / file).read_bytes() == (outputs[1] / file).read_bytes(), file


def test_a_run_refused_at_validation_says_why_in_one_line_and_keeps_the_previous_output(sample_output, tmp_path):
    """outputs.md: a blocking validation failure refuses the extract (exit 2, one line), like a missing table."""
    output = tmp_path / "out"
    shutil.copytree(sample_output, output)
    before = _snapshot(output)
    extract = tmp_path / "extract"
    shutil.copytree(SAMPLE_DATA_DIR, extract)
    with (extract / "patients.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, patients = reader.fieldnames, list(reader)
    with (extract / "patients.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**p, "provider_code": "not an ODS code"} for p in patients)
    completed = run_cli_on_sample(output, extract)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert completed.stderr.startswith(f"abc-audit: Extract refused at validation: none of the {len(patients)} rows "
                                       "of patients passed validation (most frequent reason: provider_code")
    assert "Nothing was published" in completed.stderr
    assert _snapshot(output) == before


def test_a_run_killed_between_the_two_moves_of_publishing_loses_nothing(sample_output, tmp_path):
    """Publishing moves OUT_DIR aside to .<out>.work/previous, then the new output into place. Killed
    between the two, the last good output is only in `previous`: the next run puts it back first,
    even when that run is itself refused."""
    output = tmp_path / "out"
    previous = tmp_path / ".out.work" / "previous"
    shutil.copytree(sample_output, previous)
    before = _snapshot(previous)
    extract = tmp_path / "extract"
    shutil.copytree(SAMPLE_DATA_DIR, extract)
    (extract / "disease_events.csv").unlink()  # this run is refused at ingest
    refused = run_cli_on_sample(output, extract)
    assert refused.returncode == 2, refused.stderr
    assert _snapshot(output) == before and not previous.exists()
