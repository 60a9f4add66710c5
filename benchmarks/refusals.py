"""Times each structural refusal of `abc-audit run` from the shell (issue 12: under 3 s, before any
validation or Great Expectations import), on a copy of the bundled sample damaged one way at a time.

    python benchmarks/refusals.py [--repeats 3]

Prints one line per fault: the best wall time of `repeats` runs, the exit status and the first
line the command printed. Nothing here is a timed test.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "extract"


def _rename(old: str, new: str):
    return lambda folder: (folder / old).rename(folder / new)


def _edit_header(file: str, old: str, new: str):
    def damage(folder: Path) -> None:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        header, rest = text.split("\n", 1)
        path.write_text(header.replace(old, new) + "\n" + rest, encoding="utf-8")
    return damage


def _semicolons(folder: Path) -> None:
    path = folder / "disease_events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")


def _binary(folder: Path) -> None:
    (folder / "imaging.csv").write_bytes(bytes(range(256)) * 64)


FAULTS = {
    "missing required table (patients_2025Q4.csv)": _rename("patients.csv", "patients_2025Q4.csv"),
    "missing required column (event_date)": _edit_header("disease_events.csv", "event_date", "date_of_event"),
    "identifier column (NHS Number)": _edit_header("patients.csv", "patient_id", "patient_id,NHS Number"),
    "wrong delimiter (semicolons)": _semicolons,
    "unreadable file (binary imaging.csv)": _binary,
}


def time_refusal(damage, work: Path, repeats: int) -> tuple[float, int, str]:
    extract = work / "extract"
    shutil.rmtree(extract, ignore_errors=True)
    shutil.copytree(SAMPLE, extract)
    damage(extract)
    best, status, first_line = float("inf"), None, ""
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--input", str(extract),
                               "--output", str(work / "out")], capture_output=True, text=True)
        best = min(best, time.perf_counter() - started)
        status = done.returncode
        first_line = (done.stderr.strip() or done.stdout.strip()).splitlines()[0]
    return best, status, first_line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="abc-audit-refusals-") as work:
        for name, damage in FAULTS.items():
            seconds, status, line = time_refusal(damage, Path(work), args.repeats)
            print(f"{seconds:5.2f} s  exit {status}  {name}\n         {line[:160]}")


if __name__ == "__main__":
    main()
