"""The analysis of places through the API, over a town with one planted cluster of concerns
(see `town.py`)."""

import datetime

import h3
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.place_analysis.cells import cell_geometry
from waymark.core.tests.helpers import client_for
from waymark.people.tests.factories import YoungPersonFactory

from .town import (
    ARCADE,
    EMERGING,
    HOTSPOTS,
    NEAR_REPEAT,
    PROFILE,
    SHARED,
    URLS,
    cells_of,
)

pytestmark = pytest.mark.django_db


# --- hot spots -----------------------------------------------------------------------------


def test_the_planted_cluster_is_a_hot_spot_with_its_count(api, town):
    response = api.get(HOTSPOTS)
    assert response.status_code == 200
    answer = response.json()
    # The fifteen one-concern cells are withheld, and they add up to the total with the
    # arcade: the total is withheld beside them.
    assert answer["points"] is None
    assert answer["filters"]["date_to"] == str(town.arcade_days[0])
    assert answer["filters"]["resolution"] == 9
    arcade = cells_of(response)[town.arcade_cell]
    assert arcade["class"] > 0
    assert arcade["confidence"] in (90, 95, 99)
    assert arcade["label"].startswith("hot")
    assert arcade["description"].startswith("Children may be at risk here")
    # 12 concerns, published rounded to the nearest 5.
    assert (arcade["count"], arcade["count_suppressed"]) == (10, False)
    assert arcade["z"] > 1.96 and arcade["p_fdr"] < 0.05
    assert arcade["places"] == 1
    assert h3.latlng_to_cell(*arcade["centroid"], 9) == town.arcade_cell
    assert len(arcade["slices"]) == len(answer["slices"])
    # The arcade's last months hold 3 or 4 concerns each: their classes are withheld with them.
    assert set(arcade["slices"]) <= {-1, 0, 1, None} and arcade["slices"][-1] is None
    assert arcade["trend"].endswith("hot spot")


def test_counts_of_one_to_four_are_withheld(api, town):
    cells = cells_of(api.get(HOTSPOTS))
    for place in town.others:
        cell = cells[h3.latlng_to_cell(place.latitude, place.longitude, 9)]
        assert (cell["count"], cell["count_suppressed"]) == (None, True)
        # Everything worked out from the count is withheld with it.
        assert (cell["z"], cell["p"], cell["p_fdr"], cell["class"], cell["confidence"]) == (
            (None,) * 5
        )
        assert (cell["label"], cell["trend"], cell["trend_z"], cell["slices"]) == (
            "not shown", "not shown", None, [],
        )  # fmt: skip
    assert all(c["count"] is None or c["count"] % 5 == 0 for c in cells.values())


