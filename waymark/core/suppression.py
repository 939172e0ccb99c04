"""The one rule for every published count: small counts are withheld, and so is whatever would
give them back.

Every count Waymark publishes about concerns or children (the Places pages and their API, hot
spots, emerging hot spots, areas, time profiles, shared contexts, near repeats) goes through
these functions, after counting and after any need-to-know filtering of what is counted. They
are pure: numbers in, numbers out.

1. **Primary suppression.** A count from 1 to 4 is shown as "fewer than 5" (null in the API).
   0 is shown as 0.
2. **Complementary suppression.** When a set of counts has a published total, the total minus
   the shown counts is the sum of the withheld ones. So in such a set more counts are withheld,
   smallest first, until that sum cannot pin any of them: with k withheld counts (each at least
   1, since 0 is shown) summing to D, each could be anything from 1 to D - (k - 1), and we
   require D - (k - 1) >= 5, so none of them can be told apart from a count of 5 or more. When
   no choice of counts does that, the whole set is withheld (`TableShown.withheld`) and the
   caller shows the total alone.
3. **Rounding, for answers that can be narrowed.** The analyses of places take filters (agency,
   kind of risk, age band, period). Two answers that differ by one filter could be subtracted to
   find the concerns one filter removed. So counts in those answers are, after suppression,
   rounded to the nearest 5: the difference of two rounded counts is a multiple of 5, never an
   exact small count. Unfiltered pages (a place's page and the list of places) show exact
   counts of 5 or more.

`docs/data-protection.md` explains the threat each step answers.
"""

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5
ROUND_TO = 5
FEWER_THAN = "fewer than 5"


def count_is_small(n: int) -> bool:
    """Whether a count is withheld on its own: 1 to 4."""
    return 0 < n < THRESHOLD


def round_to_base(n: int) -> int:
    """n rounded to the nearest ROUND_TO, halves up (12 -> 10, 13 -> 15); never below 5 for n >= 5."""
    return max(THRESHOLD, ((n + ROUND_TO // 2) // ROUND_TO) * ROUND_TO) if n else 0


def count_shown(n: int, *, rounded: bool = False) -> int | None:
    """A count as published: None for 1 to 4; rounded to the nearest 5 in filtered answers."""
    if count_is_small(n):
        return None
    return round_to_base(n) if rounded else n


def count_text(value: int | None) -> str:
    """A published count in words: "fewer than 5" where it is withheld."""
    return FEWER_THAN if value is None else str(value)


@dataclass(frozen=True)
class TableShown:
    """A set of counts and their total, as published."""

    cells: tuple[int | None, ...]
    total: int | None
    withheld: bool = False  # every cell withheld: show the total alone, not which cells exist

    @property
    def suppressed(self) -> tuple[bool, ...]:
        return tuple(c is None for c in self.cells)


def _safe(values: Sequence[int], hidden: set[int]) -> bool:
    """Whether the withheld counts, given their sum, can pin none of them (see rule 2)."""
    if not hidden:
        return True
    total = sum(values[i] for i in hidden)
    return total - (len(hidden) - 1) >= THRESHOLD


def cells_to_withhold(values: Sequence[int]) -> set[int] | None:
    """Indexes of the counts to withhold when their total is published; None if all must go.

    Primary: the counts from 1 to 4. Complementary: then the smallest other non-zero counts,
    one at a time, until the withheld sum cannot pin any of them.
    """
    if any(v < 0 for v in values):
        raise ValueError("A count cannot be negative")
    hidden = {i for i, v in enumerate(values) if count_is_small(v)}
    if not hidden:
        return hidden
    others = sorted((v, i) for i, v in enumerate(values) if v >= THRESHOLD)
    while not _safe(values, hidden):
        if not others:
            return None
        hidden.add(others.pop(0)[1])
    return hidden


def table_suppress(
    values: Sequence[int], *, total_published: bool = True, rounded: bool = False
) -> TableShown:
    """A set of counts with their total, safe to publish together.

    With `total_published`, the total is shown (itself through the rule) and complementary
    suppression protects the withheld counts from it. Without it, only primary suppression
    applies and no total is given.
    """
    counts = [int(v) for v in values]
    total = sum(counts)
    if not total_published:
        cells = tuple(count_shown(v, rounded=rounded) for v in counts)
        return TableShown(cells=cells, total=None)
    published_total = count_shown(total, rounded=rounded)
    if published_total is None:
        # The total is withheld too, so it gives nothing back: primary suppression suffices.
        cells = tuple(count_shown(v, rounded=rounded) for v in counts)
        return TableShown(cells=cells, total=None)
    hidden = cells_to_withhold(counts)
    if hidden is None:
        return TableShown(cells=tuple(None for _ in counts), total=published_total, withheld=True)
    cells = tuple(
        None if i in hidden else count_shown(v, rounded=rounded) for i, v in enumerate(counts)
    )
    return TableShown(cells=cells, total=published_total)
