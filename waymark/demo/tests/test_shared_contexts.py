"""The demo town's planted bus-station pattern is what shared-context analysis finds."""

import pytest
from django.db.models import F

from waymark.analytics.shared_contexts import shared_contexts
from waymark.concerns.models import Association, ConcernYoungPerson
from waymark.demo.generator import demo_ensure
from waymark.demo.truths import demo_truths

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.WAYMARK_DEMO = True


def test_the_bus_station_children_are_a_shared_context():
    demo_ensure(seed=7, scale=0.1)
    truths = demo_truths()
    rows = list(
        ConcernYoungPerson.objects.filter(concern__place__isnull=False).values_list(
            F("concern__place_id"),
            F("concern__occurred_on"),
            F("young_person__reference"),
            F("concern_id"),
        )
    )
    refs = sorted({r[2] for r in rows})
    index = {ref: i for i, ref in enumerate(refs)}
    links = Association.objects.filter(other_young_person__isnull=False).values_list(
        "young_person__reference", "other_young_person__reference"
    )
    found = shared_contexts(
        location=[r[0] for r in rows],
        day=[r[1].toordinal() for r in rows],
        young_person=[index[r[2]] for r in rows],
        concern=[r[3] for r in rows],
        associations=[(index[a], index[b]) for a, b in links if a in index and b in index],
        min_young_people=5,
    )
    station = next(c for c in found if c.location == truths.bus_station_id)
    unconnected = {refs[i] for i in station.unconnected}
    planted = set(truths.bus_station_children)
    assert len(planted & unconnected) >= 0.8 * len(planted)
    # The bus station ranks among the strongest shared contexts in the town.
    assert station in found[:5]
