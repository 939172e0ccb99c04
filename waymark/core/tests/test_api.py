"""The permission harness every API endpoint passes through, and the shared API helpers."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from waymark.core.api import raise_drf_validation, service_errors
from waymark.core.permissions import RolePermission
from waymark.web.api_urls import router


def _routes():
    """Every (method, url name, url kwargs, action) the router serves."""
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            mapping = router.get_method_map(viewset, route.mapping)
            if not mapping:
                continue
            lookup = viewset.lookup_url_kwarg or viewset.lookup_field
            kwargs = {lookup: "1" if lookup == "pk" else "YP-00000"} if route.detail else {}
            name = "api:" + route.name.format(basename=basename)
            for method, action in mapping.items():
                yield pytest.param(method, name, kwargs, viewset, action, id=f"{method} {name}")


ROUTES = list(_routes())


def test_the_harness_sees_every_endpoint():
    names = {p.values[1] for p in ROUTES}
    assert {
        "api:agency-list",
        "api:ward-detail",
        "api:place-concerns",
        "api:young-person-access",
        "api:person-of-concern-flags",
        "api:concern-list",
        "api:association-detail",
    } <= names


@pytest.mark.parametrize(("method", "name", "kwargs", "viewset", "action"), ROUTES)
def test_every_action_names_the_permission_it_needs(method, name, kwargs, viewset, action):
    assert RolePermission in [type(p) for p in viewset().get_permissions()]
    assert action in viewset.required_permissions, f"{viewset.__name__}.{action} is not named"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "kwargs", "viewset", "action"), ROUTES)
def test_anonymous_users_are_refused_everywhere(method, name, kwargs, viewset, action):
    response = getattr(APIClient(), method)(reverse(name, kwargs=kwargs), {}, format="json")
    assert response.status_code in (401, 403)


@pytest.mark.django_db
def test_anonymous_users_are_refused_the_api_root():
    assert APIClient().get("/api/").status_code in (401, 403)


@pytest.mark.django_db
def test_a_signed_in_user_sees_the_api_root(practitioner):
    client = APIClient()
    client.force_login(practitioner)
    response = client.get("/api/")
    assert response.status_code == 200
    assert "young-people" in response.json()


def test_service_errors_keep_field_names_and_codes():
    with pytest.raises(ValidationError) as exc:
        with service_errors(other="non_field_errors"):
            raise DjangoValidationError(
                {
                    "place": [DjangoValidationError("Select a place", code="required")],
                    "other": ["Link one other person"],
                    "__all__": ["Something about the whole"],
                }
            )
    detail = exc.value.detail
    assert detail["place"] == ["Select a place"]
    assert detail["place"][0].code == "required"
    assert detail["non_field_errors"] == ["Link one other person", "Something about the whole"]


def test_an_error_without_fields_becomes_a_non_field_error():
    with pytest.raises(ValidationError) as exc:
        raise_drf_validation(DjangoValidationError("Only a user of an agency can do this"))
    assert exc.value.detail == {"non_field_errors": ["Only a user of an agency can do this"]}
