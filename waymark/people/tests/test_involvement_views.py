import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.people.access import InvolvementRequest
from waymark.people.models import Involvement
from waymark.people.selectors import young_person_list_visible_to
from waymark.people.services import involvement_end, involvement_request_create, involvement_start
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(agency):
    return UserFactory(username="morgan", agency=agency, role="manager")


def test_a_manager_allocates_a_worker_of_their_own_agency_then_ends_it(
    client, manager, practitioner, agency
):
    child = YoungPersonFactory(
        created_by_agency=agency, given_name="Ottoline", family_name="Featherstonehaugh"
    )
    client.force_login(manager)
    response = client.post(
        reverse("involvement-new", args=[child.reference]),
        {
            "agency": str(agency.pk),
            "worker": practitioner.username,
            "purpose": "Allocated for the exploitation assessment",
            "lawful_basis": "sch1_para18",
        },
    )
    assert response.url == reverse("young-person-access", args=[child.reference])
    involvement = Involvement.objects.get(agency=agency, worker=practitioner)
    assert involvement.source == "allocation"

    refused = client.post(reverse("involvement-end", args=[child.reference, involvement.pk]), {})
    assert b"Say why the involvement is ending" in refused.content
    client.post(
        reverse("involvement-end", args=[child.reference, involvement.pk]),
        {"reason": "Joint work finished"},
    )
    involvement.refresh_from_db()
    assert not involvement.is_active
    assert AuditEvent.objects.filter(
        object_type="people.involvement", action="update", purpose="Joint work finished"
    ).exists()


def test_granting_another_agency_access_asks_that_agency_whose_manager_accepts(
    client, manager, outsider, agency
):
    child = YoungPersonFactory(
        created_by_agency=agency, given_name="Ottoline", family_name="Featherstonehaugh"
    )
    client.force_login(manager)
    response = client.post(
        reverse("involvement-new", args=[child.reference]),
        {
            "agency": str(outsider.agency_id),
            "worker": "",
            "purpose": "Joint visit under the exploitation protocol",
            "lawful_basis": "sch1_para18",
        },
    )
    assert response.url == reverse("young-person-access", args=[child.reference])
    # Nothing is granted yet: the other agency is asked.
    assert not Involvement.objects.filter(agency=outsider.agency).exists()
    assert not young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()
    request = InvolvementRequest.objects.get(agency=outsider.agency, young_person=child)
    assert (request.kind, request.state) == ("offer", "pending")

    # The proposing manager cannot accept on the other agency's behalf.
    own = client.post(
        reverse("involvement-request-detail", args=[request.pk]), {"decision": "accept"}
    )
    assert own.status_code == 403

    their_manager = UserFactory(username="pat", agency=outsider.agency, role="manager")
    client.force_login(their_manager)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("involvement-request-detail", args=[request.pk]) in dashboard
    assert child.given_name not in dashboard
    client.post(reverse("involvement-request-detail", args=[request.pk]), {"decision": "accept"})
    request.refresh_from_db()
    assert request.state == "accepted"
    involvement = Involvement.objects.get(agency=outsider.agency, young_person=child)
    assert (involvement.source, involvement.purpose) == (
        "request",
        "Joint visit under the exploitation protocol",
    )
    assert young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="people.involvementrequest", object_id=str(request.pk), action="update"
    ).exists()


