import pytest
from django.urls import reverse

from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.people.models import Involvement
from waymark.people.selectors import young_person_list_visible_to
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(agency):
    return UserFactory(username="morgan", agency=agency, role="manager")


def test_a_manager_allocates_a_worker_of_another_agency_then_ends_it(
    client, manager, outsider, agency
):
    child = YoungPersonFactory(created_by_agency=agency)
    assert not young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()
    client.force_login(manager)
    response = client.post(
        reverse("involvement-new", args=[child.reference]),
        {
            "agency": str(outsider.agency_id),
            "worker": outsider.username,
            "purpose": "Joint visit under the exploitation protocol",
            "lawful_basis": "sch1_para18",
        },
    )
    assert response.url == reverse("young-person-access", args=[child.reference])
    involvement = Involvement.objects.get(agency=outsider.agency)
    assert (involvement.worker, involvement.source) == (outsider, "allocation")
    assert young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()

    refused = client.post(reverse("involvement-end", args=[child.reference, involvement.pk]), {})
    assert b"Say why the involvement is ending" in refused.content
    client.post(
        reverse("involvement-end", args=[child.reference, involvement.pk]),
        {"reason": "Joint work finished"},
    )
    assert not young_person_list_visible_to(user=outsider).filter(pk=child.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="people.involvement", action="update", purpose="Joint work finished"
    ).exists()


def test_an_unknown_worker_is_refused_and_nothing_is_written(client, manager, agency, outsider):
    child = YoungPersonFactory(created_by_agency=agency)
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
    child = YoungPersonFactory(created_by_agency=agency)
    client.force_login(practitioner)
    assert client.get(reverse("involvement-new", args=[child.reference])).status_code == 403
