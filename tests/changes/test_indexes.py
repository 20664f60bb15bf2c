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
