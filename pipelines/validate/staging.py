"""Builds staged.<table>: raw text parsed to the contract's types, plus cross-row check columns.

Great Expectations validates this table batch by batch. Checks that need the whole table
(duplicates, references to patients) are computed here by DuckDB as status columns, so that
each batch carries what its suite needs. Parsed columns keep their text in `<column>__text`
so that an unparseable value is reported as such rather than as an empty one.
"""
from __future__ import annotations

from pipelines.contract import Column, Table

EXACT_DUPLICATE = "exact_duplicate"
CONFLICTING_DUPLICATE = "conflicting_duplicate"
UNKNOWN_PATIENT = "not_in_patients"
QUARANTINED_PATIENT = "patient_quarantined"
FAILED = "failed"
DATE_READ, DATE_UNREADABLE = "read", "unreadable"
# The number forms the suite accepts. A number is parsed only from text in its form, so that a value
# the suite finds malformed is never also judged by its range (and 'NaN', '2.5' in a whole-number
# column or '1e3' read no differently by DuckDB and Spark).
INTEGER_TEXT = r"^[+-]?\d{1,18}(?:\.0+)?$"  # 18 digits: always fits a BIGINT, never silently NULL
DECIMAL_TEXT = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"


def sql_list(values) -> str:
    """Contract codes as a DuckDB list literal."""
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _parsed_expressions(column: Column) -> list[str]:
    raw = f'r."{column.name}"'
    name = column.name
    text = f"nullif(trim({raw}), '')"
    match column.type:
        case "string":
            return [f"{text} as {name}"]
        case "ods_code":
            return [f"upper({text}) as {name}"]
        case "enum":
            return [f"lower({text}) as {name}"]
        case "enum_list":
            # The list as recorded in __text; the count of its codes outside the contract's list in
            # __unknown_items: those are removed and the known ones kept (validated_select).
            codes = f"nullif(trim(regexp_replace(lower({text}), '\\s*;\\s*', ';', 'g'), ';'), '')"
            unknown = f"lambda s: s <> '' and not list_contains({sql_list(column.values)}, s)"
            return [f"{codes} as {name}", f"{text} as {name}__text",
                    f"array_length(list_filter(string_split({codes}, ';'), {unknown})) as {name}__unknown_items"]
        case "date":
            # __reading: whether the text is a date in one of the contract's forms (NULL when empty),
            # the one column the suite checks, so that each value is read the same way here and there.
            return [f"{text} as {name}__text", f"parse_date({raw}) as {name}",
                    f"case when {text} is not null then (case when parse_date({raw}) is null then "
                    f"'{DATE_UNREADABLE}' else '{DATE_READ}' end) end as {name}__reading"]
        case "integer":
            return [f"{text} as {name}__text", f"case when regexp_full_match(trim({raw}), '{INTEGER_TEXT}') "
                                               f"then try_cast(regexp_replace(trim({raw}), '\\.0+$', '') as bigint) end as {name}"]
        case "decimal":
            return [f"{text} as {name}__text", f"case when regexp_full_match(trim({raw}), '{DECIMAL_TEXT}') "
                                               f"then try_cast(trim({raw}) as double) end as {name}"]
        case "boolean":
            return [f"lower({text}) as {name}__text", f"parse_boolean({raw}) as {name}"]
    raise ValueError(f"unhandled column type {column.type}")


def staging_select(table: Table) -> str:
    """The select that defines staged.<table>, ordered by source row."""
    parsed = ",\n        ".join(e for c in table.columns for e in _parsed_expressions(c))
    all_columns = ", ".join(table.column_names)
    exact_copies = f"count(*) over (partition by {all_columns})"
    first_copy = f"row_number() over (partition by {all_columns} order by source_row) = 1"
    if table.key:
        key_copies = f"count(*) over (partition by {', '.join(table.key)})"
        duplicate_status = (f"case when {key_copies} > {exact_copies} then '{CONFLICTING_DUPLICATE}' "
                            f"when not {first_copy} then '{EXACT_DUPLICATE}' else 'unique' end")
    else:
        duplicate_status = f"case when not {first_copy} then '{EXACT_DUPLICATE}' else 'unique' end"
    helpers = [f"{duplicate_status} as duplicate_status"]
    joins = ""
    if table.references_patients:
        helpers.append(
            f"case when accepted.patient_id is not null then 'accepted' "
            f"when known.patient_id is not null then '{QUARANTINED_PATIENT}' "
            f"else '{UNKNOWN_PATIENT}' end as patient_reference")
        helpers.append("accepted.birth_year as patient_birth_year")  # for the contract's after_birth_year checks
        joins = ("left join (select patient_id, any_value(birth_year) as birth_year from validated.patients "
                 "group by patient_id) accepted using (patient_id)\n"
                 "    left join (select distinct nullif(trim(patient_id), '') as patient_id from raw.patients) known "
                 "using (patient_id)")
    for check in table.row_checks:
        helpers.append(f"case when coalesce({check.condition}, true) then 'ok' else '{FAILED}' end "
                       f"as check__{check.name}")
    return f"""with parsed as (
    select r.source_row,
        {parsed}
    from raw.{table.name} r
)
select parsed.*,
    {(',' + chr(10) + '    ').join(helpers)}
from parsed
    {joins}
order by source_row"""


def validated_select(table: Table) -> str:
    """Accepted rows with the contract's types: quarantined rows left out, values found invalid
    set to unknown (NULL), enum lists split into lists of their known codes (NULL when none is)."""
    columns = []
    for column in table.columns:
        value = column.name
        if column.type == "enum_list":
            known = f"list_filter(string_split({value}, ';'), lambda s: list_contains({sql_list(column.values)}, s))"
            value = f"case when array_length({known}) > 0 then {known} end"
        if not column.required:
            value = f"case when list_contains(f.unknown_columns, '{column.name}') then null else {value} end"
        columns.append(f"{value} as {column.name}")
    return f"""with findings as (
    select source_row,
        bool_or(action = 'row_quarantined') as is_quarantined,
        list(column_name) filter (where action = 'value_set_to_unknown') as unknown_columns
    from validated.quarantine
    where table_name = '{table.name}' and source_row is not null
    group by source_row
)
select s.source_row, {', '.join(columns)}
from staged.{table.name} s
    left join findings f using (source_row)
where not coalesce(f.is_quarantined, false)
order by s.source_row"""