def test_geojson_is_closed_polygons_with_the_same_properties(api, town):
    response = api.get(f"{HOTSPOTS}geojson/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert features.keys() == cells_of(api.get(HOTSPOTS)).keys()
    for feature in features.values():
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Polygon"
        (ring,) = feature["geometry"]["coordinates"]
        assert len(ring) >= 7 and ring[0] == ring[-1]  # a hexagon (or pentagon), closed
        lon, lat = ring[0]
        assert abs(lat - ARCADE[0]) < 1 and abs(lon - ARCADE[1]) < 1  # [longitude, latitude]
    arcade = features[town.arcade_cell]
    assert arcade["properties"] == cells_of(api.get(HOTSPOTS))[town.arcade_cell]
    assert arcade["geometry"]["coordinates"] == [cell_geometry(town.arcade_cell)]
    # A client that asks for plain JSON gets the same document as JSON.
    plain = api.get(f"{HOTSPOTS}geojson/", HTTP_ACCEPT="application/json")
    assert plain["Content-Type"] == "application/json"
    assert plain.json() == collection


@pytest.mark.parametrize(
    ("query", "points", "at_arcade"),
    [
        # The totals are rounded to the nearest 5, and withheld beside a withheld cell (every
        # cell of the police's one-concern places is).
        ({"category": "cse"}, 10, 10),
        ({"category": "cce"}, None, 0),
        ({"category": ["cse", "cce"]}, None, 10),
        ({"age_band": "14-15"}, 10, 10),
        ({"age_band": "16-17"}, None, 0),
        ({"age_band": "10-13"}, 0, 0),
        ({"agency": "police"}, None, 0),
        ({"agency": "children_services"}, 10, 10),
        ({"months": "3"}, None, 10),
        ({"end": "past"}, None, 0),
    ],
)
def test_filters_change_what_is_analysed(api, town, query, points, at_arcade):
    if "agency" in query:
        query = {"agency": getattr(town, query["agency"]).pk}
    if query.get("end") == "past":  # the day before the arcade's first concern
        query = {"end": str(town.arcade_days[-1] - datetime.timedelta(days=1))}
    response = api.get(HOTSPOTS, query)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["points"] == points
    arcade = cells_of(response).get(town.arcade_cell)
    assert (arcade["count"] if arcade else 0) == at_arcade
    if query.get("category") == ["cse", "cce"]:
        # Against the rest of the town, the arcade stands out.
        assert arcade["class"] > 0
    elif points == at_arcade > 0:
        # Alone, it has nothing to stand out from: no pattern beyond chance.
        assert arcade["class"] == 0
    filters = answer["filters"]
    if "category" in query:
        chosen = query["category"]
        assert filters["categories"] == sorted([chosen] if isinstance(chosen, str) else chosen)
    if "agency" in query:
        assert filters["agency"] == query["agency"]
    if "end" in query:
        assert filters["date_to"] == query["end"]


# --- emerging hot spots --------------------------------------------------------------------


def test_emerging_hot_spots_give_each_cell_its_series(api, town):
    answer = api.get(EMERGING).json()
    cells = {c["cell"]: c for c in answer["cells"]}
    arcade = cells[town.arcade_cell]
    assert arcade["category"].endswith("hot spot")
    assert [s["start"] for s in arcade["slices"]] == answer["slices"]
    assert 0 <= arcade["trend_p"] <= 1 and arcade["trend_z"] > 0
    counted = 0
    for cell in cells.values():
        for piece in cell["slices"]:
            assert (piece["count"] is None) is piece["count_suppressed"]
            assert piece["count"] is None or piece["count"] % 5 == 0
            if piece["count_suppressed"]:
                # A withheld slice shows its start only.
                assert (piece["z"], piece["class"], piece["hot"], piece["cold"]) == (None,) * 4
            counted += piece["count"] or 0
    # Each month at the arcade holds 3 or 4 of its 12 concerns: every one is withheld, as are
    # the empty months before (shown as 0) and their statistics only where withheld.
    assert counted == 0
    assert any(p["count_suppressed"] for p in arcade["slices"])
    assert arcade["slices"][0]["count"] == 0 and arcade["slices"][0]["hot"] is False
    # Every cell of one concern shows no trend and no slice statistics.
    for place in town.others:
        cell = cells[h3.latlng_to_cell(place.latitude, place.longitude, 9)]
        assert (cell["category"], cell["trend_z"], cell["trend_p"]) == ("not shown", None, None)
        assert all(p["count_suppressed"] for p in cell["slices"])
    # The same cells and series as GeoJSON.
    geo = api.get(f"{EMERGING}geojson/")
    assert geo["Content-Type"] == "application/geo+json"
    features = {f["id"]: f for f in geo.json()["features"]}
    assert features.keys() == cells.keys()
    assert features[town.arcade_cell]["properties"] == arcade
    ring = features[town.arcade_cell]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]


def test_emerging_slices_carry_their_class_and_the_filters_their_options(api, town):
    answer = api.get(EMERGING).json()
    assert (answer["filters"]["time_steps"], answer["filters"]["fdr"]) == (1, True)
    arcade = next(c for c in answer["cells"] if c["cell"] == town.arcade_cell)
    for piece in arcade["slices"]:
        if not piece["count_suppressed"]:
            assert piece["hot"] is (piece["class"] >= 2)  # 95% by default
    answer = api.get(EMERGING, {"time_steps": "0", "fdr": "off"}).json()
    assert (answer["filters"]["time_steps"], answer["filters"]["fdr"]) == (0, False)


