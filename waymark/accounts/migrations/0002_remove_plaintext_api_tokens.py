"""API tokens were DRF's authtoken tokens, kept in plain text in authtoken_token and never
expiring. Those tokens stop working now that API tokens are django-rest-knox's (ADR 0012); this
deletes them too, so that no copy of the database or backup taken from now on holds a working
credential. The table is left empty rather than dropped, so the authtoken app's own migration
records stay true; a database created since has no such table, and nothing is done."""

from django.db import migrations

TABLE = "authtoken_token"


def delete_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute(f"DELETE FROM {schema_editor.quote_name(TABLE)}")  # noqa: S608  # nosec B608 (a fixed table name, quoted)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(delete_plaintext_tokens, migrations.RunPython.noop, elidable=True),
    ]
