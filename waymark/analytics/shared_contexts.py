"""Shared contexts: places where children who do not know each other are harmed.

Case-management systems link children through the people they know. The pattern they miss is
the one CSNetwork describes: several unrelated children assaulted on the same bus route. Here a
place (or an H3 cell, or any location key) is a shared context when, inside a time window, at
least `min_young_people` young people with concerns there have no association with any other
young person who has concerns there.

Pure functions over arrays: the caller passes one row per young person named in a concern.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class SharedContext:
    location: int
    # Young people at the location with no association to any other young person there.
    unconnected: tuple[int, ...]
    # Every young person with a concern there in the window, connected or not.
    young_people: tuple[int, ...]
    # The concerns that name the unconnected young people there, and when they happened.
    concerns: tuple[int, ...]
    first_day: int
    last_day: int

    @property
    def score(self) -> tuple[int, int]:
        """Rank: more unconnected children first, then more concerns about them."""
        return (len(self.unconnected), len(self.concerns))


def shared_contexts(
    *,
    location: ArrayLike,
    day: ArrayLike,
    young_person: ArrayLike,
    concern: ArrayLike,
    associations: Iterable[tuple[int, int]],
    min_young_people: int = 3,
    window: tuple[int, int] | None = None,
) -> list[SharedContext]:
    """Locations where at least `min_young_people` unconnected young people have concerns.

    `location`, `day`, `young_person` and `concern` are equal-length arrays, one row per young
    person named in a concern (`day` as whole days, e.g. days since an epoch). `associations`
    are the current links between young people (expired links are not evidence and should not
    be passed). `window` is an inclusive (first_day, last_day) range; None means every row.
    Results are ranked by `SharedContext.score`, highest first.
    """
    if min_young_people < 2:
        raise ValueError("min_young_people must be at least 2: one child is not a shared context")
    loc = np.asarray(location, dtype=np.int64)
    days = np.asarray(day, dtype=np.int64)
    people = np.asarray(young_person, dtype=np.int64)
    concerns = np.asarray(concern, dtype=np.int64)
    if not (loc.shape == days.shape == people.shape == concerns.shape) or loc.ndim != 1:
        raise ValueError("location, day, young_person and concern must be 1-D and equal length")
    keep = np.ones(loc.shape, dtype=bool)
    if window is not None:
        keep = (days >= window[0]) & (days <= window[1])
    loc, days, people, concerns = loc[keep], days[keep], people[keep], concerns[keep]

    linked: dict[int, set[int]] = defaultdict(set)
    for a, b in associations:
        if a != b:
            linked[int(a)].add(int(b))
            linked[int(b)].add(int(a))

    found: list[SharedContext] = []
    order = np.argsort(loc, kind="stable")
    boundaries = np.flatnonzero(np.diff(loc[order])) + 1
    for rows in np.split(order, boundaries):
        if rows.size == 0:
            continue
        here = set(people[rows].tolist())
        if len(here) < min_young_people:
            continue
        unconnected = {p for p in here if not (linked.get(p, set()) & (here - {p}))}
        if len(unconnected) < min_young_people:
            continue
        mine = rows[np.isin(people[rows], list(unconnected))]
        found.append(
            SharedContext(
                location=int(loc[rows[0]]),
                unconnected=tuple(sorted(unconnected)),
                young_people=tuple(sorted(here)),
                concerns=tuple(sorted(set(concerns[mine].tolist()))),
                first_day=int(days[mine].min()),
                last_day=int(days[mine].max()),
            )
        )
    found.sort(key=lambda c: (c.score, -c.location), reverse=True)
    return found
