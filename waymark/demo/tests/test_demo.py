import datetime
import itertools

import pytest
from django.db.models import Q
from django.utils import timezone

from waymark.accounts.models import Agency, Role, Sector, User
from waymark.audit.models import AuditEvent
from waymark.audit.selectors import audit_chain_verify
from waymark.concerns.models import Association, Concern, ConcernYoungPerson
from waymark.contexts.models import Place, PlaceKind, Ward
from waymark.core.validators import nhs_number_is_valid, upn_is_valid
from waymark.demo import DEMO_PASSWORD
from waymark.demo.generator import (
    MARKER,
    DemoBuild,
    DemoError,
    demo_ensure,
    demo_logins,
    demo_remove,
    demo_state,
)
from waymark.demo.town import point_in_ring, town
from waymark.demo.truths import demo_truths, truths_for
from waymark.people.models import PersonFlag, PersonOfConcern, YoungPerson
from waymark.people.selectors import involvement_request_list_awaiting

pytestmark = pytest.mark.django_db

SCALE = 0.05
SEED = 7


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.WAYMARK_DEMO = True


@pytest.fixture
def built():
    return demo_ensure(seed=SEED, scale=SCALE)


def references() -> dict[str, list[str]]:
    return {
        "young people": sorted(YoungPerson.objects.values_list("reference", flat=True)),
        "persons of concern": sorted(PersonOfConcern.objects.values_list("reference", flat=True)),
        "concerns": sorted(Concern.objects.values_list("reference", flat=True)),
    }


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Agency, User, Ward, Place, YoungPerson, PersonOfConcern, Concern, Association)
    }


def test_the_same_seed_builds_the_same_town():
    demo_ensure(seed=SEED, scale=SCALE)
    first = references()
    demo_remove()
    assert YoungPerson.objects.count() == 0
    demo_ensure(seed=SEED, scale=SCALE)
    assert references() == first
    assert references() != {} and len(first["concerns"]) >= 150


def test_a_different_seed_builds_a_different_town(built):
    first = references()
    result = demo_ensure(seed=SEED + 1, scale=SCALE)
    assert result.replaced == DemoBuild(seed=SEED, scale=SCALE)
    assert references()["young people"] != first["young people"]
    assert demo_state() == DemoBuild(seed=SEED + 1, scale=SCALE)


def test_building_twice_writes_nothing_the_second_time(built):
    before, events = counts(), AuditEvent.objects.count()
    again = demo_ensure(seed=SEED, scale=SCALE)
    assert again.built_now is False
    assert counts() == before
    assert AuditEvent.objects.count() == events


def test_reset_rebuilds_without_duplicating(built):
    before = counts()
    result = demo_ensure(seed=SEED, scale=SCALE, reset=True)
    assert result.built_now is True
    assert counts() == before
    assert AuditEvent.objects.filter(object_type=MARKER, action="delete").count() == 1


def test_the_build_is_audited_by_one_summarising_event(built):
    event = AuditEvent.objects.get(object_type=MARKER, action="create")
    assert event.object_id == DemoBuild(seed=SEED, scale=SCALE).object_id
    assert "concerns.concern" in event.changed_fields
    assert "concerns.association" in event.changed_fields
    assert not AuditEvent.objects.filter(object_type="concerns.concern").exists()
    assert built.counts["concerns"] == Concern.objects.count()


def test_the_demo_is_refused_outside_demo_mode(settings):
    settings.WAYMARK_DEMO = False
    with pytest.raises(DemoError):
        demo_ensure(seed=SEED, scale=SCALE)
    assert not YoungPerson.objects.exists()


def test_every_role_can_log_in_with_the_published_password(built):
    assert {u.role for u in User.objects.all()} == set(Role.values)
    logins = {login.username for login in demo_logins()}
    assert {"practitioner", "police", "school", "manager", "analyst", "chair", "admin"} <= logins
    for username in logins:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert {a.sector for a in Agency.objects.all()} == set(Sector.values)


