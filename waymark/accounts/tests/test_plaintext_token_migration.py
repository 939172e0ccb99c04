"""The migration that deletes the plain-text API tokens of databases from before ADR 0012."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection

migration = import_module("waymark.accounts.migrations.0002_remove_plaintext_api_tokens")

pytestmark = pytest.mark.django_db

# What the function uses of a schema editor (SQLite's cannot open inside the test's transaction).
editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)


def _rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM authtoken_token")
        return cursor.fetchall()


def test_plaintext_tokens_are_deleted_where_the_table_exists():
    migration.delete_plaintext_tokens(None, editor)  # no table: nothing to do, no error
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY)")
        cursor.execute("INSERT INTO authtoken_token (key) VALUES ('0123456789abcdef')")
    assert _rows()
    migration.delete_plaintext_tokens(None, editor)
    assert _rows() == []
