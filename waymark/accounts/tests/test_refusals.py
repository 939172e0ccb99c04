"""A signed-in user refused a record they may not see is in the audit trail, on the web and the
API, even though the refusal rolls the request's transaction back."""

import pytest
from rest_framework.test import APIClient

from waymark.audit.models import AuditEvent
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the refusals outlive a rolled-back request


def test_refusals_are_audited_with_what_was_asked_for(client, agency, outsider, practitioner):
    child = YoungPersonFactory(created_by_agency=agency)
    client.force_login(outsider)
    assert client.get(f"/young-people/{child.reference}/").status_code == 403
    assert client.get("/concerns/CN-NOPE/").status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/young-people/{child.reference}/").status_code == 404

    refused = AuditEvent.objects.filter(action="refused", actor=outsider).order_by("id")
    assert list(refused.values_list("object_type", "object_id", "purpose")) == [
        ("people.youngperson", child.reference, f"GET /young-people/{child.reference}/"),
        ("concerns.concern", "CN-NOPE", "GET /concerns/CN-NOPE/"),
        ("people.youngperson", child.reference, f"GET /api/young-people/{child.reference}/"),
    ]
    # The user who may see the record is not refused.
    client.force_login(practitioner)
    assert client.get(f"/young-people/{child.reference}/").status_code == 200
    assert not AuditEvent.objects.filter(action="refused", actor=practitioner).exists()
