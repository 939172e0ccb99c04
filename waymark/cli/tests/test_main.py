"""What every `waymark` command shares: usage errors, `manage`, and the help."""

import re

import pytest

from waymark.cli import main

pytestmark = pytest.mark.django_db


def test_manage_passes_through_to_django(capsys):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_no_command_prints_the_help_and_is_a_usage_error(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "usage: waymark" in err
    for command in ("demo", "serve", "createuser", "retention", "hotspots", "peer-groups"):
        assert command in err


def test_help_lists_every_command_and_exits_0(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^    (\S+)", out, flags=re.MULTILINE)
    assert listed == [
        "demo",
        "serve",
        "createagency",
        "createuser",
        "enrolment-code",
        "audit",
        "keys",
        "retention",
        "sar",
        "maintenance",
        "cases",
        "hotspots",
        "emerging-hotspots",
        "near-repeat",
        "peer-groups",
        "manage",
    ]
