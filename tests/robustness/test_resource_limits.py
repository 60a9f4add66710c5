"""Resource safety: DuckDB's memory limit and threads come from the configuration, Great Expectations
sees bounded batches, and tight limits change no result (the bundled sample, audited for real)."""
import csv

import dagster as dg
import duckdb

from pipelines.definitions import ALL_ASSETS, default_resources
from sample_data import SAMPLE_DATA_DIR


def test_tight_memory_limit_and_small_batches_give_the_same_audit(sample_output, tmp_path):
    config = tmp_path / "tight.yaml"
    config.write_text("run:\n  duckdb_memory_limit: 128MB\n  duckdb_threads: 1\n  validation_batch_rows: 500\n")
    resources = default_resources(str(SAMPLE_DATA_DIR), str(tmp_path / "out"), str(config))
    with resources["duckdb"].connect() as con:
        limit, threads = con.execute("select current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert (limit, threads) == ("122.0 MiB", 1)  # 128 MB as DuckDB reports it

    result = dg.materialize(ALL_ASSETS, resources=resources, instance=dg.DagsterInstance.ephemeral(),
                            raise_on_error=False)
    assert result.success
    therapy = next(event.materialization.metadata for event in result.get_asset_materialization_events()
                   if event.asset_key == dg.AssetKey("validated_systemic_therapy"))
    assert therapy["rows_read"].value > 5000 and therapy["validation_batches"].value >= therapy["rows_read"].value // 500

    with duckdb.connect(resources["duckdb"].path, read_only=True) as con:
        quarantined = con.execute("select count(*) from validated.quarantine").fetchone()[0]
    with (sample_output / "data_quality" / "quarantine.csv").open(encoding="utf-8") as handle:
        assert quarantined == sum(1 for _ in csv.DictReader(handle))
    assert (tmp_path / "out" / "measures.csv").read_bytes() == (sample_output / "measures.csv").read_bytes()
