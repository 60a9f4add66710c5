"""Timeline stage: each patient's index date, disease and receptors at index, regimens and lines.

Shared clinical definitions live here once; rules read these tables and never re-derive them.
Each SQL model under sql/timeline/ is one asset; its upstream assets come from the tables it reads.
"""
from graphlib import TopologicalSorter

import dagster as dg
import pandas as pd

from audit_rules.drug_value_set import class_attributes_rows, load_drug_value_set
from pipelines.engines import stage_connection
from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.sql_runner import create_table, upstream_assets
from sql import SQL_DIR

SQL_MODELS = {
    "patient_cohort": "Cohort: patients with a metastatic diagnosis, their index date and period.",
    "disease_at_index": "Sites, flags, menopausal and performance status at index.",
    "receptor_status_at_index": "ER, PR and HER2 status at index (metastasis specimen preferred).",
    "drug_exposures": "Drugs given, mapped to generic names and classes.",
    "regimens": "Regimens with dates, intent, drug classes, palliative and line-of-therapy flags.",
    "lines_of_therapy": "Palliative lines of therapy, numbered; chemotherapy and endocrine lines.",
    "prior_endocrine_therapy": "Endocrine therapy before advanced disease (none / tamoxifen only / other), and "
                               "whether it is unknown (prior_therapy_history: partial).",
    "ovarian_suppression": "GnRH agonist courses and ovarian ablation or oophorectomy.",
    "anthracycline_suitability": "When each patient became unsuitable for anthracyclines (prior anthracycline "
                                 "regimen ended, or a contraindicated / not suitable decision).",
    "docetaxel_suitability": "When docetaxel was first recorded as contraindicated (1.3.10, 1.3.11).",
    "chemotherapy_lines_after_anthracycline_unsuitability": "Palliative chemotherapy lines starting after "
                                 "unsuitability for anthracyclines, numbered from that point (1.3.10).",
    "imaging_scans": "Imaging results with stable scan ids and the modality's clinical name.",
    "pathology_specimens": "Pathology specimens with the shared definition 'receptor assessed' (ER and HER2 results).",
    "radiotherapy_courses": "Radiotherapy courses with the provider each is reported under.",
    "care_records": "Care events and procedures in one shape: the care rules look for.",
    "brain_metastases": "First CNS event, the 1.5.18 surgical criteria on it, and brain surgery and radiotherapy after it.",
    "treatment_decisions": "Documented decisions not to treat, from index - 30 days (rule exceptions).",
    "progression_events": "Progression events after index with stable ids: CNS only, outside the CNS, or unknown.",
    "clinical_triggers": "First fatigue report and first events flagged uncontrolled local disease, "
                         "fungating tumour or long-bone fracture risk, bone metastases, brain surgery or "
                         "whole brain radiotherapy (complication rule anchors), with what was recorded on it.",
    "patient_timeline": "One row per cohort patient with everything patient-level rules need.",
    "follow_up": "The last day the extract can show care (configured, or the latest recorded date).",
    "extract_tables": "Which tables the extract supplied with usable rows (absent, empty or wholly "
                      "quarantined tables leave the rules that need them insufficient_data).",
}


def _value_set(audit: AuditSettings):
    return load_drug_value_set(extra_names=audit.config.section("value_sets")["drug_names"] or None,
                               extra_drugs=audit.config.section("value_sets")["drugs"] or None)


def build_drug_value_set(con, audit: AuditSettings) -> dict:
    rows = pd.DataFrame(class_attributes_rows(_value_set(audit)))
    con.register("value_set_rows", rows)
    con.execute("create or replace table timeline.drug_value_set as select * from value_set_rows order by drug")
    con.unregister("value_set_rows")
    return {"drugs": len(rows)}


