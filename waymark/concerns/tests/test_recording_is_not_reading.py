"""Recording is not reading (ADR 0010).

A police practitioner records a concern about a child known only to children's services, on the
web and through the API. The concern is saved and the police see it, but never the child's
record; children's services get a notice; the confirmed exploiting link the concern makes to a
flagged person of concern is held, raising no early warning, until children's services accept it.
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association, Concern, ConcernNotice
from waymark.concerns.selectors import association_list_visible_to
from waymark.concerns.services import association_review
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import PeerAlert
from waymark.contexts.peer_groups.alerts import peer_alert_list_for
from waymark.contexts.peer_groups.network import network_rows, network_window
from waymark.contexts.peer_groups.selectors import current_associations
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.models import Involvement
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

GIVEN, FAMILY, NHS = "Ondine", "Vasquez-Thornbury", "9434765919"
BORN = datetime.date(2011, 3, 17)


@pytest.fixture
def town(db) -> dict[str, Any]:
    csc = AgencyFactory(name="Eastbridge Children's Services")
    police = AgencyFactory(name="Midshire Police", sector="police")
    return {
        "csc": csc,
        "police": police,
        "social_worker": UserFactory(username="sam", agency=csc, role=Role.PRACTITIONER),
        "officer": UserFactory(username="pc.jones", agency=police, role=Role.PRACTITIONER),
        "child": YoungPersonFactory(
            given_name=GIVEN,
            family_name=FAMILY,
            nhs_number=NHS,
            date_of_birth=BORN,
            created_by_agency=csc,
        ),
        "flag": PersonFlagFactory(),
        "place": PlaceFactory(name="Eastbridge bus station"),
    }


def _secrets_absent(body: str) -> None:
    for secret in (GIVEN, FAMILY, NHS, escape(FAMILY), BORN.isoformat(), "17 March 2011"):
        assert secret not in body, secret


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _record_through_the_api(town: dict[str, Any]) -> Concern:
    response = _api(town["officer"]).post(
        "/api/concerns/",
        {
            "occurred_on": str(timezone.localdate() - datetime.timedelta(days=1)),
            "place": town["place"].pk,
            "young_people": [{"reference": town["child"].reference, "role": "at_risk"}],
            "persons_of_concern": [town["flag"].person.reference],
            "risks": [{"category": "cce", "indicators": ["cash"]}],
            "narrative": "Seen handing a package to an older male at the bus station.",
            "source_evaluation": "1",
            "information_assessment": "A",
            "handling_code": "P",
            "link_kind": "exploiting",
            "link_reliability": "confirmed",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    _secrets_absent(response.content.decode())
    return Concern.objects.get(reference=response.json()["reference"])


def _record_through_the_web(client: Any, town: dict[str, Any]) -> Concern:
    when = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(town["officer"])
    answers = {
        "occurred_on_day": str(when.day),
        "occurred_on_month": str(when.month),
        "occurred_on_year": str(when.year),
        "place": str(town["place"].pk),
        "yp_1": town["child"].reference,
        "yp_role_1": "at_risk",
        "persons_of_concern": town["flag"].person.reference,
        "categories": ["cce"],
        "narrative": "Seen handing a package to an older male at the bus station.",
        "source_evaluation": "1",
        "information_assessment": "A",
        "handling_code": "P",
        "link_kind": "exploiting",
        "link_reliability": "confirmed",
    }
    assert client.post(reverse("concern-new"), answers).url == reverse("concern-check")
    check = client.get(reverse("concern-check")).content.decode()
    _secrets_absent(check)
    assert "does not give your agency access to their record" in check
    done = client.post(reverse("concern-check"))
    concern = Concern.objects.get()
    assert done.status_code == 302
    assert done.url == reverse("concern-detail", args=[concern.reference])
    return concern


def _the_record_stays_closed(client: Any, town: dict[str, Any], concern: Concern) -> None:
    officer, child = town["officer"], town["child"]
    assert not Involvement.objects.filter(agency=town["police"], young_person=child).exists()
    api = _api(officer)
    for url in (
        f"/api/young-people/{child.reference}/",
        f"/api/young-people/{child.reference}/concerns/",
        f"/api/young-people/{child.reference}/associations/",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        _secrets_absent(response.content.decode())
    for url in (
        f"/api/concerns/{concern.reference}/",
        "/api/concerns/",
        "/api/associations/",
        "/api/young-people/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        _secrets_absent(response.content.decode())
    # The officer sees their own concern, with the child by reference only.
    own = api.get(f"/api/concerns/{concern.reference}/").json()
    assert own["narrative"].startswith("Seen handing a package")
    # The held link is not shown, even to the agency that recorded it.
    assert all(
        row.get("person_of_concern") != town["flag"].person.reference
        for row in api.get("/api/associations/").json()["results"]
    )

    client.force_login(officer)
    page = client.get(reverse("young-person-detail", args=[child.reference]))
    assert page.status_code == 403
    _secrets_absent(page.content.decode())
    detail = client.get(reverse("concern-detail", args=[concern.reference]))
    assert detail.status_code == 200
    assert child.reference in detail.content.decode()
    for url in (
        reverse("concern-detail", args=[concern.reference]),
        f"{reverse('search')}?q={child.reference}",
        f"{reverse('search')}?q={concern.reference}",
        reverse("dashboard"),
        reverse("young-person-access", args=[child.reference]),
        reverse("young-person-network", args=[child.reference]),
    ):
        response = client.get(url)
        assert response.status_code < 500, url
        _secrets_absent(response.content.decode())


def _the_involved_agency_is_told_and_the_link_waits(
    client: Any, town: dict[str, Any], concern: Concern, *, through_api: bool = False
) -> None:
    child, social_worker = town["child"], town["social_worker"]
    notice = ConcernNotice.objects.get(concern=concern)
    assert (notice.agency, notice.young_person) == (town["csc"], child)
    assert AuditEvent.objects.filter(
        object_type="concerns.concernnotice", object_id=str(notice.pk), action="create"
    ).exists()
    held = Association.objects.get(person_of_concern=town["flag"].person)
    assert (held.review_state, held.kind, held.reliability) == ("held", "exploiting", "confirmed")
    # No early warning, no link shown or analysed, while the link is held.
    assert not PeerAlert.objects.exists()
    assert not association_list_visible_to(user=social_worker).exists()
    assert not current_associations(Q(), timezone.localdate()).exists()

    client.force_login(social_worker)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f"New information from Midshire Police about {child.reference}" in dashboard
    assert reverse("young-person-detail", args=[child.reference]) in dashboard
    assert reverse("association-review", args=[held.pk]) in dashboard
    assert "Early warnings" not in dashboard
    # The child's page, which children's services may see, shows no link yet.
    page = client.get(reverse("young-person-detail", args=[child.reference])).content.decode()
    assert town["flag"].person.reference not in page

    api = _api(social_worker)
    notices = api.get("/api/notices/").json()["results"]
    assert [n["text"] for n in notices] == [
        f"New information from Midshire Police about {child.reference}"
    ]
    assert [link["id"] for link in api.get("/api/held-links/").json()["results"]] == [held.pk]
    # The police cannot review their own link, nor read the notice.
    officer_api = _api(town["officer"])
    assert officer_api.get("/api/notices/").json()["results"] == []
    refused = officer_api.post(f"/api/held-links/{held.pk}/review/", {"decision": "accept"})
    assert refused.status_code == 404
    assert not PeerAlert.objects.exists()

    # Children's services accept the link: it takes effect, and the early warning fires now.
    if through_api:
        response = api.post(
            f"/api/held-links/{held.pk}/review/", {"decision": "accept"}, format="json"
        )
        assert response.status_code == 200 and response.json()["review_state"] == "in_effect"
    else:
        response = client.post(
            reverse("association-review", args=[held.pk]), {"decision": "accept"}
        )
        assert response.status_code == 302
    held.refresh_from_db()
    assert held.review_state == "in_effect"
    alert = PeerAlert.objects.get(young_person=child, association=held)
    assert list(alert.agencies.all()) == [town["csc"]]
    assert list(peer_alert_list_for(user=social_worker)) == [alert]
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Early warnings" in dashboard
    page = client.get(reverse("young-person-detail", args=[child.reference])).content.decode()
    assert town["flag"].person.reference in page

    # Dismissing the notice takes it off the dashboard, and is recorded.
    client.post(reverse("concern-notice-dismiss", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.dismissed_by == social_worker
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "New information from Midshire Police" not in dashboard


def test_a_concern_recorded_through_the_api_does_not_open_the_record(client, town):
    concern = _record_through_the_api(town)
    _the_record_stays_closed(client, town, concern)
    _the_involved_agency_is_told_and_the_link_waits(client, town, concern, through_api=True)
    # Accepting the link gives the police nothing either.
    _the_record_stays_closed(client, town, concern)


def test_a_concern_recorded_on_the_web_does_not_open_the_record(client, town):
    concern = _record_through_the_web(client, town)
    _the_record_stays_closed(client, town, concern)
    _the_involved_agency_is_told_and_the_link_waits(client, town, concern)
    _the_record_stays_closed(client, town, concern)


def test_a_rejected_link_never_takes_effect(town):
    concern = concern_make(
        actor=town["officer"],
        young_people=[town["child"]],
        persons_of_concern=[town["flag"].person],
        link_kind="exploiting",
        link_reliability="confirmed",
    )
    held = Association.objects.get(source_concerns=concern)
    with pytest.raises(PermissionDenied):  # not the recording agency's to accept
        association_review(actor=town["officer"], association=held, accept=True)
    with pytest.raises(ValidationError):
        association_review(actor=town["social_worker"], association=held, accept=False)
    association_review(
        actor=town["social_worker"], association=held, accept=False, note="Mistaken identity"
    )
    held.refresh_from_db()
    assert held.review_state == "rejected"
    assert not PeerAlert.objects.exists()
    assert not association_list_visible_to(user=town["social_worker"]).exists()


def test_an_accepted_link_adds_its_evidence_to_the_link_already_in_effect(town):
    child, person = town["child"], town["flag"].person
    first = concern_make(
        actor=town["social_worker"],
        young_people=[child],
        persons_of_concern=[person],
        link_kind="associate",
        link_reliability="unconfirmed",
    )
    in_effect = Association.objects.in_effect().get()
    PeerAlert.objects.all().delete()
    second = concern_make(
        actor=town["officer"],
        young_people=[child],
        persons_of_concern=[person],
        link_kind="exploiting",
        link_reliability="confirmed",
    )
    # The link in effect is untouched while the new evidence is held.
    in_effect.refresh_from_db()
    assert (in_effect.kind, in_effect.reliability) == ("associate", "unconfirmed")
    assert list(in_effect.source_concerns.all()) == [first]
    held = Association.objects.held_for_review().get()
    result = association_review(actor=town["social_worker"], association=held, accept=True)
    assert result == in_effect
    in_effect.refresh_from_db()
    held.refresh_from_db()
    assert held.review_state == "merged"
    assert (in_effect.kind, in_effect.reliability) == ("exploiting", "confirmed")
    assert set(in_effect.source_concerns.all()) == {first, second}
    assert Association.objects.in_effect().count() == 1


def test_a_concern_about_a_child_the_recorder_works_with_sends_no_notice_and_holds_nothing(town):
    concern_make(
        actor=town["social_worker"],
        young_people=[town["child"]],
        persons_of_concern=[town["flag"].person],
        link_kind="exploiting",
        link_reliability="confirmed",
    )
    assert not ConcernNotice.objects.exists()
    assert Association.objects.get().review_state == "in_effect"
    assert PeerAlert.objects.filter(young_person=town["child"]).exists()


def test_a_handling_code_c_concern_tells_only_the_agencies_it_names(town):
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    Involvement.objects.create(
        agency=school,
        young_person=town["child"],
        source="manager",
        purpose="Pupil",
        lawful_basis="sch1_para18",
    )
    concern_make(
        actor=town["officer"],
        young_people=[town["child"]],
        handling_code="C",
        handling_conditions="Police operation: do not share with the school",
        handling_agencies=[town["csc"]],
    )
    assert [n.agency for n in ConcernNotice.objects.all()] == [town["csc"]]


def test_peer_group_analysis_ignores_a_held_link_and_the_co_involvement_behind_it(town):
    other = YoungPersonFactory(created_by_agency=town["csc"])
    concern_make(actor=town["officer"], young_people=[town["child"], other])
    held = Association.objects.get()
    assert held.review_state == "held"
    pair = {town["child"].pk, other.pk}

    def pairs() -> list[set[int]]:
        rows = network_rows(window=network_window(timezone.localdate()))
        return [{int(a), int(b)} for a, b in zip(rows.source, rows.target, strict=True)]

    assert pair not in pairs()
    association_review(actor=town["social_worker"], association=held, accept=True)
    assert pair in pairs()
