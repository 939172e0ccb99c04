"""Agencies in the partnership, read only; and API tokens."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from waymark.core.throttling import AnonThrottle, UserThrottle

from .models import Agency
from .selectors import agency_list_visible_to
from .services import two_factor_verify


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


class TokenRequestSerializer(AuthTokenSerializer):
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The current code from the user's authenticator app, or a backup code. "
        "Required wherever two-factor sign-in is required.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if settings.WAYMARK_REQUIRE_2FA:
            # A token must not be an easier way in than the web: it needs the second factor too.
            code = (attrs.get("otp_token") or "").strip()
            if not code:
                raise serializers.ValidationError(
                    {"otp_token": ["Enter the code from your authenticator app"]},
                    code="authorization",
                )
            try:
                # Audits a wrong code and counts it against the user, as on the web.
                two_factor_verify(user=attrs["user"], code=code, channel="api")
            except ValidationError as exc:
                raise serializers.ValidationError(
                    {"otp_token": exc.message_dict.get("code", exc.messages)},
                    code="authorization",
                ) from exc
        return attrs


class TokenObtainView(ObtainAuthToken):
    """Issue an API token for a username, password and, outside the demo, a two-factor code."""

    serializer_class = TokenRequestSerializer
    # DRF's view has no throttles of its own; a sign-in from anyone is rate-limited like any other
    # request (and django-axes locks a username out after five wrong passwords).
    throttle_classes = [AnonThrottle, UserThrottle]


# Outside the request transaction: a wrong password makes DRF roll the request back, which would
# also erase django-axes' record of the failure and so never lock the account out.
obtain_auth_token = transaction.non_atomic_requests(TokenObtainView.as_view())
