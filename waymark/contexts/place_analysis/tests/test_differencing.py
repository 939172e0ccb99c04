"""Published counts cannot be differenced: one area holds exactly 3 concerns, and no total,
filter, page or API of the Places pages gives the 3 back.

The town: Quarry Lane Garages, alone in its area, has exactly 3 concerns (criminal exploitation,
children of 14 and 15, recorded by the police on three different days). Riverside Arcade has
12 (sexual exploitation, children's services) and the Old Mill 7 (criminal exploitation, the
police), so every filter splits the town in a different way around the garages.

An attacker can read every page and every API answer with every filter. The test reads them
all, and checks that
- 3 is never published as a count, and nothing from 1 to 4 is;
- no total, less the counts shown beside it, leaves 1 to 4;
- no count published under one set of filters differs by 1 to 4 from the same count under
  another (the difference a narrowing filter would give);
- the pages say "fewer than 5" where the garages' counts would be.
"""

import datetime
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import h3
import pytest
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core.tests.helpers import client_for
from waymark.people.tests.factories import YoungPersonFactory

from .town import years_ago

pytestmark = pytest.mark.django_db

GARAGES = (52.6600, -1.0600)
ARCADE = (52.6300, -1.1300)
MILL = (52.6000, -1.2000)

# Keys whose integers are counts of concerns, children or pairs.
COUNT_KEYS = {
    "count", "points", "concerns", "young_people", "young_people_hidden", "concerns_hidden",
    "unconnected", "young_people_count", "concerns_count", "events", "observed", "untimed",
}  # fmt: skip
# Keys whose lists of integers are counts.
COUNT_LISTS = {"profile", "hour_totals"}
NOT_COUNTS = {"filters", "places", "resolution", "cells_in_study_area", "runs", "seed", "id",
              "min_young_people", "distance_bands", "day_bands", "centroid", "geometry",
              "boundary", "slices_classes"}  # fmt: skip


def _key(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for name in ("cell", "id", "month", "start", "distance", "days", "reference"):
            if isinstance(item.get(name), (str, int)):
                return f"{name}={item[name]}"
        if isinstance(item.get("place"), dict):
            return f"place={item['place']['id']}"
    return str(index)


def counts_in(answer: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], int]]:
    """Every published count in an answer, by a path that names the same thing in every answer."""
    if isinstance(answer, dict):
        for key, value in answer.items():
            if key in NOT_COUNTS or (key == "count" and "results" in answer):
                continue  # a page of results counts records, not concerns
            yield from counts_in(value, (*path, key))
    elif isinstance(answer, list):
        for i, item in enumerate(answer):
            yield from counts_in(item, (*path, _key(item, i)))
    elif isinstance(answer, int) and not isinstance(answer, bool):
        named = [p for p in path if not p.isdigit() and "=" not in p]
        if named and (named[-1] in COUNT_KEYS or set(named) & COUNT_LISTS):
            yield path, answer


@pytest.fixture
def town(db):
    today = timezone.localdate()
    children_services = AgencyFactory(name="Eastbridge Children's Services")
    police = AgencyFactory(name="Midshire Police", sector="police")
    sam = UserFactory(username="sam", agency=children_services, role=Role.PRACTITIONER)
    pat = UserFactory(username="pat", agency=police, role=Role.PRACTITIONER)
    garages = PlaceFactory(
        name="Quarry Lane Garages", kind="street", latitude=GARAGES[0], longitude=GARAGES[1]
    )
    arcade = PlaceFactory(name="Riverside Arcade", kind="leisure", latitude=ARCADE[0],
                          longitude=ARCADE[1])  # fmt: skip
    mill = PlaceFactory(name="Old Mill", kind="other", latitude=MILL[0], longitude=MILL[1])
    garage_days = [today - datetime.timedelta(days=d) for d in (4, 33, 61)]
    for i, day in enumerate(garage_days):
        concern_make(
            actor=pat,
            place=garages,
            young_people=[
                YoungPersonFactory(created_by_agency=police, date_of_birth=years_ago(14.2 + i / 2))
            ],
            occurred_on=day,
            occurred_time=datetime.time(22, 15),
            risks={"cce": ["cash"]},
        )
    for i in range(12):
        concern_make(
            actor=sam,
            place=arcade,
            young_people=[
                YoungPersonFactory(
                    created_by_agency=children_services, date_of_birth=years_ago(13.5 + (i % 4))
                )
            ],  # fmt: skip
            occurred_on=today - datetime.timedelta(days=2 + 9 * i),
            occurred_time=datetime.time(16 + i % 3, 0),
            risks={"cse": ["gifts"]},
        )
    for i in range(7):
        concern_make(
            actor=pat,
            place=mill,
            young_people=[
                YoungPersonFactory(created_by_agency=police, date_of_birth=years_ago(15.5 + i / 3))
            ],
            occurred_on=today - datetime.timedelta(days=6 + 20 * i),
            risks={"cce": ["cash"]},
        )
    return {
        "sam": sam, "pat": pat, "police": police, "children_services": children_services,
        "garages": garages, "arcade": arcade, "mill": mill, "garage_days": garage_days,
    }  # fmt: skip


