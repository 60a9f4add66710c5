"""Palliative lines of a synthetic patient's story: the first line, the progression that ends it
and the second line, each chosen (or not) as CG81 and later NICE appraisals recommend by the
provider's quality."""
from __future__ import annotations

import datetime as dt

from sample_data.cns import brain_metastases, brain_presentation, record_presentation
from sample_data.story import Story, days_after

AROMATASE_INHIBITORS = ("letrozole", "anastrozole", "exemestane")
CHEMOTHERAPY = {"docetaxel", "paclitaxel", "capecitabine", "epirubicin", "gemcitabine"}


def first_line(s: Story, er_positive: bool, her2_positive: bool, menopausal: str | None, male: bool,
               visceral: bool, start: dt.date, end: dt.date, trial: bool, no_tamoxifen: bool = False,
               no_aromatase_inhibitor: bool = False) -> list[str]:
    """Chooses and records the first palliative line; returns its drugs (generic names)."""
    rng = s.rng
    # HER2-positive disease: chemotherapy + trastuzumab + pertuzumab is the standard first line
    # (NICE TA509), for ER-negative disease nearly always, for ER-positive disease most often.
    her2_directed = her2_positive and (s.follows() and s.chance(0.8) if er_positive else s.follows() or s.chance(0.5))
    recorded = None
    if her2_positive and (her2_directed or not er_positive):
        drugs, recorded = _her2_first_line(s, start, her2_directed)
    # Visceral crisis calls for chemotherapy first (1.3.2); weaker providers sometimes give endocrine therapy.
    elif er_positive and (not visceral or not s.follows()) and (s.follows() or s.chance(0.5)):
        drugs = _first_endocrine(s, menopausal, male, no_tamoxifen)
        if her2_positive and s.chance(0.25):
            drugs.append("trastuzumab")  # endocrine therapy with trastuzumab for a frailer patient
    elif her2_positive:
        drugs = _first_chemotherapy(s, start) + ["trastuzumab"]
    else:
        drugs = _first_chemotherapy(s, start)
    if no_aromatase_inhibitor and not male and any(d in drugs for d in AROMATASE_INHIBITORS):
        drugs = ["tamoxifen"]  # an aromatase_inhibitor decision: tamoxifen instead
        recorded = None
    intent = "palliative" if not s.chance(0.08) else None
    reason = "progression" if s.chance(0.7) else "completed"
    s.regimen(recorded or drugs, start, intent, end, reason, trial=True if trial else None)
    return drugs


def _first_endocrine(s: Story, menopausal: str | None, male: bool, no_tamoxifen: bool) -> list[str]:
    rng = s.rng
    if male:
        return ["tamoxifen"] if s.follows() and s.chance(0.8) and not no_tamoxifen else ["anastrozole"]
    if menopausal in ("pre", "peri"):
        suppressed = s.follows() and "ovarian_suppression" not in s.declined
        return ["tamoxifen", "goserelin"] if suppressed else ["tamoxifen"]
    if s.follows():
        drugs = [rng.choice(AROMATASE_INHIBITORS)]
        if s.chance(0.6):
            drugs.append(rng.choice(["palbociclib", "ribociclib", "abemaciclib"]))
        return drugs
    return [rng.choice(["tamoxifen", "fulvestrant"])]


def _her2_first_line(s: Story, start: dt.date, directed: bool) -> tuple[list[str], list[str]]:
    """A taxane with trastuzumab and pertuzumab (sometimes the fixed-dose Phesgo), or, where the
    provider falls short, chemotherapy with trastuzumab alone. Returns (drugs, names recorded)."""
    if not directed:
        drugs = _first_chemotherapy(s, start) + (["trastuzumab"] if s.chance(0.6) else [])
        return drugs, drugs
    taxane = "docetaxel" if s.chance(0.75) else "paclitaxel"
    drugs = [taxane, "trastuzumab", "pertuzumab"]
    return drugs, [taxane, "Phesgo"] if s.chance(0.25) else drugs


