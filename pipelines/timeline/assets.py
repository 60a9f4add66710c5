"""Timeline stage: each patient's index date, disease and receptors at index, regimens and lines.

Shared clinical definitions live here once; rules read these tables and never re-derive them.
Each SQL model under sql/timeline/ is one asset; its upstream assets come from the tables it reads.
"""
import dagster as dg
import pandas as pd

from pipelines.resources import AuditDatabase, AuditSettings
from pipelines.sql_runner import create_table, upstream_assets
from pipelines.timeline.drug_names import class_attributes_rows, load_drug_value_set

SQL_MODELS = {
    "patient_cohort": "Cohort: patients with a metastatic diagnosis, their index date and period.",
    "disease_at_index": "Sites, flags, menopausal and performance status at index.",
    "receptor_status_at_index": "ER, PR and HER2 status at index (metastasis specimen preferred).",
    "drug_exposures": "Drugs given, mapped to generic names and classes.",
    "regimens": "Regimens with dates, intent, drug classes, palliative and line-of-therapy flags.",
    "lines_of_therapy": "Palliative lines of therapy, numbered; chemotherapy and endocrine lines.",
    "prior_endocrine_therapy": "Endocrine therapy before advanced disease (none / tamoxifen only / other).",
    "ovarian_suppression": "GnRH agonist courses and ovarian ablation or oophorectomy.",
    "anthracycline_suitability": "When each patient became unsuitable for anthracyclines (prior anthracycline "
                                 "regimen ended, or a contraindicated / not suitable decision).",
    "chemotherapy_lines_after_anthracycline_unsuitability": "Palliative chemotherapy lines starting after "
                                 "unsuitability for anthracyclines, numbered from that point (1.3.10).",
    "brain_metastases": "First CNS event, the 1.5.18 surgical criteria on it, and brain surgery and radiotherapy after it.",
    "treatment_decisions": "Documented decisions not to treat, from index - 30 days (rule exceptions).",
    "progression_events": "Progression events after index with stable ids: CNS only, outside the CNS, or unknown.",
    "clinical_triggers": "First fatigue report and first events flagged uncontrolled local disease, "
                         "fungating tumour or long-bone fracture risk, bone metastases, brain surgery or "
                         "whole brain radiotherapy (complication rule anchors).",
    "patient_timeline": "One row per cohort patient with everything patient-level rules need.",
    "follow_up": "The last day the extract can show care (configured, or the latest recorded date).",
    "extract_tables": "Which tables the extract supplied with usable rows (absent, empty or wholly "
                      "quarantined tables leave the rules that need them insufficient_data).",
}


def build_sql_model(name: str, description: str) -> dg.AssetsDefinition:
    sql_file = f"timeline/{name}.sql"

    @dg.asset(name=name, group_name="timeline", deps=upstream_assets(sql_file), kinds={"duckdb", "sql"},
              description=description)
    def sql_model(audit: AuditSettings, duckdb: AuditDatabase) -> dg.MaterializeResult:
        with duckdb.connect() as con:
            con.execute("create schema if not exists timeline")
            rows = create_table(con, f"timeline.{name}", sql_file, audit.config.section("timeline"))
        return dg.MaterializeResult(metadata={"rows": rows, "sql": sql_file})

    return sql_model


def _value_set(audit: AuditSettings):
    return load_drug_value_set(extra_names=audit.config.section("value_sets")["drug_names"] or None,
                               extra_drugs=audit.config.section("value_sets")["drugs"] or None)


@dg.asset(group_name="timeline", kinds={"duckdb", "python"},
          description="The drug value set (audit_rules/value_sets/drugs.yaml): drug, class, flags.")
def drug_value_set(audit: AuditSettings, duckdb: AuditDatabase) -> dg.MaterializeResult:
    rows = pd.DataFrame(class_attributes_rows(_value_set(audit)))
    with duckdb.connect() as con:
        con.execute("create schema if not exists timeline")
        con.register("value_set_rows", rows)
        con.execute("create or replace table timeline.drug_value_set as select * from value_set_rows order by drug")
    return dg.MaterializeResult(metadata={"drugs": len(rows)})


@dg.asset(group_name="timeline", deps=["validated_systemic_therapy", drug_value_set], kinds={"duckdb", "python"},
          description="Every distinct recorded drug name mapped to generic drugs (brands, misspellings, "
                      "combinations); unrecognised names kept with drug = NULL and counted.")
def drug_name_map(audit: AuditSettings, duckdb: AuditDatabase) -> dg.MaterializeResult:
    value_set = _value_set(audit)
    with duckdb.connect() as con:
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
        con.execute("create schema if not exists timeline")
        con.execute("create or replace table timeline.drug_name_map as select * from name_rows order by recorded_name, drug")
        unrecognised = con.execute("""select count(distinct recorded_name), coalesce(sum(rows), 0)
            from timeline.drug_name_map where match_method in ('unrecognised', 'partial')""").fetchone()
    return dg.MaterializeResult(metadata={"distinct_names": len(names), "unrecognised_names": unrecognised[0],
                                          "rows_with_unrecognised_names": int(unrecognised[1])})


timeline_assets = [drug_value_set, drug_name_map] + [build_sql_model(n, d) for n, d in SQL_MODELS.items()]
