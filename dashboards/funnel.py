"""Funnel plot control limits for proportions (Spiegelhalter, Stat Med 2005; 24:1185-1202).

A provider's adherence y = r / n from n eligible units is compared with the national adherence
p0. Under the hypothesis "in control", R ~ Binomial(n, p0), and the limits at probability p are the
exact binomial quantiles with Spiegelhalter's interpolation (his Appendix A.1.1): r_p is the
smallest r with P(R <= r) >= p,

    alpha = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)),   limit = (r_p - alpha) / n,

clipped to [0, 1]. Without the interpolation the limits would jump in steps of 1/n; with it they
move continuously with p0. Two-sided 95% limits ("alert") use a tail of 0.025 on each side, 99.8%
limits ("alarm") 0.001. For large n they approach the normal approximation
p0 +/- z sqrt(p0 (1 - p0) / n) (`normal_limits`, kept as a reference); for the small denominators
of most providers they differ from it. Providers are only compared with the limits, never ranked.

The lower limit is the interpolated lower quantile of the adherent count; the upper limit is the
same lower quantile of the non-adherent count (Binomial(n, 1 - p0)), taken from 1. Interpolating
upwards from r_p instead puts the upper limit a hair below r_p / n, so that r = n (every unit
adherent) is "above" whenever p0^n exceeds the tail: 12/12 against p0 = 0.9 happens 28% of the
time by chance, yet would be flagged above the alarm limit. Read from both ends, a provider is
below (above) a limit exactly when a count as low (high) as its own has less than the tail's
probability, and the limits are symmetric about 1/2 when p0 is.

Pure Python (math.lgamma) on purpose: scipy is only a transitive dependency, not ours to rely on.
"""
from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

ALERT = 0.95
ALARM = 0.998


def z_for(level: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 95%, 3.090232 for 99.8%."""
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def normal_limits(p0: float, n: float, level: float) -> tuple[float, float]:
    """The normal approximation p0 +/- z sqrt(p0 (1 - p0) / n), clipped to [0, 1]."""
    if n <= 0:
        raise ValueError("the denominator must be positive")
    half_width = z_for(level) * math.sqrt(p0 * (1 - p0) / n)
    return max(0.0, p0 - half_width), min(1.0, p0 + half_width)


def binomial_quantiles(n: int, p0: float, probabilities: tuple[float, ...]) -> tuple[float, ...]:
    """Spiegelhalter's interpolated quantiles r_p - alpha of Binomial(n, p0), one per probability.

    One pass up the distribution function serves every probability, and it starts 12 sqrt(n p0)
    below the mean: the Chernoff bound puts less than exp(-72) of the mass below that, far under a
    double's rounding, so large denominators cost O(sqrt(n)) terms instead of O(n)."""
    if n < 1 or n != int(n):
        raise ValueError(f"the denominator must be a positive whole number, not {n!r}")
    if not 0 <= p0 <= 1:
        raise ValueError(f"p0 must be a proportion, not {p0!r}")
    n = int(n)
    if p0 in (0.0, 1.0):
        # R is then always n p0, so no provider can differ from it by chance: the limits are p0
        # itself (the interpolation would put the upper limit a hair below 1 and flag every provider).
        return tuple(float(n * p0) for _ in probabilities)
    log_p, log_q, log_n = math.log(p0), math.log1p(-p0), math.lgamma(n + 1)
    pending = sorted(range(len(probabilities)), key=lambda i: probabilities[i])
    found = [0.0] * len(probabilities)
    below = 0.0  # P(R <= r - 1)
    for r in range(max(0, math.floor(n * p0 - 12 * math.sqrt(n * p0))), n + 1):
        mass = math.exp(log_n - math.lgamma(r + 1) - math.lgamma(n - r + 1) + r * log_p + (n - r) * log_q)
        cdf = below + mass
        # r == n: the sum of the masses can fall a rounding error short of 1
        while pending and (cdf >= probabilities[pending[0]] or r == n):
            i = pending.pop(0)
            # mass > 0 here: an r without mass leaves the distribution function below p
            found[i] = r - (max(0.0, cdf - probabilities[i]) / mass if mass > 0 else 0.0)
        if not pending:
            break
        below = cdf
    return tuple(found)


def limits(p0: float, n: int, level: float) -> tuple[float, float]:
    """Exact (interpolated) lower and upper control limits at the two-sided `level` for denominator n."""
    return _limits(p0, n, (level,))[0] if level not in (ALERT, ALARM) else _funnel_limits(p0, n)[level]


@lru_cache(maxsize=65536)
def _funnel_limits(p0: float, n: int) -> dict[float, tuple[float, float]]:
    """The alert and alarm limits together: one pass up each distribution serves both levels."""
    return dict(zip((ALERT, ALARM), _limits(p0, n, (ALERT, ALARM))))


def _limits(p0: float, n: int, levels: tuple[float, ...]) -> list[tuple[float, float]]:
    tails = tuple((1 - level) / 2 for level in levels)
    adherent = binomial_quantiles(n, p0, tails)
    non_adherent = binomial_quantiles(n, 1 - p0, tails)
    return [(min(1.0, max(0.0, a / n)), min(1.0, max(0.0, 1 - b / n))) for a, b in zip(adherent, non_adherent)]


def position(p: float, n: int, p0: float) -> str:
    """Where a provider falls: within, or above/below the alert (95%) or alarm (99.8%) limit."""
    for level, name in ((ALARM, "alarm"), (ALERT, "alert")):
        low, high = limits(p0, n, level)
        if p > high:
            return f"above {name} limit"
        if p < low:
            return f"below {name} limit"
    return "within limits"


def denominator_grid(n_max: float, points: int = 80, every_up_to: int = 30) -> list[int]:
    """Whole denominators from 1 to n_max: each one up to `every_up_to`, where the exact limits jump
    most from one n to the next, then square-root spaced (dense where the limits bend).

    The exact limits exist only for whole n, so the curves join their values at whole n."""
    top = max(1, math.ceil(n_max))
    root = math.sqrt(top)
    spaced = {round((1 + (root - 1) * i / (points - 1)) ** 2) for i in range(points)}
    return sorted(spaced | set(range(1, min(top, every_up_to) + 1)) | {top})


def limit_curves(p0: float, n_max: float, points: int = 80) -> dict[str, list[float]]:
    """Limit lines at the whole denominators of `denominator_grid`."""
    grid = denominator_grid(n_max, points)
    curves: dict[str, list[float]] = {"n": grid}
    for level, name in ((ALERT, "alert"), (ALARM, "alarm")):
        bounds = [limits(p0, n, level) for n in grid]
        curves[f"{name}_low"] = [round(b[0], 5) for b in bounds]
        curves[f"{name}_high"] = [round(b[1], 5) for b in bounds]
    return curves
