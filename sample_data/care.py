"""Radiotherapy, process-of-care events and complications of a synthetic patient's story."""
from __future__ import annotations

import datetime as dt

from sample_data.story import Story, days_after


def radiotherapy_courses(s: Story, index: dt.date, sites: list[str]) -> None:
    """Palliative radiotherapy for bone metastases (1.5.16) and brain metastases."""
    rng = s.rng
    if "bone" in sites:
        for _ in range(rng.choice([0, 1, 1, 2])):
            start = days_after(index, rng.randint(-20, 300))
            indication = rng.choices(["pain", "spinal_cord_compression", "pathological_fracture", "post_operative", None],
                                     [80, 7, 5, 3, 5])[0]
            dose, fractions = (8, 1) if s.follows() else rng.choice([(20, 5), (30, 10), (8, 1)])
            if s.chance(0.04):
                dose, fractions = (None, fractions) if s.chance(0.5) else (dose, None)
            technique = "stereotactic" if s.chance(0.04) else rng.choice(["conventional", None])
            s.radiotherapy(start, rng.choice(["bone_spine", "bone_pelvis", "bone_long", "bone_rib"]), indication,
                           dose, fractions, intent="radical" if s.chance(0.02) else "palliative",
                           technique=technique, retreatment=True if s.chance(0.04) else None)


CARE_EVENTS = [  # (event type, earliest and latest usual day relative to index, base probability)
    ("mdt_discussion", -25, 50, 1.0), ("key_worker_assigned", -400, 80, 0.95),
    ("information_preference_assessed", -20, 80, 0.9), ("decision_involvement_assessed", -20, 80, 0.85),
    ("holistic_needs_assessment", -20, 85, 0.85), ("decision_aid_offered", -10, 85, 0.6),
    ("information_provided", -10, 60, 0.9),
]


def care_events(s: Story, index: dt.date) -> None:
    """Process-of-care events, recorded by better providers more often; a few fall late."""
    for event_type, earliest, latest, base in CARE_EVENTS:
        if not (s.follows() and s.chance(base)):
            if s.chance(0.15):  # done, but after the window
                late = days_after(index, latest + s.rng.randint(12, 90))
                if late <= s.last_day:
                    s.add("care_events", event_date=late, event_type=event_type, provider_code=None)
            continue
        when = days_after(index, s.rng.randint(earliest, latest))
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


def complications(s: Story, index: dt.date, sites: list[str]) -> None:
    """Fatigue and flagged local or bone problems, each followed (or not) by the care it calls for."""
    for share, trigger, responses in COMPLICATIONS:
        if trigger == "long_bone_fracture_risk" and "bone" not in sites or not s.chance(share):
            continue
        when = days_after(index, s.rng.randint(-20, 400))
        if s.death and s.chance(0.4):  # complications cluster near the end of life
            when = max(days_after(index, -20), days_after(s.death, -s.rng.randint(2, 25)))
        if when > s.last_day:
            continue
        if trigger == "fatigue":
            s.add("care_events", event_date=when, event_type="significant_fatigue_reported", provider_code=None)
        else:
            s.add("disease_events", event_date=when, event_type="progression", **{trigger: True})
        for care, first, last in responses:
            if s.follows() and s.chance(0.9):
                day = days_after(when, s.rng.randint(max(first, 0), last))
            elif s.chance(0.3):
                day = days_after(when, last + s.rng.randint(5, 60))
            else:
                continue
            if day > s.last_day:
                continue
            if care == "orthopaedic_assessment" and s.chance(0.3):
                s.add("procedures", procedure_date=day, procedure="prophylactic_fixation")
            else:
                s.add("care_events", event_date=day, event_type=care, provider_code=None)
