"""Brain (CNS) metastases of a synthetic patient's story: the patient's real presentation, what
the first CNS event records of it (1.5.18's criteria and performance status: all, some or none,
by the provider's quality) and the care that follows (1.5.18-1.5.21)."""
from __future__ import annotations

import datetime as dt

from sample_data.story import Story, days_after

CRITERIA = ("brain_metastasis_count", "brain_metastases_resectable", "extracranial_disease_controlled")


def brain_presentation(s: Story) -> dict:
    """The patient's real presentation, which drives the care whatever the record says."""
    count = s.rng.choice([1, 1, 2, 3, 4, 6, 8, 12])
    return {"brain_metastasis_count": count,
            "brain_metastases_resectable": s.chance(0.7 if count <= 3 else 0.2),
            "extracranial_disease_controlled": s.chance(0.6)}


def record_presentation(s: Story, truth: dict, performance: int, nearby: bool) -> tuple[dict, bool]:
    """The CNS event's fields as recorded, and whether performance status is recorded on a
    nearby event instead (only where the caller can write one: `nearby`). Better providers
    record every criterion more often; weaker ones record none or some of them."""
    roll = s.rng.random()
    if roll < 0.8 * s.quality:
        kept = CRITERIA
    elif roll < 0.8 * s.quality + 0.6 * (1 - s.quality):
        kept = ()
    else:
        chosen = set(s.rng.sample(CRITERIA, s.rng.randint(1, 2)))
        kept = tuple(c for c in CRITERIA if c in chosen)
    fields = {c: truth[c] if c in kept else None for c in CRITERIA}
    if s.chance(0.85 * s.quality):
        where = "event"
    else:
        where = "nearby" if s.chance(0.5) else "nowhere"
    if where == "nearby" and not nearby:
        where = "event"
    fields["performance_status"] = performance if where == "event" else None
    return fields, where == "nearby"


def brain_metastases(s: Story, anchor: dt.date, truth: dict, performance: int) -> None:
    """Surgery then whole brain radiotherapy (1.5.18), radiotherapy (1.5.19), rehabilitation
    (1.5.20) or specialist palliative care (1.5.21), each done or not by the provider's quality.
    Stereotactic radiotherapy (NG99) is given to some patients with few metastases, and to some
    resection cavities, in place of whole brain radiotherapy."""
    rng = s.rng
    count = truth["brain_metastasis_count"]
    surgical = (1 <= count <= 3 and truth["brain_metastases_resectable"]
                and truth["extracranial_disease_controlled"] and performance <= 1)
    radiosurgery_candidate = count <= 4 and performance <= 1
    resection = brain_radiotherapy = None
    partial = False
    if surgical and s.chance(0.15):
        s.add("treatment_decisions", decision_date=days_after(anchor, rng.randint(0, 20)), treatment="surgery",
              decision=rng.choice(["declined_by_patient", "not_suitable"]))
        surgical = False
    if surgical and s.follows():
        resection = days_after(anchor, rng.randint(7, 45))
        s.add("procedures", procedure_date=resection, procedure="brain_metastasis_resection")
        if s.follows():
            brain_radiotherapy = days_after(resection, rng.randint(14, 50))
        elif s.chance(0.5):  # stereotactic radiotherapy to the cavity
            brain_radiotherapy, partial = days_after(resection, rng.randint(14, 40)), True
        elif s.chance(0.4):
            s.add("treatment_decisions", decision_date=days_after(resection, 10), treatment="radiotherapy",
                  decision="declined_by_patient")
    elif performance < 3 and s.follows() or s.chance(0.15):
        brain_radiotherapy = days_after(anchor, rng.randint(5, 50))
        partial = s.chance(0.45) if radiosurgery_candidate else s.chance(0.05)
    elif s.chance(0.15):
        s.add("treatment_decisions", decision_date=days_after(anchor, rng.randint(0, 30)), treatment="radiotherapy",
              decision=rng.choice(["declined_by_patient", "not_suitable"]))
    elif s.chance(0.3):
        brain_radiotherapy = days_after(anchor, rng.randint(65, 120))  # late
    if brain_radiotherapy is not None and partial:
        dose, fractions = rng.choice([(21, 1), (24, 3), (27, 3), (30, 5)])
        s.radiotherapy(brain_radiotherapy, "brain_partial", "other", dose, fractions, intent="palliative",
                       technique="stereotactic" if not s.chance(0.1) else None)
    elif brain_radiotherapy is not None:
        s.radiotherapy(brain_radiotherapy, "brain_whole", "other", 20, 5, intent="palliative",
                       technique=rng.choice(["conventional", None]))
    treated = min(d for d in (resection, brain_radiotherapy) if d) if resection or brain_radiotherapy else None
    if treated and treated <= days_after(anchor, 60):
        _maybe_care(s, "rehabilitation_referral", treated, 60)
    else:
        _maybe_care(s, "specialist_palliative_care_referral", anchor, 60)


def _maybe_care(s: Story, event_type: str, start: dt.date, within_days: int) -> None:
    """Recorded in time by better providers; sometimes late."""
    if s.follows() and s.chance(0.9):
        day = days_after(start, s.rng.randint(0, within_days - 5))
    elif s.chance(0.3):
        day = days_after(start, within_days + s.rng.randint(5, 60))
    else:
        return
    if day <= s.last_day:
        s.add("care_events", event_date=day, event_type=event_type, provider_code=None)
