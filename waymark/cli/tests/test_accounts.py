"""`waymark createuser`, `waymark createagency` and `waymark enrolment-code`."""

import io

import pytest
from django.utils import timezone
from knox.models import AuthToken

from waymark.accounts.models import Agency, AuthenticatorApp, EnrolmentCode, User
from waymark.accounts.services import enrolment_code_issue
from waymark.accounts.tokens import api_token_issue
from waymark.audit.models import AuditEvent
from waymark.cli import main

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-enough-passphrase-9"


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def test_createuser_adds_a_user_to_the_agency(agency, stdin, capsys):
    stdin(GOOD_PASSWORD + "\n")
    code = main(
        [
            "createuser",
            "--username",
            "new.worker",
            "--agency",
            agency.name.upper(),
            "--role",
            "manager",
            "--password-stdin",
            "--first-name",
            "Nia",
        ]
    )
    assert code == 0
    user = User.objects.get(username="new.worker")
    assert (user.agency, user.role, user.first_name) == (agency, "manager", "Nia")
    assert user.check_password(GOOD_PASSWORD)
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).exists()
    assert "Created new.worker" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("role", "agency_name", "password", "message"),
    [
        ("boss", "Eastbridge Children's Services", GOOD_PASSWORD, "unknown role 'boss'"),
        ("manager", "Nowhere Council", GOOD_PASSWORD, "no agency called 'Nowhere Council'"),
        ("manager", "Eastbridge Children's Services", "short", "at least 12 characters"),
        ("manager", "Eastbridge Children's Services", "", "no password"),
    ],
)
def test_createuser_refuses_mistakes_and_writes_nothing(
    agency, stdin, capsys, role, agency_name, password, message
):
    users, events = User.objects.count(), AuditEvent.objects.count()
    stdin(password + "\n")
    code = main(
        [
            "createuser",
            "--username",
            "new.worker",
            "--agency",
            agency_name,
            "--role",
            role,
            "--password-stdin",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events


def test_createuser_refuses_a_username_already_taken(practitioner, stdin, capsys):
    stdin(GOOD_PASSWORD + "\n")
    code = main(
        [
            "createuser",
            "--username",
            practitioner.username,
            "--agency",
            practitioner.agency.name,
            "--role",
            "practitioner",
            "--password-stdin",
        ]
    )
    assert code == 2
    assert "already exists" in capsys.readouterr().err


def test_a_missing_option_is_a_usage_error(capsys):
    assert main(["createuser", "--username", "x"]) == 2
    assert "required" in capsys.readouterr().err


def test_createuser_without_a_terminal_asks_for_password_stdin(agency, stdin, capsys):
    stdin("")  # not a terminal: there is nobody to type a password
    code = main(["createuser", "--username", "x.y", "--agency", agency.name, "--role", "manager"])
    assert code == 2
    assert "use --password-stdin" in capsys.readouterr().err
    assert not User.objects.filter(username="x.y").exists()


def test_createagency_adds_an_agency_once(capsys):
    assert main(["createagency", "--name", "Eastbridge Buses", "--sector", "transport"]) == 0
    assert Agency.objects.get(name="Eastbridge Buses").sector == "transport"
    assert main(["createagency", "--name", "eastbridge buses", "--sector", "transport"]) == 2
    assert main(["createagency", "--name", "Taxi Co", "--sector", "taxis"]) == 2
    err = capsys.readouterr().err
    assert "already an agency called" in err and "unknown sector 'taxis'" in err
    assert Agency.objects.count() == 1


def test_a_new_code_cancels_the_old_one_and_the_cli_prints_it(practitioner, capsys):
    first = enrolment_code_issue(actor=None, user=practitioner)
    assert main(["enrolment-code", "--username", practitioner.username]) == 0
    out = capsys.readouterr().out
    second = out.split(": ")[1].split()[0]
    assert len(second) == 14 and second != first
    old, new = EnrolmentCode.objects.order_by("created_at")
    assert old.matches(first.replace("-", "")) and old.expires_at <= timezone.now()
    assert new.matches(second.replace("-", "")) and new.issued_by is None

    # --as checks what that user may do: a practitioner may issue none.
    assert main(["enrolment-code", "--username", practitioner.username, "--as", "nobody"]) == 2
    assert "no active user called 'nobody'" in capsys.readouterr().err


def test_a_lost_phone_is_reset_from_the_command_line_with_a_new_code(practitioner, capsys):
    AuthenticatorApp.objects.create(user=practitioner, name="app", confirmed=True)
    api_token_issue(user=practitioner)  # perhaps on the lost phone
    assert main(["enrolment-code", "--username", practitioner.username]) == 2
    assert "already set up" in capsys.readouterr().err
    assert main(["enrolment-code", "--username", practitioner.username, "--reset"]) == 0
    assert "Removed 1 two-factor devices" in capsys.readouterr().out
    assert not AuthenticatorApp.objects.exists()
    assert EnrolmentCode.objects.filter(user=practitioner).count() == 1
    assert AuditEvent.objects.filter(action="delete", purpose="two-factor reset").count() == 1
    # The lost phone's API tokens are revoked with it.
    assert not AuthToken.objects.filter(user=practitioner).exists()
    assert (
        AuditEvent.objects.filter(action="token_revoked", purpose="two-factor reset").count() == 1
    )