def test_rising_places_have_more_concerns_recently_than_before(built):
    truths = demo_truths()
    cut = timezone.localdate() - datetime.timedelta(days=truths.recent_days)
    assert len(truths.rising_place_ids) == 3
    for place_id in truths.rising_place_ids:
        concerns = Concern.objects.filter(place_id=place_id)
        recent = concerns.filter(occurred_on__gte=cut).count()
        before = concerns.filter(occurred_on__lt=cut).count()
        assert recent > before, Place.objects.get(pk=place_id).name


def test_peer_groups_are_dense_and_linked_to_their_person_of_concern(built):
    today = timezone.localdate()
    truths = demo_truths()
    assert 4 <= len(truths.peer_groups) <= 5
    for group in truths.peer_groups:
        assert 5 <= len(group.members) <= 12
        ids = list(
            YoungPerson.objects.filter(reference__in=group.members).values_list("pk", flat=True)
        )
        assert len(ids) == len(group.members)
        current = Association.objects.filter(review_by__gte=today)
        friends = current.filter(young_person__in=ids, other_young_person__in=ids).count()
        pairs = len(ids) * (len(ids) - 1) / 2
        assert friends / pairs >= 0.6, group.hangout
        adult = PersonOfConcern.objects.get(reference=group.person_of_concern)
        linked = current.filter(young_person__in=ids, person_of_concern=adult)
        assert linked.count() == len(ids)
        assert PersonFlag.objects.filter(person=adult).current().exists()


def test_bus_station_children_are_unrelated_but_share_the_bus_station(built):
    truths = demo_truths()
    assert len(truths.bus_station_children) == 15
    ids = list(
        YoungPerson.objects.filter(reference__in=truths.bus_station_children).values_list(
            "pk", flat=True
        )
    )
    assert len(ids) == 15
    assert not Association.objects.filter(young_person__in=ids, other_young_person__in=ids).exists()
    at_station = ConcernYoungPerson.objects.filter(
        young_person__in=ids, concern__place_id=truths.bus_station_id
    )
    assert set(at_station.values_list("young_person", flat=True)) == set(ids)
    shared = ConcernYoungPerson.objects.filter(young_person__in=ids).values("concern")
    for concern in Concern.objects.filter(pk__in=shared):
        assert concern.involved.filter(young_person__in=ids).count() == 1


def test_truths_can_be_worked_out_without_the_database(built):
    pure = truths_for(seed=SEED, scale=SCALE)
    assert pure.bus_station_children == demo_truths().bus_station_children
    with pytest.raises(DemoError):
        pure.bus_station_id  # noqa: B018


def test_identifiers_are_valid_and_children_are_10_to_17(built):
    today = timezone.localdate()
    children = list(YoungPerson.objects.all())
    with_nhs = [c for c in children if c.nhs_number]
    assert len(with_nhs) > 0.8 * len(children)
    assert all(nhs_number_is_valid(c.nhs_number) for c in with_nhs)
    assert all(c.nhs_number.startswith("999") for c in with_nhs)
    assert len({c.nhs_number for c in with_nhs}) == len(with_nhs)
    with_upn = [c for c in children if c.upn]
    assert len(with_upn) > 0.5 * len(children)
    assert all(upn_is_valid(c.upn) for c in with_upn)
    assert all(10 <= c.age_on(today) <= 17 for c in children)
    assert any(c.strengths for c in children) and any(c.own_words for c in children)
    for child in children[:40]:
        child.full_clean()


def test_places_are_valid_and_inside_their_ward(built):
    kinds = set(Place.objects.values_list("kind", flat=True))
    assert kinds == set(PlaceKind.values)
    assert Place.objects.filter(kind=PlaceKind.SCHOOL).count() >= 10
    for place in Place.objects.select_related("ward"):
        place.full_clean()
        ring = [tuple(p) for p in place.ward.boundary["coordinates"][0]]
        assert point_in_ring(place.longitude, place.latitude, tuple(ring)), place.name
    assert len(town().wards) == Ward.objects.count() >= 10


