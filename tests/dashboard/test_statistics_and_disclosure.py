"""Wilson intervals and funnel limits against published values; disclosure control of counts."""
import csv

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


def test_funnel_limits_worked_example():
    # p0 = 0.8, n = 100: standard error sqrt(0.8 * 0.2 / 100) = 0.04
    assert funnel.limits(0.8, 100, funnel.ALERT) == pytest.approx((0.8 - 0.0784, 0.8 + 0.0784), abs=1e-4)
    assert funnel.limits(0.8, 100, funnel.ALARM) == pytest.approx((0.67639, 0.92361), abs=1e-5)
    # limits never leave [0, 1], and narrow as the denominator grows
    assert funnel.limits(0.95, 5, funnel.ALARM) == (pytest.approx(0.6488, abs=1e-4), 1.0)
    assert funnel.limits(0.5, 400, funnel.ALERT)[1] < funnel.limits(0.5, 100, funnel.ALERT)[1]


@pytest.mark.parametrize("p, n, expected", [
    (0.80, 100, "within limits"), (0.87, 100, "within limits"), (0.88, 100, "above alert limit"),
    (0.93, 100, "above alarm limit"), (0.72, 100, "below alert limit"), (0.66, 100, "below alarm limit"),
])
def test_funnel_position(p, n, expected):
    assert funnel.position(p, n, 0.8) == expected


def test_limit_curves_span_the_denominators():
    curves = funnel.limit_curves(0.8, 250)
    assert curves["n"][0] == 1 and curves["n"][-1] == 250
    assert curves["n"] == sorted(curves["n"])
    assert all(lo <= hi for lo, hi in zip(curves["alert_low"], curves["alert_high"]))


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
                m.adherence as true_adherence
            from measures.disclosed_measures d join measures.measures m using (rule_id, level, "group", period)""").df()
    small = rows[(rows["true_numerator"].between(1, 7)) | (rows["true_denominator"].between(1, 7))]
    assert len(small) > 0 and small["suppressed"].all()
    assert small["adherence"].isna().all() and small["ci_low"].isna().all() and small["target_met"].isna().all()
    shown = rows[~rows["suppressed"]]
    assert shown["numerator"].map(lambda v: v == "*" or int(v) % 5 == 0).all()
    with_denominator = shown[shown["true_denominator"] > 0]
    expected = with_denominator["numerator"].astype(int) / with_denominator["denominator"].astype(int)
    assert (with_denominator["adherence"] - expected.round(4)).abs().max() < 1e-9
    assert ((with_denominator["ci_low"] <= with_denominator["adherence"])
            & (with_denominator["adherence"] <= with_denominator["ci_high"])).all()
    # The rounding must not be undone: what is shown beside the counts depends on the shown counts only,
    # so rows with different true counts behind the same shown counts show the same figures.
    figures = with_denominator.groupby(["numerator", "denominator"])[["adherence", "ci_low", "ci_high"]].nunique()
    assert (figures == 1).all().all()
    behind = with_denominator.groupby(["numerator", "denominator"])[["true_numerator", "true_denominator"]].nunique()
    assert (behind.max(axis=1) > 1).any(), "the sample must have shown counts hiding different true counts"
    assert (with_denominator["adherence"] != with_denominator["true_adherence"]).any()
    with (sample_output / "measures.csv").open() as handle:  # the analysts' file keeps real counts + the flag
        assert any(r["suppressed"] == "true" and r["numerator"] not in ("", "*") for r in csv.DictReader(handle))
