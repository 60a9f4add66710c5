"""The building blocks of a synthetic patient's story: the Story recorder, names as recorded, dates.

`quality` is the provider's probability of following a recommendation; data gaps (missing
menopausal status, unknown scan purpose, missing doses) occur at fixed small rates everywhere.
"""
from __future__ import annotations

import datetime as dt
import random

FIRST_INDEX = dt.date(2022, 1, 1)
INDEX_SPAN_DAYS = (dt.date(2025, 12, 31) - FIRST_INDEX).days
LAST_DATE = dt.date(2026, 6, 30)
BRANDS = {"anastrozole": "Arimidex", "letrozole": "Femara", "exemestane": "Aromasin", "tamoxifen": "Nolvadex",
          "fulvestrant": "Faslodex", "palbociclib": "Ibrance", "ribociclib": "Kisqali", "abemaciclib": "Verzenios",
          "goserelin": "Zoladex", "docetaxel": "Taxotere", "paclitaxel": "Taxol", "capecitabine": "Xeloda",
          "vinorelbine": "Navelbine", "trastuzumab": "Herceptin", "pertuzumab": "Perjeta",
          "zoledronic acid": "Zometa", "denosumab": "Xgeva", "eribulin": "Halaven", "gemcitabine": "Gemzar"}
MISSPELLINGS = {"anastrozole": "anastrazole", "capecitabine": "Capecetabine", "tamoxifen": "tamoxiphene",
                "trastuzumab": "Trustuzumab", "doxorubicin": "doxorubicine", "cyclophosphamide": "cyclophosphamid"}
UNRECOGNISABLE = ["Chemo, NOS", "Study drug", "Hormone, NOS"]


class Story:
    def __init__(self, rng: random.Random, patient_id: str, provider: str, quality: float,
                 split_combinations: float = 0.0):
        self.rng, self.patient_id, self.provider, self.quality = rng, patient_id, provider, quality
        # share of combinations the provider's prescribing system records one regimen per drug
        # (same start day, different regimen ids): the audit must read them as one line
        self.split_combinations = split_combinations
        self.rows: list[tuple[str, dict]] = []
        self.regimens = 0
        self.courses = 0
        self.death: dt.date | None = None
        self.declined: set[str] = set()  # treatments with a documented decision not to give them
        self.anthracycline_unsuitable = False  # prior anthracycline or a documented contraindication

    @property
    def last_day(self) -> dt.date:
        """Nothing happens after death or after the extract was taken."""
        return min(self.death, LAST_DATE) if self.death else LAST_DATE

    def follows(self) -> bool:
        return self.rng.random() < self.quality

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def add(self, table: str, **row) -> None:
        self.rows.append((table, {"patient_id": self.patient_id, **row}))

    def drug_name(self, generic: str) -> str:
        roll = self.rng.random()
        if roll < 0.003:
            return self.rng.choice(UNRECOGNISABLE)
        if roll < 0.02 and generic in MISSPELLINGS:
            return MISSPELLINGS[generic]
        if roll < 0.20 and generic in BRANDS:
            return BRANDS[generic]
        if roll < 0.30:
            return generic.upper()
        return generic.capitalize() if roll < 0.45 else generic

    def regimen(self, drugs: list[str], start: dt.date, intent: str | None, end: dt.date | None = None,
                end_reason: str | None = None, trial: bool | None = None, provider: str | None = None,
                split: bool | None = None) -> str:
        """Records a regimen; a combination is written as one regimen per drug when `split` is
        true, or (when None) as often as the provider's system does. Returns the first id."""
        if start > self.last_day:
            return ""
        if end is not None and end > self.last_day:
            end, end_reason = (self.death, "died") if self.death and self.death <= LAST_DATE else (None, "ongoing")
        if split is None:
            split = len(drugs) > 1 and self.chance(self.split_combinations)
        first_id = ""
        for position, generic in enumerate(drugs):
            if position == 0 or split:
                self.regimens += 1
                first_id = first_id or f"REG{self.regimens:02d}"
            self.add("systemic_therapy", regimen_id=f"REG{self.regimens:02d}", drug_name=self.drug_name(generic),
                     start_date=start, end_date=end, intent=intent, end_reason=end_reason, provider_code=provider,
                     clinical_trial=trial)
        return first_id

    def radiotherapy(self, start: dt.date, site: str, indication: str | None, dose: float | None,
                     fractions: int | None, **fields) -> None:
        if start > self.last_day:
            return
        self.courses += 1
        self.add("radiotherapy", course_id=f"RT{self.courses:02d}", start_date=start, site=site,
                 indication=indication, prescribed_dose_gy=dose, prescribed_fractions=fractions, **fields)


def days_after(base: dt.date, days: int) -> dt.date:
    return base + dt.timedelta(days=days)