def _first_chemotherapy(s: Story, start: dt.date) -> list[str]:
    """1.3.10/1.3.11: after anthracyclines, docetaxel (or gemcitabine + paclitaxel); otherwise any."""
    rng = s.rng
    if s.anthracycline_unsuitable:
        if s.follows():
            return ["gemcitabine", "paclitaxel"] if s.chance(0.25) else ["docetaxel"]
        if s.chance(0.3):  # a documented reason not to give docetaxel (1.3.10 exception, 1.3.11 non-adherent)
            s.add("treatment_decisions", decision_date=days_after(start, -10), treatment="docetaxel",
                  decision="contraindicated")
            return ["gemcitabine", "paclitaxel"] if s.chance(0.5) else ["capecitabine"]
        return [rng.choice(["paclitaxel", "capecitabine", "epirubicin"])]
    if not s.follows() and s.chance(0.4):
        return ["gemcitabine", "paclitaxel"]  # 1.3.11: gemcitabine + paclitaxel without prior anthracycline
    if s.chance(0.25):
        return ["epirubicin", "cyclophosphamide"]  # a combination (1.3.9's descriptive figure)
    return [rng.choice(["paclitaxel", "docetaxel", "capecitabine"])]


def progression_and_second_line(s: Story, first_drugs: list[str], first_end: dt.date, sites: list[str],
                                premenopausal_er_positive: bool, brain_at_index: bool) -> None:
    """The progression that ends the first line and the second line that follows it."""
    rng = s.rng
    second_line = [rng.choice(["capecitabine", "vinorelbine", "eribulin", "fulvestrant"])]
    if s.anthracycline_unsuitable and second_line != ["fulvestrant"] and s.follows():  # 1.3.10 sequence
        second_line = [rng.choice(["vinorelbine", "capecitabine"])] if CHEMOTHERAPY & set(first_drugs) else ["docetaxel"]
    if premenopausal_er_positive and "tamoxifen" in first_drugs and "goserelin" not in first_drugs:
        second_line = _after_tamoxifen(s, first_end, second_line)
    if second_line != ["fulvestrant"] and not s.follows() and s.chance(0.6):
        second_line = ["gemcitabine", "carboplatin"]  # 1.3.8: combination rather than sequential
    elif second_line != ["fulvestrant"] and s.chance(0.03):
        second_line.append("study drug")  # an investigational partner the value set cannot name
    progression_sites = rng.choice(sites)
    cns = {}
    if "trastuzumab" in first_drugs:
        # 1.3.12: stop trastuzumab at progression outside the CNS, keep it for CNS-only progression
        cns_only = s.chance(0.35)
        progression_sites = "brain" if cns_only else rng.choice([x for x in sites if x != "brain"] or ["liver"])
        if s.chance(0.04):
            progression_sites = None
        continued = (s.follows() and s.chance(0.75)) if cns_only else not s.follows()
        if continued:
            second_line.append("trastuzumab")
        if continued != cns_only and (s.death is None or s.death > first_end) and s.chance(0.5):  # terminal
            # restarted outside the CNS: dies after the restart (the record already decided 1.3.12a)
            s.death = days_after(first_end, rng.randint(16, 40) if continued else rng.randint(5, 35))
            s.rows[0][1]["date_of_death"] = s.death
        if progression_sites == "brain" and not brain_at_index:  # the first CNS event
            performance = rng.choice([0, 1, 1, 2, 3])
            truth = brain_presentation(s)
            cns = record_presentation(s, truth, performance, nearby=False)[0]
    s.add("disease_events", event_date=first_end, event_type="progression", sites=progression_sites, **cns)
    if cns:
        brain_metastases(s, first_end, truth, performance)
    s.regimen(second_line, days_after(first_end, 14), "palliative",
              provider=s.provider if not s.chance(0.1) else "RXX")


def _after_tamoxifen(s: Story, progression: dt.date, second_line: list[str]) -> list[str]:
    """1.3.6: a premenopausal woman progressing on tamoxifen is offered ovarian suppression;
    some decline further endocrine therapy, recorded near the progression (its exception)."""
    rng = s.rng
    if s.chance(0.2):
        s.add("treatment_decisions", decision_date=days_after(progression, rng.randint(-10, 30)),
              treatment="endocrine_therapy", decision=rng.choice(["declined_by_patient", "not_suitable"]))
        return [rng.choice(["capecitabine", "vinorelbine"])]
    if s.follows():
        return ["goserelin", rng.choice(AROMATASE_INHIBITORS)]
    return second_line
