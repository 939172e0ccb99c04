"""The demo town's context cases: the planted outcomes hold, every stage is shown, and the
partners' contacts are kept encrypted.

The outcome of a place case compares the `window_days` before its plan started with the
`window_days` after: the concerns at the place ("here"), and the concerns at the other places
whose H3 cell at `outcome_resolution` is within `outcome_ring` cells of the place's ("the area").
Here's rate ratio has the exact interval of the binomial split of its concerns between the two
equal windows; the ratio of ratios (here against the area) is the odds ratio of the 2 x 2 table,
with its exact conditional interval.
"""

import datetime

import h3
import pytest
from django.db import connection
from django.utils import timezone
from scipy.stats import binomtest
from scipy.stats.contingency import odds_ratio

from waymark.casework.models import (
    Action,
    AssessmentKind,
    CaseStatus,
    ContextCase,
    Guardianship,
    OwnerKind,
    PartnerContact,
    PartnerKind,
    SubjectKind,
    TrainingRecord,
)
from waymark.casework.outcomes.selectors import outcome_for
from waymark.concerns.models import Concern
from waymark.contexts.models import Place
from waymark.demo.cases import STAGES
from waymark.demo.generator import demo_ensure
from waymark.demo.truths import DemoTruths, demo_truths

pytestmark = pytest.mark.django_db

SEED = 7
SCALE = 0.05


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.WAYMARK_DEMO = True


@pytest.fixture
def truths() -> DemoTruths:
    demo_ensure(seed=SEED, scale=SCALE)
    return demo_truths()


def windows(truths: DemoTruths, place_id: int) -> tuple[list[int], list[int]]:
    """[before, after] at the place, and [before, after] in its surrounding area."""
    place = Place.objects.get(pk=place_id)
    start = ContextCase.objects.get(place=place).plan.started_on
    width = datetime.timedelta(days=truths.window_days)
    res = truths.outcome_resolution
    disk = set(
        h3.grid_disk(h3.latlng_to_cell(place.latitude, place.longitude, res), truths.outcome_ring)
    )
    area = [
        p.pk
        for p in Place.objects.exclude(pk=place_id)
        if h3.latlng_to_cell(p.latitude, p.longitude, res) in disk
    ]

    def split(concerns) -> list[int]:
        return [
            concerns.filter(occurred_on__gte=first, occurred_on__lt=first + width).count()
            for first in (start - width, start)
        ]

    return split(Concern.objects.filter(place=place)), split(Concern.objects.filter(place__in=area))


