"""`abc-audit diff OLD_OUT NEW_OUT`: what changed between two published audit runs.

Reads only the published files (case_outcomes.csv, measures.csv, run_manifest.json), so it can
compare runs made on different machines or with different software versions. Cases are matched
on (rule, patient pseudonym, unit): pseudonyms must be stable between the two extracts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from audit_rules.catalogue import load_catalogue
from pipelines.reports.files import CASE_OUTCOME_COLUMNS, MEASURE_COLUMNS, copy_csv
from pipelines.sql_runner import load_macros, sql_text

RUN_FILES = {"case_outcomes.csv": CASE_OUTCOME_COLUMNS, "measures.csv": MEASURE_COLUMNS}
# Manifest sections that change what a rule measures; a difference is reported beside the figures.
COMPARED_PROVENANCE = ("guideline", "rule_catalogue", "configuration", "software")


class NotAnAuditOutput(ValueError):
    """The folder is not a published audit output."""


@dataclass
class RunComparison:
    adherence_changes: pd.DataFrame
    case_changes_by_kind: dict[str, int]
    provenance_differences: list[str] = field(default_factory=list)


def _check_output(folder: Path) -> None:
    """A folder diff can read: both run files with the published columns, a readable manifest."""
    if not folder.is_dir():
        raise NotAnAuditOutput(f"{folder} is not a folder")
    missing = [name for name in RUN_FILES if not (folder / name).is_file()]
    if missing:
        raise NotAnAuditOutput(f"{folder} is not an audit output: {', '.join(missing)} missing")
    for name, columns in RUN_FILES.items():
        with (folder / name).open(encoding="utf-8", errors="replace") as handle:
            header = handle.readline().strip().lstrip("\ufeff").split(",")
        written = [column.strip('"') for column in header]
        # a run given reviews publishes more columns after the fixed ones (case_outcomes.csv, measures.csv)
        if written[:len(columns)] != columns:
            raise NotAnAuditOutput(f"{folder / name} is not an audit output's {name}: its header is not "
                                   f"{','.join(columns)}")
    _read_manifest(folder)


def _read_manifest(folder: Path) -> dict | None:
    path = folder / "run_manifest.json"
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotAnAuditOutput(f"{path} cannot be read as JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise NotAnAuditOutput(f"{path} is not an audit run manifest (it holds no object)")
    return manifest


def _method(manifest: dict, section: str):
    """What of a manifest section bears on the figures (the configuration's values, not its file name)."""
    value = manifest.get(section)
    return value.get("values") if section == "configuration" and isinstance(value, dict) else value


def _differing_keys(old, new, prefix: str = "") -> list[str]:
    """The dotted keys whose values differ between two configurations (`rules.1.5.16.dose_gy`), in
    order: a key present in only one of them differs too, down to its leaves."""
    if isinstance(old, dict) and new is None or isinstance(new, dict) and old is None:
        old, new = old or {}, new or {}
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [prefix.rstrip(".")] if old != new and prefix else []
    keys = []
    for key in sorted(set(old) | set(new), key=str):
        keys += _differing_keys(old.get(key), new.get(key), f"{prefix}{key}.")
    return keys


def _provenance_differences(old: Path, new: Path) -> list[str]:
    manifests = [_read_manifest(folder) for folder in (old, new)]
    if None in manifests:
        return ["a run_manifest.json is missing, so versions and configuration cannot be compared"]
    old_manifest, new_manifest = manifests
    differences = []
    for section in COMPARED_PROVENANCE:
        old_value, new_value = _method(old_manifest, section), _method(new_manifest, section)
        if old_value == new_value:
            continue
        keys = _differing_keys(old_value, new_value) if section == "configuration" else []
        differences.append(f"configuration differs: {', '.join(keys)}" if keys
                           else f"{section} differs between the runs")
    old_end, new_end = ((m.get("extract") or {}).get("follow_up_end") for m in manifests)
    if old_end != new_end:
        differences.append(f"the end of follow-up moved from {old_end} to {new_end}: cases pending "
                           "(follow_up_incomplete) before may be judged now")
    return differences


def _open(old: Path, new: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_macros(con)
    for run, folder in (("old", old), ("new", new)):
        for table, name in (("outcomes", "case_outcomes.csv"), ("measures", "measures.csv")):
            # Text throughout: values are compared as published, never re-parsed.
            con.execute(f"create temp table {run}_{table} as select * from "
                        "read_csv(?, header = true, all_varchar = true)", [str(folder / name)])
        # a run given no reviews has no review columns: its cases were not reviewed
        columns = {d[0] for d in con.execute(f"select * from {run}_outcomes limit 0").description}
        for column in ("review_verdict", "review_status"):
            if column not in columns:
                con.execute(f"alter table {run}_outcomes add column {column} varchar")
    order = pd.DataFrame([(r.id, r.order) for r in load_catalogue().rules], columns=["rule_id", "rule_order"])
    con.register("rule_order", order)
    con.execute(f"create temp table case_changes as {sql_text('diff/case_changes.sql')}")
    con.execute(f"create temp table adherence_changes as {sql_text('diff/adherence_changes.sql')}")
    return con


def compare_runs(old: Path, new: Path, report: Path | None = None) -> RunComparison:
    """Compares two outputs; with `report`, writes adherence_changes.csv and case_changes.csv there."""
    old, new = Path(old), Path(new)
    for folder in (old, new):
        _check_output(folder)
    try:
        with _open(old, new) as con:
            if report is not None:
                copy_csv(con, "select * from adherence_changes", Path(report) / "adherence_changes.csv")
                copy_csv(con, "select * from case_changes", Path(report) / "case_changes.csv")
            by_kind = dict(con.execute("select change, count(*) from case_changes group by change").fetchall())
            adherence = con.execute("select * from adherence_changes").df()
    except duckdb.Error as error:  # right header, damaged rows (a count that is not a number, say)
        raise NotAnAuditOutput(f"{old} or {new} holds rows diff cannot read: {str(error).splitlines()[0]}") from None
    return RunComparison(
        adherence_changes=adherence,
        case_changes_by_kind={kind: by_kind.get(kind, 0)
                              for kind in ("new", "resolved", "changed", "removed", "review_changed")},
        provenance_differences=_provenance_differences(old, new))


def _percent(value) -> str:
    return "n/a" if pd.isna(value) else f"{value:.1%}"


def format_comparison(comparison: RunComparison) -> str:
    """The national figures per rule, as a table for the terminal. Adherence is `before` and `after`,
    so that `new` means new cases only (a folder is often named `new` too)."""
    national = comparison.adherence_changes[comparison.adherence_changes["level"] == "national"]
    lines = [f"  {'':8} {'national adherence':>24} {'cases':>34}",
             f"  {'rule':8} {'before':>7} {'after':>7} {'change':>8} {'new':>6} {'resolved':>9} {'changed':>8} "
             f"{'removed':>8}"]
    for row in national.itertuples(index=False):
        change = "n/a" if pd.isna(row.change_percentage_points) else f"{row.change_percentage_points:+.1f}pp"
        lines.append(f"  {row.rule_id:8} {_percent(row.old_adherence):>7} {_percent(row.new_adherence):>7} "
                     f"{change:>8} {row.new_cases:>6} {row.resolved_cases:>9} {row.changed_cases:>8} "
                     f"{row.removed_cases:>8}")
    kinds = comparison.case_changes_by_kind
    lines.append("  cases: " + ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in kinds.items()))
    lines.extend(f"  note: {difference}" for difference in comparison.provenance_differences)
    return "\n".join(lines)
