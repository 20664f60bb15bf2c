"""The transactional tests' teardown (tests/fast_teardown.py) leaves what Django's flush leaves: every model table
empty but the reference rows post_migrate makes, and those as they were; a changed reference row is noticed."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests import fast_teardown
from tests.factories.blackouts import BlackoutPolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def test_emptying_leaves_every_model_table_empty_but_the_reference_rows(django_user_model):
    before = fast_teardown._fingerprint("default")
    reference = {ContentType._meta.db_table, Permission._meta.db_table, Group._meta.db_table}
    reference.add(Group.permissions.through._meta.db_table)
    django_user_model.objects.create_user("someone", password="x").groups.add(Group.objects.first())
    BlackoutPolicyFactory(name="kept-until-teardown")
    assert "auth_user_groups" in fast_teardown._tables_to_empty("default")

    fast_teardown._empty("default")

    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    assert {table for table in tables if _rows(table)} <= reference
    assert all(_rows(table) for table in reference), "the reference rows stay"
    assert fast_teardown._fingerprint("default") == before
    assert fast_teardown._tables_to_empty("default") == []


def test_a_changed_reference_row_changes_the_fingerprint():
    before = fast_teardown._fingerprint("default")
    group = Group.objects.first()
    permission = Permission.objects.exclude(group=group).first()
    group.permissions.add(permission)
    assert fast_teardown._fingerprint("default") != before
    group.permissions.remove(permission)
    assert fast_teardown._fingerprint("default") == before
    group.permissions.set([*group.permissions.exclude(pk=group.permissions.first().pk), permission])
    assert fast_teardown._fingerprint("default") != before, "a permission swapped for another"
