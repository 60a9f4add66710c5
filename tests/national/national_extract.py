"""Writes national-format extracts (registry, SACT, RTDS tables in the Simulacrum v2 layout) for tests.

Headers are the v2 headers of the reference layout plus the documented columns the adapter reads
when present (M_BEST, STAGE_BEST, PR_STATUS, HER2_STATUS); code values are taken from the lookups
(zsex, zvitalstatus, zerprstatus, zregimenintent, zregimenoutcome, zperformance, zclinicaltrial).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

HEADERS = {
    "sim_av_patient": ["PATIENTID", "VITALSTATUSDATE", "DEATHCAUSECODE_1A", "VITALSTATUS", "ETHNICITY", "GENDER"],
    "sim_av_tumour": ["PATIENTID", "DIAGNOSISDATEBEST", "SITE_ICD10_O2", "AGE", "SITE_ICD10_O2_3CHAR",
                      "PERFORMANCESTATUS", "GENDER", "TUMOURID", "ER_STATUS", "LATERALITY",
                      "PR_STATUS", "HER2_STATUS", "M_BEST", "STAGE_BEST"],
    "sim_sact_regimen": ["ENCORE_PATIENT_ID", "MERGED_REGIMEN_ID", "HEIGHT_AT_START_OF_REGIMEN",
                         "WEIGHT_AT_START_OF_REGIMEN", "INTENT_OF_TREATMENT", "DATE_DECISION_TO_TREAT",
                         "START_DATE_OF_REGIMEN", "MAPPED_REGIMEN", "CLINICAL_TRIAL", "CHEMO_RADIATION",
                         "BENCHMARK_GROUP", "LINK_NUMBER"],
    "sim_sact_cycle": ["MERGED_REGIMEN_ID", "MERGED_CYCLE_ID", "CYCLE_NUMBER", "START_DATE_OF_CYCLE",
                       "OPCS_PROCUREMENT_CODE", "PERF_STATUS_START_OF_CYCLE"],
    "sim_sact_drug_detail": ["MERGED_DRUG_DETAIL_ID", "MERGED_CYCLE_ID", "ACTUAL_DOSE_PER_ADMINISTRATION",
                             "OPCS_DELIVERY_CODE", "ADMINISTRATION_ROUTE", "ADMINISTRATION_DATE", "DRUG_GROUP"],
    "sim_sact_outcome": ["MERGED_REGIMEN_ID", "DATE_OF_FINAL_TREATMENT", "REGIMEN_MOD_DOSE_REDUCTION",
                         "REGIMEN_MOD_TIME_DELAY", "REGIMEN_MOD_STOPPED_EARLY", "REGIMEN_OUTCOME_SUMMARY"],
    "sim_rtds_prescription": ["PATIENTID", "PRESCRIPTIONID", "RTTREATMENTMODALITY", "RTPRESCRIBEDDOSE",
                              "RTPRESCRIBEDFRACTIONS", "RTACTUALDOSE", "RTACTUALFRACTIONS", "RTTREATMENTREGION",
                              "RTTREATMENTANATOMICALSITE", "RADIOTHERAPYEPISODEID", "LINKCODE", "ATTENDID", "APPTDATE"],
    "sim_rtds_episode": ["PATIENTID", "RADIOTHERAPYEPISODEID", "ATTENDID", "APPTDATE", "LINKCODE",
                         "DECISIONTOTREATDATE", "EARLIESTCLINAPPROPDATE", "RADIOTHERAPYPRIORITY", "RADIOTHERAPYINTENT"],
    "sim_rtds_exposure": ["PRESCRIPTIONID", "RADIOISOTOPE", "RADIOTHERAPYBEAMTYPE", "RADIOTHERAPYBEAMENERGY",
                          "TIMEOFEXPOSURE", "APPTDATE", "ATTENDID", "PATIENTID", "RADIOTHERAPYEPISODEID", "LINKCODE"],
}


@dataclass
class NationalExtract:
    """Rows per national table (dicts keyed by header name; unnamed columns are written empty)."""
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in HEADERS})
    _ids: int = 1000

    def next_id(self) -> str:
        self._ids += 1
        return f"10{self._ids:08d}"

    def patient(self, patient_id: str, gender: str = "2", vital: str = "A", vital_date: str = "2024-06-30") -> str:
        self.rows["sim_av_patient"].append({"PATIENTID": patient_id, "GENDER": gender, "VITALSTATUS": vital,
                                            "VITALSTATUSDATE": vital_date, "ETHNICITY": "A"})
        return patient_id

    def tumour(self, patient_id: str, diagnosed: str, site: str = "C509", age: int = 62, er: str = "P",
               pr: str = "P", her2: str = "N", m_best: str = "1", stage: str = "4", performance: str = "",
               **extra) -> str:
        tumour_id = self.next_id()
        self.rows["sim_av_tumour"].append({
            "PATIENTID": patient_id, "TUMOURID": tumour_id, "DIAGNOSISDATEBEST": diagnosed, "SITE_ICD10_O2": site,
            "SITE_ICD10_O2_3CHAR": site[:3], "AGE": str(age), "PERFORMANCESTATUS": performance, "GENDER": "2",
            "ER_STATUS": er, "PR_STATUS": pr, "HER2_STATUS": her2, "M_BEST": m_best, "STAGE_BEST": stage,
            "LATERALITY": "L", **extra})
        return tumour_id

    def regimen(self, patient_id: str, start: str, drugs: list[str], intent: str = "P", days: int = 0,
                outcome: str | None = "0", final: str | None = None, benchmark: str = "",
                performance: str = "", trial: str = "02", cycles: int = 1) -> str:
        """A SACT regimen: `cycles` cycles 21 days apart from `start`, every drug given on each cycle's day."""
        import datetime as dt
        regimen_id = self.next_id()
        self.rows["sim_sact_regimen"].append({
            "ENCORE_PATIENT_ID": patient_id, "MERGED_REGIMEN_ID": regimen_id, "INTENT_OF_TREATMENT": intent,
            "START_DATE_OF_REGIMEN": start, "DATE_DECISION_TO_TREAT": start, "BENCHMARK_GROUP": benchmark,
            "MAPPED_REGIMEN": benchmark, "CLINICAL_TRIAL": trial})
        first = dt.date.fromisoformat(start)
        last = first
        for n in range(cycles):
            cycle_id = self.next_id()
            day = first + dt.timedelta(days=21 * n + days)
            last = day
            self.rows["sim_sact_cycle"].append({
                "MERGED_REGIMEN_ID": regimen_id, "MERGED_CYCLE_ID": cycle_id, "CYCLE_NUMBER": str(n + 1),
                "START_DATE_OF_CYCLE": day.isoformat(), "PERF_STATUS_START_OF_CYCLE": performance if n == 0 else ""})
            for drug in drugs:
                self.rows["sim_sact_drug_detail"].append({
                    "MERGED_DRUG_DETAIL_ID": self.next_id(), "MERGED_CYCLE_ID": cycle_id,
                    "ADMINISTRATION_DATE": day.isoformat(), "DRUG_GROUP": drug, "ADMINISTRATION_ROUTE": "1"})
        if outcome is not None:
            self.rows["sim_sact_outcome"].append({
                "MERGED_REGIMEN_ID": regimen_id, "DATE_OF_FINAL_TREATMENT": final or last.isoformat(),
                "REGIMEN_OUTCOME_SUMMARY": outcome})
        return regimen_id

    def radiotherapy(self, patient_id: str, start: str, dose: str = "8", fractions: str = "1", region: str = "M",
                     site: str = "Z661", intent: str = "01") -> str:
        episode_id, prescription_id = self.next_id(), self.next_id()
        self.rows["sim_rtds_episode"].append({
            "PATIENTID": patient_id, "RADIOTHERAPYEPISODEID": episode_id, "APPTDATE": start,
            "DECISIONTOTREATDATE": start, "RADIOTHERAPYINTENT": intent})
        self.rows["sim_rtds_prescription"].append({
            "PATIENTID": patient_id, "PRESCRIPTIONID": prescription_id, "RTPRESCRIBEDDOSE": dose,
            "RTPRESCRIBEDFRACTIONS": fractions, "RTTREATMENTREGION": region, "RTTREATMENTANATOMICALSITE": site,
            "RADIOTHERAPYEPISODEID": episode_id, "APPTDATE": start})
        self.rows["sim_rtds_exposure"].append({
            "PRESCRIPTIONID": prescription_id, "APPTDATE": start, "PATIENTID": patient_id,
            "RADIOTHERAPYEPISODEID": episode_id})
        return prescription_id

    def write(self, folder: Path, omit: tuple[str, ...] = (), drop_columns: dict[str, list[str]] | None = None,
              extra_columns: dict[str, list[str]] | None = None) -> Path:
        """One CSV per table; `extra_columns` adds documented columns beyond the v2 headers (e.g. CREG_CODE)."""
        folder.mkdir(parents=True, exist_ok=True)
        for table, header in HEADERS.items():
            if table in omit:
                continue
            columns = [c for c in header + (extra_columns or {}).get(table, [])
                       if c not in (drop_columns or {}).get(table, [])]
            with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(self.rows[table])
        return folder
