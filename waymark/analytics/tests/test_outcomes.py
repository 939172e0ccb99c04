import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.generalized_linear_model import GLM

from waymark.analytics.outcomes import (
    OutcomeError,
    outcome_reading,
    rate_ratio,
    ratio_of_ratios,
    too_few,
)


def clopper_pearson(x: int, n: int) -> tuple[float, float]:
    """The exact binomial interval from its beta-quantile formula, independently of binomtest."""
    lower = 0.0 if x == 0 else beta.ppf(0.025, x, n - x + 1)
    upper = 1.0 if x == n else beta.ppf(0.975, x + 1, n - x)
    return float(lower), float(upper)


def test_rate_ratio_interval_is_the_clopper_pearson_interval_carried_over():
    # 20 concerns in the 6 months before, 8 in the 3 months after: rates 20/6 and 8/3 a month,
    # a ratio of (8/3)/(20/6) = 0.8. Given n = 28, after ~ Binomial(28, p) with
    # p = r*3 / (6 + r*3). Clopper-Pearson for 8 of 28:
    #   lower p = Beta(0.025; 8, 21)  = 0.13224
    #   upper p = Beta(0.975; 9, 20)  = 0.48667
    # and r = p / (1 - p) * 6 / 3:
    #   lower r = 0.15239 * 2 = 0.3048,  upper r = 0.94806 * 2 = 1.8961.
    result = rate_ratio(20, 8, before_exposure=6, after_exposure=3)
    p_low, p_high = clopper_pearson(8, 28)
    assert p_low == pytest.approx(0.13224, abs=5e-5)
    assert p_high == pytest.approx(0.48667, abs=5e-5)
    assert result.estimate == pytest.approx(0.8)
    assert result.lower == pytest.approx(p_low / (1 - p_low) * 2, rel=1e-9)
    assert result.upper == pytest.approx(p_high / (1 - p_high) * 2, rel=1e-9)
    assert result.lower == pytest.approx(0.3048, abs=1e-4)
    assert result.upper == pytest.approx(1.8961, abs=1e-4)


def test_rate_ratio_p_value_tests_equal_rates_and_agrees_with_the_interval():
    # Equal windows: under no change each of 30 concerns is "after" with probability 1/2.
    # 5 after of 30: P(X <= 5) = sum_{k<=5} C(30, k) / 2^30, doubled.
    result = rate_ratio(25, 5)
    tail = sum(math.comb(30, k) for k in range(6)) / 2**30
    assert result.p_value == pytest.approx(2 * tail)
    assert result.upper is not None and result.upper < 1
    assert result.p_value < 0.05


def test_counts_may_come_from_numpy():
    assert rate_ratio(np.int64(20), np.int64(8)) == rate_ratio(20, 8)


def test_rate_ratio_zeros():
    none_after = rate_ratio(12, 0)
    assert (none_after.estimate, none_after.lower) == (0.0, 0.0)
    assert none_after.upper == pytest.approx(
        clopper_pearson(0, 12)[1] / (1 - clopper_pearson(0, 12)[1])
    )
    none_before = rate_ratio(0, 9)
    assert none_before.estimate is None and none_before.upper == math.inf
    assert none_before.lower == pytest.approx(
        clopper_pearson(9, 9)[0] / (1 - clopper_pearson(9, 9)[0])
    )
    nothing = rate_ratio(0, 0)
    assert (nothing.estimate, nothing.lower, nothing.upper, nothing.p_value) == (None,) * 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"before": -1, "after": 3}, "before cannot be negative"),
        ({"before": 2.5, "after": 3}, "before must be a whole number"),
        ({"before": 2, "after": True}, "after must be a whole number"),
        ({"before": math.inf, "after": 3}, "before must be a whole number"),
        ({"before": 2, "after": 3, "after_exposure": 0}, "after_exposure must be a positive"),
        ({"before": 2, "after": 3, "before_exposure": math.nan}, "before_exposure must be a posi"),
    ],
)
def test_bad_counts_and_exposures_are_named(kwargs, message):
    with pytest.raises(OutcomeError, match=message):
        rate_ratio(**kwargs)


