"""The Places pages: where children may be at risk, an area, shared contexts, near repeats."""

import datetime
import re

import h3
import pytest
from django.core.cache import cache
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.place_analysis.filters import AnalysisFilters, analysis_default_period
from waymark.contexts.place_analysis.hotspots import place_analysis
from waymark.contexts.place_analysis.points import analysis_cache_key, analysis_data_version
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

CENTRE = (52.6300, -1.1500)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def town(db):
    """A quiet town of scattered places, and one place where many concerns cluster."""
    agency = AgencyFactory(name="Eastbridge Children's Services")
    other = AgencyFactory(name="Midshire Police", sector="police")
    worker = UserFactory(username="sam", agency=agency, role=Role.PRACTITIONER)
    outsider = UserFactory(username="alex", agency=other, role=Role.PRACTITIONER)
    ours = [YoungPersonFactory(created_by_agency=agency) for _ in range(3)]
    # Names no other record in the town can share, so "not in the page" means not shown.
    theirs = [
        YoungPersonFactory(created_by_agency=other, family_name=name)
        for name in ("Quillfeather", "Marchbanks-Odu", "Thistlewood")
    ]
    today = timezone.localdate()
    scattered = [
        PlaceFactory(latitude=CENTRE[0] + 0.01 * (i % 6), longitude=CENTRE[1] + 0.012 * (i // 6))
        for i in range(36)
    ]
    for i, place in enumerate(scattered):
        concern_make(
            actor=worker,
            young_people=[ours[i % 3]],
            place=place,
            occurred_on=today - datetime.timedelta(days=5 + 9 * i),
        )
    station = PlaceFactory(name="Riverside Bus Station", latitude=52.6450, longitude=-1.1320)
    for i in range(40):
        child = (ours + theirs)[i % 6]
        concern_make(
            actor=worker if child in ours else outsider,
            young_people=[child],
            place=station,
            occurred_on=today - datetime.timedelta(days=1 + 7 * i),
        )
    return {
        "worker": worker,
        "outsider": outsider,
        "ours": ours,
        "theirs": theirs,
        "station": station,
        "scattered": scattered,
    }


def station_cell(town) -> str:
    return h3.latlng_to_cell(town["station"].latitude, town["station"].longitude, 9)


def test_the_page_finds_the_place_where_concerns_cluster(client, town):
    client.force_login(town["worker"])
    response = client.get("/places/at-risk/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Places where children may be at risk" in body
    assert "crime" not in body.lower()
    rows = re.findall(r'href="/places/at-risk/areas/(\w+)/', body)
    # Strongest first: the station's area and the areas next to it, which share its ring.
    assert station_cell(town) in rows[:7]
    assert set(rows[:7]) <= set(h3.grid_disk(station_cell(town), 1))
    assert "At risk 99%" in body
    # Small counts are suppressed; the station's count is shown.
    assert "fewer than 5" in body
    assert ">40<" in body
    # The map's data travels with the page: no request for tiles or data elsewhere.
    assert 'id="place-map-data"' in body and "Riverside Bus Station" in body


def test_the_table_sorts_by_a_column_both_ways(client, town):
    client.force_login(town["worker"])
    body = client.get("/places/at-risk/?sort=count&order=descending").content.decode()
    assert re.findall(r'href="/places/at-risk/areas/(\w+)/', body)[0] == station_cell(town)
    assert 'aria-sort="descending"' in body
    body = client.get("/places/at-risk/?sort=count&order=ascending").content.decode()
    assert re.findall(r'href="/places/at-risk/areas/(\w+)/', body)[0] != station_cell(town)
    assert 'aria-sort="ascending"' in body


def test_filters_change_the_result(client, town):
    client.force_login(town["worker"])
    all_kinds = client.get("/places/at-risk/").content.decode()
    # The scattered areas of one concern each are withheld, and with them the total.
    assert "Concerns with a place: Not shown (some areas have fewer than 5)" in all_kinds
    none_match = client.get("/places/at-risk/?category=radicalisation").content.decode()
    assert "Concerns with a place: 0," in none_match
    assert "No concerns with a place match these filters" in none_match
    police = town["outsider"].agency_id
    by_police = client.get(f"/places/at-risk/?agency={police}").content.decode()
    # 19 at the station, rounded to the nearest 5.
    assert re.search(r"Concerns with a place: (\d+)", by_police).group(1) == "20"


def test_bad_filters_get_a_clear_error_and_the_defaults(client, town):
    client.force_login(town["worker"])
    response = client.get("/places/at-risk/?months=5&end=yesterday&resolution=3")
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Select a period of 3, 6, 12 or 24 months" in body
    assert "Enter the end of the period as a date, like 2026-11-27" in body
    assert "Select a size of area from the list" in body
    body = client.get("/places/at-risk/?time_steps=-1&fdr=maybe").content.decode()
    assert "Select how many earlier time steps, from 0 to 3" in body
    assert "Select on or off" in body


def test_time_steps_and_the_fdr_switch_reach_the_analysis(client, town):
    client.force_login(town["worker"])
    body = client.get("/places/at-risk/?time_steps=0&fdr=off").content.decode()
    assert "There is a problem" not in body
    assert "without correcting for the number of areas tested" in body
    start, end = analysis_default_period()
    plain = place_analysis(filters=AnalysisFilters(date_from=start, date_to=end))
    assert plain.hot is not None and (plain.hot.time_steps, plain.hot.fdr) == (1, True)
    filters = AnalysisFilters(date_from=start, date_to=end, time_steps=0, fdr=False)
    uncorrected = place_analysis(filters=filters)
    assert uncorrected.hot is not None
    assert (uncorrected.hot.time_steps, uncorrected.hot.fdr) == (0, False)
    # Without the correction as many bins are significant, or more.
    assert (uncorrected.hot.cls != 0).sum() >= (plain.hot.cls != 0).sum()
    assert sum(r.cls != 0 for r in uncorrected.rows) >= sum(r.cls != 0 for r in plain.rows)


def test_an_area_shows_its_places_and_only_the_concerns_the_user_may_see(client, town):
    client.force_login(town["worker"])
    body = client.get(f"/places/at-risk/areas/{station_cell(town)}/").content.decode()
    assert "Riverside Bus Station" in body
    assert "When concerns happen" in body
    listed = re.findall(r'href="/concerns/(CN-\w+)/"', body)
    # 21 of the 40 are about children the worker's agency is involved with (every 6 in turn).
    assert len(listed) == 21
    assert "More concerns here (20, rounded to the nearest 5) are counted but not shown" in body
    assert client.get("/places/at-risk/areas/not-a-cell/").status_code == 404


def test_shared_contexts_name_only_children_the_user_may_see_and_audit_it(client, town):
    client.force_login(town["worker"])
    before = AuditEvent.objects.filter(actor=town["worker"], action="view").count()
    body = client.get("/places/shared-contexts/?min_young_people=5").content.decode()
    assert "Riverside Bus Station" in body
    for child in town["ours"]:
        assert child.reference in body
    for child in town["theirs"]:
        assert child.reference not in body
        assert child.family_name not in body
    assert "Fewer than 5 children your agency has no involvement with are counted" in body
    viewed = AuditEvent.objects.filter(actor=town["worker"], action="view")
    assert viewed.count() == before + 3
    assert {e.object_id for e in viewed.order_by("-id")[:3]} == {str(c.pk) for c in town["ours"]}


def test_near_repeats_show_the_knox_table_and_reject_bad_bands(client, town):
    client.force_login(town["worker"])
    body = client.get("/places/near-repeats/?distance_bands=100,200&day_bands=7,14").content
    text = body.decode()
    assert "Same location" in text or "same location" in text.lower()
    assert "99 Monte Carlo runs" in text
    bad = client.get("/places/near-repeats/?distance_bands=100,abc").content.decode()
    assert "Enter the bands as whole numbers of metres separated by commas" in bad
    bad = client.get("/places/near-repeats/?day_bands=14,7").content.decode()
    assert "Enter the bands from smallest to largest" in bad


def test_a_place_page_shows_when_concerns_happen(client, town):
    client.force_login(town["worker"])
    body = client.get(f"/places/{town['station'].pk}/").content.decode()
    assert "When concerns happen here" in body
    assert "40 in all" in body


def test_results_are_cached_until_the_data_changes(town):
    start, end = analysis_default_period()
    filters = AnalysisFilters(date_from=start, date_to=end)
    version = analysis_data_version()
    first = place_analysis(filters=filters)
    assert analysis_data_version() == version  # reading changes nothing
    assert cache.get(analysis_cache_key("hotspots", filters.key(), "")) is not None
    concern_make(actor=town["worker"], young_people=[town["ours"][0]], place=town["station"])
    assert analysis_data_version() != version
    second = place_analysis(filters=filters)
    assert second.points == first.points + 1


def test_users_without_places_are_refused(client, town):
    nobody = UserFactory(username="nobody", agency=town["worker"].agency, role=Role.PRACTITIONER)
    nobody.role = "none"
    nobody.save()
    client.force_login(nobody)
    assert not nobody.has_perm("contexts.view_place")
    for url in ("/places/at-risk/", "/places/shared-contexts/", "/places/near-repeats/"):
        assert client.get(url).status_code == 403


def test_an_area_with_fewer_than_5_concerns_withholds_what_would_count_them(client, town):
    client.force_login(town["outsider"])
    lone = town["scattered"][0]
    cell = h3.latlng_to_cell(lone.latitude, lone.longitude, 9)
    body = client.get(f"/places/at-risk/areas/{cell}/").content.decode()
    assert "Fewer than 5 concerns match" in body
    assert "More concerns here (fewer than 5) are counted but not shown" in body
    assert "1 more concern" not in body
    assert "profile-caption" not in body
