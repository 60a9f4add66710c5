"""A vectorised pandas reference of five rules (issue 14): 1.3.1, 1.3.4a, 1.5.16, 1.1.7 and 1.5.14,
written from measures.md (version 2) as an analyst would, on the validated tables of an audit's
DuckDB file (benchmarks/pandas_timeline.py derives the timeline itself).

    reference_outcomes(database)   -> DataFrame rule_id, patient_id, unit_id, outcome
    time_reference(database)       -> times these five rules beside the same five SQL rules

tests/benchmarks/test_pandas_reference.py checks it gives the audit's case outcomes on a 10k
extract; benchmarks/run.py --pandas-reference prints the timing ratio.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from benchmarks.pandas_timeline import EXCEPTION_DAYS_BEFORE_INDEX, TRIGGER_DAYS_BEFORE_INDEX, Timeline, \
    build_timeline, days, flag

RULE_IDS = ("1.3.1", "1.3.4a", "1.5.16", "1.1.7", "1.5.14")
OUTPUT_COLUMNS = ["rule_id", "patient_id", "unit_id", "outcome"]

# measures.md v2 defaults (the catalogue's parameters)
FIRST_LINE_WITHIN_DAYS = 180
OVARIAN_PROCEDURE_DAYS_BEFORE_INDEX = 30
OVARIAN_PROCEDURE_DAYS_AFTER_FIRST_LINE = 30
AI_EXCEPTION_DAYS_AFTER_ENDOCRINE_START = 30
SINGLE_FRACTION_DOSE_GY = 8.0
COURSE_DAYS_BEFORE_INDEX = 30
BONE_AGENT_WINDOW = (-30, 90)


def _units(frame: pd.DataFrame, unit_id: pd.Series | None = None) -> pd.DataFrame:
    """The unit fields the eCQM precedence reads, defaulted: no exclusion, nothing unknown, no window."""
    units = pd.DataFrame({"patient_id": frame["patient_id"].to_numpy(),
                          "unit_id": (frame["patient_id"] if unit_id is None else unit_id).to_numpy()})
    for column in ("excluded", "population_unknown"):
        units[column] = False
    units["numerator_met"] = pd.array([pd.NA] * len(units), dtype="boolean")
    for column in ("window_end", "deviation_date", "exception_start", "exception_end"):
        units[column] = pd.Series(pd.NaT, index=units.index, dtype="datetime64[us]")
    return units


def resolve(units: pd.DataFrame, rule_id: str, timeline: Timeline, exception_treatments: list[str],
            needs_tables: list[str]) -> pd.DataFrame:
    """Outcomes with the eCQM precedence (measures.md "Populations and outcomes"): a table the rule
    needs is missing, exclusions, population unknown, numerator met, death in an open window (unless
    the record already decided), a documented decision, window open at follow-up end, numerator
    unknown, else non_adherent."""
    cohort = timeline.cohort[["patient_id", "index_date", "date_of_death"]]
    u = units.merge(cohort, on="patient_id", how="left")
    u["exception_start"] = u["exception_start"].fillna(u["index_date"] - days(EXCEPTION_DAYS_BEFORE_INDEX))
    decisions = timeline.tables["treatment_decisions"]
    decisions = decisions[decisions["treatment"].isin(exception_treatments)]
    matched = u[["patient_id", "unit_id", "exception_start", "exception_end"]].merge(decisions, on="patient_id")
    matched = matched[(matched["decision_date"] >= matched["exception_start"])
                      & (matched["decision_date"] <= matched["exception_end"])]
    decided = pd.MultiIndex.from_frame(matched[["patient_id", "unit_id"]])
    u["has_decision"] = pd.MultiIndex.from_frame(u[["patient_id", "unit_id"]]).isin(decided)

    undecided_at_death = u["deviation_date"].isna() | (u["deviation_date"] > u["date_of_death"])
    died_in_open_window = (u["date_of_death"] < u["window_end"]) & undecided_at_death  # a death on the last day closes it
    end = timeline.follow_up_end
    open_at_follow_up_end = (u["window_end"] > end) & (u["deviation_date"].isna() | (u["deviation_date"] > end))
    met = u["numerator_met"]
    tables_missing = not set(needs_tables) <= timeline.supplied
    u["outcome"] = np.select(
        [np.full(len(u), tables_missing), u["excluded"], u["population_unknown"], flag(met),
         died_in_open_window, u["has_decision"], open_at_follow_up_end, met.isna()],
        ["insufficient_data", "excluded", "insufficient_data", "adherent",
         "excluded", "excluded", "excluded", "insufficient_data"], "non_adherent")
    u["rule_id"] = rule_id
    return u[OUTPUT_COLUMNS]


def first_line_endocrine(t: Timeline, her2_exclusion: bool = True) -> pd.DataFrame:
    """1.3.1: ER-positive patients; first line contains an endocrine drug or ovarian suppression."""
    p = t.cohort.merge(t.at_index, on="patient_id")
    p = p[p["er_status"].isin(["positive", "unknown"])]
    fl = t.first_line.rename(columns=lambda c: c if c == "patient_id" else f"fl_{c}")
    p = p.merge(fl, on="patient_id", how="left")
    has_first_line = p["fl_start_date"] <= p["index_date"] + days(FIRST_LINE_WITHIN_DAYS)
    procedures = t.tables["procedures"]
    ovarian = procedures[procedures["procedure"].isin(["oophorectomy", "ovarian_ablation_radiotherapy"])]
    near = p[["patient_id", "index_date", "fl_start_date"]].merge(ovarian, on="patient_id")
    near = near[(near["procedure_date"] >= near["index_date"] - days(OVARIAN_PROCEDURE_DAYS_BEFORE_INDEX))
                & (near["procedure_date"] <= near["fl_start_date"] + days(OVARIAN_PROCEDURE_DAYS_AFTER_FIRST_LINE))]
    has_ovarian_procedure = p["patient_id"].isin(near["patient_id"])
    units = _units(p)
    window = p["index_date"] + days(FIRST_LINE_WITHIN_DAYS)
    anti_her2 = flag(p["fl_has_anti_her2"]) & her2_exclusion
    # exclusions (measures.md 1.3.1): visceral crisis; HER2-directed first line of HER2-positive disease;
    # death before the 180 days closed without a first line (a death on day 180 closes them)
    died_without_first_line = ~has_first_line & (p["date_of_death"] < window)
    units["excluded"] = (p["visceral_crisis_at_index"] | (anti_her2 & (p["her2_status"] == "positive"))
                         | died_without_first_line).to_numpy()
    units["population_unknown"] = ((p["er_status"] == "unknown")
                                   | (anti_her2 & p["her2_status"].isin(["unknown", "borderline"]))).to_numpy()
    met = flag(p["fl_has_endocrine"]) | flag(p["fl_has_gnrh_agonist"]) | has_ovarian_procedure
    # an unrecognised drug name beside the recognised ones may be the endocrine drug: not known
    met = met.astype("boolean").mask(~met & flag(p["fl_has_unrecognised"]), pd.NA)
    units["numerator_met"] = pd.array(met.where(has_first_line).to_numpy(), dtype="boolean")
    units["exception_end"] = window.to_numpy()
    units["window_end"] = window.where(~has_first_line).to_numpy()
    return resolve(units, "1.3.1", t, ["endocrine_therapy"], ["systemic_therapy"])


def aromatase_inhibitor(t: Timeline, prior_therapy_history: str = "complete") -> pd.DataFrame:
    """1.3.4a: postmenopausal ER-positive women, no prior endocrine therapy, who start palliative
    endocrine therapy; the first palliative endocrine line contains an aromatase inhibitor."""
    p = t.cohort.merge(t.at_index, on="patient_id").merge(
        t.first_endocrine_line.rename(columns=lambda c: c if c == "patient_id" else f"fel_{c}"), on="patient_id")
    p = p[~p["patient_id"].isin(t.prior_endocrine["patient_id"])]
    menopausal = p["menopausal_status"].fillna("unknown")
    p = p[p["er_status"].isin(["positive", "unknown"]) & p["sex"].isin(["female", "unknown"])
          & ~menopausal.isin(["pre", "peri", "not_applicable"])]
    menopausal = p["menopausal_status"].fillna("unknown")
    unknown = (p["sex"] == "unknown") | (p["er_status"] == "unknown") | (menopausal != "post")
    if prior_therapy_history == "partial":  # a recurrence with no recorded prior therapy is not known to be naive
        unknown |= flag(p["is_recurrence"])
    units = _units(p)
    units["population_unknown"] = unknown.to_numpy()
    met = p["fel_has_aromatase_inhibitor"].astype("boolean")
    units["numerator_met"] = pd.array(met.mask(~met & flag(p["fel_has_unrecognised"]), pd.NA).to_numpy(),
                                      dtype="boolean")
    units["exception_end"] = (p["fel_start_date"] + days(AI_EXCEPTION_DAYS_AFTER_ENDOCRINE_START)).to_numpy()
    return resolve(units, "1.3.4a", t, ["aromatase_inhibitor"], ["systemic_therapy"])


def single_fraction_bone_radiotherapy(t: Timeline) -> pd.DataFrame:
    """1.5.16: courses to a bone site for pain; prescribed 8 Gy in 1 fraction."""
    r = t.tables["radiotherapy"].merge(t.cohort[["patient_id", "index_date"]], on="patient_id")
    indication = r["indication"].fillna("unknown")
    r = r[r["site"].str.startswith("bone_") & (r["start_date"] >= r["index_date"] - days(COURSE_DAYS_BEFORE_INDEX))
          & indication.isin(["pain", "unknown"])]  # cord compression, fracture, post-operative: outside
    units = _units(r, unit_id=r["course_id"])
    units["excluded"] = ((r["technique"] == "stereotactic") | flag(r["retreatment"]) | (r["intent"] == "radical")).to_numpy()
    units["population_unknown"] = (r["indication"].fillna("unknown") == "unknown").to_numpy()
    known = r["prescribed_dose_gy"].notna() & r["prescribed_fractions"].notna()
    single = ((r["prescribed_dose_gy"] - SINGLE_FRACTION_DOSE_GY).abs() < 0.01) & (r["prescribed_fractions"] == 1)
    units["numerator_met"] = pd.array(single.astype("boolean").where(known).to_numpy(), dtype="boolean")
    return resolve(units, "1.5.16", t, [], ["radiotherapy"])


def no_monitoring_bone_scans(t: Timeline) -> pd.DataFrame:
    """1.1.7: patients with bone metastases at index; no bone scintigraphy to monitor response after
    index, judged on the record up to death; monitoring scans only during trial regimens exclude."""
    p = t.cohort.merge(t.at_index, on="patient_id")
    p = p[p["bone_at_index"]]
    scans = t.tables["imaging"]
    scans = scans[scans["modality"] == "bone_scintigraphy"].merge(
        p[["patient_id", "index_date", "date_of_death"]], on="patient_id")
    scans = scans[(scans["imaging_date"] > scans["index_date"])
                  & (scans["date_of_death"].isna() | (scans["imaging_date"] <= scans["date_of_death"]))].copy()
    scans["scan"] = np.arange(len(scans))
    purpose = scans["purpose"].fillna("unknown")
    monitoring = scans[purpose == "response_monitoring"]
    trials = t.regimens[t.regimens["in_clinical_trial"]][["patient_id", "start_date", "end_date"]]
    during = monitoring[["patient_id", "scan", "imaging_date"]].merge(trials, on="patient_id")
    during = during[(during["imaging_date"] >= during["start_date"])
                    & (during["imaging_date"] <= during["end_date"].fillna(during["imaging_date"]))]
    off_trial = monitoring[~monitoring["scan"].isin(during["scan"])]
    has_monitoring = p["patient_id"].isin(monitoring["patient_id"])
    has_unknown = p["patient_id"].isin(scans.loc[purpose == "unknown", "patient_id"])
    units = _units(p)
    units["excluded"] = (has_monitoring & ~p["patient_id"].isin(off_trial["patient_id"])).to_numpy()
    met = pd.Series(True, index=p.index, dtype="boolean").mask(has_unknown, pd.NA).mask(has_monitoring, False)
    units["numerator_met"] = pd.array(met.to_numpy(), dtype="boolean")
    return resolve(units, "1.1.7", t, [], ["imaging"])


def bone_agent_for_new_bone_metastases(t: Timeline) -> pd.DataFrame:
    """1.5.14: bone metastases first recorded on or after index - 30 days; a bone-targeted agent
    licensed for bone metastases starts in -30..+90 days of that date (window anchored on it)."""
    events = t.tables["disease_events"][["patient_id", "event_date", "sites"]].dropna(subset=["sites"]).explode("sites")
    bone = events[events["sites"] == "bone"].merge(t.cohort[["patient_id", "index_date"]], on="patient_id")
    bone = bone[bone["event_date"] >= bone["index_date"] - days(TRIGGER_DAYS_BEFORE_INDEX)]
    first = bone.groupby("patient_id", as_index=False)["event_date"].min().rename(columns={"event_date": "bone_date"})
    start, end = BONE_AGENT_WINDOW
    licensed = t.exposures[t.exposures["is_licensed_for_bone_metastases"]][["patient_id", "start_date"]]
    given = first.merge(licensed, on="patient_id")
    given = given[(given["start_date"] >= given["bone_date"] + days(start))
                  & (given["start_date"] <= given["bone_date"] + days(end))]
    units = _units(first)
    units["numerator_met"] = pd.array(first["patient_id"].isin(given["patient_id"]).to_numpy(), dtype="boolean")
    units["window_end"] = (first["bone_date"] + days(end)).to_numpy()
    units["exception_start"] = (first["bone_date"] + days(start)).to_numpy()
    units["exception_end"] = units["window_end"]
    return resolve(units, "1.5.14", t, ["bone_targeted_therapy"], ["systemic_therapy"])


def reference_outcomes(database: str | Path, follow_up_end: str | None = None) -> pd.DataFrame:
    """The five rules' outcomes from the validated tables of an audit database."""
    with duckdb.connect(str(database), read_only=True) as con:
        timeline = build_timeline(con, follow_up_end)
    frames = [first_line_endocrine(timeline), aromatase_inhibitor(timeline), single_fraction_bone_radiotherapy(timeline),
              no_monitoring_bone_scans(timeline), bone_agent_for_new_bone_metastases(timeline)]
    return pd.concat(frames, ignore_index=True).sort_values(OUTPUT_COLUMNS[:3], ignore_index=True)


