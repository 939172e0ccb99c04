"""Sessions, response headers and Django's deployment checks."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
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


def _production_check(tmp_path, **overrides):
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
        ALLOWED_HOSTS="waymark.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    )
    env.update(overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(  # noqa: S603 (fixed arguments, this interpreter)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", [{"WAYMARK_FIELD_KEYS": None}, {"WAYMARK_BLIND_INDEX_KEY": None}]
)
def test_production_refuses_to_start_without_encryption_keys(tmp_path, missing):
    result = _production_check(tmp_path, **missing)
    assert result.returncode != 0
    assert f"{next(iter(missing))} must" in result.stderr


def test_production_refuses_a_field_key_that_is_not_a_fernet_key(tmp_path):
    result = _production_check(tmp_path, WAYMARK_FIELD_KEYS="not-a-key")
    assert result.returncode != 0
    assert "must be a Fernet key" in result.stderr


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = _production_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
