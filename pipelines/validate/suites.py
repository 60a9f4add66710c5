"""One Great Expectations suite per contract table, written from the contract as data.

Each expectation carries `meta` with the check's name, the column it concerns and the reason a
failing row is quarantined with; results are matched by that meta, never by position.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from pipelines.contract import BOOLEAN_FALSE, BOOLEAN_TRUE, Contract, Table
from pipelines.validate import staging

EARLIEST_DATE = dt.date(1900, 1, 1)
# The forms sql/macros/04_calendar_day_text.sql accepts, named so that the sender can fix the value.
DATE_REASON = ("{name} is not a real date in an accepted form (YYYY-MM-DD, or day first DD/MM/YYYY, "
               "DD-MM-YYYY or DD.MM.YYYY, optionally with a time; month-first dates and Excel day numbers "
               "are not read)")


ROW_QUARANTINED = "row_quarantined"
VALUE_SET_TO_UNKNOWN = "value_set_to_unknown"
UNKNOWN_ITEMS_REMOVED = "unknown_items_removed"


def _expectation(kind: str, column: str, check: str, reason: str, reported_column: str | None = None,
                 action: str = ROW_QUARANTINED, meta: dict | None = None, **kwargs) -> dict:
    """`meta` may add `value_column` (where the finding's value is read, if not the checked column)
    and `row_reason` (the reason per failing row, with `{count}` from the checked column)."""
    reported = reported_column or column.removesuffix("__text")
    return {"type": kind, "kwargs": {"column": column, **kwargs},
            "meta": {"check": check, "column": reported, "reason": reason, "action": action, **(meta or {})}}


def _bound(value, latest: dt.date):
    if value == "latest_valid_year":
        return latest.year
    return value


def _column_expectations(table: Table, contract: Contract, latest: dt.date) -> list[dict]:
    expectations = []
    for c in table.columns:
        name = c.name
        source = f"{name}__text" if c.is_parsed else name
        # A bad required value makes the row unusable; a bad optional value only makes that
        # value unknown, so one typo never removes a patient's diagnosis from the audit.
        action = ROW_QUARANTINED if c.required else VALUE_SET_TO_UNKNOWN
        before = len(expectations)
        if c.required:
            expectations.append(_expectation(
                "expect_column_values_to_not_be_null", source, f"{name}.required",
                f"{name} is required but empty"))
        if c.type == "enum":
            expectations.append(_expectation(
                "expect_column_values_to_be_in_set", name, f"{name}.code",
                f"{name} is not one of the contract's codes ({', '.join(c.values)})",
                value_set=list(c.values)))
        elif c.type == "enum_list":
            # One unknown code must not cost the list its known ones (`bone;mars` keeps bone
            # metastases): the unknown codes are removed and the row kept, whether required or not.
            codes = ", ".join(c.values)
            expectations.append(_expectation(
                "expect_column_values_to_be_in_set", f"{name}__unknown_items", f"{name}.codes",
                f"{name} holds codes outside the contract's list ({codes}): removed, the known codes kept",
                reported_column=name, action=UNKNOWN_ITEMS_REMOVED, value_set=[0],
                meta={"value_column": f"{name}__text",
                      "row_reason": f"{name} holds {{count}} code(s) outside the contract's list ({codes}): "
                                    "removed, the known codes kept"}))
        elif c.type == "ods_code":
            expectations.append(_expectation(
                "expect_column_values_to_match_regex", name, f"{name}.ods_code",
                f"{name} is not an ODS code (3 to 5 letters or digits)", regex=contract.ods_code_pattern))
        elif c.type == "date":
            expectations.append(_expectation(
                "expect_column_values_to_be_in_set", f"{name}__reading", f"{name}.date", DATE_REASON.format(name=name),
                reported_column=name, value_set=[staging.DATE_READ]))
            expectations.append(_expectation(
                "expect_column_values_to_be_between", name, f"{name}.date_range",
                f"{name} is before {EARLIEST_DATE} or after {latest} (a future date)",
                min_value=pd.Timestamp(EARLIEST_DATE), max_value=pd.Timestamp(latest)))
        elif c.type == "boolean":
            expectations.append(_expectation(
                "expect_column_values_to_be_in_set", source, f"{name}.boolean",
                f"{name} is not a boolean (true/false, 1/0, yes/no, y/n)",
                value_set=list(BOOLEAN_TRUE + BOOLEAN_FALSE)))
        elif c.type in ("integer", "decimal"):
            kind = "whole number" if c.type == "integer" else "number"
            expectations.append(_expectation(
                "expect_column_values_to_match_regex", source, f"{name}.{c.type}",
                f"{name} is not a {kind} (digits only, '.' for decimals, no thousands separators)",
                regex=staging.INTEGER_TEXT if c.type == "integer" else staging.DECIMAL_TEXT))
        if c.type in ("integer", "decimal") and (c.min is not None or c.max is not None or c.exclusive_min is not None):
            low = c.exclusive_min if c.exclusive_min is not None else _bound(c.min, latest)
            high = _bound(c.max, latest)
            opener = "above" if c.exclusive_min is not None else "from"
            expectations.append(_expectation(
                "expect_column_values_to_be_between", name, f"{name}.range",
                f"{name} is outside the plausible range ({opener} {low} to {high})",
                min_value=low, max_value=high, strict_min=c.exclusive_min is not None))
        for spec in expectations[before:]:
            if not spec["meta"]["check"].endswith(".required") and spec["meta"]["action"] == ROW_QUARANTINED:
                spec["meta"]["action"] = action
    return expectations


def _row_expectations(table: Table) -> list[dict]:
    expectations = [
        _expectation("expect_column_values_to_not_be_in_set", "duplicate_status", "row.exact_duplicate",
                     "exact duplicate of an earlier row (the first copy is kept)",
                     reported_column="(row)", value_set=[staging.EXACT_DUPLICATE]),
    ]
    if table.key:
        expectations.append(_expectation(
            "expect_column_values_to_not_be_in_set", "duplicate_status", "row.key_conflict",
            f"{' + '.join(table.key)} is not unique: other rows have it with different values "
            "(every copy is quarantined)", reported_column="+".join(table.key), value_set=[staging.CONFLICTING_DUPLICATE]))
    if table.references_patients:
        expectations.append(_expectation(
            "expect_column_values_to_not_be_in_set", "patient_reference", "patient_id.known",
            "patient_id is not in the patients table", reported_column="patient_id", value_set=[staging.UNKNOWN_PATIENT]))
        expectations.append(_expectation(
            "expect_column_values_to_not_be_in_set", "patient_reference", "patient_id.accepted",
            "the patient's row in patients was quarantined", reported_column="patient_id",
            value_set=[staging.QUARANTINED_PATIENT]))
    for check in table.row_checks:
        expectations.append(_expectation(
            "expect_column_values_to_not_be_in_set", f"check__{check.name}", f"{check.column}.{check.name}",
            check.reason, reported_column=check.column, value_set=[staging.FAILED]))
    return expectations


def suite_expectations(table: Table, contract: Contract, latest_valid_date: dt.date) -> list[dict]:
    """The table's expectations as plain configurations (type, kwargs, meta)."""
    return _column_expectations(table, contract, latest_valid_date) + _row_expectations(table)
