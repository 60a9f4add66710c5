"""`abc-audit`: run the audit, validate an extract, compare two runs, list the rule catalogue, or write
the Excel workbooks of an output whose run left them out.

Exit status: 0 the audit ran (data-quality findings included); 2 the extract or configuration was
refused, another run holds the output folder, or a folder given to diff is not an audit output
(the one-line reason is printed); 1 the audit failed for another reason.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from pipelines import run_lock
from pipelines.progress import StepProgress
from pipelines.validate import VALIDATION_REFUSAL

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def _failure_reason(result) -> tuple[int, str]:
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            description = data.user_failure_data.description
            # an ingest refusal ("extract refused: ...") or one at validation ("Extract refused at ...")
            code = EXIT_REFUSED if description.lower().startswith(("extract refused", "reviews refused")) else EXIT_FAILED
            return code, description
        # The exception's own first line ("Binder Error: ..."): DuckDB follows it with the query and
        # a caret line pointing into it, which say nothing on their own.
        lines = [line.strip() for line in (data.error.cause or data.error).message.splitlines()] if data.error else []
        message = next((line for line in lines if line.strip("^~ ") and not line.startswith("LINE ")), "unknown error")
        return EXIT_FAILED, f"audit failed at {event.step_key}: {message}"
    return EXIT_FAILED, "audit failed"


def _summary(output_dir: Path) -> str:
    import csv

    with (output_dir / "measures.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["level"] == "national" and r["period"] == "all"]
    lines = [f"  {'rule':8} {'units':>7} {'adherent/eligible':>18} {'adherence':>10}  target"]
    for r in rows:
        units = sum(int(r[k]) for k in ("denominator", "excluded", "insufficient_data"))
        adherence = f"{float(r['adherence']):.1%}" if r["adherence"] else "n/a"
        met = {"true": "met", "false": "not met"}.get(r["target_met"], "n/a")  # empty: no denominator
        target = "" if not r["target"] else f"{float(r['target']):.0%} {met}"
        lines.append(f"  {r['rule_id']:8} {units:>7} {r['numerator'] + '/' + r['denominator']:>18} {adherence:>10}  {target}")
    return "\n".join(lines)


def _print_workbooks(output_dir: Path) -> None:
    workbooks = json.loads((output_dir / "run_manifest.json").read_text(encoding="utf-8")).get("workbooks")
    if workbooks and not workbooks["written"]:
        print(f"abc-audit: the case lists have {workbooks['case_rows']:,} rows, more than exports.workbook_max_rows "
              f"({workbooks['max_rows']:,}): they are written as CSV and Parquet only; "
              f"`abc-audit export-workbooks {output_dir}` writes the Excel workbooks")


def _resources(args: argparse.Namespace, output: str) -> dict | None:
    from pipelines.config import ConfigError
    from pipelines.resources import default_resources

    try:
        resources = default_resources(args.input, output, args.config, getattr(args, "input_format", None),
                                      getattr(args, "reviews", None), getattr(args, "engine", None),
                                      getattr(args, "spark_remote", None))
        # Read and checked now (the resources themselves read it only when first used), so that a
        # bad file or ABC_AUDIT_CONFIG is refused in one line before the run starts.
        resources["audit"].config
        resources["duckdb"].limits
        return resources
    except (ConfigError, ValueError) as error:
        print(f"abc-audit: configuration refused: {error}", file=sys.stderr)
        return None


def _refuse_malformed_extract(args: argparse.Namespace) -> int | None:
    """The preflight (pipelines/ingest/preflight.py): a structural fault of the extract refuses it in
    a second, before Dagster and Great Expectations are imported. Returns the exit status if refused."""
    import os

    from pipelines.ingest.preflight import check_extract
    from pipelines.ingest.structure import REFUSED, ExtractRefused
    from sample_data import SAMPLE_DATA_DIR

    # the input `default_resources` will audit: the argument, ABC_AUDIT_INPUT, or the bundled sample
    input_dir = Path(args.input or os.environ.get("ABC_AUDIT_INPUT", str(SAMPLE_DATA_DIR)))
    national = (getattr(args, "input_format", None) or os.environ.get("ABC_AUDIT_INPUT_FORMAT")) == "national"
    try:
        if national:
            from pipelines.ingest.national.layout import check_national_extract
            check_national_extract(input_dir)
        else:
            check_extract(input_dir)
    except ExtractRefused as error:
        print(f"abc-audit: {REFUSED}: {error}", file=sys.stderr)
        return EXIT_REFUSED
    return None


def _recover_interrupted_publish(output: str) -> None:
    """A run refused before the graph starts still puts back the last good output that a run killed
    mid-publish left aside, as every run does first (under the output's lock)."""
    from pipelines.output_folder import recover_interrupted_publish, work_dir_for

    work_dir = work_dir_for(output)
    if not (work_dir / "previous").is_dir():
        return  # nothing to put back: leave no working folder behind
    try:
        run_lock.acquire(work_dir)
    except run_lock.OutputLocked:
        return  # the run holding the lock recovers it
    try:
        recover_interrupted_publish(Path(output).resolve(), work_dir)
    finally:
        run_lock.release(work_dir)


def _execute(job_name: str, resources: dict):
    """Runs one of the definitions' jobs in process on a fresh database, holding the output's lock.

    Returns the Dagster result, or an exit status when the run could not start."""
    import dagster as dg

    from pipelines import definitions as audit_definitions

    work_dir = resources["audit"].work_path
    try:
        run_lock.acquire(work_dir)
    except run_lock.OutputLocked as error:
        print(f"abc-audit: refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        database = Path(resources["duckdb"].path)
        for stale in (database, database.with_name(database.name + ".wal")):
            stale.unlink(missing_ok=True)  # every CLI run audits the extract afresh
        # Dagster's own console output is replaced by one progress line per step.
        progress_logger = logging.getLogger("abc_audit.progress")
        progress_logger.setLevel(logging.DEBUG)
        progress_logger.propagate = False
        progress_logger.handlers = [StepProgress(audit_definitions.STAGE_OF_ASSET)]
        defs = dg.Definitions(assets=audit_definitions.ALL_ASSETS,
                              jobs=[audit_definitions.audit_job, audit_definitions.validate_job],
                              resources=resources, loggers={"progress": dg.LoggerDefinition(lambda _: progress_logger)})
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, run_config={"loggers": {"progress": {}}})
        reason = _failure_reason(result) if not result.success else None
        if reason and reason[0] == EXIT_REFUSED and not reason[1].startswith(VALIDATION_REFUSAL):
            # An extract refused at ingest may hold identifiers: keep none of it on disk. (Refused at
            # validation, it passed the privacy guard; `validate` still reports its findings.)
            for stale in (database, database.with_name(database.name + ".wal")):
                stale.unlink(missing_ok=True)
        return result
    finally:
        run_lock.release(work_dir)


def _print_data_quality(database: str, output: Path) -> list:
    """The data-quality summary and, when there is one, the WARNING block, from the run's database
    (the `data_quality_summary` asset judged the warnings inside the graph); returns the warnings."""
    import duckdb

    from pipelines.validate.data_quality_summary import format_summary, format_warning_block, read_summary

    with duckdb.connect(database, read_only=True) as con:
        summary = read_summary(con)
    print(format_summary(summary))
    if summary.warnings:
        print(format_warning_block(summary.warnings, output), flush=True)
    return summary.warnings


def run(args: argparse.Namespace) -> int:
    from pipelines.ingest.reviews import ReviewsRefused, read_reviews

    resources = _resources(args, args.output)
    if resources is None:
        return EXIT_REFUSED
    try:  # a bad reviews file is refused before the audit starts (the ingest step checks it again)
        read_reviews(resources["audit"].review_paths)
    except ReviewsRefused as error:
        print(f"abc-audit: {error}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"abc-audit: auditing {resources['audit'].input_path} -> {resources['audit'].output_path}", flush=True)
    started = time.monotonic()
    result = _execute("audit", resources)
    if isinstance(result, int):
        return result
    if not result.success:
        code, reason = _failure_reason(result)
        if reason.startswith(VALIDATION_REFUSAL):
            reason += "; `abc-audit validate` writes the full report"
        print(f"abc-audit: {reason}. Nothing was published; the previous output (if any) is unchanged.",
              file=sys.stderr)
        return code
    output = resources["audit"].output_path
    _print_data_quality(resources["duckdb"].path, output)  # before the rules, so that it is read first
    print(_summary(output))
    _print_workbooks(output)
    print(f"abc-audit: finished in {time.monotonic() - started:.1f}s")
    print(f"abc-audit: dashboard: {output / 'dashboard.html'}")
    return EXIT_OK


def validate(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.validate.data_quality_summary import validate_ending
    from pipelines.reports.files import write_validation_report

    resources = _resources(args, args.report)
    if resources is None:
        return EXIT_REFUSED
    print(f"abc-audit: validating {resources['audit'].input_path}", flush=True)
    result = _execute("validate", resources)
    if isinstance(result, int):
        return result
    report = resources["audit"].output_path
    if not result.success:
        code, reason = _failure_reason(result)
        if reason.startswith(VALIDATION_REFUSAL):  # the findings are what the sender needs to fix it
            with duckdb.connect(resources["duckdb"].path, read_only=True) as con:
                write_validation_report(con, report / "data_quality")
            reason += f"; report: {report / 'data_quality'}"
        print(f"abc-audit: {reason}", file=sys.stderr)
        return code
    with duckdb.connect(resources["duckdb"].path, read_only=True) as con:
        write_validation_report(con, report / "data_quality")
    warnings = _print_data_quality(resources["duckdb"].path, report)
    print(validate_ending(warnings, report))
    return EXIT_OK


def _format_rule(rule) -> str:
    """A catalogue entry for people: lists as bullets, parameters as `name: value` lines."""
    lines = []
    for key, value in rule.__dict__.items():
        if key == "order" or value in (None, (), [], {}, ""):
            continue
        label = key.replace("_", " ")
        if isinstance(value, dict):
            lines += [f"{label}:"] + [f"  {name}: {item}" for name, item in value.items()]
        elif isinstance(value, (list, tuple)):
            lines += [f"{label}:"] + [f"  - {' '.join(str(item).split())}" for item in value]
        else:
            lines.append(f"{label}: {' '.join(str(value).split())}")
    return "\n".join(lines)


def _rule_suggestions(catalogue, rule_id: str) -> str:
    """`; did you mean 1.3.4a or 1.3.4b?` for a rule id that several catalogue ids extend (or, failing
    that, that is close to one), in any case: the guideline numbers some recommendations in parts."""
    import difflib

    ids = [rule.id for rule in catalogue.rules]
    wanted = rule_id.strip().lower()
    similar = ([i for i in ids if i.lower().startswith(wanted)] if wanted else []) or \
        difflib.get_close_matches(rule_id, ids, n=3, cutoff=0.75)
    if not similar:
        return "; `abc-audit rules` lists the rule ids"
    return "; did you mean " + (" or ".join(similar) if len(similar) <= 2
                                else ", ".join(similar[:-1]) + " or " + similar[-1]) + "?"


def rules(args: argparse.Namespace) -> int:
    from audit_rules.catalogue import load_catalogue

    catalogue = load_catalogue()
    if args.action == "show":
        try:
            rule = catalogue.rule(args.rule_id)
        except KeyError as error:
            print(f"abc-audit: {error.args[0]}{_rule_suggestions(catalogue, args.rule_id)}", file=sys.stderr)
            return EXIT_FAILED
        print(_format_rule(rule))
        return EXIT_OK
    print(f"{catalogue.guideline} (version {catalogue.guideline_version}), catalogue v{catalogue.version}")
    for rule in catalogue.rules:
        print(f"  {rule.id:8} {rule.status:13} {rule.strength:9} {rule.title}")
    return EXIT_OK


def diff(args: argparse.Namespace) -> int:
    from pipelines.diff import NotAnAuditOutput, compare_runs, format_comparison

    try:
        comparison = compare_runs(Path(args.old), Path(args.new), Path(args.report) if args.report else None)
    except NotAnAuditOutput as error:
        print(f"abc-audit: refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"abc-audit: before: {args.old}; after: {args.new} (adherence over the whole period)")
    print(format_comparison(comparison))
    if args.report:
        print(f"abc-audit: per-provider changes and the changed cases: {Path(args.report)}")
    return EXIT_OK


def export_workbooks(args: argparse.Namespace) -> int:
    from pipelines.output_folder import work_dir_for
    from pipelines.reports.workbooks import CannotExportWorkbooks, export_workbooks as write

    output = Path(args.output).resolve()
    work_dir = work_dir_for(output)
    try:
        run_lock.acquire(work_dir)  # never beside a run publishing into the same folder
    except run_lock.OutputLocked as error:
        print(f"abc-audit: refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        rows, seconds = write(output)
    except CannotExportWorkbooks as error:
        print(f"abc-audit: refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        run_lock.release(work_dir)
    print(f"abc-audit: workbooks written under {output / 'exports'} ({rows} case rows, {seconds:.1f}s)")
    return EXIT_OK


INPUT_FORMAT_HELP = ("canonical: the data contract's tables (default); national: registry, SACT and RTDS tables "
                     "in the Simulacrum layout (README, 'National datasets')")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="abc-audit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the whole audit and publish its outputs")
    run_parser.add_argument("--input", help="extract folder (default: the bundled sample_data/extract/)")
    run_parser.add_argument("--output", default="out", help="output folder (default: out)")
    run_parser.add_argument("--config", help="configuration YAML (default: the bundled defaults)")
    run_parser.add_argument("--reviews", nargs="+", metavar="PATH",
                            help="returned case reviews: providers' non_adherent_cases.csv or .xlsx with the review "
                                 "columns filled in (default: the configuration's reviews.files)")
    run_parser.add_argument("--input-format", choices=["canonical", "national"], help=INPUT_FORMAT_HELP)
    run_parser.add_argument("--engine", choices=["duckdb", "spark"], help="where the timeline, rules and measures "
                            "run: duckdb (default) or spark (the `spark` extra and Java 17; docs/spark.md)")
    run_parser.add_argument("--spark-remote", metavar="sc://HOST:PORT", help="with --engine spark: a Spark Connect "
                            "server (default: a local Spark, or the active session inside Databricks)")
    run_parser.set_defaults(handler=run)
    validate_parser = commands.add_parser(
        "validate", help="check an extract against the data contract only, and write the data-quality report")
    validate_parser.add_argument("--input", help="extract folder (default: the bundled sample_data/extract/)")
    validate_parser.add_argument("--report", default="validation_report",
                                 help="folder for data_quality/ (default: validation_report)")
    validate_parser.add_argument("--config", help="configuration YAML (default: the bundled defaults)")
    validate_parser.add_argument("--input-format", choices=["canonical", "national"], help=INPUT_FORMAT_HELP)
    validate_parser.set_defaults(handler=validate)
    diff_parser = commands.add_parser(
        "diff", help="compare two audit outputs: change in adherence per rule and the cases whose outcome changed")
    diff_parser.add_argument("old", help="the earlier output folder")
    diff_parser.add_argument("new", help="the later output folder")
    diff_parser.add_argument("--report", help="folder for adherence_changes.csv and case_changes.csv")
    diff_parser.set_defaults(handler=diff)
    workbooks_parser = commands.add_parser(
        "export-workbooks", help="write the Excel workbooks of an output whose run left them out (too many cases)")
    workbooks_parser.add_argument("output", help="the audit's output folder")
    workbooks_parser.set_defaults(handler=export_workbooks)
    rules_parser = commands.add_parser("rules", help="list the rule catalogue, or show one rule")
    rules_parser.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    rules_parser.add_argument("rule_id", nargs="?")
    rules_parser.set_defaults(handler=rules)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A path from another encoding (a folder named on a Latin-1 system) is printed escaped, never a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    if getattr(args, "action", None) == "show" and not args.rule_id:  # a usage error: exit status 2
        build_parser().error("rules show needs a rule id, e.g. abc-audit rules show 1.5.16")
    if args.command in ("run", "validate"):
        refused = _refuse_malformed_extract(args)
        if refused is not None:
            if args.command == "run":
                _recover_interrupted_publish(args.output)
            return refused
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
