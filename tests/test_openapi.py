"""The published API description: complete, valid, and only for signed-in users."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_schema_is_served_to_a_signed_in_user(practitioner):
    client = APIClient()
    client.force_login(practitioner)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/concerns/" in paths
    assert "/api/young-people/{reference}/concerns/" in paths
    assert "/api/token/" in paths


def test_the_docs_page_works_under_the_content_security_policy(practitioner):
    client = APIClient()
    client.force_login(practitioner)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    # Every script is loaded from this origin: none is inline, which the policy would block.
    html = page.content.decode()
    assert html.count("<script") == html.count("<script src=")
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_schema_is_refused_to_anonymous_users(url):
    assert APIClient().get(url).status_code in (401, 403)


def test_the_schema_is_generated_without_warnings_and_validates():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    warnings = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert not warnings, warnings
    validate_schema(schema)
    concern = schema["components"]["schemas"]["ConcernCreateRequest"]
    assert "place" in concern["required"]
    assert concern["properties"]["place"]["nullable"] is True
