"""Early warning: a new link towards a group at high risk alerts the involved agencies, once."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association
from waymark.concerns.services import association_record
from waymark.concerns.signals import association_recorded
from waymark.contexts.models import (
    DetectedGroup,
    DetectedGroupMember,
    PeerAlert,
    PeerGroupDetection,
    Vulnerability,
)
from waymark.contexts.peer_groups import alerts
from waymark.contexts.peer_groups.alerts import (
    peer_alert_acknowledge,
    peer_alert_list_for,
    peer_alerts_on_association,
)
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

REASONS = ["4 of 5 members have open exploitation concerns"]


def make_group(members, vulnerability=Vulnerability.HIGH, number=1):
    today = timezone.localdate()
    run = PeerGroupDetection.objects.create(
        computed_at=timezone.now(),
        data_version="test",
        window_start=today - datetime.timedelta(days=365),
        window_end=today,
    )
    group = DetectedGroup.objects.create(
        number=number,
        first_detected=run,
        last_detected=run,
        vulnerability=vulnerability,
        reasons=REASONS,
    )
    for person in members:
        DetectedGroupMember.objects.create(group=group, young_person=person)
    return group


@pytest.fixture
def world():
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    social_care = AgencyFactory(name="Eastbridge Children's Services")
    police = AgencyFactory(name="Midshire Police", sector="police")
    teacher = UserFactory(username="dsl", agency=school, role=Role.PRACTITIONER)
    worker = UserFactory(username="sam", agency=social_care, role=Role.PRACTITIONER)
    officer = UserFactory(username="pc", agency=police, role=Role.PRACTITIONER)
    newcomer = YoungPersonFactory(created_by_agency=school)  # the school is involved
    members = [
        YoungPersonFactory(created_by_agency=social_care, family_name=f"Quillfeather-{n}")
        for n in "ABCDE"
    ]
    return {
        "teacher": teacher,
        "worker": worker,
        "officer": officer,
        "newcomer": newcomer,
        "members": members,
    }


def link(actor, a, b, **kw):
    return association_record(
        actor=actor,
        young_person=a,
        other_young_person=b,
        kind=kw.get("kind", "friend"),
        reliability=kw.get("reliability", "tentative"),
        seen_on=timezone.localdate(),
        source_note="Seen together at the bus station by a youth worker",
    )


def test_a_new_link_into_a_high_risk_group_raises_exactly_one_alert(world):
    group = make_group(world["members"])
    link(world["teacher"], world["newcomer"], world["members"][0])
    alerts = PeerAlert.objects.all()
    assert alerts.count() == 1
    alert = alerts.get()
    assert alert.young_person == world["newcomer"]
    assert alert.detected_group == group
    assert "Group 1" in alert.reason and REASONS[0] in alert.reason
    assert world["members"][0].reference in alert.reason
    assert world["members"][0].family_name not in alert.reason  # references, never names
    # Seen by the agency involved with the newcomer, not by one that is not involved.
    assert list(peer_alert_list_for(user=world["teacher"])) == [alert]
    assert list(peer_alert_list_for(user=world["officer"])) == []
    # The members' own agency is not involved with the newcomer either.
    assert list(peer_alert_list_for(user=world["worker"])) == []
    # New evidence for the same link does not raise it again.
    link(world["teacher"], world["newcomer"], world["members"][0], reliability="confirmed")
    assert PeerAlert.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="contexts.peeralert", action="create").count() == 1


def test_links_inside_a_group_or_to_a_low_risk_group_raise_nothing(world):
    make_group(world["members"], vulnerability=Vulnerability.MEDIUM)
    link(world["teacher"], world["newcomer"], world["members"][1])
    make_group([world["newcomer"], world["members"][2]], number=2)
    link(world["worker"], world["members"][2], world["newcomer"])
    assert PeerAlert.objects.count() == 0


def test_a_link_to_a_flagged_person_of_concern_raises_an_alert(world):
    flag = PersonFlagFactory(kind="exploitation")
    association_record(
        actor=world["teacher"],
        young_person=world["newcomer"],
        person_of_concern=flag.person,
        kind="exploiting",
        reliability="unconfirmed",
        seen_on=timezone.localdate(),
        source_note="A pupil said he gives lifts after school",
    )
    alert = PeerAlert.objects.get()
    assert alert.kind == "person_of_concern"
    assert flag.person.reference in alert.reason
    assert "suspected exploitation of children" in alert.reason


def test_an_expired_flag_raises_nothing(world):
    flag = PersonFlagFactory(review_by=timezone.localdate() - datetime.timedelta(days=1))
    association_record(
        actor=world["teacher"],
        young_person=world["newcomer"],
        person_of_concern=flag.person,
        kind="associate",
        reliability="unconfirmed",
        seen_on=timezone.localdate(),
        source_note="Named by a pupil",
    )
    assert PeerAlert.objects.count() == 0


def test_only_an_involved_agency_may_acknowledge_and_only_once(world):
    make_group(world["members"])
    link(world["teacher"], world["newcomer"], world["members"][0])
    alert = PeerAlert.objects.get()
    with pytest.raises(PermissionDenied):
        peer_alert_acknowledge(actor=world["officer"], alert=alert)
    peer_alert_acknowledge(actor=world["teacher"], alert=alert, note="Spoke to him and his mum")
    alert.refresh_from_db()
    assert alert.acknowledged_by == world["teacher"]
    assert list(peer_alert_list_for(user=world["teacher"])) == []
    with pytest.raises(ValidationError):
        peer_alert_acknowledge(actor=world["teacher"], alert=alert)


def test_the_dashboard_shows_the_alert_and_acknowledges_it(client, world):
    make_group(world["members"])
    link(world["teacher"], world["newcomer"], world["members"][0])
    alert = PeerAlert.objects.get()
    client.force_login(world["officer"])
    assert "Early warnings" not in client.get("/").content.decode()
    client.force_login(world["teacher"])
    body = client.get("/").content.decode()
    assert "Early warnings" in body and world["newcomer"].reference in body
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "Spoke to him"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_note == "Spoke to him"
    assert "Early warnings" not in client.get("/").content.decode()
    client.force_login(world["officer"])
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_early_warnings_listen_once_for_every_recorded_link():
    listeners = association_recorded._live_receivers(Association)
    # Django returns (sync, async) receivers; the alerts' receiver is the one synchronous one.
    sync = listeners[0] if isinstance(listeners, tuple) else listeners
    assert sync == [peer_alerts_on_association]


def test_a_failing_early_warning_leaves_no_link_and_no_audit_event(world, monkeypatch):
    def broken(*, association):
        raise RuntimeError("alert store unavailable")

    monkeypatch.setattr(alerts, "peer_alerts_raise_for", broken)
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        link(world["teacher"], world["newcomer"], world["members"][0])
    assert not Association.objects.exists()
    assert AuditEvent.objects.count() == events
