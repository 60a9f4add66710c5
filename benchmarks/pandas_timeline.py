"""The patient timeline of methodology v2 (measures.md, "Shared definitions") in vectorised pandas.

An independent reference for benchmarks/pandas_reference.py: it reads only the validated tables of
an audit's DuckDB file and the audit's drug lookup (timeline.drug_name_map joined with
timeline.drug_value_set, used as an analyst would use a lookup table), and derives everything else
itself: index date, disease and receptor status at index, regimens, same-day lines, prior endocrine
therapy, bone metastases first recorded, ovarian procedures, decisions and follow-up.
Merges, group-bys and boolean masks only: no loops over rows, no row-wise apply.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

# measures.md defaults (pipelines/default_config.yaml "timeline"); every number is a parameter there
SITES_DAYS_AROUND_INDEX = 30
RECEPTOR_DAYS_AFTER_INDEX = 60
METASTASIS_SPECIMEN_DAYS_BEFORE_INDEX = 30
PALLIATIVE_UNKNOWN_INTENT_DAYS_BEFORE_INDEX = 30
PRIOR_ENDOCRINE_DAYS_BEFORE_INDEX = 30
EXCEPTION_DAYS_BEFORE_INDEX = 30
TRIGGER_DAYS_BEFORE_INDEX = 30

TABLE_COLUMNS = {
    "patients": "patient_id, sex, provider_code, date_of_death",
    "disease_events": "patient_id, event_date, event_type, de_novo, sites, menopausal_status, visceral_crisis",
    "pathology": "patient_id, sample_date, specimen_origin, er_status, her2_status",
    "systemic_therapy": "patient_id, regimen_id, drug_name, start_date, end_date, intent, clinical_trial",
    "radiotherapy": ("patient_id, course_id, start_date, intent, site, indication, technique, retreatment, "
                     "prescribed_dose_gy, prescribed_fractions"),
    "imaging": "patient_id, imaging_date, modality, purpose",
    "procedures": "patient_id, procedure_date, procedure",
    "treatment_decisions": "patient_id, decision_date, treatment, decision",
}
# the date columns of every table, for the last recorded date when no follow-up end is configured
RECORDED_DATES = {
    "disease_events": ["event_date"], "pathology": ["sample_date"], "systemic_therapy": ["start_date", "end_date"],
    "radiotherapy": ["start_date"], "imaging": ["imaging_date"], "procedures": ["procedure_date"],
    "care_events": ["event_date"], "treatment_decisions": ["decision_date"], "patients": ["date_of_death"],
}


def days(n: int) -> pd.Timedelta:
    return pd.Timedelta(days=n)


def flag(series: pd.Series) -> pd.Series:
    """A nullable boolean as plain bool: an empty flag is not flagged (measures.md)."""
    return series.fillna(False).astype(bool)


@dataclass
class Timeline:
    cohort: pd.DataFrame          # one row per patient: index date, sex, death, recurrence
    at_index: pd.DataFrame        # one row per cohort patient: sites, flags, menopausal and receptor status
    exposures: pd.DataFrame       # one row per drug given, with its class from the lookup
    regimens: pd.DataFrame        # one row per (patient, regimen_id)
    first_line: pd.DataFrame      # first palliative line (same-day regimens grouped)
    first_endocrine_line: pd.DataFrame
    prior_endocrine: pd.DataFrame  # patients with an endocrine drug started before index - 30 days
    tables: dict[str, pd.DataFrame]
    supplied: set[str]            # tables with at least one accepted row
    follow_up_end: pd.Timestamp


def read_tables(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    frames = {name: con.execute(f"select {columns} from validated.{name}").df() for name, columns in TABLE_COLUMNS.items()}
    frames["drug_lookup"] = con.execute(
        "select recorded_name, drug from timeline.drug_name_map").df().merge(
        con.execute("select drug, drug_class, class_group, is_anticancer, is_licensed_for_bone_metastases "
                    "from timeline.drug_value_set").df(), on="drug", how="left")
    frames["care_events"] = con.execute("select event_date from validated.care_events").df()
    return frames


def _cohort(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    events = t["disease_events"]
    metastatic = events[events["event_type"] == "metastatic_diagnosis"]
    index = metastatic.groupby("patient_id", as_index=False)["event_date"].min().rename(columns={"event_date": "index_date"})
    on_index = metastatic.merge(index, on="patient_id")
    on_index = on_index[on_index["event_date"] == on_index["index_date"]]
    # several events on the index date: a de novo flag on any of them holds
    recorded = on_index.assign(is_true=flag(on_index["de_novo"]), is_recorded=on_index["de_novo"].notna()
                               ).groupby("patient_id")[["is_true", "is_recorded"]].any()
    cohort = t["patients"].merge(index, on="patient_id")
    cohort["de_novo"] = cohort["patient_id"].map(
        recorded["is_true"].astype("boolean").where(recorded["is_recorded"])).astype("boolean")
    early = events[events["event_type"] == "early_diagnosis"].merge(index, on="patient_id")
    early_first = set(early.loc[early["event_date"] < early["index_date"], "patient_id"])
    cohort["is_recurrence"] = np.where(cohort["de_novo"].notna(), ~flag(cohort["de_novo"]),
                                       cohort["patient_id"].isin(early_first))
    return cohort


def _disease_at_index(events: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    near = events.merge(cohort[["patient_id", "index_date"]], on="patient_id")
    near = near[(near["event_date"] >= near["index_date"] - days(SITES_DAYS_AROUND_INDEX))
                & (near["event_date"] <= near["index_date"] + days(SITES_DAYS_AROUND_INDEX))].copy()
    sites = near[["patient_id", "sites"]].dropna().explode("sites")
    out = cohort[["patient_id"]].copy()
    out["bone_at_index"] = out["patient_id"].isin(sites.loc[sites["sites"] == "bone", "patient_id"])
    out["visceral_crisis_at_index"] = out["patient_id"].isin(near.loc[flag(near["visceral_crisis"]), "patient_id"])
    # menopausal status: the nearest event to the index date recording one (ties: earlier, then by value)
    near["days_from_index"] = (near["event_date"] - near["index_date"]).abs()
    recorded = near[near["menopausal_status"].isin(["pre", "peri", "post", "not_applicable"])]
    nearest = recorded.sort_values(["patient_id", "days_from_index", "event_date", "menopausal_status"]
                                   ).drop_duplicates("patient_id")
    return out.merge(nearest[["patient_id", "menopausal_status"]], on="patient_id", how="left")


def _receptors_at_index(pathology: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """Per receptor: the usable result closest to index among specimens up to index + 60 days,
    preferring a metastasis specimen from index - 30 days; a missing or unknown result is not usable."""
    results = pathology.melt(id_vars=["patient_id", "sample_date", "specimen_origin"],
                             value_vars=["er_status", "her2_status"], var_name="receptor", value_name="status")
    results = results[results["status"].isin(["positive", "negative", "borderline"])]
    results = results.merge(cohort[["patient_id", "index_date"]], on="patient_id")
    results = results[results["sample_date"] <= results["index_date"] + days(RECEPTOR_DAYS_AFTER_INDEX)].copy()
    results["not_preferred"] = ~((results["specimen_origin"] == "metastasis") & (
        results["sample_date"] >= results["index_date"] - days(METASTASIS_SPECIMEN_DAYS_BEFORE_INDEX)))
    results["days_from_index"] = (results["sample_date"] - results["index_date"]).abs()
    chosen = results.sort_values(["patient_id", "receptor", "not_preferred", "days_from_index", "sample_date",
                                  "specimen_origin", "status"], ascending=[True, True, True, True, False, True, True]
                                 ).drop_duplicates(["patient_id", "receptor"])
    wide = chosen.pivot(index="patient_id", columns="receptor", values="status")
    out = cohort[["patient_id"]].copy()
    for receptor in ("er_status", "her2_status"):
        out[receptor] = out["patient_id"].map(wide[receptor]) if receptor in wide else np.nan
        out[receptor] = out[receptor].fillna("unknown")
    return out


def _exposures(therapy: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    # a cell naming several drugs maps to several rows; an unrecognised name keeps its row, drug empty
    exposures = therapy.merge(lookup, left_on="drug_name", right_on="recorded_name", how="left")
    exposures["intent"] = exposures["intent"].fillna("unknown")
    for column in ("is_anticancer", "is_licensed_for_bone_metastases", "clinical_trial"):
        exposures[column] = flag(exposures[column])
    return exposures


def _regimens(exposures: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    e = exposures.assign(
        ongoing=exposures["end_date"].isna(),
        is_palliative_drug=exposures["intent"] == "palliative",
        is_adjuvant=exposures["intent"] == "adjuvant",
        is_neoadjuvant=exposures["intent"] == "neoadjuvant",
        is_supportive=exposures["intent"] == "supportive",
        anticancer_unknown_intent=exposures["is_anticancer"] & (exposures["intent"] == "unknown"),
        has_endocrine=exposures["class_group"] == "endocrine",
        has_aromatase_inhibitor=exposures["drug_class"] == "aromatase_inhibitor",
        has_gnrh_agonist=exposures["drug_class"] == "gnrh_agonist",
        has_anti_her2=exposures["class_group"] == "anti_her2",
        has_unrecognised=exposures["drug"].isna(),  # a name the value set does not know
        has_bone_targeted=exposures["class_group"] == "bone_targeted",
        # a recognised drug that is neither bone-targeted nor supportive makes the regimen more than supportive
        has_other_drug=exposures["drug"].notna() & ~exposures["class_group"].isin(["bone_targeted", "supportive"]),
    )
    flags = ["ongoing", "is_palliative_drug", "is_adjuvant", "is_neoadjuvant", "is_supportive",
             "anticancer_unknown_intent", "has_endocrine", "has_aromatase_inhibitor", "has_gnrh_agonist",
             "has_anti_her2", "has_unrecognised", "has_bone_targeted", "has_other_drug", "is_anticancer",
             "clinical_trial"]
    grouped = e.groupby(["patient_id", "regimen_id"], as_index=False)
    regimens = grouped[flags].any().merge(
        grouped.agg(start_date=("start_date", "min"), last_end=("end_date", "max")), on=["patient_id", "regimen_id"])
    regimens["end_date"] = regimens["last_end"].where(~regimens["ongoing"])
    # a regimen's intent when its drugs disagree: palliative, adjuvant, neoadjuvant, then supportive
    # (only when no anticancer drug's intent is unrecorded: letrozole + supportive denosumab is unknown)
    regimens["intent"] = np.select(
        [regimens["is_palliative_drug"], regimens["is_adjuvant"], regimens["is_neoadjuvant"],
         regimens["is_supportive"] & ~regimens["anticancer_unknown_intent"]],
        ["palliative", "adjuvant", "neoadjuvant", "supportive"], "unknown")
    regimens = regimens.merge(cohort[["patient_id", "index_date"]], on="patient_id", how="left")
    regimens["is_palliative"] = (regimens["intent"] == "palliative") | (
        (regimens["intent"] == "unknown")
        & (regimens["start_date"] >= regimens["index_date"] - days(PALLIATIVE_UNKNOWN_INTENT_DAYS_BEFORE_INDEX)))
    regimens["is_bone_targeted_only"] = regimens["has_bone_targeted"] & ~regimens["has_other_drug"]
    return regimens.rename(columns={"is_anticancer": "has_anticancer", "clinical_trial": "in_clinical_trial"})


def _lines(regimens: pd.DataFrame) -> pd.DataFrame:
    """Palliative lines: same-day palliative regimens of a patient are one line, their drugs together;
    a line needs an anticancer drug, and bone-targeted-only regimens stay outside lines."""
    palliative = regimens[regimens["is_palliative"] & ~regimens["is_bone_targeted_only"]]
    lines = palliative.groupby(["patient_id", "start_date"], as_index=False)[
        ["has_anticancer", "has_endocrine", "has_aromatase_inhibitor", "has_gnrh_agonist", "has_anti_her2",
         "has_unrecognised"]].any()
    return lines[lines["has_anticancer"]].sort_values(["patient_id", "start_date"])


def _follow_up_end(t: dict[str, pd.DataFrame], configured: str | None) -> pd.Timestamp:
    if configured:
        return pd.Timestamp(configured)
    return max(t[table][column].max() for table, columns in RECORDED_DATES.items() for column in columns
               if table in t and t[table][column].notna().any())


def build_timeline(con: duckdb.DuckDBPyConnection, follow_up_end: str | None = None) -> Timeline:
    t = read_tables(con)
    cohort = _cohort(t)
    at_index = _disease_at_index(t["disease_events"], cohort).merge(
        _receptors_at_index(t["pathology"], cohort), on="patient_id")
    exposures = _exposures(t["systemic_therapy"], t["drug_lookup"]).merge(
        cohort[["patient_id", "index_date"]], on="patient_id")
    regimens = _regimens(exposures, cohort)
    lines = _lines(regimens)
    first_line = lines.drop_duplicates("patient_id")
    first_endocrine_line = lines[lines["has_endocrine"]].drop_duplicates("patient_id")
    # GnRH agonists are ovarian suppression, not endocrine drugs, for prior therapy
    prior = exposures[(exposures["class_group"] == "endocrine")
                      & (exposures["start_date"] < exposures["index_date"] - days(PRIOR_ENDOCRINE_DAYS_BEFORE_INDEX))]
    prior_endocrine = prior.assign(is_tamoxifen=prior["drug_class"] == "tamoxifen").groupby(
        "patient_id", as_index=False).agg(prior_tamoxifen_only=("is_tamoxifen", "all"))
    supplied = {name for name, frame in t.items() if name in TABLE_COLUMNS and len(frame)}
    return Timeline(cohort=cohort, at_index=at_index, exposures=exposures, regimens=regimens,
                    first_line=first_line, first_endocrine_line=first_endocrine_line,
                    prior_endocrine=prior_endocrine, tables=t, supplied=supplied,
                    follow_up_end=_follow_up_end(t, follow_up_end))
