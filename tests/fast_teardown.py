"""A transactional test's teardown (``transactional_db``, ``live_server``) at the cost of the rows it wrote.

Django empties the database after such a test with ``flush``: a ``TRUNCATE`` of every table (on PostgreSQL, new
files for each of the ~130 tables and their indexes: 1.5 s a test on the CI machine) and then ``post_migrate``,
which checks every content type, permission and role again (about 280 statements, 0.3 to 0.8 s). Most transactional
tests write a few rows into a few tables, so this teardown:

- empties only the tables that hold a row, with ``DELETE`` (the foreign keys Django creates are deferred, so the
  order does not matter within the one transaction), and
- leaves the reference rows ``post_migrate`` makes (content types, permissions, groups and their permissions) in
  place when they are exactly as the test found them (a fingerprint of the four tables before and after).

Anything else falls back to Django's own teardown: a test that changed a reference row (it gets the full flush and
``post_migrate``), a test case with ``available_apps`` or serialized rollback, and a ``DELETE`` the database
refuses. The state a later test sees is the same as after ``flush``: every model table empty but the reference
rows, which are the ones ``post_migrate`` would have made.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import Count, F, Sum
from django.test import TransactionTestCase

_ORIGINAL_SETUP = TransactionTestCase._fixture_setup
_ORIGINAL_TEARDOWN = TransactionTestCase._fixture_teardown


def _fingerprint(alias: str) -> tuple:
    """The reference rows, summed: a row added, removed or re-pointed changes it."""
    sums = (
        (ContentType, F("pk")),
        (Permission, F("pk") * 7 + F("content_type_id")),
        (Group, F("pk")),
        (Group.permissions.through, F("group_id") * 100003 + F("permission_id")),
    )
    return tuple(
        tuple(model.objects.using(alias).aggregate(n=Count("pk"), s=Sum(value)).values()) for model, value in sums
    )


def _tables_to_empty(alias: str) -> list[str]:
    connection = connections[alias]
    keep = {model._meta.db_table for model in (ContentType, Permission, Group, Group.permissions.through)}
    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True, include_views=False) if t not in keep
    ]
    quote = connection.ops.quote_name
    probe = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(probe, tables)
        return [row[0] for row in cursor.fetchall()]


def _empty(alias: str) -> None:
    connection = connections[alias]
    quote = connection.ops.quote_name
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for table in _tables_to_empty(alias):
            cursor.execute(f"DELETE FROM {quote(table)}")


@classmethod
def _fixture_setup(cls):  # a classmethod in Django 5.2 (the test case class is made per test by pytest-django)
    aliases = cls._databases_names(include_mirrors=False)
    cls._reference_fingerprints = {alias: _fingerprint(alias) for alias in aliases}
    return _ORIGINAL_SETUP.__func__(cls)


def _fixture_teardown(self):
    kept = getattr(self, "_reference_fingerprints", None)
    if kept is None or self.available_apps is not None or self.serialized_rollback:
        return _ORIGINAL_TEARDOWN(self)
    for alias in self._databases_names(include_mirrors=False):
        if _fingerprint(alias) != kept.get(alias):
            return _ORIGINAL_TEARDOWN(self)
    try:
        for alias in kept:
            _empty(alias)
    except Exception:  # a constraint the DELETEs broke: Django's own flush, which cannot
        return _ORIGINAL_TEARDOWN(self)
    return None


def install() -> None:
    TransactionTestCase._fixture_setup = _fixture_setup
    TransactionTestCase._fixture_teardown = _fixture_teardown
