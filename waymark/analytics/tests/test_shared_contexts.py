import pytest

from waymark.analytics.shared_contexts import shared_contexts


def rows(*items):
    """(location, day, young person, concern) rows as four columns."""
    return {
        k: [r[i] for r in items]
        for i, k in enumerate(("location", "day", "young_person", "concern"))
    }


def test_unrelated_children_at_one_place_are_a_shared_context_and_a_friend_group_is_not():
    data = rows(
        # The bus station: four children, none linked to another.
        (1, 10, 101, 1),
        (1, 12, 102, 2),
        (1, 30, 103, 3),
        (1, 31, 104, 4),
        # The park: four friends, all linked: a peer group, not a shared context.
        (2, 10, 201, 5),
        (2, 11, 202, 5),
        (2, 12, 203, 6),
        (2, 13, 204, 6),
    )
    friends = [(201, 202), (202, 203), (203, 204)]
    found = shared_contexts(**data, associations=friends, min_young_people=3)
    assert [c.location for c in found] == [1]
    station = found[0]
    assert station.unconnected == (101, 102, 103, 104)
    assert station.concerns == (1, 2, 3, 4)
    assert (station.first_day, station.last_day) == (10, 31)


def test_linked_children_do_not_count_but_their_unlinked_neighbours_do():
    data = rows((1, 1, 1, 1), (1, 2, 2, 2), (1, 3, 3, 3), (1, 4, 4, 4), (1, 5, 5, 5))
    found = shared_contexts(**data, associations=[(1, 2)], min_young_people=3)
    assert found[0].unconnected == (3, 4, 5)
    assert found[0].young_people == (1, 2, 3, 4, 5)
    # A link to someone who is not at this place does not make a child connected here.
    found = shared_contexts(**data, associations=[(1, 99)], min_young_people=5)
    assert found[0].unconnected == (1, 2, 3, 4, 5)


def test_the_window_and_the_ranking():
    data = rows(
        (1, 1, 1, 1),
        (1, 2, 2, 2),
        (1, 100, 3, 3),
        (2, 5, 4, 4),
        (2, 6, 5, 5),
        (2, 7, 6, 6),
        (2, 8, 7, 7),
    )
    assert [c.location for c in shared_contexts(**data, associations=[])] == [2, 1]
    inside = shared_contexts(**data, associations=[], window=(0, 50))
    assert [c.location for c in inside] == [2]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least 2"):
        shared_contexts(**rows((1, 1, 1, 1)), associations=[], min_young_people=1)
    with pytest.raises(ValueError, match="equal length"):
        shared_contexts(location=[1, 2], day=[1], young_person=[1], concern=[1], associations=[])
