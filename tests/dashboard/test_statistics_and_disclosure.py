"""Wilson intervals against published values; funnel limits against hand and exact rational
computations (no published table of Spiegelhalter's interpolated limits was found to cite);
disclosure control of counts and the verdicts shown beside them."""
import csv
import math
from fractions import Fraction

import duckdb
import pytest

from dashboards import funnel


# Newcombe RG. Two-sided confidence intervals for the single proportion. Stat Med 1998;17:857-72,
# Table I, method 3 (Wilson score interval without continuity correction).
@pytest.mark.parametrize("successes, n, low, high", [
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe_1998(macros, successes, n, low, high):
    interval = macros.execute("select wilson_interval($s::double, $n::double)", {"s": successes, "n": n}).fetchone()[0]
    assert interval[0] == pytest.approx(low, abs=0.00005)
    assert interval[1] == pytest.approx(high, abs=0.00005)


def test_wilson_interval_is_empty_without_a_denominator(macros):
    assert macros.execute("select wilson_interval(0::double, 0::double)").fetchone()[0] in (None, [None, None])


def test_funnel_z_values_are_spiegelhalters():
    # Spiegelhalter 2005: 95% limits at 1.96 and 99.8% limits at 3.09 standard errors
    assert funnel.z_for(funnel.ALERT) == pytest.approx(1.959964, abs=1e-6)
    assert funnel.z_for(funnel.ALARM) == pytest.approx(3.090232, abs=1e-6)


def test_normal_approximation_worked_example():
    # p0 = 0.8, n = 100: standard error sqrt(0.8 * 0.2 / 100) = 0.04
    assert funnel.normal_limits(0.8, 100, funnel.ALERT) == pytest.approx((0.8 - 0.0784, 0.8 + 0.0784), abs=1e-4)
    assert funnel.normal_limits(0.8, 100, funnel.ALARM) == pytest.approx((0.67639, 0.92361), abs=1e-5)


def test_exact_limits_worked_by_hand_for_ten_cases_at_one_half():
    """Binomial(10, 0.5): P(R <= r) = sum of C(10, k) / 1024, written out from math.comb."""
    cdf = [sum(math.comb(10, k) for k in range(r + 1)) / 1024 for r in range(11)]
    assert cdf[1] == 11 / 1024 and cdf[2] == 56 / 1024 and cdf[7] == 968 / 1024 and cdf[8] == 1013 / 1024

    def interpolated(r_p: int, p: float) -> float:  # (r_p - alpha) / n
        return (r_p - (cdf[r_p] - p) / (cdf[r_p] - cdf[r_p - 1])) / 10

    # 95%: P(R <= 1) = 0.0107 < 0.025 <= P(R <= 2) = 0.0547; the upper limit is the same quantile of the
    # non-adherent count (also Binomial(10, 0.5) here) taken from 1, so the limits are symmetric about 1/2
    assert funnel.limits(0.5, 10, funnel.ALERT) == pytest.approx((interpolated(2, 0.025), 1 - interpolated(2, 0.025)))
    assert funnel.limits(0.5, 10, funnel.ALERT) == pytest.approx((0.13244, 0.86756), abs=1e-5)
    # 99.8%: P(R <= 0) = 0.00098 < 0.001 <= P(R <= 1) = 0.0107
    assert funnel.limits(0.5, 10, funnel.ALARM) == pytest.approx((interpolated(1, 0.001), 1 - interpolated(1, 0.001)))


def test_every_unit_adherent_is_flagged_only_when_it_is_unlikely_by_chance():
    # 12/12 against p0 = 0.9 has probability 0.9^12 = 0.28: within the limits (once flagged above alarm)
    assert funnel.position(1.0, 12, 0.9) == "within limits"
    # 60/60 against p0 = 0.9: 0.9^60 = 0.0018 < 0.025 is above the alert limit, not the alarm limit
    assert funnel.position(1.0, 60, 0.9) == "above alert limit"
    # 70/70: 0.9^70 = 0.0006 < 0.001
    assert funnel.position(1.0, 70, 0.9) == "above alarm limit"
    # and the lower side mirrors it: 0/12 against p0 = 0.1
    assert funnel.position(0.0, 12, 0.1) == "within limits" and funnel.position(0.0, 70, 0.1) == "below alarm limit"


def _reference_limit(n: int, p0: str, p: str) -> float:
    """Spiegelhalter's interpolated limit in exact rational arithmetic, by a plain scan of the distribution
    function: independent of the module's floating-point, windowed, single-pass computation."""
    p0_, p_ = Fraction(p0), Fraction(p)
    below = Fraction(0)
    for r in range(n + 1):
        mass = math.comb(n, r) * p0_ ** r * (1 - p0_) ** (n - r)
        if below + mass >= p_:
            return min(1.0, max(0.0, float((r - (below + mass - p_) / mass) / n)))
        below += mass
    raise AssertionError("the distribution function reaches 1")


@pytest.mark.parametrize("n", [1, 2, 3, 7, 24, 37, 150, 400])
@pytest.mark.parametrize("p0", ["0.03", "0.2", "0.5", "0.7875", "0.95"])
def test_exact_limits_match_exact_rational_arithmetic(n, p0):
    for level, low in ((funnel.ALERT, "0.025"), (funnel.ALARM, "0.001")):
        complement = str(1 - Fraction(p0))
        expected = (_reference_limit(n, p0, low), 1 - _reference_limit(n, complement, low))
        assert funnel.limits(float(p0), n, level) == pytest.approx(expected, abs=1e-9), (n, p0, level)


@pytest.mark.parametrize("p0", [0.2, 0.5, 0.8])
def test_exact_limits_converge_to_the_normal_approximation(p0):
    for level in (funnel.ALERT, funnel.ALARM):
        half_width = funnel.z_for(level) * math.sqrt(p0 * (1 - p0) / 10_000)
        exact, normal = funnel.limits(p0, 10_000, level), funnel.normal_limits(p0, 10_000, level)
        assert all(abs(e - a) < 0.015 * half_width for e, a in zip(exact, normal)), (p0, level, exact, normal)
    # ... and for a provider-sized denominator they differ: the reason for the exact limits
    assert abs(funnel.limits(0.8, 100, funnel.ALERT)[0] - funnel.normal_limits(0.8, 100, funnel.ALERT)[0]) > 0.005


def test_exact_limits_stay_in_the_unit_interval_and_narrow_with_the_denominator():
    assert funnel.limits(0.95, 5, funnel.ALARM)[1] <= 1.0 and funnel.limits(0.03, 5, funnel.ALARM)[0] == 0.0
    assert funnel.limits(0.5, 400, funnel.ALERT)[1] < funnel.limits(0.5, 100, funnel.ALERT)[1]
    # with p0 at 0 or 1 every provider must be at p0: nothing can be outside the limits
    assert funnel.limits(1.0, 20, funnel.ALARM) == (1.0, 1.0) and funnel.position(1.0, 20, 1.0) == "within limits"
    assert funnel.limits(0.0, 20, funnel.ALARM) == (0.0, 0.0)
    with pytest.raises(ValueError):
        funnel.limits(0.5, 10.5, funnel.ALERT)


# Exact limits for p0 = 0.8, n = 100: 95% (0.7135, 0.8803), 99.8% (0.6632, 0.9190)
@pytest.mark.parametrize("p, n, expected", [
    (0.80, 100, "within limits"), (0.88, 100, "within limits"), (0.89, 100, "above alert limit"),
    (0.91, 100, "above alert limit"), (0.92, 100, "above alarm limit"), (0.72, 100, "within limits"),
    (0.71, 100, "below alert limit"), (0.66, 100, "below alarm limit"),
])
def test_funnel_position(p, n, expected):
    assert funnel.position(p, n, 0.8) == expected


def test_limit_curves_are_drawn_at_whole_denominators():
    curves = funnel.limit_curves(0.8, 250)
    assert curves["n"][0] == 1 and curves["n"][-1] == 250
    assert curves["n"] == sorted(set(curves["n"])) and all(isinstance(n, int) for n in curves["n"])
    assert curves["n"][:30] == list(range(1, 31))  # every n where the limits jump most
    assert all(lo <= hi for lo, hi in zip(curves["alert_low"], curves["alert_high"]))
    assert all(a <= b for a, b in zip(curves["alarm_low"], curves["alert_low"]))
    assert curves["alert_low"][-1] == round(funnel.limits(0.8, 250, funnel.ALERT)[0], 5)


@pytest.mark.parametrize("count, shown", [
    (0, "0"), (1, "*"), (7, "*"), (8, "10"), (12, "10"), (13, "15"), (22, "20"), (23, "25"), (1234, "1235"),
])
def test_disclosed_count_suppresses_1_to_7_and_rounds_the_rest_to_5(macros, count, shown):
    assert macros.execute("select disclosed_count($n, 1, 7, 5)", {"n": count}).fetchone()[0] == shown


def test_disclosure_is_configurable(macros):
    assert macros.execute("select disclosed_count(9, 1, 10, 1)").fetchone()[0] == "*"
    assert macros.execute("select disclosed_count(11, 1, 10, 1)").fetchone()[0] == "11"


def test_sample_dashboard_measures_hide_what_suppressed_counts_would_reveal(sample_output):
    database = sample_output.parent / f".{sample_output.name}.work" / "audit.duckdb"
    with duckdb.connect(str(database), read_only=True) as db:
        rows = db.execute("""select d.*, m.numerator as true_numerator, m.denominator as true_denominator,
                m.adherence as true_adherence, m.target_met as true_target_met
            from measures.disclosed_measures d join measures.measures m using (rule_id, level, "group", period)""").df()
    small = rows[(rows["true_numerator"].between(1, 7)) | (rows["true_denominator"].between(1, 7))]
    assert len(small) > 0 and small["suppressed"].all()
    assert small["adherence"].isna().all() and small["ci_low"].isna().all() and small["target_met"].isna().all()
    shown = rows[~rows["suppressed"]]
    assert shown["numerator"].map(lambda v: v == "*" or int(v) % 5 == 0).all()
    with_denominator = shown[shown["true_denominator"] > 0]
    x, n = with_denominator["numerator"].astype(int), with_denominator["denominator"].astype(int)
    expected = ((x * 20000 + n) // (2 * n)) / 10000  # to 4 places, a half rounded up, from the counts
    assert (with_denominator["adherence"] - expected).abs().max() < 1e-9
    assert ((with_denominator["ci_low"] <= with_denominator["adherence"])
            & (with_denominator["adherence"] <= with_denominator["ci_high"])).all()
    # The rounding must not be undone: the figures shown beside the counts depend on the shown counts
    # only, so rows with different true counts behind the same shown counts show the same figures ...
    figures = with_denominator.groupby(["numerator", "denominator"])[["adherence", "ci_low", "ci_high"]].nunique()
    assert (figures == 1).all().all()
    behind = with_denominator.groupby(["numerator", "denominator"])[["true_numerator", "true_denominator"]].nunique()
    assert (behind.max(axis=1) > 1).any(), "the sample must have shown counts hiding different true counts"
    assert (with_denominator["adherence"] != with_denominator["true_adherence"]).any()
    # ... but the target verdict, one bit, is the exact one wherever the adherence is shown
    targeted = with_denominator[with_denominator["target"].notna()]
    assert len(targeted) > 0 and (targeted["target_met"].astype(bool) == targeted["true_target_met"].astype(bool)).all()
    assert rows.loc[rows["adherence"].isna(), "target_met"].isna().all()
    with (sample_output / "measures.csv").open() as handle:  # the analysts' file keeps real counts + the flag
        assert any(r["suppressed"] == "true" and r["numerator"] not in ("", "*") for r in csv.DictReader(handle))


def _disclosed(rows: list[tuple]) -> list[dict]:
    """measures/disclosed_measures.sql over hand-written exact measures (numerator, denominator, target)."""
    from pipelines.sql_runner import create_table, load_macros

    with duckdb.connect() as con:
        load_macros(con)
        con.execute("create schema measures")
        con.execute("""create table measures.measures (rule_id varchar, level varchar, "group" varchar,
            period varchar, numerator bigint, denominator bigint, excluded bigint, insufficient_data bigint,
            adherence double, target double, target_met boolean, suppressed boolean)""")
        for i, (numerator, denominator, target) in enumerate(rows):
            con.execute("""insert into measures.measures values ($rule, 'national', 'national', 'all', $x, $n, 0, 0,
                    round($x / $n, 4), $t, $x / $n >= $t, $x between 1 and 7 or $n between 1 and 7)""",
                        {"rule": f"R{i}", "x": numerator, "n": denominator, "t": target})
        # the view the measures stage points at measures.measures (or at the measures after review)
        con.execute("create temp view measures_to_disclose as select * from measures.measures")
        create_table(con, "measures.disclosed_measures", "measures/disclosed_measures.sql",
                     {"suppress_min": 1, "suppress_max": 7, "round_to": 5})
        cursor = con.execute("select * from measures.disclosed_measures order by rule_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]


def test_target_verdict_is_judged_on_the_exact_counts_where_rounding_crosses_the_target():
    """1.5.18 in the acceptance review: truly 8/11 = 72.7%, not meeting 80%, shown as 10/10 = 100%.
    The figures shown stay those of the rounded counts; only the verdict is exact."""
    crossing_up, crossing_down, suppressed = _disclosed([(8, 11, 0.8), (17, 21, 0.8), (5, 11, 0.8)])
    assert (crossing_up["numerator"], crossing_up["denominator"], crossing_up["adherence"]) == ("10", "10", 1.0)
    assert crossing_up["target_met"] is False
    # truly 17/21 = 81.0% meets 80%; shown as 15/20 = 75%
    assert (crossing_down["numerator"], crossing_down["denominator"], crossing_down["adherence"]) == ("15", "20", 0.75)
    assert crossing_down["target_met"] is True
    assert suppressed["numerator"] == "*" and suppressed["adherence"] is None and suppressed["target_met"] is None
