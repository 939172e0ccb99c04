"""`waymark demo` and `waymark serve`."""

import pytest

from waymark.accounts.models import Agency
from waymark.cli import main
from waymark.cli.demo import is_loopback
from waymark.concerns.models import Concern

pytestmark = pytest.mark.django_db

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (the address serve must refuse)


def test_demo_builds_once_and_prints_the_logins(settings, capsys):
    settings.WAYMARK_DEMO = True
    assert main(["demo", "--scale", "0.05", "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Built Eastbridge" in out
    assert "practitioner" in out and "eastbridge-demo-2026" in out
    assert "Signed audit checkpoint 1 over" in out
    concerns, agencies = Concern.objects.count(), Agency.objects.count()
    assert main(["demo", "--scale", "0.05", "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "already built" in out and "Signed audit checkpoint 2 over" in out
    assert (Concern.objects.count(), Agency.objects.count()) == (concerns, agencies)
    # The built town's audit log verifies against the checkpoints the demo signed.
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "The audit trail is intact" in out and "2 signed checkpoints" in out


def test_demo_refuses_a_silly_scale(settings, capsys):
    settings.WAYMARK_DEMO = True
    assert main(["demo", "--scale", "0", "--quiet"]) == 2
    assert "scale" in capsys.readouterr().err
    assert not Concern.objects.exists()


def test_serve_refuses_an_address_other_computers_can_reach(capsys):
    assert main(["serve", "--host", ALL_INTERFACES]) == 2
    assert "--allow-remote" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        (ALL_INTERFACES, False),
        ("192.168.1.4", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback
