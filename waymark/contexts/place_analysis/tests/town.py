"""A town with one planted cluster of concerns, for the tests of the place-analysis API.

Twelve children, unknown to each other, have concerns at Riverside Arcade in the last three
months, recorded by children's services. Fifteen other places across the town have one concern
each over the year, about older children, recorded by the police.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import h3
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

ARCADE = (52.6300, -1.1300)
HOTSPOTS = "/api/place-analysis/hotspots/"
EMERGING = "/api/place-analysis/emerging-hotspots/"
NEAR_REPEAT = "/api/place-analysis/near-repeat/"
SHARED = "/api/place-analysis/shared-contexts/"
PROFILE = "/api/place-analysis/time-profile/"
URLS = [
    HOTSPOTS, f"{HOTSPOTS}geojson/", EMERGING, f"{EMERGING}geojson/", NEAR_REPEAT, SHARED, PROFILE,
]  # fmt: skip


@dataclass
class Town:
    sam: Any  # children's services: recorded the arcade concerns
    pat: Any  # police: recorded the others
    children_services: Any
    police: Any
    arcade: Any
    arcade_cell: str
    arcade_days: list[datetime.date]
    children: list[Any]
    others: list[Any]


def years_ago(years: float) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=round(years * 365.25))


def town_build() -> Town:
    today = timezone.localdate()
    children_services = AgencyFactory(name="Eastbridge Children's Services")
    police = AgencyFactory(name="Midshire Police", sector="police")
    sam = UserFactory(username="sam", agency=children_services, role=Role.PRACTITIONER)
    pat = UserFactory(username="pat", agency=police, role=Role.PRACTITIONER)
    arcade = PlaceFactory(name="Riverside Arcade", latitude=ARCADE[0], longitude=ARCADE[1])
    days = [today - datetime.timedelta(days=2 + 8 * i) for i in range(12)]
    children = []
    for i, day in enumerate(days):
        # Names nothing else in a response can contain, so "not in the body" means not shown.
        child = YoungPersonFactory(
            created_by_agency=children_services,
            date_of_birth=years_ago(14.5),
            given_name=f"Oluwadamilare{i}",
            family_name=f"Quillfeather{i}",
        )
        children.append(child)
        concern_make(
            actor=sam,
            place=arcade,
            young_people=[child],
            occurred_on=day,
            occurred_time=datetime.time(21, 30),
            risks={"cse": ["gifts"]},
            narrative="Given a new phone by an older man outside the arcade.",
        )
    others = []
    for i in range(15):
        # Five by three places 2 km apart, none near the arcade.
        place = PlaceFactory(
            name=f"Place {i}", latitude=52.57 + 0.018 * (i % 5), longitude=-1.23 + 0.03 * (i // 5)
        )
        others.append(place)
        concern_make(
            actor=pat,
            place=place,
            young_people=[
                YoungPersonFactory(created_by_agency=police, date_of_birth=years_ago(17.3))
            ],
            occurred_on=today - datetime.timedelta(days=5 + 19 * i),
        )
    return Town(
        sam=sam,
        pat=pat,
        children_services=children_services,
        police=police,
        arcade=arcade,
        arcade_cell=h3.latlng_to_cell(*ARCADE, 9),
        arcade_days=days,
        children=children,
        others=others,
    )


def cells_of(response) -> dict[str, dict]:
    return {c["cell"]: c for c in response.json()["cells"]}
