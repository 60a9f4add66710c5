"""The unit contract: what a rule's SQL file returns, one row per unit in the rule's population.

sql/outcomes/resolve_outcomes.sql turns these rows, of every rule at once, into case outcomes with the shared precedence
(exclusions, missing data, numerator, deaths, exceptions, follow-up). Every reason column holds
`code: text`: a stable short code (it becomes `reason_code`), then plain English for clinicians.
A rule returns the required columns; an optional column it leaves out is added with its default.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class UnitColumn:
    name: str
    type: str  # DuckDB type name as `describe` reports it; "any" for the evidence struct
    required: bool
    meaning: str
    default: str = "null"  # SQL default for an optional column


UNIT_COLUMNS = (
    UnitColumn("patient_id", "VARCHAR", True, "the patient's pseudonym"),
    UnitColumn("unit_id", "VARCHAR", True, "patient_id for patient units, else the course/regimen/scan/event id"),
    UnitColumn("unit_date", "DATE", True, "the date that sets the reporting period (the anchoring event's, "
                                          "or the index date)"),
    UnitColumn("provider_code", "VARCHAR", True, "the unit's own provider, else the patient's"),
    UnitColumn("numerator_met", "BOOLEAN", True, "true: adherent; false: not met; NULL: not known"),
    UnitColumn("evidence", "any", True, "a struct of the dates, drugs and doses that decided it"),
    UnitColumn("exclusion_reason", "VARCHAR", False, "set when a clinical exclusion applies"),
    UnitColumn("population_unknown_reason", "VARCHAR", False, "set when membership of the population is unknown"),
    UnitColumn("numerator_unknown_reason", "VARCHAR", False, "why the numerator is unknown (used when it is NULL)"),
    UnitColumn("adherent_reason", "VARCHAR", False, "what the record shows when the numerator is met"),
    UnitColumn("non_adherent_reason", "VARCHAR", False, "what the record shows when it is not met"),
    UnitColumn("exception_treatments", "VARCHAR[]", False, "treatment_decisions treatments that are exceptions",
               "[]::varchar[]"),
    UnitColumn("exception_window_start", "DATE", False, "first day a decision counts (default: index - 30 days; "
                                                        "event-anchored rules: the event - 30 days)"),
    UnitColumn("exception_window_end", "DATE", False, "last day a decision counts (NULL: no exception applies)"),
    UnitColumn("window_end", "DATE", False, "last day of the rule's window, for deaths and follow-up "
                                            "(NULL: the rule has no window)"),
    UnitColumn("deviation_date", "DATE", False, "when the record already shows the recommendation was not "
                                                "followed (e.g. a first line without endocrine therapy "
                                                "started): a later death or end of follow-up does not undo it"),
)


class UnitContractError(ValueError):
    """A rule's SQL returns columns the unit contract does not allow."""


def conformed_columns(con: duckdb.DuckDBPyConnection, table: str, sql_file: str) -> str:
    """The select list that reads the rule's units (in `table`) in the contract's shape: every column
    in contract order, an optional column left out as its default, a column of another type cast
    (`null as window_end` is typed INTEGER by DuckDB) when its values cast, and the evidence as JSON
    text (each rule's evidence struct has its own fields). Raises UnitContractError naming the file."""
    found = {name: type_ for name, type_, *_ in con.execute(f"describe {table}").fetchall()}
    extra = sorted(set(found) - {c.name for c in UNIT_COLUMNS})
    if extra:
        raise UnitContractError(f"{sql_file} returns columns the unit contract does not know: {', '.join(extra)}")
    select = []
    for column in UNIT_COLUMNS:
        if column.name not in found:
            if column.required:
                raise UnitContractError(f"{sql_file} returns no column '{column.name}' ({column.meaning})")
            select.append(f"{column.default}::{column.type} as {column.name}")
        elif column.type == "any":
            select.append(f"to_json({column.name})::varchar as {column.name}")
        elif found[column.name] == column.type:
            select.append(column.name)
        else:
            uncastable = con.execute(f"select count(*) from {table} where {column.name} is not null "
                                     f"and try_cast({column.name} as {column.type}) is null").fetchone()[0]
            if uncastable:
                raise UnitContractError(f"{sql_file}: column '{column.name}' is {found[column.name]}, "
                                        f"the unit contract says {column.type} ({column.meaning})")
            select.append(f"cast({column.name} as {column.type}) as {column.name}")
    return ", ".join(select)