def test_weekly_slices_are_a_week_apart(api, town):
    answer = api.get(EMERGING, {"interval": "week", "months": "3"}).json()
    starts = [datetime.date.fromisoformat(s) for s in answer["slices"]]
    assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} == {7}
    assert answer["filters"]["interval"] == "week"


# --- near repeats --------------------------------------------------------------------------


def test_near_repeat_gives_the_knox_table(api, town):
    answer = api.get(NEAR_REPEAT, {"runs": 49}).json()
    assert answer["distance_labels"] == [
        "same location", "1 to 100 m", "101 to 200 m", "201 to 400 m", "more than 400 m",
    ]  # fmt: skip
    assert answer["day_labels"] == [
        "0 to 7 days", "8 to 14 days", "15 to 21 days", "more than 21 days",
    ]  # fmt: skip
    # 27 concerns, rounded to the nearest 5.
    assert (answer["events"], answer["runs"], answer["seed"], answer["detail"]) == (25, 49, 1, "")
    table = answer["table"]
    assert [r["distance"] for r in table] == answer["distance_labels"]
    same = {c["days"]: c for c in table[0]["cells"]}
    # The arcade's concerns are 8 days apart: 11 pairs at the same place 8 to 14 days apart.
    # (published rounded to the nearest 5).
    assert same["8 to 14 days"]["observed"] == 10
    assert same["8 to 14 days"]["significant"] is True
    for row in table:
        for c in row["cells"]:
            if c["observed"] is None:
                # 1 to 4 pairs: withheld, with the ratio and p-value that would give them back.
                assert (c["ratio"], c["p_value"], c["significant"]) == (None, None, False)
            elif c["expected"] == 0:
                assert c["ratio"] is None and c["significant"] is False
            else:
                assert c["ratio"] == pytest.approx(c["observed"] / c["expected"], abs=2.5)
                assert c["significant"] is (c["p_value"] <= 0.05 and c["ratio"] > 1)


def test_near_repeat_bands_runs_and_seed_are_the_callers(api, town):
    query = {"distance_bands": "50,150", "day_bands": "10, 30", "runs": 19, "seed": 7}
    first = api.get(NEAR_REPEAT, query).json()
    assert first["distance_bands"] == [50, 150] and first["day_bands"] == [10, 30]
    assert first["distance_labels"][1:] == ["1 to 50 m", "51 to 150 m", "more than 150 m"]
    assert first["day_labels"] == ["0 to 10 days", "11 to 30 days", "more than 30 days"]
    assert (first["runs"], first["seed"]) == (19, 7)
    again = api.get(NEAR_REPEAT, query).json()
    assert again["table"] == first["table"]


def test_near_repeat_with_fewer_than_two_concerns_explains_the_empty_table(api, town):
    answer = api.get(NEAR_REPEAT, {"category": "trafficking"}).json()
    assert answer["table"] == [] and answer["events"] == 0
    assert "Fewer than two concerns" in answer["detail"]
    assert answer["distance_labels"][0] == "same location"


# --- shared contexts -----------------------------------------------------------------------


def test_a_shared_context_names_children_only_by_reference_and_audits_it(api, town):
    response = api.get(SHARED)
    assert response.status_code == 200
    answer = response.json()
    (context,) = answer["contexts"]
    assert context["place"] == {"id": town.arcade.pk, "name": "Riverside Arcade"}
    assert context["cell"] is None
    # Twelve of each, rounded to the nearest 5.
    assert (context["unconnected"], context["young_people_count"], context["concerns_count"]) == (
        10,
        10,
        10,
    )
    assert context["first_day"] == str(town.arcade_days[-1])
    assert context["last_day"] == str(town.arcade_days[0])
    assert context["first_month"] == f"{town.arcade_days[-1]:%Y-%m}"
    assert sorted(context["young_people"]) == sorted(c.reference for c in town.children)
    assert context["young_people_hidden"] == 0
    assert [c["occurred_on"] for c in context["concerns"]] == [
        str(d) for d in town.arcade_days[::-1]
    ]
    assert context["concerns_hidden"] == 0
    body = response.content.decode()
    for child in town.children:
        assert child.family_name not in body and child.given_name not in body
    views = AuditEvent.objects.filter(
        actor=town.sam, action="view", object_type="people.youngperson"
    )
    assert sorted(int(e.object_id) for e in views) == sorted(c.pk for c in town.children)
    assert {e.purpose for e in views} == {f"API GET {SHARED}"}


