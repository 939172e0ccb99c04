"""The one suppression rule: properties that hold for any table of counts."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.core.suppression import (
    FEWER_THAN,
    cells_to_withhold,
    count_shown,
    count_text,
    round_to_base,
    table_suppress,
)

counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8)


def test_one_to_four_is_fewer_than_five_and_zero_is_zero():
    assert [count_shown(n) for n in range(7)] == [0, None, None, None, None, 5, 6]
    assert count_text(count_shown(3)) == FEWER_THAN
    assert count_text(count_shown(0)) == "0"


def test_rounded_counts_go_to_the_nearest_five():
    assert [count_shown(n, rounded=True) for n in (0, 3, 5, 7, 8, 12, 13)] == [
        0, None, 5, 5, 10, 10, 15,
    ]  # fmt: skip


def test_one_small_cell_beside_a_total_takes_the_next_smallest_with_it():
    shown = table_suppress([3, 9, 20, 0])
    assert shown.cells == (None, None, 20, 0)
    assert shown.total == 32


def test_a_small_total_is_withheld_with_its_cells():
    assert table_suppress([1, 2, 0]) == table_suppress([1, 2, 0], total_published=False)
    assert table_suppress([1, 2, 0]).total is None


def test_cells_that_cannot_be_protected_are_withheld_whole():
    shown = table_suppress([1, 1, 1, 1, 1])
    assert shown.withheld and shown.total == 5 and set(shown.cells) == {None}


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        cells_to_withhold([-1, 3])


@given(counts, st.booleans(), st.booleans())
def test_no_count_from_one_to_four_is_ever_published(values, total, rounded):
    shown = table_suppress(values, total_published=total, rounded=rounded)
    published = [c for c in (*shown.cells, shown.total) if c is not None]
    assert all(c == 0 or c >= 5 for c in published)


@given(counts)
def test_no_withheld_count_can_be_recovered_from_the_total(values):
    """Given the shown counts and the total, every withheld count could still be 5 or more,
    and could be more than one value: subtraction pins none of them."""
    shown = table_suppress(values)
    if shown.total is None:
        return
    hidden = [i for i, c in enumerate(shown.cells) if c is None and values[i] > 0]
    left = shown.total - sum(c for c in shown.cells if c is not None)
    assert left == sum(values[i] for i in hidden)
    if not hidden or shown.withheld:
        return
    # What an attacker can work out: each hidden count is at least 1 and they sum to `left`.
    for i in hidden:
        possible = {left - (len(hidden) - 1) - extra for extra in range(left)}
        possible = {p for p in possible if p >= 1}
        assert values[i] in possible
        assert len(possible) > 1 and max(possible) >= 5


@settings(deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=3))
def test_brute_force_every_table_consistent_with_what_is_published(values):
    """Enumerate every table that would publish the same thing: each small count that is
    withheld takes more than one value across them."""
    shown = table_suppress(values)
    if shown.total is None or shown.withheld:
        return
    hidden = [i for i, c in enumerate(shown.cells) if c is None]
    left = shown.total - sum(c for c in shown.cells if c is not None)
    seen: dict[int, set[int]] = {i: set() for i in hidden}
    for guess in itertools.product(range(1, left + 1), repeat=len(hidden)):
        if sum(guess) == left:
            for i, g in zip(hidden, guess, strict=True):
                seen[i].add(g)
    for i in hidden:
        assert len(seen[i]) > 1


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_rounded_counts_never_differ_by_a_small_count(a, b):
    ra, rb = count_shown(a, rounded=True), count_shown(b, rounded=True)
    if ra is not None and rb is not None:
        assert abs(ra - rb) % 5 == 0
    assert round_to_base(a) % 5 == 0
