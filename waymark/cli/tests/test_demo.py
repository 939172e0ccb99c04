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
    concerns, agencies = Concern.objects.count(), Agency.objects.count()
    assert main(["demo", "--scale", "0.05", "--seed", "3", "--quiet"]) == 0
    assert "already built" in capsys.readouterr().out
    assert (Concern.objects.count(), Agency.objects.count()) == (concerns, agencies)


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
