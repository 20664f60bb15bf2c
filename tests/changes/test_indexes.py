"""The change log takes one row per row an import writes (issue #22), so each of its indexes is paid per row: one
plain index per column the lists filter on by equality (``core/changes/filters.py``) — never PostgreSQL's second
``varchar_pattern_ops`` (``_like``) index, which only serves ``LIKE 'prefix%'`` (the lists' search is
``icontains``) — and none on ``object_type`` alone, which the ``(object_type, object_id, id)`` index serves."""

import pytest
from django.db import connection

from core.changes.models import Change

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Change._meta.db_table)
    return {name: c["columns"] for name, c in found.items() if c["index"] and not c["primary_key"]}


@pytest.mark.parametrize("column", ["at", "actor", "request_id", "natural_key", "action"])
def test_an_equality_filter_has_one_plain_index(column):
    on_column = [name for name, columns in _indexes().items() if columns == [column]]
    assert len(on_column) == 1, on_column
    assert not on_column[0].endswith("_like")


def test_the_object_type_is_served_by_the_object_index():
    indexes = _indexes()
    assert indexes["core_change_object"] == ["object_type", "object_id", "id"]
    assert not [name for name, columns in indexes.items() if columns == ["object_type"]]
    assert not [name for name in indexes if name.endswith("_like")]


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_renames_the_plain_indexes_and_drops_the_others_and_a_downgrade_puts_them_back():
    """``changes/0005`` renames the plain indexes (PostgreSQL; SQLite, which cannot, builds them again), drops the
    ``_like`` twins and the ``object_type`` one, and keeps the rows; going back restores Django's own indexes."""
    from tests.migrating import latest, migrate

    plain = {column: f"core_change_{column}" for column in ("actor", "request_id", "natural_key", "action")}
    old = migrate([("changes", "0004_subscription_base_url_api_version")]).apps
    try:
        change = old.get_model("changes", "Change").objects.create(object_type="x.y", object_id="1", action="created")
        before = _indexes()
        assert [name for name, columns in before.items() if columns == ["object_type"]]
        assert not set(plain.values()) & set(before)
    finally:
        migrate(latest())
    after = _indexes()
    for column, name in plain.items():
        assert after[name] == [column]
        assert [n for n, columns in after.items() if columns == [column]] == [name]
    assert not [name for name, columns in after.items() if columns == ["object_type"]]
    assert Change.objects.get(pk=change.pk).action == "created"

    migrate([("changes", "0004_subscription_base_url_api_version")])
    try:
        assert _indexes() == before
    finally:
        migrate(latest())
    assert _indexes() == after