def filter_sets(town) -> list[dict[str, Any]]:
    """Every filter the Places pages take, one at a time and narrowed in pairs."""
    single: list[dict[str, Any]] = [{}]
    single += [{"agency": town[a].pk} for a in ("police", "children_services")]
    single += [{"category": c} for c in ("cce", "cse")]
    single += [{"age_band": b} for b in ("10-13", "14-15", "16-17")]
    single += [{"months": m} for m in (3, 6, 12)]
    for day in town["garage_days"]:
        single += [{"end": str(day)}, {"end": str(day - datetime.timedelta(days=1))}]
    single += [{"resolution": r} for r in (7, 8, 10)]
    narrowed = [
        {**a, **b} for a, b in itertools.combinations(single[1:10], 2) if not set(a) & set(b)
    ]
    return single + narrowed


def garage_cell(resolution: int = 9) -> str:
    return h3.latlng_to_cell(*GARAGES, resolution)


# Each viewer is a test of its own: counts are compared only within what one viewer is shown, and
# the two halves can then run side by side.
@pytest.mark.parametrize("viewer", ["sam", "pat"])
def test_three_concerns_in_one_area_cannot_be_recovered(town, viewer):
    answers: list[tuple[str, dict[str, Any], Any]] = []
    pages: dict[str, str] = {}
    for user in (town[viewer],):
        api = client_for(user)
        web = client_for(user)
        web.force_login(user)
        # The Places list and each place, page and API: unfiltered.
        for url in ["/api/places/"] + [f"/api/places/{town[p].pk}/" for p in
                                       ("garages", "arcade", "mill")]:  # fmt: skip
            response = api.get(url)
            assert response.status_code == 200, (url, response.content)
            answers.append((url, {"user": user.username}, response.json()))
        for url in ["/places/"] + [f"/places/{town[p].pk}/" for p in ("garages", "arcade", "mill")]:
            response = web.get(url)
            assert response.status_code == 200, url
            pages[f"{user.username} {url}"] = response.content.decode()
        # Every analysis, with every filter.
        for query in filter_sets(town):
            resolution = int(query.get("resolution", 9))
            cell = garage_cell(resolution)
            analysis = [
                "/api/place-analysis/hotspots/",
                "/api/place-analysis/hotspots/geojson/",
                "/api/place-analysis/emerging-hotspots/",
                "/api/place-analysis/emerging-hotspots/geojson/",
                f"/api/place-analysis/cells/{cell}/",
                "/api/place-analysis/shared-contexts/",
                "/api/place-analysis/near-repeat/",
            ]
            plain = {k: v for k, v in query.items() if k != "resolution"}
            for url in analysis:
                response = api.get(url, query)
                assert response.status_code == 200, (url, query, response.content)
                answers.append((url, {"user": user.username, **query}, response.json()))
            for target in ({"place": town["garages"].pk}, {"cell": garage_cell()}):
                response = api.get("/api/place-analysis/time-profile/", {**plain, **target})
                assert response.status_code == 200, response.content
                answers.append(("time-profile", {"user": user.username, **plain, **target},
                                response.json()))  # fmt: skip
            # The pages as children's services see them: they may see none of the garages'
            # children (the police, who recorded them, may, and are shown them by name).
            if user == town["sam"] and len(query) <= 1:
                for url in ("/places/at-risk/", f"/places/at-risk/areas/{cell}/",
                            "/places/shared-contexts/", "/places/near-repeats/"):  # fmt: skip
                    response = web.get(url, query)
                    assert response.status_code == 200, (url, query)
                    pages[f"sam {url} {query}"] = response.content.decode()

    # 1. No count from 1 to 4 is published anywhere, so never the garages' 3.
    same: dict[tuple[Any, ...], list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for url, query, answer in answers:
        for path, n in counts_in(answer):
            assert not 0 < n < 5, (url, query, path, n)
            user = query["user"]
            same[(url.split("?")[0], user, *path)].append((query, n))

    # 2. No total, less the counts shown beside it, leaves 1 to 4.
    for url, query, answer in answers:
        if not isinstance(answer, dict):
            continue
        rows = answer.get("cells") or [f["properties"] for f in answer.get("features", [])]
        if answer.get("points") is not None and rows and "count" in rows[0]:
            shown = [r["count"] for r in rows]
            assert None not in shown, (url, query)  # a total only where no cell is withheld
            assert not 0 < answer["points"] - sum(shown) < 5, (url, query)
        for cell in rows:
            if (
                cell.get("count") is not None
                and cell.get("slices")
                and isinstance(cell["slices"][0], dict)
            ):
                shown = [s["count"] for s in cell["slices"] if s["count"] is not None]
                left = cell["count"] - sum(shown)
                hidden = [s for s in cell["slices"] if s["count"] is None]
                assert len(hidden) != 1 or not 0 < left < 5, (url, query, cell["cell"])
        counts = answer.get("counts") or {}
        months = [m["concerns"] for m in counts.get("months", [])]
        if counts.get("concerns") is not None and months.count(None) == 1:
            pytest.fail(f"One month withheld beside its total at {url}")

    # 3. The same count under two sets of filters never differs by 1 to 4.
    for key, seen in same.items():
        for (qa, a), (qb, b) in itertools.combinations(seen, 2):
            assert not 0 < abs(a - b) < 5, (key, qa, a, qb, b)

    # 4. The pages say "fewer than 5" where the garages' counts would be, and never 3. (Lists
    # of the records a viewer may see, "Children you can see (2)", are theirs to count.)
    if viewer == "pat":
        garages = pages[f"pat /places/{town['garages'].pk}/"]
        assert "Fewer than 5" in garages and "fewer than 5" in garages
    for name, body in pages.items():
        text = re.sub(r"<[^>]+>", " ", body)
        for phrase in (r"\b3 concerns?\b", r"\b3 young people\b", r"(?<!least )\b3 children\b",
                       r"\b3 more\b", r"\b3 pairs\b", r"\b3 in all\b"):  # fmt: skip
            assert not re.search(phrase, text), (name, phrase)
        cells = re.findall(r'<td class="govuk-table__cell[^"]*">\s*(\d+)\s*</td>', body)
        assert not [c for c in cells if 0 < int(c) < 5], (name, cells)
    if viewer == "sam":
        at_risk = pages["sam /places/at-risk/ {}"]
        assert garage_cell() in at_risk
        row = at_risk[at_risk.index(f"areas/{garage_cell()}/") :].split("</tr>")[0]
        assert "fewer than 5" in row and "Not shown" in row


def test_a_residential_address_shows_no_counts(town):
    home = PlaceFactory(name="14 Juniper Close", kind="residential", latitude=52.61,
                        longitude=-1.15)  # fmt: skip
    child = YoungPersonFactory(created_by_agency=town["police"], given_name="Zephyrine",
                               family_name="Quarterbridge")  # fmt: skip
    concern_make(actor=town["pat"], place=home, young_people=[child])
    for user in (town["pat"], town["sam"]):
        web = client_for(user)
        web.force_login(user)
        body = re.sub(r"<[^>]+>", " ", web.get(f"/places/{home.pk}/").content.decode())
        assert "young person linked" not in body and "young people linked" not in body
        assert "Counts are not shown for a residential address" in body
        assert "Concerns here over time" not in body and "When concerns happen" not in body
        listed = web.get("/places/").content.decode()
        row = listed[listed.index("14 Juniper Close") :].split("</tr>")[0]
        assert row.count("Not shown") == 2
        counts = client_for(user).get(f"/api/places/{home.pk}/").json()["counts"]
        assert counts == {
            "shown": False, "concerns": None, "young_people": None, "young_people_hidden": None,
            "months": [], "months_withheld": False,
        }  # fmt: skip
