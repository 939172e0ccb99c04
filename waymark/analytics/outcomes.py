"""Outcomes of work on a context: did the place, peer group or neighbourhood become safer?

A context plan starts on a date. The concerns recorded at the context in a window before that
date (say six months) are compared with those in a window of the same length after it, and the
same is done for the surrounding area, which shows what would likely have happened anyway
(seasons, a change in recording, a town-wide rise). Three answers:

- `rate_ratio`: how concerns changed at one site, after / before, with an exact interval.
- `ratio_of_ratios`: how the change at the context compares with the area's, a
  difference-in-differences on the log scale.
- `outcome_reading`: the two in plain words, uncertainty included.

Counts are treated as Poisson. Concerns cluster (one incident can bring several), so real
variation is larger than Poisson and the intervals are, if anything, too narrow; readings say
"about" and never claim a cause. The surrounding area should not include the context itself,
or the comparison is diluted towards no difference.

Both intervals are exact and conditional: given the total, the split of the counts is binomial
(one site) or non-central hypergeometric (two sites), whose parameter is a one-to-one function
of the ratio of interest. So they hold at the small counts a single context has, and a zero
count needs no special formula. Each p-value is the exact test the interval inverts, with both
tails doubled (the "central" method), so p < 0.05 exactly when the 95% interval leaves out no
change. (Scipy's default two-sided p-values use a different rule and can disagree with the
interval near 0.05.)
"""

import math
from dataclasses import dataclass
from numbers import Real

from scipy.stats import binomtest, fisher_exact
from scipy.stats.contingency import odds_ratio

CONFIDENCE = 0.95

# Fewer concerns than this, before and after together, and a reading says "too few to tell". It
# is Waymark's threshold for publishing a count, and at equal windows no split of 5 or fewer
# concerns could show a clear change anyway.
MIN_CONCERNS = 5
# An interval that includes no change and whose upper end is more than this many times its lower
# end (say from a 90% fall to a tenfold rise), or has no upper end, says nothing.
WIDEST_RATIO = 100.0


class OutcomeError(ValueError):
    """The counts or exposures cannot be compared."""


@dataclass(frozen=True)
class RateRatio:
    """The rate after over the rate before at one site, with its 95% interval.

    `estimate` is None when nothing was recorded before (the rise cannot be put as a ratio);
    `lower`, `upper` and `p_value` are None too when nothing was recorded at all. `upper` is
    `math.inf` when nothing was recorded before.
    """

    estimate: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    before: int
    after: int

    @property
    def total(self) -> int:
        return self.before + self.after


@dataclass(frozen=True)
class RatioOfRatios:
    """(here after / here before) / (area after / area before), with its 95% interval.

    Below 1: concerns at the context went down relative to the surrounding area. `estimate` is
    None when it is infinite; everything is None when a site or a window has no concerns at all.
    """

    estimate: float | None
    lower: float | None
    upper: float | None
    p_value: float | None
    here_before: int
    here_after: int
    area_before: int
    area_after: int


def _count(name: str, value: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not math.isfinite(value)
        or value != int(value)
    ):
        raise OutcomeError(f"{name} must be a whole number of concerns, not {value!r}")
    if value < 0:
        raise OutcomeError(f"{name} cannot be negative (got {value})")
    return int(value)


