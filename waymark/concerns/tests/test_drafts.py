"""Concern drafts: the answers being checked are kept encrypted, by and for their writer only."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from waymark.concerns.drafts import concern_draft_get
from waymark.concerns.models import Concern, ConcernDraft
from waymark.concerns.tests.test_views import answers
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

NARRATIVE = "Ottoline Fairweather was handed a phone behind the bowling alley."
CONDITIONS = "Share only with the school's designated safeguarding lead"


def _raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def drafted(client, practitioner):
    """A handling-code C concern drafted on the form and waiting on the check-answers page."""
    people = [YoungPersonFactory(created_by_agency=practitioner.agency) for _ in range(2)]
    client.force_login(practitioner)
    data = answers(
        PlaceFactory(),
        people,
        narrative=NARRATIVE,
        handling_code="C",
        handling_conditions=CONDITIONS,
    )
    response = client.post(reverse("concern-new"), data)
    assert response.url == reverse("concern-check")
    return client


def test_the_session_and_the_draft_table_hold_nothing_of_what_the_concern_says(drafted):
    sessions = [
        SessionStore().decode(data) for (data,) in _raw("SELECT session_data FROM django_session")
    ]
    assert sessions, "the session was saved"
    for data in sessions:
        for secret in (NARRATIVE, CONDITIONS, "Ottoline"):
            assert secret not in repr(data)
    stored = " ".join(payload for (payload,) in _raw("SELECT payload FROM concerns_concerndraft"))
    assert stored and "Ottoline" not in stored and "safeguarding lead" not in stored
    # Yet the recorder reads their answers back.
    assert NARRATIVE in drafted.get(reverse("concern-check")).content.decode()


def test_recording_the_concern_deletes_its_draft(drafted):
    drafted.post(reverse("concern-check"))
    assert Concern.objects.get().narrative == NARRATIVE
    assert not ConcernDraft.objects.exists()


def test_a_draft_is_only_its_writers_and_lapses(drafted, practitioner, outsider):
    draft = ConcernDraft.objects.get()
    assert concern_draft_get(user=outsider, draft_id=draft.pk) is None
    assert concern_draft_get(user=practitioner, draft_id=draft.pk)["narrative"] == [NARRATIVE]
    ConcernDraft.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert drafted.get(reverse("concern-check")).url == reverse("concern-new")


def test_signing_out_deletes_the_draft(drafted):
    drafted.post(reverse("logout"))
    assert not ConcernDraft.objects.exists()


def test_the_upgrade_deletes_sessions_that_hold_a_plaintext_draft(practitioner):
    old = SessionStore()
    old["concern_draft"] = {"narrative": ["Seen with Tobias Wrenfield at the arcade"]}
    old.create()
    other = SessionStore()
    other["concern_draft_id"] = 7
    other.create()
    migration = importlib.import_module(
        "waymark.concerns.migrations.0007_drop_plaintext_drafts_from_sessions"
    )
    migration.delete_sessions_with_plaintext_drafts(apps, None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_key FROM django_session")
        left = {row[0] for row in cursor.fetchall()}
    assert old.session_key not in left and other.session_key in left
