"""One synthetic patient's clinical story as contract rows: (table, row) pairs in date order."""
from __future__ import annotations

import datetime as dt
import random

from sample_data.care import care_events, complications, radiotherapy_courses
from sample_data.cns import brain_metastases, brain_presentation, record_presentation
from sample_data.lines import first_line, progression_and_second_line
from sample_data.providers import Provider
from sample_data.story import FIRST_INDEX, INDEX_SPAN_DAYS, LAST_DATE, Story, days_after


def patient_story(rng: random.Random, patient_id: str, provider: Provider):
    s = Story(rng, patient_id, provider.code, provider.quality, provider.split_combinations)
    male = s.chance(0.012)
    index = days_after(FIRST_INDEX, rng.randrange(INDEX_SPAN_DAYS + 1))
    age = max(30, min(90, round(rng.gauss(62, 12))))
    early_death = s.chance(0.015)  # dies within weeks of diagnosis, sometimes before any staging scan
    # too unwell for anticancer treatment: best supportive care, death within months (1.3.1 excluded)
    untreated = not early_death and s.chance(0.02)
    if untreated:
        death = days_after(index, rng.randint(30, 170))
    else:
        death = days_after(index, rng.randint(3, 28) if early_death else rng.randint(20, 1400)) if early_death or s.chance(0.25) else None
    death = death if death and death <= LAST_DATE else None
    s.death = death
    s.add("patients", sex="male" if male else ("unknown" if s.chance(0.003) else "female"),
          birth_year=index.year - age, provider_code=provider.code, icb_code=provider.icb if not s.chance(0.02) else None,
          date_of_death=death)
    if s.chance(0.02):  # early disease only: outside the audited cohort
        s.add("disease_events", event_date=days_after(index, -200), event_type="early_diagnosis")
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
    early = days_after(index, -rng.randint(400, 3600))
    if not de_novo:
        s.add("disease_events", event_date=early, event_type="early_diagnosis")
        s.add("pathology", sample_date=days_after(early, 5), specimen_origin="primary",
              er_status="positive" if er_positive else "negative", her2_status="positive" if her2_positive else "negative")
        if er_positive and s.chance(0.85):
            adjuvant = "tamoxifen" if (menopausal in ("pre", "peri") or s.chance(0.45)) else "anastrozole"
            s.regimen([adjuvant], days_after(early, 60), "adjuvant", days_after(index, -rng.randint(60, 400)), "completed")
        if s.chance(0.3):
            s.regimen(["epirubicin", "cyclophosphamide"], days_after(early, 20), "adjuvant", days_after(early, 110), "completed")
            s.anthracycline_unsuitable = True
    performance = rng.choice([0, 0, 1, 1, 1, 2, 3])
    brain = brain_presentation(s) if "brain" in sites else {}
    recorded, performance_nearby = (record_presentation(s, brain, performance, nearby=True) if brain
                                    else ({"performance_status": performance}, False))
    s.add("disease_events", event_date=index, event_type="metastatic_diagnosis",
          de_novo=de_novo if not s.chance(0.04) else None,
          sites=";".join(sites), menopausal_status=menopausal,
          visceral_crisis=True if visceral else None, **recorded)
    if performance_nearby:  # the oncology clinic's own record of the diagnosis, days later
        s.add("disease_events", event_date=days_after(index, rng.randint(3, 25)), event_type="metastatic_diagnosis",
              sites=";".join(sites), performance_status=performance)
    er_status = ("positive" if er_positive else "negative") if not s.chance(0.04) else "unknown"
    reassessed = de_novo or s.chance(0.45)
    if not reassessed and s.chance(0.08):
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 40)), treatment="biopsy",
              decision=rng.choice(["declined_by_patient", "not_suitable", "contraindicated"]))
    if reassessed:
        s.add("pathology", sample_date=days_after(index, rng.randint(-10, 20)),
              specimen_origin="primary" if de_novo else "metastasis", er_status=er_status,
              her2_status="positive" if her2_positive else "negative")

    # Imaging at diagnosis, then response monitoring.
    staging_ct = s.follows() or s.chance(0.6)
    if not staging_ct and s.follows():  # 1.1.5: PET-CT after a suspicious but not diagnostic scan
        s.add("imaging", imaging_date=days_after(index, -rng.randint(45, 80)), modality="ct", purpose="diagnosis",
              result="suspicious")
    if s.chance(0.08) or (early_death and s.chance(0.5)):  # 1.1.4: equivocal imaging, MRI at better providers
        equivocal = days_after(index, -rng.randint(1, 20))
        s.add("imaging", imaging_date=equivocal, modality=rng.choice(["bone_scintigraphy", "ct", "xray"]),
              purpose="staging", result="equivocal")
        if s.follows() and not early_death:
            s.add("imaging", imaging_date=days_after(equivocal, rng.randint(2, 28)), modality="mri", purpose="diagnosis",
                  result="metastatic")
    if not (early_death and s.chance(0.6)):
        # a staging PET-CT's purpose is sometimes not recorded (1.1.5: insufficient data)
        s.add("imaging", imaging_date=days_after(index, -rng.randint(3, 40)), modality="ct" if staging_ct else "pet_ct",
              purpose="staging" if staging_ct or not s.chance(0.05) else None, result="metastatic")
    if "bone" in sites and s.chance(0.7) and not early_death:
        s.add("imaging", imaging_date=days_after(index, -rng.randint(1, 30)), modality="bone_scintigraphy",
              purpose="staging", result="metastatic")
    trial = s.chance(0.04)
    for visit in range(1, rng.randint(1, 5)):
        day = days_after(index, 90 * visit + rng.randint(-10, 10))
        if death and day >= death or day > LAST_DATE:
            break
        modality = "ct"
        if "bone" in sites and (not s.follows() or trial) and s.chance(0.5):
            modality = "bone_scintigraphy"
        elif (not s.follows() or trial) and s.chance(0.15):
            modality = "pet_ct"
        purpose = "response_monitoring" if not s.chance(0.07) else None
        s.add("imaging", imaging_date=day, modality=modality, purpose=purpose, result=rng.choice(["stable", "response"]))

    care_events(s, index)
    complications(s, index, sites)
    if brain:
        brain_metastases(s, index, brain, performance)

    # Decisions that become exceptions.
    declined_endocrine = er_positive and s.chance(0.04)
    if declined_endocrine:
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 20)), treatment="endocrine_therapy",
              decision=rng.choice(["declined_by_patient", "contraindicated", "not_suitable"]))
    if visceral and er_positive and s.chance(0.08):
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 10)), treatment="chemotherapy",
              decision=rng.choice(["declined_by_patient", "not_suitable"]))
    tamoxifen_contraindicated = male and er_positive and s.chance(0.2)
    if tamoxifen_contraindicated:
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 20)), treatment="tamoxifen",
              decision="contraindicated")
    if not s.anthracycline_unsuitable and s.chance(0.06):  # e.g. cardiac disease
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(-400, 20)), treatment="anthracycline",
              decision=rng.choice(["contraindicated", "not_suitable"]))
        s.anthracycline_unsuitable = True
    if er_positive and menopausal in ("pre", "peri") and s.chance(0.08):
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 40)), treatment="ovarian_suppression",
              decision=rng.choice(["declined_by_patient", "contraindicated"]))
        s.declined.add("ovarian_suppression")
    ai_contraindicated = er_positive and not male and s.chance(0.04)
    if ai_contraindicated:
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 20)), treatment="aromatase_inhibitor",
              decision=rng.choice(["contraindicated", "declined_by_patient", "clinical_trial"]))

    # Systemic treatment: the first line (sometimes none within 180 days), then a second.
    if "bone" in sites and s.chance(0.06):
        s.add("treatment_decisions", decision_date=days_after(index, rng.randint(0, 30)), treatment="bone_targeted_therapy",
              decision=rng.choice(["declined_by_patient", "contraindicated"]))
    elif "bone" in sites and s.chance(0.6):
        # weaker providers sometimes give an osteoporosis preparation, not licensed for bone metastases (1.5.14)
        licensed = s.follows() or s.chance(0.5)
        agent = rng.choice(["zoledronic acid", "denosumab", "zoledronic acid"] if licensed
                           else ["alendronic acid", "risedronate", "Prolia"])
        s.regimen([agent], days_after(index, rng.randint(-10, 80)), "supportive")
    if untreated or s.chance(0.06) or (declined_endocrine and s.chance(0.5)):
        radiotherapy_courses(s, index, sites)
        return _until_death(s)
    first_start = days_after(index, rng.randint(5, 60) if not s.chance(0.03) else rng.randint(181, 300))
    first_end = days_after(first_start, rng.randint(90, 500))
    use_chemo = declined_endocrine or ai_contraindicated and s.chance(0.3)
    first_drugs = first_line(s, er_positive and not use_chemo, her2_positive, menopausal, male, visceral,
                             first_start, first_end, trial, no_tamoxifen=tamoxifen_contraindicated,
                             no_aromatase_inhibitor=ai_contraindicated)
    if first_end < s.last_day:
        progression_and_second_line(s, first_drugs, first_end, sites, er_positive and menopausal in ("pre", "peri"),
                                    brain_at_index=bool(brain))
    radiotherapy_courses(s, index, sites)
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