def build_drug_name_map(con, audit: AuditSettings) -> dict:
    value_set = _value_set(audit)
    names = con.execute("""select drug_name, count(*) from validated.systemic_therapy
                           group by drug_name order by drug_name""").fetchall()
    rows = []
    for recorded, count in names:
        mapping = value_set.map_name(recorded)
        for drug in mapping.drugs or (None,):
            rows.append({"recorded_name": recorded, "drug": drug, "match_method": mapping.method,
                         "unrecognised_parts": "; ".join(mapping.unrecognised_parts), "rows": count})
    frame = pd.DataFrame(rows, columns=["recorded_name", "drug", "match_method", "unrecognised_parts", "rows"])
    con.register("name_rows", frame)
    con.execute("create or replace table timeline.drug_name_map as select * from name_rows order by recorded_name, drug")
    con.unregister("name_rows")
    unrecognised = con.execute("""select count(distinct recorded_name), coalesce(sum(rows), 0)
        from timeline.drug_name_map where match_method in ('unrecognised', 'partial')""").fetchone()
    return {"distinct_names": len(names), "unrecognised_names": unrecognised[0],
            "rows_with_unrecognised_names": int(unrecognised[1])}


# Models built in Python (the drug value set is data in YAML; name matching is fuzzy), before the SQL.
PYTHON_MODELS = {
    "drug_value_set": ("The drug value set (audit_rules/value_sets/drugs.yaml): drug, class, flags.",
                       [], build_drug_value_set),
    "drug_name_map": ("Every distinct recorded drug name mapped to generic drugs (brands, misspellings, "
                      "combinations); unrecognised names kept with drug = NULL and counted.",
                      ["validated_systemic_therapy", "drug_value_set"], build_drug_name_map),
}


def _sql_file(name: str) -> str:
    return f"timeline/{name}.sql"


def _check_every_sql_file_is_a_model() -> None:
    """A timeline SQL file that no model lists would be silently ignored: refuse that instead."""
    found = {path.stem for path in (SQL_DIR / "timeline").glob("*.sql")}
    unlisted, missing = sorted(found - set(SQL_MODELS)), sorted(set(SQL_MODELS) - found)
    if unlisted or missing:
        raise ValueError(f"sql/timeline and SQL_MODELS in {__name__} disagree: "
                         f"unlisted files {unlisted}, models without a file {missing}")


def _model_order() -> list[str]:
    """Every timeline model after the ones it reads (stable: listing order among equals)."""
    deps = {name: [d for d in spec[1] if d in PYTHON_MODELS] for name, spec in PYTHON_MODELS.items()}
    deps.update({name: [d for d in upstream_assets(_sql_file(name)) if d in SQL_MODELS or d in PYTHON_MODELS]
                 for name in SQL_MODELS})
    return list(TopologicalSorter(deps).static_order())


_check_every_sql_file_is_a_model()
MODEL_ORDER = _model_order()


def _spec(name: str) -> dg.AssetSpec:
    if name in PYTHON_MODELS:
        description, deps, _ = PYTHON_MODELS[name]
        return dg.AssetSpec(name, group_name="timeline", deps=deps, kinds={"duckdb", "python"},
                            description=description)
    return dg.AssetSpec(name, group_name="timeline", deps=upstream_assets(_sql_file(name)), kinds={"duckdb", "sql"},
                        description=SQL_MODELS[name], metadata={"sql": _sql_file(name)})


# One step for the whole timeline (each model's SQL takes milliseconds, a Dagster step ~0.25 s);
# every model stays an asset of its own in the graph, and the UI can materialise a subset.
@dg.multi_asset(name="timeline", specs=[_spec(n) for n in MODEL_ORDER], can_subset=True)
def timeline_models(context: dg.AssetExecutionContext, audit: AuditSettings, duckdb: AuditDatabase):
    selected = {key.to_user_string() for key in context.selected_asset_keys}
    with stage_connection(audit, duckdb, context.run_id) as con:
        con.execute("create schema if not exists timeline")
        for name in MODEL_ORDER:
            if name not in selected:
                continue
            if name in PYTHON_MODELS:
                metadata = PYTHON_MODELS[name][2](con, audit)
            else:
                rows = create_table(con, f"timeline.{name}", _sql_file(name), audit.config.section("timeline"))
                metadata = {"rows": rows, "sql": _sql_file(name)}
            yield dg.MaterializeResult(asset_key=name, metadata=metadata)


timeline_assets = [timeline_models]