def _exposure(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise OutcomeError(f"{name} must be a number, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise OutcomeError(f"{name} must be a positive, finite length of time (got {value})")
    return float(value)


def _central_p(one_sided_less: float, one_sided_greater: float) -> float:
    return float(min(1.0, 2.0 * min(one_sided_less, one_sided_greater)))


def rate_ratio(
    before: int, after: int, *, before_exposure: float = 1.0, after_exposure: float = 1.0
) -> RateRatio:
    """How concerns changed at one site: (after / after_exposure) / (before / before_exposure).

    Exposures are the lengths of the two windows (any unit, the same for both); with equal
    windows the ratio is after / before.

    Given n = before + after, `after` is Binomial(n, p) with p = r·Ta / (Tb + r·Ta), where r is
    the rate ratio and Ta, Tb the exposures. The Clopper-Pearson interval for p (scipy's
    `binomtest(...).proportion_ci(method="exact")`) is carried over to r by the inverse map
    r = p / (1 - p) · Tb / Ta, which is increasing, so the interval's coverage carries over too.
    The p-value tests r = 1, that is p = Ta / (Ta + Tb).
    """
    before = _count("before", before)
    after = _count("after", after)
    tb = _exposure("before_exposure", before_exposure)
    ta = _exposure("after_exposure", after_exposure)
    n = before + after
    if n == 0:
        return RateRatio(None, None, None, None, before, after)

    def ratio(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * tb / ta

    ci = binomtest(after, n).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    null = ta / (ta + tb)
    p_value = _central_p(
        binomtest(after, n, null, alternative="less").pvalue,
        binomtest(after, n, null, alternative="greater").pvalue,
    )
    estimate = None if before == 0 else (after / ta) / (before / tb)
    return RateRatio(
        estimate=estimate,
        lower=0.0 if after == 0 else ratio(ci.low),
        upper=math.inf if before == 0 else ratio(ci.high),
        p_value=p_value,
        before=before,
        after=after,
    )


def ratio_of_ratios(
    here_before: int, here_after: int, area_before: int, area_after: int
) -> RatioOfRatios:
    """The change at the context over the change in the surrounding area, with an exact interval.

    The windows must be the same for both sites, so exposures cancel. The estimate is the sample
    odds ratio of the table [[here_after, here_before], [area_after, area_before]], which is
    exp(interaction) of the Poisson model count ~ period * site, the usual difference-in-
    differences on the log scale.

    Interval: exact and conditional (Cornfield's), from scipy's
    `odds_ratio(table, kind="conditional").confidence_interval()`. Given the four margins the
    table's first cell is non-central hypergeometric with the ratio of ratios as its parameter,
    so the interval is valid at any count and with zeros, where the log-linear model's Wald
    interval (log estimate ± 1.96·sqrt(1/a + 1/b + 1/c + 1/d)) is undefined or too narrow; a
    single context rarely has many concerns. p-value: Fisher's exact test, both one-sided tests
    doubled, which is the test this interval inverts.
    """
    hb = _count("here_before", here_before)
    ha = _count("here_after", here_after)
    ab = _count("area_before", area_before)
    aa = _count("area_after", area_after)
    if 0 in (hb + ha, ab + aa, hb + ab, ha + aa):
        return RatioOfRatios(None, None, None, None, hb, ha, ab, aa)
    table = [[ha, hb], [aa, ab]]
    ci = odds_ratio(table, kind="conditional").confidence_interval(confidence_level=CONFIDENCE)
    p_value = _central_p(
        fisher_exact(table, alternative="less").pvalue,
        fisher_exact(table, alternative="greater").pvalue,
    )
    numerator, denominator = ha * ab, hb * aa
    return RatioOfRatios(
        estimate=None if denominator == 0 else numerator / denominator,
        lower=0.0 if numerator == 0 else float(ci.low),
        upper=math.inf if denominator == 0 else float(ci.high),
        p_value=p_value,
        here_before=hb,
        here_after=ha,
        area_before=ab,
        area_after=aa,
    )


# Readings ------------------------------------------------------------------------------------


def too_few(ratio: RateRatio) -> bool:
    """Whether a site's counts are too few to say anything: the rule `outcome_reading` uses.

    Fewer than MIN_CONCERNS before and after together, or an interval that includes no change
    and spans more than WIDEST_RATIO (from a 90% fall to a tenfold rise, say) or has no upper
    end.
    """
    if ratio.total < MIN_CONCERNS or ratio.lower is None or ratio.upper is None:
        return True
    if ratio.lower <= 1.0 <= ratio.upper:
        return ratio.lower == 0.0 or ratio.upper / ratio.lower > WIDEST_RATIO
    return False


def _percent(change: float) -> int:
    """A change (0.62 for 62%) as a humane whole percentage: to the nearest 5 from 10% to 90%,
    to the nearest 1 outside it, and never 100% unless it is."""
    pct = abs(change) * 100
    shown = round(pct / 5) * 5 if 10 <= pct < 90 else round(pct)
    if shown >= 100 and 0.0 < pct < 100:
        return 99
    return max(shown, 1) if pct > 0 else 0


def _times(ratio: float) -> str:
    return f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"


def _change(ratio: float) -> str:
    """A ratio as a change in words, for ends of intervals: "a fall of 40%", "a rise of 30%"."""
    if ratio == 0.0:
        return "a fall of 100%"
    if math.isinf(ratio):
        return "any rise"
    if ratio < 1:
        return f"a fall of {_percent(1 - ratio)}%"
    if ratio >= 2:
        return f"{_times(ratio)} times as many"
    return f"a rise of {_percent(ratio - 1)}%"


def _moved(ratio: float) -> str:
    """What concerns did, for a point estimate: "fell by about 60%", "rose by about 20%"."""
    if ratio == 0.0:
        return "fell to none"
    if abs(ratio - 1) < 0.025:
        return "stayed about the same"
    if ratio < 1:
        return f"fell by about {_percent(1 - ratio)}%"
    if ratio >= 2:
        return f"rose to about {_times(ratio)} times as many"
    return f"rose by about {_percent(ratio - 1)}%"


def _interval(lower: float, upper: float) -> str:
    """The 95% interval in words, in the same terms as the estimate where it can be."""
    if upper < 1:
        return f"95% interval {_percent(1 - upper)}% to {_percent(1 - lower)}%"
    if lower > 1 and math.isinf(upper):
        return f"95% interval: {_change(lower)} or more"
    if lower > 1 and upper < 2:
        return f"95% interval {_percent(lower - 1)}% to {_percent(upper - 1)}%"
    if lower >= 2:
        return f"95% interval {_times(lower)} to {_times(upper)} times as many"
    return f"95% interval from {_change(lower)} to {_change(upper)}"


def _p(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}"  # two significant figures: 0.023, 0.18, 1


def _clear(lower: float, upper: float) -> bool:
    return upper < 1 or lower > 1


def _here_sentence(estimate: float | None, lower: float, upper: float) -> str:
    interval = _interval(lower, upper)
    if estimate is None:
        # Nothing before, and (not too few) the interval's lower end is a rise.
        return f"Concerns here rose from none before the plan started ({interval})"
    if _clear(lower, upper):
        return f"Concerns here {_moved(estimate)} ({interval})"
    best = "no change" if estimate == 1 else _change(estimate)
    return f"Concerns here did not change clearly (best estimate {best}; {interval})"


def _comparison(here: float | None, area: float, lower: float, upper: float, p_value: float) -> str:
    p = _p(p_value)
    if not _clear(lower, upper):
        return f"the change here is not clearly different from the area's ({p})"
    lower_here = upper < 1
    if here is not None and here < 1 and area < 1:
        return f"the fall here is {'larger' if lower_here else 'smaller'} than the area's ({p})"
    if (here is None or here > 1) and area > 1:
        return f"the rise here is {'smaller' if lower_here else 'larger'} than the area's ({p})"
    direction = "down" if lower_here else "up"
    return f"relative to the surrounding area, concerns here went {direction} ({p})"


def outcome_reading(
    here: RateRatio, area: RateRatio | None = None, did: RatioOfRatios | None = None
) -> str:
    """The outcome in plain words, with its uncertainty.

    - Too few concerns at the context (`too_few`): say so, and nothing else.
    - Otherwise how concerns changed here: "fell by about 60% (95% interval 25% to 80%)" when
      the interval leaves out no change, or "did not change clearly" with the best estimate and
      the interval when it does not.
    - With the area: how concerns there changed (estimate only: it is context, not the finding),
      or that the area has too few to compare.
    - With the ratio of ratios: whether the change here differs clearly from the area's (its
      95% interval leaves out 1), and which way, with the p-value. When it does not, say so.

    Percentages are rounded to the nearest 5 between 10% and 90%, whole numbers outside; a rise
    to twice as many or more is put as "times as many".
    """
    if too_few(here) or here.lower is None or here.upper is None:
        if here.total < MIN_CONCERNS:
            return (
                f"Too few concerns here to tell whether they changed: fewer than {MIN_CONCERNS} "
                "before and after the plan together."
            )
        return (
            "Too few concerns here to tell whether they changed: the 95% interval runs from a "
            "large fall to a large rise."
        )
    sentence = _here_sentence(here.estimate, here.lower, here.upper)
    if area is None:
        return f"{sentence}."
    if too_few(area) or area.estimate is None:
        return f"{sentence}; there are too few concerns in the surrounding area to compare."
    sentence += f", while in the surrounding area they {_moved(area.estimate)}"
    if did is None or did.lower is None or did.upper is None or did.p_value is None:
        return f"{sentence}."
    comparison = _comparison(here.estimate, area.estimate, did.lower, did.upper, did.p_value)
    return f"{sentence}: {comparison}."
