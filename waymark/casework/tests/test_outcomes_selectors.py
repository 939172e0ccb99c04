"""The outcome of a context case, from concerns written at known places and dates."""

import datetime
from typing import Any

import h3
import pytest
from django.core.cache import cache
from django.utils import timezone

from waymark.accounts.tests.factories import UserFactory
from waymark.analytics.outcomes import rate_ratio, ratio_of_ratios
from waymark.casework.models import (
    CaseStatus,
    ContextCase,
    ContextPlan,
    SubjectKind,
    Threshold,
)
from waymark.casework.outcomes.counts import outcome_windows
from waymark.casework.outcomes.selectors import outcome_for, outcome_snapshot
from waymark.concerns.models import Concern
from waymark.contexts.models import OnlineSpace, Place
from waymark.contexts.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
START = TODAY - datetime.timedelta(days=240)


@pytest.fixture(autouse=True)
def _fresh_cells() -> None:
    # The places in each H3 area are cached across requests; each test builds its own map.
    cache.clear()


def _concerns(user: Any, place: Place, *, before: int, after: int, handling: str = "P") -> None:
    rows = []
    for n in range(before):
        rows.append((START - datetime.timedelta(days=1 + (n * 3) % 180), place))
    for n in range(after):
        rows.append((START + datetime.timedelta(days=(n * 3) % 180), place))
    Concern.objects.bulk_create(
        Concern(
            reference=f"CN-{place.pk:03d}{i:04d}{handling}",
            occurred_on=day,
            recorded_by=user,
            recording_agency=user.agency,
            place=where,
            narrative="Seen near the shops",
            source_evaluation="2",
            information_assessment="B",
            handling_code=handling,
            handling_conditions="Police only" if handling == "C" else "",
        )
        for i, (day, where) in enumerate(rows)
    )


def _near(place: Place, ring: int) -> Place:
    """A place in the given H3 ring (resolution 8) around the place."""
    cell = h3.latlng_to_cell(place.latitude, place.longitude, 8)
    target = sorted(h3.grid_ring(cell, ring))[0]
    lat, lon = h3.cell_to_latlng(target)
    found: Any = PlaceFactory(latitude=lat, longitude=lon, ward=place.ward)
    return found


def _case(user: Any, place: Place | None = None, **subject: Any) -> ContextCase:
    case = ContextCase.objects.create(
        reference=f"CC-{ContextCase.objects.count():05d}",
        subject_kind=SubjectKind.PLACE if place else SubjectKind.ONLINE_SPACE,
        place=place,
        status=CaseStatus.OPEN,
        threshold=Threshold.PARTNERSHIP_PLUS,
        lead_agency=user.agency,
        **subject,
    )
    ContextPlan.objects.create(case=case, started_on=START, agreed_by=user)
    return case


def test_fall_here_against_a_steady_area_matches_the_statistics() -> None:
    user = UserFactory()
    place: Any = PlaceFactory(latitude=52.63, longitude=-1.15)
    _concerns(user, place, before=30, after=8)
    _concerns(user, _near(place, 1), before=25, after=24)
    _concerns(user, _near(place, 2), before=20, after=19)
    # Outside the two rings, and concerns with handling code C: neither is counted.
    _concerns(user, _near(place, 4), before=50, after=0)
    _concerns(user, place, before=0, after=40, handling="C")

    shown = outcome_for(case=_case(user, place), today=TODAY)

    concerns = shown.concerns
    assert concerns is not None
    assert concerns.windows.days == 182
    assert (concerns.here_before, concerns.here_after) == (30, 8)
    assert (concerns.area_before, concerns.area_after) == (45, 43)
    expected = rate_ratio(30, 8)
    assert concerns.here is not None and concerns.here.estimate == pytest.approx(expected.estimate)
    assert concerns.here.upper is not None and concerns.here.upper < 1
    against = ratio_of_ratios(30, 8, 45, 43)
    assert concerns.against_area is not None
    assert concerns.against_area.upper == pytest.approx(against.upper)
    assert against.upper is not None and against.upper < 1
    assert concerns.reading.startswith("Concerns here fell by about")
    assert "larger than the area's" in concerns.reading


def test_small_counts_are_withheld_with_every_figure_built_on_them() -> None:
    user = UserFactory()
    place: Any = PlaceFactory(latitude=52.62, longitude=-1.16)
    _concerns(user, place, before=12, after=3)
    _concerns(user, _near(place, 1), before=30, after=30)

    shown = outcome_for(case=_case(user, place), today=TODAY)

    concerns = shown.concerns
    assert concerns is not None
    assert concerns.here_before == 12 and concerns.here_after is None
    assert concerns.here is None and concerns.against_area is None
    assert concerns.reading.startswith("Too few concerns here to tell")
    assert "75%" not in concerns.reading


def test_windows_are_equal_and_never_reach_past_today() -> None:
    windows = outcome_windows(started_on=TODAY - datetime.timedelta(days=60), today=TODAY)
    assert windows is not None and windows.days == 60
    assert windows.after_to == TODAY
    assert outcome_windows(started_on=TODAY - datetime.timedelta(days=10), today=TODAY) is None


def test_an_online_space_reads_its_outcome_from_the_goal_indicators() -> None:
    user = UserFactory()
    space = OnlineSpace.objects.create(
        reference="OS-00001", platform="Snapchat", name="Year 9 chat", kind="group_chat"
    )
    case = _case(user, online_space=space)
    shown = outcome_for(case=case, today=TODAY)
    assert shown.concerns is None
    assert "goal indicators" in shown.concerns_missing
    assert outcome_snapshot(case=case)["reading"] == shown.concerns_missing


def test_the_outcome_page_draws_the_charts_with_their_tables(client: Any) -> None:
    user = UserFactory(role="practitioner")
    place: Any = PlaceFactory(latitude=52.61, longitude=-1.17)
    _concerns(user, place, before=20, after=6)
    _concerns(user, _near(place, 1), before=30, after=28)
    case = _case(user, place)
    ContextPlan.objects.filter(case=case).update(
        started_on=timezone.localdate() - datetime.timedelta(days=200)
    )
    client.force_login(user)
    response = client.get(f"/cases/{case.reference}/outcomes/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('role="img"') >= 1
    assert "Concerns before and after the plan started" in body
    assert "<table" in body


def test_a_recoded_concern_changes_the_outcome_at_once() -> None:
    user = UserFactory()
    place: Any = PlaceFactory(latitude=52.64, longitude=-1.14)
    _concerns(user, place, before=12, after=10)
    case = _case(user, place)
    first = outcome_for(case=case, today=TODAY).concerns
    assert first is not None and first.here_before == 12

    # Recoded to handling code C: no longer counted for everyone, whatever was kept before.
    concern = Concern.objects.filter(place=place, occurred_on__lt=START).first()
    assert concern is not None
    concern.handling_code = "C"
    concern.handling_conditions = "Police only"
    concern.save()
    again = outcome_for(case=case, today=TODAY).concerns
    assert again is not None and again.here_before == 11