def test_another_agency_sees_the_pattern_but_not_who(town):
    before = AuditEvent.objects.filter(actor=town.pat, object_type="people.youngperson").count()
    (context,) = client_for(town.pat).get(SHARED).json()["contexts"]
    assert (context["unconnected"], context["young_people"], context["young_people_hidden"]) == (
        10,
        [],
        10,
    )
    assert (context["concerns"], context["concerns_hidden"]) == ([], 10)
    after = AuditEvent.objects.filter(actor=town.pat, object_type="people.youngperson").count()
    assert after == before


def test_shared_contexts_by_cell_and_by_size(api, town):
    (context,) = api.get(SHARED, {"by": "cell"}).json()["contexts"]
    assert (context["cell"], context["place"]) == (town.arcade_cell, None)
    # The minimum is applied in steps of 5 (3 below 5), so it cannot count a context exactly.
    assert api.get(SHARED, {"min_young_people": 15}).json()["contexts"] == []
    assert api.get(SHARED, {"min_young_people": 13}).json()["min_young_people"] == 10
    assert len(api.get(SHARED, {"min_young_people": 13}).json()["contexts"]) == 1
    assert api.get(SHARED, {"min_young_people": 4}).json()["min_young_people"] == 3
    assert api.get(SHARED, {"category": "cce"}).json()["contexts"] == []


# --- time profiles and cells ---------------------------------------------------------------


def expected_profile(days: list[datetime.date], hour: int) -> list[list[int | None]]:
    """As published: each day at that hour has 1 or 2 concerns, so is withheld; others are 0."""
    rows: list[list[int | None]] = [[0] * 7 for _ in range(24)]
    for day in days:
        rows[hour][day.weekday()] = None
    return rows


def test_the_time_profile_of_a_place_and_of_its_cell(api, town):
    by_place = api.get(PROFILE, {"place": town.arcade.pk}).json()
    profile = by_place["time_profile"]
    assert profile["weekdays"][0] == "Monday" and len(profile["weekdays"]) == 7
    assert profile["hours"][21] == "21:00"
    assert profile["profile"] == expected_profile(town.arcade_days, 21)
    assert (profile["concerns"], profile["untimed"], profile["suppressed"]) == (10, 0, False)
    assert profile["hour_totals"][21] == 10 and profile["hour_totals"][20] == 0
    assert by_place["place"] == {"id": town.arcade.pk, "name": "Riverside Arcade"}
    by_cell = api.get(PROFILE, {"cell": town.arcade_cell.upper()}).json()
    assert by_cell["cell"] == town.arcade_cell and by_cell["place"] is None
    assert by_cell["time_profile"] == profile


def test_a_time_profile_of_fewer_than_five_concerns_is_withheld(api, town):
    profile = api.get(PROFILE, {"place": town.others[0].pk}).json()["time_profile"]
    assert profile["suppressed"] is True
    assert (profile["profile"], profile["concerns"], profile["untimed"]) == (None, None, None)
    empty = api.get(PROFILE, {"place": town.arcade.pk, "category": "cce"}).json()["time_profile"]
    assert (empty["concerns"], empty["suppressed"]) == (0, False)


def test_a_cell_shows_its_places_counts_concerns_and_profile(api, town):
    response = api.get(f"/api/place-analysis/cells/{town.arcade_cell}/")
    assert response.status_code == 200
    cell = response.json()
    assert cell["places"] == [{"id": town.arcade.pk, "name": "Riverside Arcade", "kind": "park"}]
    assert (cell["count"], cell["count_suppressed"], cell["concerns_hidden"]) == (10, False, 0)
    assert [c["occurred_on"] for c in cell["concerns"]] == [str(d) for d in town.arcade_days]
    assert {c["place"] for c in cell["concerns"]} == {town.arcade.pk}
    assert all(c["reference"].startswith("CN-") for c in cell["concerns"])
    assert cell["hotspot"]["class"] > 0 and cell["hotspot"]["count"] == 10
    assert cell["time_profile"]["profile"] == expected_profile(town.arcade_days, 21)
    (ring,) = cell["boundary"]["coordinates"]
    assert ring[0] == ring[-1] and cell["resolution"] == 9
    # The police see the count and the pattern, not the concerns.
    theirs = client_for(town.pat).get(f"/api/place-analysis/cells/{town.arcade_cell}/").json()
    assert (theirs["count"], theirs["concerns"], theirs["concerns_hidden"]) == (10, [], 10)


