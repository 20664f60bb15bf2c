"""The CIS mirror tables are written a million rows at a time by master-data imports: each index is one that a
query uses. Equality look-ups (a premise by address key, a customer by name key or person id) have one plain
index each — never PostgreSQL's second ``varchar_pattern_ops`` (``_like``) index, which only serves
``LIKE 'prefix%'`` and no query here does."""

import pytest
from django.db import connection

from enrollments.models import Customer, Premise

pytestmark = pytest.mark.django_db


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: c["columns"] for name, c in found.items() if c["index"] and not c["primary_key"]}


@pytest.mark.parametrize(
    ("model", "column"),
    [(Premise, "address_key"), (Customer, "name_key"), (Customer, "cis_person_id")],
)
def test_an_equality_key_has_one_index(model, column):
    on_column = [name for name, columns in _indexes(model).items() if columns == [column]]
    assert len(on_column) == 1, on_column
    assert not on_column[0].endswith("_like")
