"""Agencies in the partnership, read only; and API tokens."""

from django.db import transaction
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken

from .models import Agency
from .selectors import agency_list_visible_to


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "sector"]
        read_only_fields = fields


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """The agencies in the partnership. Their names are not personal data."""

    serializer_class = AgencySerializer
    lookup_value_regex = r"\d+"
    required_permissions = {"list": "accounts.view_agency", "retrieve": "accounts.view_agency"}

    def get_queryset(self) -> QuerySet[Agency]:
        return agency_list_visible_to(user=self.request.user)


class TokenObtainView(ObtainAuthToken):
    """Issue an API token for a username and password (POST /api/token/)."""


# Outside the request transaction: a wrong password makes DRF roll the request back, which would
# also erase django-axes' record of the failure and so never lock the account out.
obtain_auth_token = transaction.non_atomic_requests(TokenObtainView.as_view())