def test_associations_keep_the_rules_the_service_keeps(built):
    links = Association.objects.prefetch_related("source_concerns__involved")
    assert links.exists()
    today = timezone.localdate()
    assert links.filter(review_by__lt=today).exists(), "some links should have expired"
    assert links.filter(review_by__gte=today).exists()
    for link in links.filter(other_young_person__isnull=False):
        assert link.young_person_id < link.other_young_person_id
    for link in links:
        assert link.first_seen <= link.last_seen
        sources = list(link.source_concerns.all())
        assert sources or link.source_note
        for concern in sources:
            named = {i.young_person_id for i in concern.involved.all()}
            assert link.young_person_id in named
            assert link.other_young_person_id in named | {None}
    assert not Concern.objects.filter(handling_code="C", handling_conditions="").exists()
    assert Concern.objects.filter(handling_code="C").exists()
    assert not Concern.objects.filter(Q(place__isnull=True) & Q(involved__isnull=True)).exists()
    assert PersonFlag.objects.filter(review_by__lt=today).exists()


def test_concerns_span_two_years_and_read_as_reports(built):
    today = timezone.localdate()
    oldest = Concern.objects.order_by("occurred_on").first()
    assert oldest is not None
    assert today - oldest.occurred_on > datetime.timedelta(days=600)
    assert not Concern.objects.filter(occurred_on__gt=today).exists()
    narratives = [c.narrative for c in Concern.objects.only("id", "narrative")[:300]]
    assert len(set(narratives)) > 0.9 * len(narratives)
    assert all("{" not in n and "}" not in n for n in narratives)
    agencies = set(Concern.objects.values_list("recording_agency__sector", flat=True))
    assert len(agencies) >= 6


def test_removing_the_town_leaves_other_records(built, practitioner):
    demo_remove()
    assert demo_state() is None
    assert not YoungPerson.objects.exists() and not Concern.objects.exists()
    # The demo's agencies and users stay: the append-only audit log refers to them.
    assert Agency.objects.filter(name__startswith="Midshire").exists()
    assert User.objects.filter(pk=practitioner.pk).exists()


def test_pairs_in_a_group_are_friends_not_strangers(built):
    truths = demo_truths()
    group = max(truths.peer_groups, key=lambda g: len(g.members))
    people = {p.reference: p.pk for p in YoungPerson.objects.filter(reference__in=group.members)}
    kinds = set()
    for a, b in itertools.combinations(sorted(people.values()), 2):
        link = Association.objects.filter(young_person_id=a, other_young_person_id=b).first()
        if link is not None:
            kinds.add(link.kind)
    assert "friend" in kinds


def test_a_reset_keeps_the_audit_trail_whole(client):
    """Demo users' own reads stay in the append-only trail across a reset, and it still verifies."""

    demo_ensure(seed=SEED, scale=SCALE)
    user = User.objects.get(username="practitioner")
    client.force_login(user)
    assert client.get("/").status_code == 200
    person = YoungPerson.objects.filter(involvements__agency=user.agency).first()
    assert client.get(f"/young-people/{person.reference}/").status_code == 200
    assert AuditEvent.objects.filter(actor=user, action="view").exists()
    demo_ensure(seed=SEED + 1, scale=SCALE)
    assert AuditEvent.objects.filter(actor=user, action="view").exists()
    assert audit_chain_verify().intact


def test_a_request_to_be_involved_awaits_the_childrens_services_manager(built, client):
    manager = User.objects.get(username="manager")
    request = involvement_request_list_awaiting(user=manager).get()
    assert request.requested_by.username == "police"
    police = User.objects.get(username="police")
    client.force_login(police)
    assert client.get(f"/young-people/{request.young_person.reference}/").status_code == 403