def test_ratio_of_ratios_is_the_interaction_of_a_poisson_model():
    # Six months before and six after, at the context and in the surrounding area, drawn so
    # that the context falls by about half and the area by about a tenth.
    rng = np.random.default_rng(7)
    means = {(0, 1): 5.0, (1, 1): 2.5, (0, 0): 110.0, (1, 0): 100.0}
    period, site, counts = [], [], []
    for (p, s), mean in means.items():
        for month_count in rng.poisson(mean, size=6):
            period.append(p)
            site.append(s)
            counts.append(month_count)
    period_, site_ = np.array(period), np.array(site)
    design = np.column_stack([np.ones(len(counts)), period_, site_, period_ * site_])
    fit = GLM(np.array(counts), design, family=Poisson()).fit()

    def total(p: int, s: int) -> int:
        return int(
            sum(c for c, pp, ss in zip(counts, period, site, strict=True) if (pp, ss) == (p, s))
        )

    result = ratio_of_ratios(total(0, 1), total(1, 1), total(0, 0), total(1, 0))
    assert result.estimate == pytest.approx(math.exp(fit.params[3]), rel=1e-6)
    # The exact interval is a little wider than the model's Wald interval, and about the same.
    wald_low, wald_high = np.exp(fit.conf_int()[3])
    assert result.lower is not None and result.upper is not None
    assert result.lower < wald_low < result.estimate < wald_high < result.upper
    assert result.upper < wald_high * 1.2 and result.lower > wald_low * 0.8


def test_ratio_of_ratios_zeros_and_empty_windows():
    assert ratio_of_ratios(12, 0, 100, 110).estimate == 0.0
    assert ratio_of_ratios(12, 0, 100, 110).lower == 0.0
    assert ratio_of_ratios(0, 9, 100, 100).estimate is None
    assert ratio_of_ratios(0, 9, 100, 100).upper == math.inf
    assert ratio_of_ratios(0, 0, 100, 100).p_value is None
    assert ratio_of_ratios(5, 0, 7, 0).estimate is None


def reading(hb: int, ha: int, ab: int, aa: int) -> str:
    return outcome_reading(rate_ratio(hb, ha), rate_ratio(ab, aa), ratio_of_ratios(hb, ha, ab, aa))


def test_reading_of_a_fall_larger_than_the_area():
    text = reading(30, 12, 700, 630)
    assert text.startswith("Concerns here fell by about 60% (95% interval 20% to 80%)")
    assert "in the surrounding area they fell by about 10%" in text
    assert "the fall here is larger than the area's (p = 0.023)" in text


def test_reading_of_no_clear_change():
    text = reading(20, 18, 700, 650)
    assert text.startswith("Concerns here did not change clearly")
    assert "from a fall of 55% to a rise of 80%" in text
    assert "not clearly different from the area's" in text


def test_reading_of_a_rise():
    text = reading(10, 25, 500, 520)
    assert text.startswith("Concerns here rose to about 2.5 times as many")
    assert "the rise here is larger than the area's" in text
    assert outcome_reading(rate_ratio(40, 70)).startswith("Concerns here rose by about 75% (95% in")


def test_reading_of_too_few():
    assert reading(2, 1, 100, 90).startswith("Too few concerns here to tell")
    # Six concerns, but an interval from a 99.6% fall to a near doubling says nothing.
    assert too_few(rate_ratio(5, 1))
    assert reading(5, 1, 100, 100).startswith("Too few concerns here to tell")
    assert not too_few(rate_ratio(12, 0))
    assert "too few concerns in the surrounding area" in reading(30, 12, 2, 1)


counts = st.integers(min_value=0, max_value=150)


@settings(max_examples=60, deadline=None)
@given(before=counts, after=counts, extra=st.integers(min_value=1, max_value=20))
def test_rate_ratio_interval_holds_its_estimate_and_moves_with_the_counts(before, after, extra):
    result = rate_ratio(before, after)
    if before + after == 0:
        return
    assert result.lower is not None and result.upper is not None
    if result.estimate is not None:
        assert result.lower <= result.estimate <= result.upper
    # More concerns after (or fewer before) can only move the whole interval up.
    more_after = rate_ratio(before, after + extra)
    assert more_after.lower is not None and more_after.upper is not None
    assert more_after.lower >= result.lower and more_after.upper >= result.upper
    # The p-value and the interval tell the same story.
    assert result.p_value is not None
    assert (result.p_value < 0.05) == (result.upper < 1 or result.lower > 1) or (
        abs(result.p_value - 0.05) < 1e-6
    )


@settings(max_examples=40, deadline=None)
@given(
    hb=st.integers(min_value=1, max_value=60),
    ha=st.integers(min_value=0, max_value=60),
    ab=st.integers(min_value=1, max_value=300),
    aa=st.integers(min_value=1, max_value=300),
)
def test_ratio_of_ratios_interval_holds_its_estimate_and_moves_with_the_context(hb, ha, ab, aa):
    result = ratio_of_ratios(hb, ha, ab, aa)
    more = ratio_of_ratios(hb, ha + 3, ab, aa)
    assert result.estimate is not None and more.estimate is not None
    assert result.lower is not None and result.upper is not None
    assert result.lower <= result.estimate <= result.upper
    assert more.estimate > result.estimate
    assert more.lower is not None and more.upper is not None
    assert more.lower >= result.lower * (1 - 1e-6) and more.upper >= result.upper * (1 - 1e-6)