def test_a_manager_cannot_end_another_agencys_involvement(client, outsider, agency):
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    school_manager = UserFactory(username="head", agency=school, role="manager")
    child = YoungPersonFactory(
        created_by_agency=agency, given_name="Ottoline", family_name="Featherstonehaugh"
    )
    police = involvement_start(
        actor=outsider,
        agency=outsider.agency,
        young_person=child,
        source="manager",
        purpose="Investigation",
    )
    ours = involvement_start(
        actor=school_manager, agency=school, young_person=child, source="manager", purpose="Pupil"
    )
    client.force_login(school_manager)
    access = client.get(reverse("young-person-access", args=[child.reference])).content.decode()
    assert reverse("involvement-end", args=[child.reference, police.pk]) not in access
    assert reverse("involvement-end", args=[child.reference, ours.pk]) in access
    url = reverse("involvement-end", args=[child.reference, police.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Not needed"}).status_code == 404
    police.refresh_from_db()
    assert police.is_active
    with pytest.raises(PermissionDenied):
        involvement_end(actor=school_manager, involvement=police, reason="Not needed")


def test_an_agency_asks_to_be_involved_and_an_involved_manager_declines_or_accepts(
    client, manager, outsider, agency
):
    child = YoungPersonFactory(
        created_by_agency=agency, given_name="Ottoline", family_name="Featherstonehaugh"
    )
    client.force_login(outsider)
    url = reverse("involvement-request-new", args=[child.reference])
    page = client.get(url).content.decode()
    assert child.reference in page and child.family_name not in page
    empty = client.post(url, {"purpose": "", "lawful_basis": "sch1_para18"})
    assert b"Say why your agency needs to be involved" in empty.content
    assert not InvolvementRequest.objects.exists()
    client.post(url, {"purpose": "Investigating a county line", "lawful_basis": "dpa_part3"})
    request = InvolvementRequest.objects.get()
    assert (request.kind, request.agency, request.lawful_basis) == (
        "request",
        outsider.agency,
        "dpa_part3",
    )
    again = client.post(url, {"purpose": "Again", "lawful_basis": "dpa_part3"})
    assert b"already awaiting a decision" in again.content
    # The requester cannot decide their own request.
    assert (
        client.post(
            reverse("involvement-request-detail", args=[request.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )

    client.force_login(manager)
    detail = reverse("involvement-request-detail", args=[request.pk])
    no_reason = client.post(detail, {"decision": "decline", "note": ""})
    assert b"Say why you are declining" in no_reason.content
    client.post(detail, {"decision": "decline", "note": "Not enough reason given"})
    request.refresh_from_db()
    assert request.state == "declined"
    assert not young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()

    second = involvement_request_create(
        actor=outsider,
        young_person=child,
        purpose="Investigating a county line, with the crime number",
        lawful_basis="dpa_part3",
    )
    client.post(reverse("involvement-request-detail", args=[second.pk]), {"decision": "accept"})
    assert young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()
    assert Involvement.objects.get(agency=outsider.agency).lawful_basis == "dpa_part3"
    access = client.get(reverse("young-person-access", args=[child.reference])).content.decode()
    assert "involvementrequest" in access


def test_an_unknown_worker_is_refused_and_nothing_is_written(client, manager, agency, outsider):
    child = YoungPersonFactory(
        created_by_agency=agency, given_name="Ottoline", family_name="Featherstonehaugh"
    )
    client.force_login(manager)
    before = Involvement.objects.count()
    page = client.post(
        reverse("involvement-new", args=[child.reference]),
        {
            "agency": str(outsider.agency_id),
            "worker": "nobody",
            "purpose": "x",
            "lawful_basis": "sch1_para18",
        },
    )
    assert b"There is no active user with that username" in page.content
    assert Involvement.objects.count() == before


def test_a_practitioner_cannot_manage_involvements(client, practitioner, agency):
    child = YoungPersonFactory(
        created_by_agency=agency, given_name="Ottoline", family_name="Featherstonehaugh"
    )
    client.force_login(practitioner)
    assert client.get(reverse("involvement-new", args=[child.reference])).status_code == 403


def test_the_agency_that_asked_is_not_told_who_declined(client, manager, outsider, agency):
    child = YoungPersonFactory(created_by_agency=agency)
    request = involvement_request_create(
        actor=outsider, young_person=child, purpose="A county line", lawful_basis="dpa_part3"
    )
    client.force_login(manager)
    detail = reverse("involvement-request-detail", args=[request.pk])
    client.post(detail, {"decision": "decline", "note": "Not enough reason given"})
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("declined", manager)

    client.force_login(outsider)
    page = client.get(detail).content.decode()
    assert "Declined" in page and "Not enough reason given" in page
    # A worker's name would say which agency works with the child.
    assert str(manager) not in page and manager.get_full_name() not in page
