"""Funnel plot control limits for proportions (Spiegelhalter, Stat Med 2005; 24:1185-1202).

A provider's adherence p from n eligible units is compared with the national adherence p0. Under
the hypothesis "in control", p ~ Normal(p0, p0 (1 - p0) / n), so the limits at a two-sided level
are p0 +/- z sqrt(p0 (1 - p0) / n), clipped to [0, 1]: 95% ("alert", z = 1.960) and 99.8%
("alarm", z = 3.090). Providers are only compared with the limits, never ranked.
"""
from __future__ import annotations

import math
from statistics import NormalDist

ALERT = 0.95
ALARM = 0.998


def z_for(level: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 95%, 3.090232 for 99.8%."""
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def limits(p0: float, n: float, level: float) -> tuple[float, float]:
    """Lower and upper control limits at `level` for a denominator n."""
    if n <= 0:
        raise ValueError("the denominator must be positive")
    half_width = z_for(level) * math.sqrt(p0 * (1 - p0) / n)
    return max(0.0, p0 - half_width), min(1.0, p0 + half_width)


def position(p: float, n: float, p0: float) -> str:
    """Where a provider falls: within, or above/below the alert (95%) or alarm (99.8%) limit."""
    for level, name in ((ALARM, "alarm"), (ALERT, "alert")):
        low, high = limits(p0, n, level)
        if p > high:
            return f"above {name} limit"
        if p < low:
            return f"below {name} limit"
    return "within limits"


def limit_curves(p0: float, n_max: float, points: int = 60) -> dict[str, list[float]]:
    """Limit lines from n = 1 to n_max on a square-root spaced grid (smooth where they bend)."""
    root = math.sqrt(max(n_max, 1.0))
    grid = sorted({round((1 + (root - 1) * i / (points - 1)) ** 2, 2) for i in range(points)})
    curves = {"n": grid}
    for level, name in ((ALERT, "alert"), (ALARM, "alarm")):
        bounds = [limits(p0, n, level) for n in grid]
        curves[f"{name}_low"] = [round(b[0], 5) for b in bounds]
        curves[f"{name}_high"] = [round(b[1], 5) for b in bounds]
    return curves
