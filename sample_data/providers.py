"""Who treats the synthetic patients: the bundled sample's six providers in three ICBs, or, from
NATIONAL_FROM_PATIENTS patients up, an England-like structure of about 140 providers in 42 ICBs
(issue 14), so that exports, funnel plots and trends are measured at national shape.

Every provider has a share of the patients, a quality (its probability of following a
recommendation) and the share of combinations its prescribing system records as one regimen per
drug (a property of the system, not of the care: measures.md "Line of therapy").
"""
from __future__ import annotations

import random
import string
from typing import NamedTuple

NATIONAL_FROM_PATIENTS = 100_000
NATIONAL_ICBS = 42
NATIONAL_PROVIDERS = 140


class Provider(NamedTuple):
    code: str            # ODS code of the trust
    icb: str             # ODS code of its integrated care board
    share: float         # share of the patients
    quality: float       # probability of following a recommendation
    split_combinations: float  # share of combinations recorded one regimen per drug


SAMPLE_PROVIDERS = (
    Provider("RAA", "QAA", 0.18, 0.93, 0.10), Provider("RBB", "QAA", 0.24, 0.86, 0.45),
    Provider("RCC", "QBB", 0.28, 0.80, 0.20), Provider("RDD", "QBB", 0.12, 0.90, 0.60),
    Provider("REE", "QCC", 0.08, 0.60, 0.30), Provider("RFF", "QCC", 0.10, 0.78, 0.15),
)


def national_providers(seed: int = 20250201) -> tuple[Provider, ...]:
    """140 providers in 42 ICBs, the same for a given seed: trust sizes vary about tenfold, most
    follow the guideline 80-95% of the time, a few fall well short (the funnel's outliers)."""
    rng = random.Random(f"national-providers:{seed}")
    letters = string.ascii_uppercase + string.digits
    codes = sorted(rng.sample(sorted({"R" + a + b for a in letters for b in letters}), NATIONAL_PROVIDERS))
    icbs = sorted(rng.sample(sorted({"Q" + a + b for a in letters for b in letters}), NATIONAL_ICBS))
    # every ICB has at least one provider; the rest are spread at random
    icb_of = icbs + [rng.choice(icbs) for _ in range(NATIONAL_PROVIDERS - NATIONAL_ICBS)]
    rng.shuffle(icb_of)
    sizes = [rng.lognormvariate(0, 0.6) for _ in codes]
    total = sum(sizes)
    providers = []
    for code, icb, size in zip(codes, icb_of, sizes):
        quality = 0.55 + 0.1 * rng.random() if rng.random() < 0.06 else min(0.97, max(0.7, rng.gauss(0.86, 0.05)))
        providers.append(Provider(code, icb, size / total, round(quality, 3), round(rng.uniform(0.05, 0.6), 2)))
    return tuple(providers)


def providers_for(n_patients: int, seed: int = 20250201) -> tuple[Provider, ...]:
    return national_providers(seed) if n_patients >= NATIONAL_FROM_PATIENTS else SAMPLE_PROVIDERS


def pick_provider(providers: tuple[Provider, ...], rng: random.Random) -> Provider:
    """One draw of the patient's stream, whatever the structure (so the rest of the story is the same)."""
    pick, cumulative = rng.random(), 0.0
    for provider in providers:
        cumulative += provider.share
        if pick < cumulative:
            return provider
    return providers[-1]
