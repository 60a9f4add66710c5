"""Times the whole audit on generated extracts, stage by stage, beside the floor of reading the data.

    python benchmarks/run.py --sizes 10000,100000,1000000 [--format parquet|csv] [--work DIR]
    python benchmarks/run.py --extract DIR          # an extract you already have (e.g. 8 patients)
    python benchmarks/run.py --sizes 100000 --pandas-reference   # also time five rules in pandas vs SQL
    python benchmarks/run.py --sizes 1000000 --engine spark       # timeline, rules, measures on local Spark

For every size: generation time (not part of the audit), the import cost of the pipeline on its
own line, `abc-audit run` wall time from the shell with its peak RSS, seconds per stage (from the
run manifest), and the **floor**: one DuckDB scan reading every value of every input table
(`select count(*), max(length(cast(columns(*) as varchar)))`), timed in the same run. Writes
benchmarks/results/<date>-<patients>.json and prints one table, so growth per stage is visible.
Targets live in the README's "Performance" section; nothing here is a timed test.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

RESULTS = Path(__file__).parent / "results"
STAGES = ["ingest", "validate", "timeline", "rules", "measures", "reports"]


def _timed_child(command: list[str], log_dir: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit status of one child process (its output goes to log_dir)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "stdout.txt").open("w") as stdout, (log_dir / "stderr.txt").open("w") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak, not every child's
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def floor_seconds(extract: Path) -> float:
    """One scan reading every value of every table file: what any audit must at least pay."""
    con = duckdb.connect()
    started = time.perf_counter()
    for path in sorted(extract.iterdir()):
        reader = {".parquet": "read_parquet", ".csv": "read_csv"}.get(path.suffix.lower())
        if reader:
            literal = str(path).replace("'", "''")
            options = ", all_varchar = true" if reader == "read_csv" else ""
            con.execute(f"select count(*), max(length(cast(columns(*) as varchar))) from {reader}('{literal}'{options})"
                        ).fetchall()
    return time.perf_counter() - started


def import_seconds() -> float:
    command = [sys.executable, "-c", "import pipelines.definitions"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def measure(extract: Path, out: Path, patients: int | None, engine: str = "duckdb") -> dict:
    logs = out.with_name(out.name + "-logs")
    elapsed, peak_mb, status = _timed_child(
        [sys.executable, "-m", "pipelines.cli", "run", "--input", str(extract), "--output", str(out),
         "--engine", engine], logs)
    if status:
        sys.exit(f"audit failed ({status}); see {logs}")
    manifest = json.loads((out / "run_manifest.json").read_text(encoding="utf-8"))
    outputs = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
    return {
        "patients": patients, "extract": str(extract), "date": dt.date.today().isoformat(), "engine": engine,
        # the Python process's peak; a local Spark's JVM is a process of its own, not counted
        "imports_s": round(import_seconds(), 2), "floor_s": round(floor_seconds(extract), 3),
        "audit_wall_s": round(elapsed, 2), "peak_rss_mb": round(peak_mb),
        "stages_s": manifest["timings_seconds"], "output_bytes": outputs, "workbooks": manifest.get("workbooks"),
        "case_outcomes": sum(o["units"] for o in manifest["outcomes"]),
    }


def _generate(work: Path, patients: int, file_format: str) -> Path:
    from sample_data.generate import generate_extract

    extract = work / f"extract-{patients}-{file_format}"
    stamp = extract / ".complete"
    if not stamp.exists():  # generation is not part of the audit: reuse an earlier one
        started = time.perf_counter()
        generate_extract(extract, patients, file_format=file_format)
        stamp.write_text(f"{time.perf_counter() - started:.1f}\n", encoding="utf-8")
    return extract


def print_table(results: list[dict]) -> None:
    """One line per size; the reports stage without the Excel workbooks, whose time is its own column
    (the targets leave them out: xlsxwriter writes ~6,000 rows a second)."""
    header = ["patients", "engine", "imports", "floor", *STAGES, "workbooks", "audit wall", "wall - wb", "peak RSS MB",
              "rules/floor"]
    print(" | ".join(f"{h:>11}" for h in header))
    for r in results:
        workbook_s = (r.get("workbooks") or {}).get("seconds") or 0.0
        stages = [r["stages_s"].get(s, 0.0) - (workbook_s if s == "reports" else 0.0) for s in STAGES]
        ratio = stages[STAGES.index("rules")] / r["floor_s"] if r["floor_s"] else float("nan")
        written = (r.get("workbooks") or {}).get("written")
        cells = [f"{r['patients'] or '-'}", r.get("engine", "duckdb"), f"{r['imports_s']:.2f}", f"{r['floor_s']:.3f}",
                 *(f"{s:.2f}" for s in stages), f"{workbook_s:.1f}" if written else "left out",
                 f"{r['audit_wall_s']:.1f}", f"{r['audit_wall_s'] - workbook_s:.1f}", f"{r['peak_rss_mb']:,}",
                 f"{ratio:.1f}x"]
        print(" | ".join(f"{c:>11}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="patients per extract, comma separated")
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--extract", type=Path, help="audit this extract instead of generating")
    parser.add_argument("--work", type=Path, help="folder for extracts and outputs (kept)")
    parser.add_argument("--pandas-reference", action="store_true",
                        help="time the vectorised pandas reference of five rules beside their SQL (pandas_reference.py)")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                        help="where the timeline, rules and measures run (spark: a local Spark; docs/spark.md)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="abc-audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    results = []
    runs = [(args.extract, None)] if args.extract else \
        [(None, int(size)) for size in args.sizes.split(",")]
    for extract, patients in runs:
        extract = extract or _generate(work, patients, args.format)
        result = measure(extract, work / f"out-{args.engine}-{patients or extract.name}", patients, args.engine)
        if args.pandas_reference:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: benchmarks/ is not on the path
            from benchmarks.pandas_reference import time_reference
            from pipelines.resources import work_dir_for

            result["pandas_reference"] = time_reference(
                work_dir_for(work / f"out-{args.engine}-{patients or extract.name}") / "audit.duckdb")
        name = f"{result['date']}-{patients or extract.name}{'-spark' if args.engine == 'spark' else ''}.json"
        (RESULTS / name).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        results.append(result)
    print_table(results)


if __name__ == "__main__":
    main()