def intervals(here: list[int], area: list[int]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The exact 95% intervals of here's rate ratio (after / before) and of the ratio of ratios."""
    split = binomtest(here[1], here[0] + here[1]).proportion_ci()
    rate = (split.low / (1 - split.low), split.high / (1 - split.high))
    table = [[here[1], here[0]], [area[1], area[0]]]
    ratio = odds_ratio(table, kind="conditional").confidence_interval()
    return rate, (ratio.low, ratio.high)


def test_concerns_fell_at_the_improved_place_and_not_around_it(truths):
    here, area = windows(truths, truths.improved_place_id)
    assert here[0] >= 30 and here[1] <= 12, here
    assert min(area) >= 40 and abs(area[1] - area[0]) <= 0.1 * area[0], area
    rate, ratio = intervals(here, area)
    assert rate[1] < 1, rate
    assert ratio[1] < 1, ratio


def test_concerns_at_the_unchanged_place_are_much_as_before(truths):
    here, area = windows(truths, truths.unchanged_place_id)
    assert min(here) >= 10, here
    assert min(area) >= 40, area
    rate, ratio = intervals(here, area)
    assert rate[0] < 1 < rate[1], rate
    assert ratio[0] < 1 < ratio[1], ratio


def test_the_outcome_reads_the_planted_truths(truths):
    """What a worker sees on each case's outcome: Waymark's own counts, intervals and reading."""
    improved = outcome_for(case=ContextCase.objects.get(place_id=truths.improved_place_id))
    c = improved.concerns
    assert c is not None and c.here is not None and c.against_area is not None
    assert c.here.upper is not None and c.here.upper < 1, c
    assert c.against_area.upper is not None and c.against_area.upper < 1, c
    assert c.reading.startswith("Concerns here fell by about"), c.reading
    assert "the fall here is larger than the area's" in c.reading, c.reading

    unchanged = outcome_for(case=ContextCase.objects.get(place_id=truths.unchanged_place_id))
    c = unchanged.concerns
    assert c is not None and c.here is not None and c.against_area is not None
    assert c.here.lower is not None and c.here.upper is not None
    assert c.here.lower < 1 < c.here.upper, c
    assert c.against_area.lower is not None and c.against_area.upper is not None
    assert c.against_area.lower < 1 < c.against_area.upper, c
    assert "did not change clearly" in c.reading, c.reading


def stage(case: ContextCase) -> str:
    """The stage a case has reached, read from its rows."""
    if case.status in (CaseStatus.REFERRED, CaseStatus.NO_FURTHER_ACTION, CaseStatus.CLOSED):
        return str(case.status)
    if case.reviews.exists():
        return "reviewed"
    if hasattr(case, "plan"):
        return "planned"
    return "assessed" if case.assessments.exists() else "screened"


def test_the_cases_show_every_stage(truths):
    cases = list(ContextCase.objects.select_related("place", "screening"))
    reached = {(stage(c), c.subject_kind, c.status) for c in cases}
    for planted in STAGES:
        assert (planted.name, planted.subject_kind, planted.status) in reached, planted
    assert {c.subject_kind for c in cases} == set(SubjectKind.values)
    today = timezone.localdate()
    overdue = ContextCase.objects.filter(status=CaseStatus.OPEN, next_review_on__lt=today)
    assert [stage(c) for c in overdue] == ["planned"]

    improved = next(c for c in cases if c.place_id == truths.improved_place_id)
    assert improved.plan.started_on < today - datetime.timedelta(days=7 * 30)
    assert stage(improved) == "reviewed"
    # Its goals come from its assessment's findings, and partners own some of their actions.
    goals = improved.plan.goals.all()
    assert all(g.finding.assessment.case_id == improved.pk for g in goals)
    assert Action.objects.filter(goal__in=goals, owner_kind=OwnerKind.PARTNER).exists()
    assert any(g.measures.count() >= 3 for g in goals)

    group = next(c for c in cases if c.subject_kind == SubjectKind.PEER_GROUP)
    assert group.assessments.get().kind == AssessmentKind.PEER_GROUP
    assert group.peer_group.members.count() >= 5

    school = next(c for c in cases if c.is_school)
    first, second = school.assessments.order_by("number")
    assert first.kind == second.kind == AssessmentKind.SCHOOL
    assert sum(a.rating for a in second.areas.all()) > sum(a.rating for a in first.areas.all())
    assert first.voices.exists()

    neighbourhood = next(c for c in cases if c.subject_kind == SubjectKind.NEIGHBOURHOOD)
    assert stage(neighbourhood) == "referred" and neighbourhood.neighbourhood.cells
    assert ContextCase.objects.filter(links__isnull=False).exists()


def test_partners_guard_the_places_and_their_contacts_are_encrypted(truths):
    kinds = set(PartnerContact.objects.values_list("partner__kind", flat=True))
    assert {PartnerKind.BUSINESS, PartnerKind.HOTEL, PartnerKind.TAXI} <= kinds
    guarded = set(Guardianship.objects.values_list("place_id", flat=True))
    assert {truths.improved_place_id, truths.unchanged_place_id} <= guarded
    today = timezone.localdate()
    assert TrainingRecord.objects.filter(refresh_due__lt=today).exists()
    assert TrainingRecord.objects.filter(
        refresh_due__gte=today, refresh_due__lte=today + datetime.timedelta(days=30)
    ).exists()

    contacts = list(PartnerContact.objects.all())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone, email FROM {PartnerContact._meta.db_table}")  # noqa: S608
        raw = repr(cursor.fetchall())
    for contact in contacts:
        assert contact.name and contact.phone and contact.email
        for value in (contact.name, contact.phone, contact.email):
            assert value not in raw
