"""Bad extracts: values (code lists with unknown codes, booleans, ODS codes, dates before the
year of birth), each tried in every column of its type that the contract has."""
from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from tests.robustness.damage import (BASE_ROWS, BadExtract, Finding, accepted_after_bad_values,
                                     bad_value_in_every_column, both, columns_of_type, edit, findings_in_every_column,
                                     rows, write_rows)

BEFORE_BIRTH = "2004-06-01"  # P1 is given birth year 2010


def _sites_keep_their_known_codes(con: duckdb.DuckDBPyConnection) -> None:
    sites = dict(con.execute("select source_row, sites from validated.disease_events").fetchall())
    assert sites == {1: ["bone"], 2: None, 3: ["bone", "liver"]}, sites


def _ods_codes_upper_cased(con: duckdb.DuckDBPyConnection) -> None:
    for name, column in columns_of_type("ods_code"):
        values = {v for (v,) in con.execute(f"select distinct {column.name} from validated.{name}").fetchall()}
        assert values <= {"RAA", "RBB", "QAA", None} and values - {None}, (name, column.name, values)


def _lower_case_ods_codes(folder: Path) -> None:
    for name, table in load_contract().tables.items():
        codes = [c.name for c in table.columns if c.type == "ods_code"]
        records = rows(folder, name)
        for record in records:
            record.update({c: (record[c] or "raa").lower() for c in codes})
        write_rows(folder, name, records)


def _dated_before_birth(tables: dict[str, str]):
    """P1 (each table's first row) born in 2010, with a row of each table dated 2004."""
    damages = [edit("patients", 0, birth_year="2010")]
    damages += [edit(name, 0, **{column: BEFORE_BIRTH}) for name, column in tables.items()]
    return both(*damages)


# Every table's event date that the contract checks against the year of birth, and that check.
AFTER_BIRTH_YEAR = {name: check.column for name, table in load_contract().tables.items()
                    for check in table.row_checks if check.name == "after_birth_year" and name != "patients"}

CASES: list[BadExtract] = [
    BadExtract("unknown_item_in_a_code_list", both(edit("disease_events", 0, sites="Bone; mars"),
                                                   edit("disease_events", 1, sites="mars;venus")),
               findings=[Finding("disease_events", "sites.codes", "unknown_items_removed",
                                 reason="sites holds 1 code(s) outside the contract's list", value="Bone; mars"),
                         Finding("disease_events", "sites.codes", "unknown_items_removed",
                                 reason="sites holds 2 code(s) outside the contract's list", value="mars;venus")],
               rows_accepted={"disease_events": BASE_ROWS}, validated=_sites_keep_their_known_codes),
    BadExtract("invalid_boolean_in_every_boolean_column", bad_value_in_every_column(("boolean",), ("maybe",)),
               findings=findings_in_every_column(("boolean",), lambda c: "boolean"),
               rows_accepted=accepted_after_bad_values(("boolean",), 1)),
    BadExtract("invalid_ods_code_in_every_ods_column",
               bad_value_in_every_column(("ods_code",), ("RGTXXXX", "R-GT")),
               # patients.provider_code is required: its row is quarantined; the others are optional
               findings=findings_in_every_column(("ods_code",), lambda c: "ods_code"),
               rows_accepted=accepted_after_bad_values(("ods_code",), 2)),
    BadExtract("lower_case_ods_codes", _lower_case_ods_codes,
               absent=findings_in_every_column(("ods_code",), lambda c: "ods_code"),
               rows_accepted={name: BASE_ROWS for name, _ in columns_of_type("ods_code")},
               validated=_ods_codes_upper_cased),
    BadExtract("event_dates_before_birth_year_in_every_table", _dated_before_birth(AFTER_BIRTH_YEAR),
               findings=[Finding(name, f"{column}.after_birth_year", reason="before the patient's year of birth")
                         for name, column in AFTER_BIRTH_YEAR.items()],
               rows_accepted={name: BASE_ROWS - 1 for name in AFTER_BIRTH_YEAR}),
    BadExtract("death_before_birth_year", edit("patients", 1, date_of_death="1950-01-01"),
               findings=[Finding("patients", "date_of_death.after_birth_year")]
               + [Finding(name, "patient_id.accepted") for name in AFTER_BIRTH_YEAR],
               rows_accepted={"patients": BASE_ROWS - 1, **{name: BASE_ROWS - 1 for name in AFTER_BIRTH_YEAR}}),
]
