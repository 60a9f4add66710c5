"""One synthetic patient's clinical story as contract rows: (table, row) pairs in date order.

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
    def __init__(self, rng: random.Random, patient_id: str, provider: str, quality: float):
        self.rng, self.patient_id, self.provider, self.quality = rng, patient_id, provider, quality
        self.rows: list[tuple[str, dict]] = []
        self.regimens = 0
        self.courses = 0
        self.death: dt.date | None = None

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
                end_reason: str | None = None, trial: bool | None = None, provider: str | None = None) -> str:
        if start > self.last_day:
            return ""
        if end is not None and end > self.last_day:
            end, end_reason = (self.death, "died") if self.death and self.death <= LAST_DATE else (None, "ongoing")
        self.regimens += 1
        regimen_id = f"REG{self.regimens:02d}"
        for generic in drugs:
            self.add("systemic_therapy", regimen_id=regimen_id, drug_name=self.drug_name(generic), start_date=start,
                     end_date=end, intent=intent, end_reason=end_reason, provider_code=provider, clinical_trial=trial)
        return regimen_id

    def radiotherapy(self, start: dt.date, site: str, indication: str | None, dose: float | None,
                     fractions: int | None, **fields) -> None:
        if start > self.last_day:
            return
        self.courses += 1
        self.add("radiotherapy", course_id=f"RT{self.courses:02d}", start_date=start, site=site,
                 indication=indication, prescribed_dose_gy=dose, prescribed_fractions=fractions, **fields)


def _days(base: dt.date, days: int) -> dt.date:
    return base + dt.timedelta(days=days)


def _first_line(s: Story, er_positive: bool, her2_positive: bool, menopausal: str | None, male: bool,
                visceral: bool, start: dt.date, end: dt.date, trial: bool, no_tamoxifen: bool = False) -> list[str]:
    """Chooses and records the first palliative line; returns its drugs."""
    rng = s.rng
    # Visceral crisis calls for chemotherapy first (1.3.2); weaker providers sometimes give endocrine therapy.
    if er_positive and (not visceral or not s.follows()) and (s.follows() or s.chance(0.5)):
        if male:
            drugs = ["tamoxifen"] if s.follows() and s.chance(0.8) and not no_tamoxifen else ["anastrozole"]
        elif menopausal in ("pre", "peri"):
            drugs = ["tamoxifen", "goserelin"] if s.follows() else ["tamoxifen"]
        elif s.follows():
            drugs = [rng.choice(["letrozole", "anastrozole", "exemestane"])]
            if s.chance(0.6):
                drugs.append(rng.choice(["palbociclib", "ribociclib", "abemaciclib"]))
        else:
            drugs = [rng.choice(["tamoxifen", "fulvestrant"])]
    elif her2_positive:
        drugs = ["docetaxel", "trastuzumab", "pertuzumab"]
    else:
        drugs = [rng.choice(["paclitaxel", "docetaxel", "capecitabine"])]
        if s.chance(0.2):
            drugs = ["gemcitabine", "paclitaxel"]
    intent = "palliative" if not s.chance(0.08) else None
    reason = "progression" if s.chance(0.7) else "completed"
    s.regimen(drugs, start, intent, end, reason, trial=True if trial else None)
    return drugs


def patient_story(rng: random.Random, patient_id: str, provider: str, icb: str, quality: float):
    s = Story(rng, patient_id, provider, quality)
    male = s.chance(0.012)
    index = _days(FIRST_INDEX, rng.randrange(INDEX_SPAN_DAYS + 1))
    age = max(30, min(90, round(rng.gauss(62, 12))))
    early_death = s.chance(0.015)  # dies within weeks of diagnosis, sometimes before any staging scan
    death = _days(index, rng.randint(3, 28) if early_death else rng.randint(20, 1400)) if early_death or s.chance(0.25) else None
    death = death if death and death <= LAST_DATE else None
    s.death = death
    s.add("patients", sex="male" if male else ("unknown" if s.chance(0.003) else "female"),
          birth_year=index.year - age, provider_code=provider, icb_code=icb if not s.chance(0.02) else None,
          date_of_death=death)
    if s.chance(0.02):  # early disease only: outside the audited cohort
        s.add("disease_events", event_date=_days(index, -200), event_type="early_diagnosis")
        return s.rows

    if male:
        menopausal = "not_applicable"
    else:
        menopausal = "pre" if age < 45 else ("peri" if age < 52 and s.chance(0.5) else ("post" if age >= 52 else "pre"))
        if s.chance(0.05):
            menopausal = None if s.chance(0.7) else "unknown"
    de_novo = s.chance(0.3)
    er_positive, her2_positive = s.chance(0.75), s.chance(0.18)
    sites = [site for site, p in (("bone", 0.65), ("liver", 0.3), ("lung", 0.25), ("brain", 0.08),
                                  ("pleura", 0.08), ("distant_lymph_node", 0.2)) if s.chance(p)] or ["other"]
    visceral = s.chance(0.08)
    early = _days(index, -rng.randint(400, 3600))
    if not de_novo:
        s.add("disease_events", event_date=early, event_type="early_diagnosis")
        s.add("pathology", sample_date=_days(early, 5), specimen_origin="primary",
              er_status="positive" if er_positive else "negative", her2_status="positive" if her2_positive else "negative")
        if er_positive and s.chance(0.85):
            adjuvant = "tamoxifen" if (menopausal in ("pre", "peri") or s.chance(0.45)) else "anastrozole"
            s.regimen([adjuvant], _days(early, 60), "adjuvant", _days(index, -rng.randint(60, 400)), "completed")
        if s.chance(0.3):
            s.regimen(["epirubicin", "cyclophosphamide"], _days(early, 20), "adjuvant", _days(early, 110), "completed")
    s.add("disease_events", event_date=index, event_type="metastatic_diagnosis",
          de_novo=de_novo if not s.chance(0.04) else None,
          sites=";".join(sites), menopausal_status=menopausal, performance_status=rng.choice([0, 0, 1, 1, 1, 2, 3]),
          visceral_crisis=True if visceral else None)
    er_status = ("positive" if er_positive else "negative") if not s.chance(0.04) else "unknown"
    reassessed = de_novo or s.chance(0.45)
    if not reassessed and s.chance(0.08):
        s.add("treatment_decisions", decision_date=_days(index, rng.randint(0, 40)), treatment="biopsy",
              decision=rng.choice(["declined_by_patient", "not_suitable", "contraindicated"]))
    if reassessed:
        s.add("pathology", sample_date=_days(index, rng.randint(-10, 20)),
              specimen_origin="primary" if de_novo else "metastasis", er_status=er_status,
              her2_status="positive" if her2_positive else "negative")

    # Imaging at diagnosis, then response monitoring.
    staging_ct = s.follows() or s.chance(0.6)
    if not staging_ct and s.follows():  # 1.1.5: PET-CT after a suspicious but not diagnostic scan
        s.add("imaging", imaging_date=_days(index, -rng.randint(45, 80)), modality="ct", purpose="diagnosis",
              result="suspicious")
    if s.chance(0.08) or (early_death and s.chance(0.5)):  # 1.1.4: equivocal imaging, MRI at better providers
        equivocal = _days(index, -rng.randint(1, 20))
        s.add("imaging", imaging_date=equivocal, modality=rng.choice(["bone_scintigraphy", "ct", "xray"]),
              purpose="staging", result="equivocal")
        if s.follows() and not early_death:
            s.add("imaging", imaging_date=_days(equivocal, rng.randint(2, 28)), modality="mri", purpose="diagnosis",
                  result="metastatic")
    if not (early_death and s.chance(0.6)):
        s.add("imaging", imaging_date=_days(index, -rng.randint(3, 40)), modality="ct" if staging_ct else "pet_ct",
          purpose="staging", result="metastatic")
    if "bone" in sites and s.chance(0.7) and not early_death:
        s.add("imaging", imaging_date=_days(index, -rng.randint(1, 30)), modality="bone_scintigraphy",
              purpose="staging", result="metastatic")
    trial = s.chance(0.04)
    for visit in range(1, rng.randint(1, 5)):
        day = _days(index, 90 * visit + rng.randint(-10, 10))
        if death and day >= death or day > LAST_DATE:
            break
        modality = "ct"
        if "bone" in sites and (not s.follows() or trial) and s.chance(0.5):
            modality = "bone_scintigraphy"
        elif (not s.follows() or trial) and s.chance(0.15):
            modality = "pet_ct"
        purpose = "response_monitoring" if not s.chance(0.07) else None
        s.add("imaging", imaging_date=day, modality=modality, purpose=purpose, result=rng.choice(["stable", "response"]))

    _care_events(s, index)
    _complications(s, index, sites)

    # Decisions that become exceptions.
    declined_endocrine = er_positive and s.chance(0.04)
    if declined_endocrine:
        s.add("treatment_decisions", decision_date=_days(index, rng.randint(0, 20)), treatment="endocrine_therapy",
              decision=rng.choice(["declined_by_patient", "contraindicated", "not_suitable"]))
    if visceral and er_positive and s.chance(0.08):
        s.add("treatment_decisions", decision_date=_days(index, rng.randint(0, 10)), treatment="chemotherapy",
              decision=rng.choice(["declined_by_patient", "not_suitable"]))
    tamoxifen_contraindicated = male and er_positive and s.chance(0.2)
    if tamoxifen_contraindicated:
        s.add("treatment_decisions", decision_date=_days(index, rng.randint(0, 20)), treatment="tamoxifen",
              decision="contraindicated")
    ai_contraindicated = er_positive and not male and s.chance(0.04)
    if ai_contraindicated:
        s.add("treatment_decisions", decision_date=_days(index, rng.randint(0, 20)), treatment="aromatase_inhibitor",
              decision=rng.choice(["contraindicated", "declined_by_patient", "clinical_trial"]))

    # Systemic treatment: the first line (sometimes none within 180 days), then a second.
    if "bone" in sites and s.chance(0.06):
        s.add("treatment_decisions", decision_date=_days(index, rng.randint(0, 30)), treatment="bone_targeted_therapy",
              decision=rng.choice(["declined_by_patient", "contraindicated"]))
    elif "bone" in sites and s.chance(0.6):
        s.regimen([rng.choice(["zoledronic acid", "denosumab", "zoledronic acid", "alendronic acid"])],
                  _days(index, rng.randint(-10, 80)), "supportive")
    if s.chance(0.06) or (declined_endocrine and s.chance(0.5)):
        _radiotherapy(s, index, sites)
        return _until_death(s)
    first_start = _days(index, rng.randint(5, 60) if not s.chance(0.03) else rng.randint(181, 300))
    first_end = _days(first_start, rng.randint(90, 500))
    use_chemo = declined_endocrine or ai_contraindicated and s.chance(0.3)
    first_drugs = _first_line(s, er_positive and not use_chemo, her2_positive, menopausal, male, visceral,
                              first_start, first_end, trial, no_tamoxifen=tamoxifen_contraindicated)
    if ai_contraindicated and not male and any(d in first_drugs for d in ("letrozole", "anastrozole", "exemestane")):
        s.rows = [r for r in s.rows if not (r[0] == "systemic_therapy" and r[1]["start_date"] == first_start)]
        s.regimens -= 1
        s.regimen(["tamoxifen"], first_start, "palliative", first_end, "progression")
    if first_end < s.last_day:
        second_line = [rng.choice(["capecitabine", "vinorelbine", "eribulin", "fulvestrant"])]
        if second_line != ["fulvestrant"] and not s.follows() and s.chance(0.6):
            second_line = ["gemcitabine", "carboplatin"]  # 1.3.8: combination rather than sequential
        elif second_line != ["fulvestrant"] and s.chance(0.03):
            second_line.append("study drug")  # an investigational partner the value set cannot name
        progression_sites = rng.choice(sites)
        if "trastuzumab" in first_drugs:
            # 1.3.12: stop trastuzumab at progression outside the CNS, keep it for CNS-only progression
            cns_only = s.chance(0.25)
            progression_sites = "brain" if cns_only else rng.choice([x for x in sites if x != "brain"] or ["liver"])
            if s.chance(0.04):
                progression_sites = None
            continued = cns_only == s.follows()
            if continued:
                second_line.append("trastuzumab")
            if continued != cns_only and s.death is None and s.chance(0.4):  # some progressions are terminal
                s.death = _days(first_end, rng.randint(5, 35))
                s.rows[0][1]["date_of_death"] = s.death
        s.add("disease_events", event_date=first_end, event_type="progression", sites=progression_sites)
        s.regimen(second_line, _days(first_end, 14), "palliative", provider=provider if not s.chance(0.1) else "RXX")
    _radiotherapy(s, index, sites)
    return _until_death(s)


EVENT_DATES = ("event_date", "sample_date", "start_date", "imaging_date", "procedure_date", "decision_date")


def _until_death(s: Story) -> list[tuple[str, dict]]:
    """Nothing is recorded after death: later rows are dropped, courses end on the day of death."""
    if s.death is None:
        return s.rows
    kept = []
    for table, row in s.rows:
        when = next((row[k] for k in EVENT_DATES if row.get(k)), None)
        if table != "patients" and when is not None and when > s.death:
            continue
        if row.get("end_date") and row["end_date"] > s.death:
            row["end_date"], row["end_reason"] = s.death, "died"
        kept.append((table, row))
    return kept


def _radiotherapy(s: Story, index: dt.date, sites: list[str]) -> None:
    """Palliative radiotherapy for bone metastases (1.5.16) and brain metastases."""
    rng = s.rng
    if "bone" in sites:
        for _ in range(rng.choice([0, 1, 1, 2])):
            start = _days(index, rng.randint(-20, 300))
            indication = rng.choices(["pain", "spinal_cord_compression", "pathological_fracture", "post_operative", None],
                                     [80, 7, 5, 3, 5])[0]
            dose, fractions = (8, 1) if s.follows() else rng.choice([(20, 5), (30, 10), (8, 1)])
            if s.chance(0.04):
                dose, fractions = (None, fractions) if s.chance(0.5) else (dose, None)
            technique = "stereotactic" if s.chance(0.04) else rng.choice(["conventional", None])
            s.radiotherapy(start, rng.choice(["bone_spine", "bone_pelvis", "bone_long", "bone_rib"]), indication,
                           dose, fractions, intent="radical" if s.chance(0.02) else "palliative",
                           technique=technique, retreatment=True if s.chance(0.04) else None)
    if "brain" in sites and s.chance(0.6):
        s.radiotherapy(_days(index, rng.randint(5, 50)), "brain_whole", "other", 20, 5, intent="palliative")


CARE_EVENTS = [  # (event type, earliest and latest usual day relative to index, base probability)
    ("mdt_discussion", -25, 50, 1.0), ("key_worker_assigned", -400, 80, 0.95),
    ("information_preference_assessed", -20, 80, 0.9), ("decision_involvement_assessed", -20, 80, 0.85),
    ("holistic_needs_assessment", -20, 85, 0.85), ("decision_aid_offered", -10, 85, 0.6),
    ("information_provided", -10, 60, 0.9),
]


def _care_events(s: Story, index: dt.date) -> None:
    """Process-of-care events, recorded by better providers more often; a few fall late."""
    for event_type, earliest, latest, base in CARE_EVENTS:
        if not (s.follows() and s.chance(base)):
            if s.chance(0.15):  # done, but after the window
                late = _days(index, latest + s.rng.randint(12, 90))
                if late <= s.last_day:
                    s.add("care_events", event_date=late, event_type=event_type, provider_code=None)
            continue
        when = _days(index, s.rng.randint(earliest, latest))
        if when <= s.last_day:
            s.add("care_events", event_date=when, event_type=event_type, provider_code=None)


# (trigger share, how it is recorded, [(care, first day, last day relative to the trigger)])
COMPLICATIONS = [
    (0.20, "fatigue", [("fatigue_assessment", 0, 30), ("fatigue_information_given", 0, 30),
                       ("exercise_programme_referral", 0, 60)]),
    (0.05, "uncontrolled_local_disease", [("mdt_discussion", -14, 30), ("palliative_care_assessment", -14, 60)]),
    (0.03, "fungating_tumour", [("wound_care_review", -14, 30)]),
    (0.06, "long_bone_fracture_risk", [("orthopaedic_assessment", -14, 30)]),
]


def _complications(s: Story, index: dt.date, sites: list[str]) -> None:
    """Fatigue and flagged local or bone problems, each followed (or not) by the care it calls for."""
    for share, trigger, responses in COMPLICATIONS:
        if trigger == "long_bone_fracture_risk" and "bone" not in sites or not s.chance(share):
            continue
        when = _days(index, s.rng.randint(-20, 400))
        if s.death and s.chance(0.4):  # complications cluster near the end of life
            when = max(_days(index, -20), _days(s.death, -s.rng.randint(2, 25)))
        if when > s.last_day:
            continue
        if trigger == "fatigue":
            s.add("care_events", event_date=when, event_type="significant_fatigue_reported", provider_code=None)
        else:
            s.add("disease_events", event_date=when, event_type="progression", **{trigger: True})
        for care, first, last in responses:
            if s.follows() and s.chance(0.9):
                day = _days(when, s.rng.randint(max(first, 0), last))
            elif s.chance(0.3):
                day = _days(when, last + s.rng.randint(5, 60))
            else:
                continue
            if day > s.last_day:
                continue
            if care == "orthopaedic_assessment" and s.chance(0.3):
                s.add("procedures", procedure_date=day, procedure="prophylactic_fixation")
            else:
                s.add("care_events", event_date=day, event_type=care, provider_code=None)
