"""Resources injected into every asset: where the audit reads and writes, and the DuckDB database."""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import dagster as dg
import duckdb

from audit_rules.catalogue import Catalogue, load_catalogue, validate_rule_overrides
from audit_rules.drug_value_set import load_drug_value_set
from pipelines import run_lock
from pipelines.config import AuditConfig, ConfigError, load_config
from pipelines.engines import ENGINES
from pipelines.output_folder import recover_interrupted_publish, work_dir_for
from pipelines.sql_runner import load_macros
from sample_data import SAMPLE_DATA_DIR


INPUT_FORMATS = ("canonical", "national")


def national_timeline_settings(config: AuditConfig) -> dict:
    """What the national datasets are, whatever the configuration says: SACT often lacks oral drugs
    and adjuvant history, and menopausal status is only ever inferred."""
    return {"timeline.prior_therapy_history": "partial", "timeline.oral_endocrine_therapy_recorded": False,
            "timeline.menopausal_status_inferred_from_age": config.section("national")["infer_menopausal_status_from_age"]}


class AuditSettings(dg.ConfigurableResource):
    """What to audit, where to publish, and with which configuration file."""

    input_dir: str
    output_dir: str
    config_file: str | None = None
    catalogue: str = "cg81_2025_02"
    # `canonical` (the data contract's tables) or `national` (registry, SACT and RTDS tables in the
    # Simulacrum layout, mapped by pipelines/ingest/national/)
    input_format: str = "canonical"
    # returned case reviews (pipelines/ingest/reviews.py); empty: the configuration's reviews.files
    review_files: list[str] = []
    # where the timeline, rules and measures run: `duckdb`, or `spark` (pipelines/engines.py): a local
    # Spark, the caller's active session (Databricks), or Spark Connect at `spark_remote` (sc://host:port)
    engine: str = "duckdb"
    spark_remote: str | None = None

    @cached_property
    def config(self) -> AuditConfig:
        if self.input_format not in INPUT_FORMATS:
            raise ConfigError(f"input format must be one of {', '.join(INPUT_FORMATS)}, got {self.input_format!r}")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.engine == "spark" and importlib.util.find_spec("pyspark") is None:  # refused before the run starts
            raise ConfigError("--engine spark needs the spark extra (pip install -c constraints.txt -e '.[spark]') "
                              "and Java 17")
        config = load_config(self.config_file)
        if self.input_format == "national":
            config = config.with_values(national_timeline_settings(config))
        validate_rule_overrides(self.rules, config.section("rules"))
        try:  # checked now, so that a bad name refuses the configuration before the run starts
            load_drug_value_set(config.section("value_sets")["drug_names"],
                                extra_drugs=config.section("value_sets")["drugs"])
        except ValueError as error:
            raise ConfigError(str(error)) from None
        return config

    @property
    def review_paths(self) -> list[Path]:
        return [Path(p) for p in (self.review_files or self.config.section("reviews")["files"])]

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
    """The embedded DuckDB file. One writer at a time: the audit job runs in process.

    `memory_limit` and `threads` left unset are the configuration file's (`run.duckdb_*`), read when
    the database is first opened: building the resource reads no file, so that importing the
    definitions never stops on a bad configuration (the run that uses it does, with its message)."""

    path: str
    memory_limit: str | None = None
    threads: int | None = None
    config_file: str | None = None

    @cached_property
    def limits(self) -> tuple[str, int]:
        run = load_config(self.config_file).section("run") if self.memory_limit is None or self.threads is None else {}
        return (self.memory_limit or run["duckdb_memory_limit"],
                self.threads if self.threads is not None else run["duckdb_threads"])

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        memory_limit, threads = self.limits
        con = duckdb.connect(
            self.path,
            config={
                "memory_limit": memory_limit,
                "threads": threads,
                "preserve_insertion_order": True,
            },
        )
        try:
            load_macros(con)
            yield con
        finally:
            con.close()


def default_resources(input_dir: str | None = None, output_dir: str | None = None,
                      config_file: str | None = None, input_format: str | None = None,
                      review_files: list[str] | None = None, engine: str | None = None,
                      spark_remote: str | None = None) -> dict:
    """Resources for the UI, the schedule and the CLI: the arguments, else the ABC_AUDIT_* environment
    variables (ABC_AUDIT_INPUT, _OUTPUT, _CONFIG, _INPUT_FORMAT, _REVIEWS, _ENGINE, _SPARK_REMOTE), else
    the bundled sample, `out`, the bundled configuration, the canonical format, the configuration's
    review files and DuckDB. Nothing is read from
    the configuration file here: `AuditSettings.config` reads and checks it when first used."""
    input_dir = input_dir or os.environ.get("ABC_AUDIT_INPUT", str(SAMPLE_DATA_DIR))
    output_dir = output_dir or os.environ.get("ABC_AUDIT_OUTPUT", "out")
    config_file = config_file or os.environ.get("ABC_AUDIT_CONFIG") or None
    input_format = input_format or os.environ.get("ABC_AUDIT_INPUT_FORMAT") or "canonical"
    if review_files is None:  # ABC_AUDIT_REVIEWS: paths separated as in PATH
        review_files = [p for p in os.environ.get("ABC_AUDIT_REVIEWS", "").split(os.pathsep) if p]
    engine = engine or os.environ.get("ABC_AUDIT_ENGINE") or "duckdb"
    spark_remote = spark_remote or os.environ.get("ABC_AUDIT_SPARK_REMOTE") or None
    settings = AuditSettings(input_dir=input_dir, output_dir=output_dir, config_file=config_file,
                             input_format=input_format, review_files=review_files, engine=engine,
                             spark_remote=spark_remote)
    database = AuditDatabase(path=str(work_dir_for(output_dir) / "audit.duckdb"), config_file=config_file)
    return {"audit": settings, "duckdb": database}
