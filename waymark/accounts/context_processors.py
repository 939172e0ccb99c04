from django.conf import settings
from django.http import HttpRequest


def two_factor(request: HttpRequest) -> dict[str, object]:
    """Whether two-factor authentication is required, and whether this session still owes it."""
    user = getattr(request, "user", None)
    required: bool = settings.WAYMARK_REQUIRE_2FA
    pending = bool(
        required and user is not None and user.is_authenticated and not user.is_verified()
    )
    return {"two_factor_required": required, "two_factor_pending": pending}
