"""Agencies in the partnership, read only; and API tokens: issue and revoke (ADR 0012)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions, parsers, renderers, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from waymark.core.throttling import AnonThrottle, UserThrottle

from .models import Agency
from .selectors import agency_list_visible_to
from .services import two_factor_verify
from .tokens import TokenLimitReached, api_token_issue, api_token_revoke, api_token_revoke_all


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
    # DRF's serializer (username and password, checked by `authenticate`, so django-axes counts a
    # wrong password) with the second factor added. rest_framework.authtoken itself is not
    # installed: its tokens were stored in plain text and never expired.
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


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True,
        help_text="Send it as `Authorization: Token <token>`. It is shown only this once: "
        "Waymark keeps a digest of it, not the token.",
    )
    expiry = serializers.DateTimeField(
        read_only=True, help_text="When the token stops working; sign in again for a new one."
    )


class TokenObtainView(APIView):
    """Issue an API token for a username, password and, outside the demo, a two-factor code."""

    # Anyone may ask: the credentials in the body are what is checked.
    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, parsers.JSONParser]
    renderer_classes = [renderers.JSONRenderer]
    # Rate-limited like any other request (and django-axes locks a username out after five wrong
    # passwords).
    throttle_classes = [AnonThrottle, UserThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: IssuedTokenSerializer},
        summary="Issue an API token",
        description="A token for the user whose username, password and (where two-factor "
        "sign-in is required) authenticator code are given. It expires after "
        "WAYMARK_API_TOKEN_TTL_HOURS and is not extended by use. A user may hold only a few "
        "tokens at once: beyond that the answer is 403 until one is revoked or expires.",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            issued = api_token_issue(user=serializer.validated_data["user"])
        except TokenLimitReached as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return Response(IssuedTokenSerializer(issued).data)


# Outside the request transaction: a wrong password makes DRF roll the request back, which would
# also erase django-axes' record of the failure and so never lock the account out. Issuing the
# token and its audit event is a transaction of its own (api_token_issue).
obtain_auth_token = transaction.non_atomic_requests(TokenObtainView.as_view())


class TokenRevokeView(APIView):
    """Revoke the API token this request is signed with."""

    # Only a token can revoke itself; revoke-all also takes a signed-in session.
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The token no longer works")},
        summary="Revoke this API token",
    )
    def post(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, AuthToken):  # pragma: no cover - TokenAuthentication only
            raise exceptions.NotAuthenticated()
        api_token_revoke(user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllView(APIView):
    """Revoke every API token of the signed-in user: after a token is lost, say."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="None of the user's tokens works any more")},
        summary="Revoke all of your API tokens",
    )
    def post(self, request: Request) -> Response:
        api_token_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
