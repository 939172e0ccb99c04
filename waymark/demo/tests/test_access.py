"""Need to know in the demo town: one agency cannot read a child known only to another."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from waymark.accounts.models import User
from waymark.demo.generator import DemoBuild, demo_build
from waymark.people.models import Involvement, YoungPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(settings):
    settings.WAYMARK_DEMO = True
    demo_build(build=DemoBuild(seed=11, scale=0.05))


def test_police_cannot_read_a_child_known_only_to_childrens_services_until_break_glass(town):
    police = User.objects.get(username="police")
    social_care = User.objects.get(username="practitioner")
    manager = User.objects.get(username="manager")
    assert manager.agency_id == social_care.agency_id
    known_to_csc = Involvement.objects.active().filter(agency=social_care.agency)
    known_to_police = Involvement.objects.active().filter(agency=police.agency)
    child = (
        YoungPerson.objects.filter(pk__in=known_to_csc.values("young_person"))
        .exclude(pk__in=known_to_police.values("young_person"))
        .first()
    )
    assert child is not None
    web, api = APIClient(), APIClient()
    web.force_login(police)
    api.force_login(police)

    page = web.get(reverse("young-person-detail", args=[child.reference]))
    assert page.status_code == 403
    for secret in (child.family_name, child.nhs_number or child.family_name):
        assert secret not in page.content.decode()
    assert api.get(f"/api/young-people/{child.reference}/").status_code == 404
    assert api.get(f"/api/young-people/{child.reference}/concerns/").status_code == 404
    searched = web.post(reverse("search"), {"q": child.reference}).content.decode()
    assert child.family_name not in searched and child.reference in searched
    listed = api.post("/api/young-people/search/", {"q": child.reference}, format="json")
    assert listed.status_code == 200, listed.content[:300]
    assert listed.json()["results"] == []

    web.post(
        reverse("young-person-break-glass", args=[child.reference]),
        {"reason": "Reported missing from home tonight; checking known associates"},
    )
    opened = web.get(reverse("young-person-detail", args=[child.reference]))
    assert opened.status_code == 200 and child.family_name in opened.content.decode()
    assert api.get(f"/api/young-people/{child.reference}/").status_code == 200

    web.force_login(manager)
    log = web.get(reverse("young-person-access", args=[child.reference])).content.decode()
    assert "Break-glass" in log and "Reported missing from home tonight" in log
    assert "Records opened without involvement" in web.get(reverse("dashboard")).content.decode()
