"""Sessions, response headers and Django's deployment checks."""

import base64
import datetime
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_a_session_ends_after_30_idle_minutes_and_each_request_renews_it(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    # A cookie that ends with the browser; the server keeps its own 30-minute limit.
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"]
    assert not cookie["expires"]
    assert cookie["httponly"]
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < remaining <= datetime.timedelta(minutes=30)

    # 29 idle minutes: still signed in, and the request pushes the limit back to 30.
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(reverse("dashboard")).status_code == 200
    session.refresh_from_db()
    assert session.expire_date - timezone.now() > datetime.timedelta(minutes=29)

    # 30 idle minutes: signed out.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_page_carries_the_security_headers(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    directives = dict(
        (d.strip().split(" ", 1) + [""])[:2] for d in response["Content-Security-Policy"].split(";")
    )
    script_src = directives["script-src"]
    nonce = response.wsgi_request.csp_nonce
    assert f"'nonce-{nonce}'" in script_src
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_sign_in_page_carries_them_too(client):
    response = client.get(reverse("login"))
    assert "Permissions-Policy" in response
    assert "'nonce-" in response["Content-Security-Policy"]


def _production_env(tmp_path, **overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "WAYMARK_", "DATABASE_", "ALLOWED_", "CSRF_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        WAYMARK_SECRET_KEY=secrets.token_urlsafe(45)[:60],
        WAYMARK_FIELD_KEYS=Fernet.generate_key().decode(),
        WAYMARK_BLIND_INDEX_KEY=secrets.token_urlsafe(48),
        WAYMARK_AUDIT_KEY=secrets.token_urlsafe(48),
        # The web servers hold only the public half of the checkpoint signing key.
        WAYMARK_AUDIT_VERIFY_KEY=base64.b64encode(
            Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        ).decode(),
        ALLOWED_HOSTS="waymark.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _production_check(tmp_path, **overrides):
    return subprocess.run(  # noqa: S603 (fixed arguments, this interpreter)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=_production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing",
    [
        {"WAYMARK_FIELD_KEYS": None},
        {"WAYMARK_BLIND_INDEX_KEY": None},
        {"WAYMARK_AUDIT_KEY": None},
        {"WAYMARK_AUDIT_VERIFY_KEY": None},
    ],
)
def test_production_refuses_to_start_without_encryption_keys(tmp_path, missing):
    result = _production_check(tmp_path, **missing)
    assert result.returncode != 0
    assert f"{next(iter(missing))} must" in result.stderr


def test_production_refuses_a_field_key_that_is_not_a_fernet_key(tmp_path):
    result = _production_check(tmp_path, WAYMARK_FIELD_KEYS="not-a-key")
    assert result.returncode != 0
    assert "must be a Fernet key" in result.stderr


def test_production_refuses_an_audit_key_shared_with_another_key(tmp_path):
    shared = secrets.token_urlsafe(48)
    result = _production_check(tmp_path, WAYMARK_BLIND_INDEX_KEY=shared, WAYMARK_AUDIT_KEY=shared)
    assert result.returncode != 0
    assert "WAYMARK_AUDIT_KEY must be a random value" in result.stderr


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = _production_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


PRODUCTION_SURFACE = """
import json
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    resolve("/admin/")
    admin = True
except Resolver404:
    admin = False
print(json.dumps({
    "admin": admin,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "renderers": settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "rates": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
}))
"""


def _production_surface(tmp_path, **overrides):
    result = subprocess.run(  # noqa: S603 (fixed arguments, this interpreter)
        [sys.executable, "-c", PRODUCTION_SURFACE],
        cwd=ROOT,
        env=_production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_serves_no_admin_no_browsable_api_and_trusts_no_proxy_by_default(tmp_path):
    surface = _production_surface(tmp_path)
    assert surface["admin"] is False
    assert surface["proxy_header"] is None
    assert surface["renderers"] == ["rest_framework.renderers.JSONRenderer"]
    # Rate-limit counts shared by every process on the host.
    assert surface["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert all(surface["rates"].values())


def test_production_admin_and_proxy_header_are_switched_on_by_their_variables(tmp_path):
    surface = _production_surface(tmp_path, WAYMARK_ADMIN_ENABLED="true", WAYMARK_PROXY_COUNT="1")
    assert surface["admin"] is True
    assert surface["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert _production_check(tmp_path, WAYMARK_PROXY_COUNT="1").returncode == 0


def test_the_admin_may_look_but_never_write(client, agency):
    from waymark.accounts.tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/accounts/agency/").status_code == 200
    assert client.get(f"/admin/accounts/agency/{agency.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/agency/add/").status_code == 403
    response = client.post(
        f"/admin/accounts/agency/{agency.pk}/change/", {"name": "Renamed", "sector": "police"}
    )
    assert response.status_code == 403
    assert (
        client.post(f"/admin/accounts/agency/{agency.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    agency.refresh_from_db()
    assert agency.name == "Eastbridge Children's Services"


def test_a_malformed_rate_limit_is_refused_at_start_up(tmp_path):
    result = _production_check(tmp_path, WAYMARK_THROTTLE_SEARCH="lots")
    assert result.returncode != 0
    assert "WAYMARK_THROTTLE_SEARCH must be a number of requests per" in result.stderr