def test_a_cell_with_few_concerns_withholds_what_would_give_the_count_away(api, town):
    place = town.others[0]
    cell = h3.latlng_to_cell(place.latitude, place.longitude, 9)
    answer = api.get(f"/api/place-analysis/cells/{cell}/").json()
    assert (answer["count"], answer["count_suppressed"]) == (None, True)
    assert (answer["concerns"], answer["concerns_hidden"]) == ([], None)
    assert answer["time_profile"]["concerns"] is None
    assert answer["places"][0]["name"] == place.name


def test_a_cell_of_another_size_and_an_empty_cell(api, town):
    larger = h3.latlng_to_cell(*ARCADE, 7)
    answer = api.get(f"/api/place-analysis/cells/{larger}/").json()
    assert answer["resolution"] == 7 and answer["filters"]["resolution"] == 7
    assert answer["count"] == 10 and answer["hotspot"]["cell"] == larger
    nowhere = h3.latlng_to_cell(51.5, -0.12, 9)
    empty = api.get(f"/api/place-analysis/cells/{nowhere}/").json()
    assert (empty["places"], empty["count"], empty["hotspot"]) == ([], 0, None)


# --- who may ask ---------------------------------------------------------------------------

EVERY_URL = [*URLS, f"/api/place-analysis/cells/{h3.latlng_to_cell(*ARCADE, 9)}/"]


@pytest.mark.parametrize("url", EVERY_URL)
def test_a_user_who_may_not_see_places_is_refused(town, url):
    nobody = UserFactory(username="no-role", agency=town.children_services, role="")
    assert not nobody.has_perm("contexts.view_place")
    assert client_for(nobody).get(url).status_code == 403
    assert APIClient().get(url).status_code in (401, 403)


def test_an_analyst_sees_the_patterns_and_no_child(town):
    analyst = UserFactory(username="ash", agency=town.children_services, role=Role.ANALYST)
    client = client_for(analyst)
    assert cells_of(client.get(HOTSPOTS))[town.arcade_cell]["count"] == 10
    (context,) = client.get(SHARED).json()["contexts"]
    assert (context["young_people"], context["young_people_hidden"]) == ([], 10)


def test_a_token_works_as_a_session_does(town):
    client = APIClient()
    token = client.post("/api/token/", {"username": "sam", "password": "correct-horse-battery"})
    assert token.status_code == 200, token.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert town.arcade_cell in cells_of(client.get(HOTSPOTS))


# --- caching -------------------------------------------------------------------------------


def reads_concern_points(queries) -> bool:
    return any("latitude" in q["sql"] and "concern" in q["sql"] for q in queries)


def test_a_second_call_is_served_from_the_cache_until_the_data_changes(api, town):
    with CaptureQueriesContext(connection) as first:
        assert cells_of(api.get(HOTSPOTS))[town.arcade_cell]["count"] == 10
    assert reads_concern_points(first.captured_queries)
    with CaptureQueriesContext(connection) as second:
        assert cells_of(api.get(HOTSPOTS))[town.arcade_cell]["count"] == 10
    assert not reads_concern_points(second.captured_queries)
    assert len(second.captured_queries) < len(first.captured_queries)
    concern_make(
        actor=town.sam,
        place=town.arcade,
        young_people=[YoungPersonFactory(created_by_agency=town.children_services)],
        occurred_on=town.arcade_days[0],
    )
    with CaptureQueriesContext(connection) as third:
        # 13 concerns now: rounded to the nearest 5.
        assert cells_of(api.get(HOTSPOTS))[town.arcade_cell]["count"] == 15
    assert reads_concern_points(third.captured_queries)
