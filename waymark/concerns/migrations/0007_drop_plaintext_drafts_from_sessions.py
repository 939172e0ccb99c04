"""Remove concern drafts kept in plaintext in the session table by earlier versions.

Earlier versions kept the answers to the concern form, narrative and handling conditions
included, in the session (under "concern_draft"). Drafts are now encrypted rows of their own
(ConcernDraft), and the session holds only a draft's number, so every session still holding an
old draft is deleted: its user signs in again and the unrecorded draft is lost, rather than
left in plaintext until the session expires.
"""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

OLD_DRAFT_KEY = "concern_draft"


def delete_sessions_with_plaintext_drafts(apps, schema_editor):
    session_model = apps.get_model("sessions", "Session")
    store = SessionStore()
    stale = [
        key
        for key, data in session_model.objects.values_list("session_key", "session_data")
        if OLD_DRAFT_KEY in store.decode(data)
    ]
    for start in range(0, len(stale), 500):
        session_model.objects.filter(session_key__in=stale[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0006_concern_drafts"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(delete_sessions_with_plaintext_drafts, migrations.RunPython.noop)
    ]
