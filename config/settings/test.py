"""Settings for the test suite: the same apps and middleware as production, faster hashing."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-for-use-anywhere-else-0123456789"  # noqa: S105
# Fixed keys, so a failing test can be replayed; never valid anywhere else.
WAYMARK_FIELD_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS1ub3QtZm9yLXVzZSE="]
WAYMARK_BLIND_INDEX_KEY = "test-only-blind-index-key-not-for-use-anywhere"  # noqa: S105
WAYMARK_AUDIT_KEY = "test-only-audit-key-not-for-use-anywhere-else"  # noqa: S105
# base64 of 32 fixed bytes; the verify key is derived from it. Each test gets its own checkpoint
# directory (the `audit_checkpoints` fixture in conftest.py).
WAYMARK_AUDIT_SIGNING_KEY = "dGVzdC1vbmx5LWF1ZGl0LXNpZ25pbmcta2V5LTMyYiE="  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
WAYMARK_DEMO = False
# Off so that tests of other features can sign in with force_login alone; the two-factor tests
# switch it on (waymark/accounts/tests/test_two_factor.py).
WAYMARK_REQUIRE_2FA = False
# No rate limits, so that tests of other features are never throttled; the throttling tests set
# their own rates (waymark/web/tests/test_search.py).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "search": None, "known_elsewhere": None},
}
