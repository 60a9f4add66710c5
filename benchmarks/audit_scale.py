"""Times a whole audit (`abc-audit run`) on a generated extract and reports peak memory.

    python benchmarks/audit_scale.py --patients 100000 [--format csv|parquet] [--keep DIR]
                                     [--memory-limit 1GB]

Prints rows per table, generation time, audit wall time per stage (from the run manifest) and the
peak resident memory of the audit process. Targets for this 2-core machine live in
benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sample_data.generate import generate_extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--memory-limit", help="DuckDB memory limit for the audit (run.duckdb_memory_limit)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="abc-audit-bench-"))
    started = time.perf_counter()
    rows = generate_extract(work / "extract", args.patients, file_format=args.format)
    generated = time.perf_counter() - started
    print(f"generated {args.patients:,} patients in {generated:.1f}s: " +
          ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    command = [sys.executable, "-m", "pipelines.cli", "run", "--input", str(work / "extract"),
               "--output", str(work / "out")]
    if args.memory_limit:
        config = work / "benchmark_config.yaml"
        config.write_text(f"run:\n  duckdb_memory_limit: {args.memory_limit}\n", encoding="utf-8")
        command += ["--config", str(config)]
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if run.returncode:
        print(run.stdout[-2000:], run.stderr[-2000:])
        sys.exit(run.returncode)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    manifest = json.loads((work / "out" / "run_manifest.json").read_text())
    limit = args.memory_limit or "default (2GB)"
    print(f"audit wall time {elapsed:.1f}s, peak RSS {peak_mb:,.0f} MB, DuckDB memory limit {limit}")
    print("seconds per stage:", json.dumps(manifest["timings_seconds"]))
    outcomes = sum(o["units"] for o in manifest["outcomes"])
    print(f"case outcomes {outcomes:,}; dashboard {(work / 'out' / 'dashboard.html').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
