import pytest
from django.contrib.auth.models import Group, Permission

from waymark.core.versions import Watched, data_version

pytestmark = pytest.mark.django_db


def version(**kwargs) -> str:
    return data_version([Watched(Group.objects, latest=("id", "name"))], **kwargs)


def test_the_version_is_stable_until_a_watched_table_changes():
    Group.objects.create(name="alpha")
    before = version()
    assert version() == before  # reading changes nothing
    Permission.objects.first().delete()  # a table nobody watches
    assert version() == before
    Group.objects.create(name="beta")
    assert version() != before


def test_a_delete_then_an_insert_and_an_edit_each_change_the_version():
    Group.objects.create(name="alpha")
    beta = Group.objects.create(name="beta")
    before = version()
    beta.delete()
    Group.objects.create(name="beta")  # the same count again, but a new largest id
    after_insert = version()
    assert after_insert != before
    Group.objects.filter(name="beta").update(name="gamma")
    assert version() != after_insert


def test_what_else_a_result_depends_on_and_the_length():
    assert version(also=["2026-12-07"]) != version(also=["2026-12-08"])
    assert len(version()) == 32 and len(version(length=16)) == 16
    assert version(length=16) == version()[:16]
    narrower = data_version([Watched(Group.objects.filter(name="alpha"))])
    Group.objects.create(name="beta")
    assert data_version([Watched(Group.objects.filter(name="alpha"))]) == narrower
