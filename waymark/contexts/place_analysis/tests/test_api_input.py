"""What the place-analysis API does with bad or awkward input, and how its schema describes
the input it takes."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waymark.contexts.place_analysis.forms import AnalysisQuery, NearRepeatQuery

from .town import (
    EMERGING,
    HOTSPOTS,
    NEAR_REPEAT,
    PROFILE,
    SHARED,
    URLS,
)

pytestmark = pytest.mark.django_db


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "field", "message"),
    [
        (HOTSPOTS, {"months": "5"}, "months", "3, 6, 12 or 24"),
        (HOTSPOTS, {"category": "volcano"}, "category", ""),
        (HOTSPOTS, {"end": "last tuesday"}, "end", "like 2026-11-27"),
        (HOTSPOTS, {"end": "9999-12-31"}, "end", "from 1900 to 2199"),
        (HOTSPOTS, {"end": "0001-01-01"}, "end", "from 1900 to 2199"),
        (HOTSPOTS, {"interval": "year"}, "interval", "month or week"),
        (HOTSPOTS, {"age_band": "old"}, "age_band", "age band"),
        (HOTSPOTS, {"agency": "abc"}, "agency", "agency"),
        (HOTSPOTS, {"agency": "99999999999999999999"}, "agency", "agency"),
        (HOTSPOTS, {"confidence": "80"}, "confidence", "90%, 95% or 99%"),
        (HOTSPOTS, {"resolution": "15"}, "resolution", "size of area"),
        (HOTSPOTS, {"k": "9"}, "k", ""),
        (f"{HOTSPOTS}geojson/", {"k": "-1"}, "k", ""),
        (EMERGING, {"interval": "fortnight"}, "interval", "month or week"),
        (EMERGING, {"time_steps": "-1"}, "time_steps", "from 0 to 3"),
        (EMERGING, {"time_steps": "4"}, "time_steps", "from 0 to 3"),
        (f"{EMERGING}geojson/", {"fdr": "no"}, "fdr", "on or off"),
        (f"{EMERGING}geojson/", {"months": "x"}, "months", ""),
        (NEAR_REPEAT, {"distance_bands": "100,abc"}, "distance_bands", "whole numbers"),
        (NEAR_REPEAT, {"distance_bands": "200,100"}, "distance_bands", "smallest to largest"),
        (NEAR_REPEAT, {"distance_bands": "100,100"}, "distance_bands", "smallest to largest"),
        (NEAR_REPEAT, {"distance_bands": "-100"}, "distance_bands", "more than 0"),
        (NEAR_REPEAT, {"distance_bands": "0,100"}, "distance_bands", "more than 0"),
        (NEAR_REPEAT, {"day_bands": "7,1e3"}, "day_bands", "whole numbers"),
        (NEAR_REPEAT, {"day_bands": "7,14,400"}, "day_bands", "none more than 365"),
        (NEAR_REPEAT, {"runs": "0"}, "runs", "1 or more"),
        (NEAR_REPEAT, {"runs": "1000"}, "runs", "999 or less"),
        (NEAR_REPEAT, {"runs": "many"}, "runs", "whole number"),
        (NEAR_REPEAT, {"seed": "-1"}, "seed", "0 or more"),
        (SHARED, {"min_young_people": "1"}, "min_young_people", "2 or more"),
        (SHARED, {"min_young_people": "51"}, "min_young_people", "50 or less"),
        (SHARED, {"min_young_people": "three"}, "min_young_people", "whole number"),
        (SHARED, {"by": "ward"}, "by", "place or cell"),
        (SHARED, {"limit": "0"}, "limit", "1 or more"),
        (PROFILE, {}, "non_field_errors", "a place"),
        (PROFILE, {"place": "{arcade}", "cell": "89195da49b7ffff"}, "non_field_errors", "not both"),
        (PROFILE, {"place": "arcade"}, "place", "whole number"),
        (PROFILE, {"place": "999999"}, "place", "no place with the id 999999"),
        (PROFILE, {"place": "99999999999999999999"}, "place", ""),
        (PROFILE, {"cell": "zzz"}, "cell", "H3 cell index"),
        (PROFILE, {"cell": "-1"}, "cell", "H3 cell index"),
        (PROFILE, {"cell": "8" * 15}, "cell", "H3 cell index"),
        (PROFILE, {"cell": "89195da49b7ffff0"}, "cell", "15 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_for_the_field(api, town, url, query, field, message):
    query = {k: v.format(arcade=town.arcade.pk) for k, v in query.items()}
    response = api.get(url, query)
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field], errors
    assert all(isinstance(m, str) and m for m in errors[field])
    assert message in " ".join(errors[field])


NAMES = [
    "category", "months", "end", "interval", "age_band", "agency", "confidence", "resolution",
    "k", "time_steps", "fdr", "distance_bands", "day_bands", "runs", "seed", "min_young_people", "by", "limit",
    "place", "cell",
]  # fmt: skip
AWKWARD = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{1,25}", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.sampled_from(["", " ", "0", "-0", "1e9", "nan", "inf", "0x10", "100,,200", ",", "8" * 40]),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.sampled_from(URLS), name=st.sampled_from(NAMES), value=AWKWARD)
def test_any_text_in_any_parameter_is_answered_without_a_server_error(api, url, name, value):
    response = api.get(url, {name: value, "runs": "9"} if name != "runs" else {name: value})
    assert response.status_code in (200, 400), (url, name, value, response.content[:300])
    if response.status_code == 400:
        assert all(isinstance(m, str) for ms in response.json().values() for m in ms)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cell=st.text(min_size=1, max_size=30).filter(lambda s: s not in (".", "..")))
def test_any_cell_in_the_path_is_found_or_not_found(api, cell):
    response = api.get(f"/api/place-analysis/cells/{quote(cell, safe='')}/")
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("cell", ["not-a-cell", "-1", "8" * 15, "8" * 40, "0x89195da49b7ffff"])
def test_an_unknown_cell_is_not_found(api, cell):
    response = api.get(f"/api/place-analysis/cells/{cell}/")
    assert response.status_code == 404
    assert "H3 cell index" in response.json()["detail"]


def test_a_bad_filter_on_a_cell_is_refused(api, town):
    response = api.get(f"/api/place-analysis/cells/{town.arcade_cell}/", {"months": "7"})
    assert response.status_code == 400 and "months" in response.json()


# --- the published description -------------------------------------------------------------


def test_the_schema_describes_every_parameter_and_both_geojson_types(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    hotspots = paths[HOTSPOTS]["get"]
    assert {p["name"] for p in hotspots["parameters"]} == set(AnalysisQuery().fields)
    near = {p["name"]: p for p in paths[NEAR_REPEAT]["get"]["parameters"]}
    assert set(near) == set(NearRepeatQuery().fields)
    assert near["runs"]["schema"]["maximum"] == 999 and near["runs"]["schema"]["default"] == 99
    assert near["months"]["schema"]["enum"] == [3, 6, 12, 24]
    assert near["category"]["schema"]["type"] == "array"
    for url in (f"{HOTSPOTS}geojson/", f"{EMERGING}geojson/"):
        content = paths[url]["get"]["responses"]["200"]["content"]
        assert {"application/geo+json", "application/json"} <= set(content)
    assert "400" in hotspots["responses"]
    assert "404" in paths["/api/place-analysis/cells/{cell}/"]["get"]["responses"]
    cell = schema["components"]["schemas"]["HotspotCell"]["properties"]
    assert {"class", "count", "count_suppressed", "confidence", "slices", "centroid"} <= set(cell)
