"""Hand-built extracts for tests: patients described clinically, written as contract CSV files."""
from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

from pipelines.contract import load_contract

INDEX = dt.date(2024, 3, 1)


def day(offset: int, base: dt.date = INDEX) -> str:
    """An ISO date `offset` days from the index date used throughout the tests."""
    return (base + dt.timedelta(days=offset)).isoformat()


class PatientBuilder:
    def __init__(self, extract: "Extract", patient_id: str):
        self.extract, self.patient_id = extract, patient_id
        self._regimens = 0

    def _add(self, table: str, **row) -> "PatientBuilder":
        self.extract.add(table, patient_id=self.patient_id, **row)
        return self

    def metastatic(self, offset: int = 0, sites: str = "bone", menopausal_status: str | None = "post",
                   de_novo: bool = True, **flags) -> "PatientBuilder":
        return self._add("disease_events", event_date=day(offset), event_type="metastatic_diagnosis",
                         sites=sites, menopausal_status=menopausal_status, de_novo=de_novo, **flags)

    def event(self, offset: int, event_type: str, **fields) -> "PatientBuilder":
        return self._add("disease_events", event_date=day(offset), event_type=event_type, **fields)

    def pathology(self, offset: int = 2, origin: str = "primary", er: str | None = "positive",
                  her2: str | None = "negative", pr: str | None = None) -> "PatientBuilder":
        return self._add("pathology", sample_date=day(offset), specimen_origin=origin, er_status=er,
                         her2_status=her2, pr_status=pr)

    def regimen(self, drugs: str | list[str], start: int, intent: str | None = "palliative", end: int | None = None,
                end_reason: str | None = None, regimen_id: str | None = None, **fields) -> "PatientBuilder":
        self._regimens += 1
        regimen_id = regimen_id or f"R{self._regimens}"
        for drug in [drugs] if isinstance(drugs, str) else drugs:
            self._add("systemic_therapy", regimen_id=regimen_id, drug_name=drug, start_date=day(start),
                      end_date=None if end is None else day(end), intent=intent, end_reason=end_reason, **fields)
        return self

    def radiotherapy(self, course_id: str, start: int = 10, site: str = "bone_spine", indication: str | None = "pain",
                     dose_gy: float | None = 8, fractions: int | None = 1, intent: str | None = "palliative",
                     **fields) -> "PatientBuilder":
        return self._add("radiotherapy", course_id=course_id, start_date=day(start), site=site, indication=indication,
                         prescribed_dose_gy=dose_gy, prescribed_fractions=fractions, intent=intent, **fields)

    def imaging(self, offset: int, modality: str, purpose: str | None = None, result: str | None = None,
                **fields) -> "PatientBuilder":
        return self._add("imaging", imaging_date=day(offset), modality=modality, purpose=purpose, result=result,
                         **fields)

    def decision(self, offset: int, treatment: str, decision: str = "declined_by_patient") -> "PatientBuilder":
        return self._add("treatment_decisions", decision_date=day(offset), treatment=treatment, decision=decision)

    def procedure(self, offset: int, procedure: str) -> "PatientBuilder":
        return self._add("procedures", procedure_date=day(offset), procedure=procedure)

    def care(self, offset: int, event_type: str) -> "PatientBuilder":
        return self._add("care_events", event_date=day(offset), event_type=event_type)


class Extract:
    """Rows per contract table; `write` emits every contract column (empty when not given)."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def add(self, table: str, **row) -> None:
        self.rows[table].append(row)

    def patient(self, patient_id: str, sex: str = "female", birth_year: int | None = 1955,
                provider_code: str = "RAA", icb_code: str | None = "QAA", **fields) -> PatientBuilder:
        self.add("patients", patient_id=patient_id, sex=sex, birth_year=birth_year,
                 provider_code=provider_code, icb_code=icb_code, **fields)
        return PatientBuilder(self, patient_id)

    def write(self, folder: Path, tables: list[str] | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        contract = load_contract()
        for name, table in contract.tables.items():
            if tables is not None and name not in tables:
                continue
            if not self.rows.get(name) and not table.required:
                continue
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=table.column_names, lineterminator="\n")
                writer.writeheader()
                for row in self.rows.get(name, []):
                    unknown = set(row) - set(table.column_names)
                    if unknown:
                        raise KeyError(f"{name}: not contract columns {sorted(unknown)}")
                    writer.writerow({k: _cell(v) for k, v in row.items()})
        return folder


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
