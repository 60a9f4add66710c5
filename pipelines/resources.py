"""Resources injected into every asset: where the audit reads and writes, and the DuckDB database."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb

from audit_rules.catalogue import Catalogue, load_catalogue, validate_rule_overrides
from pipelines import run_lock
from pipelines.config import AuditConfig, ConfigError, load_config
from pipelines.reports.publish import recover_interrupted_publish
from pipelines.sql_runner import load_macros
from pipelines.timeline.drug_names import load_drug_value_set


def work_dir_for(output_dir: str | Path) -> Path:
    """Working files (database, staged outputs) live beside OUT_DIR, never inside it."""
    output = Path(output_dir).resolve()
    return output.parent / f".{output.name}.work"


class AuditSettings(dg.ConfigurableResource):
    """What to audit, where to publish, and with which configuration file."""

    input_dir: str
    output_dir: str
    config_file: str | None = None
    catalogue: str = "cg81_2025_02"

    @cached_property
    def config(self) -> AuditConfig:
        config = load_config(self.config_file)
        validate_rule_overrides(self.rules, config.section("rules"))
        try:  # checked now, so that a bad name refuses the configuration before the run starts
            load_drug_value_set(config.section("value_sets")["drug_names"],
                                extra_drugs=config.section("value_sets")["drugs"])
        except ValueError as error:
            raise ConfigError(str(error)) from None
        return config

    @property
    def rules(self) -> Catalogue:
        return load_catalogue(self.catalogue)

    @property
    def input_path(self) -> Path:
        return Path(self.input_dir).resolve()

    @property
    def output_path(self) -> Path:
        return Path(self.output_dir).resolve()

    @property
    def work_path(self) -> Path:
        return work_dir_for(self.output_dir)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # one run per output folder, however it was started (CLI, schedule, sensor, UI)
        run_lock.acquire(self.work_path)
        recover_interrupted_publish(self.output_path, self.work_path)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        run_lock.release(self.work_path)

    def staging_path(self, run_id: str) -> Path:
        """Reports of one run are written here and moved to OUT_DIR only when all succeeded."""
        path = self.work_path / "staging" / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path


class AuditDatabase(dg.ConfigurableResource):
    """The embedded DuckDB file. One writer at a time: the audit job runs in process."""

    path: str
    memory_limit: str = "2GB"
    threads: int = 2

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            self.path,
            config={
                "memory_limit": self.memory_limit,
                "threads": self.threads,
                "preserve_insertion_order": True,
            },
        )
        try:
            load_macros(con)
            yield con
        finally:
            con.close()