def _sql_rules_seconds(database: Path) -> float:
    """The five rules' SQL and sql/outcomes/resolve_outcomes.sql, as the rules step runs them, to the
    resolved outcomes in memory (as the reference ends with its outcomes in memory; the rules step then
    writes every rule's outcomes to the database once). The SQL does more: reasons and evidence."""
    from pipelines.resources import AuditSettings
    from pipelines.rules.assets import AUDITED_RULES, _resolve_into
    from pipelines.sql_runner import load_macros

    audit = AuditSettings(input_dir=str(database.parent), output_dir=str(database.parent / "out"))
    rules = [r for r in AUDITED_RULES if r.id in RULE_IDS]
    with duckdb.connect(str(database)) as con:
        load_macros(con)
        started = time.perf_counter()
        for n, rule in enumerate(rules):
            _resolve_into(con, rule, audit, f"resolved_{n}")
        return time.perf_counter() - started


def time_reference(database: str | Path, repeats: int = 3) -> dict:
    """Best of `repeats` wall seconds of the pandas reference (reading the validated tables and deriving
    its own timeline) and of the five SQL rules (on the audit's timeline tables), on a copy of the
    database; prints and returns both with their ratio."""
    with tempfile.TemporaryDirectory(prefix="abc-audit-pandas-") as work:
        copy = Path(work) / "audit.duckdb"
        shutil.copyfile(database, copy)
        pandas_s, sql_s = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            rows = len(reference_outcomes(copy))
            pandas_s.append(time.perf_counter() - started)
            sql_s.append(_sql_rules_seconds(copy))
    result = {"pandas_reference_s": round(min(pandas_s), 3), "sql_rules_s": round(min(sql_s), 3),
              "units": rows, "rules": list(RULE_IDS)}
    result["pandas_over_sql"] = round(result["pandas_reference_s"] / result["sql_rules_s"], 1)
    print(f"five rules ({', '.join(RULE_IDS)}), {rows:,} units: pandas reference {result['pandas_reference_s']:.2f} s, "
          f"SQL rules {result['sql_rules_s']:.2f} s, SQL {result['pandas_over_sql']}x faster")
    return result
