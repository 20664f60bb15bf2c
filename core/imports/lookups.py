"""What the row path (``engine.py``) looks up in the database batch by batch: rows matching a batch's keys, and
the natural keys read so far (duplicates within a file)."""

import uuid
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection

_IN = 900  # values per IN (...) list: under SQLite's oldest parameter limit


def batches(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


class SeenKeys:
    """The natural keys read so far, in a temporary table (flat memory for any file size)."""

    def __init__(self):
        self.table = f"import_seen_{uuid.uuid4().hex[:12]}"
        self.postgres = connection.vendor == "postgresql"

    def __enter__(self):
        with connection.cursor() as cursor:
            extra = " ON COMMIT DROP" if self.postgres else ""
            cursor.execute(f"CREATE TEMPORARY TABLE {self.table} (k TEXT PRIMARY KEY, line INTEGER NOT NULL){extra}")
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {self.table}")
        return False

    def seen(self, keys: list[str]) -> dict[str, int]:
        found = {}
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(f"SELECT k, line FROM {self.table} WHERE k = ANY(%s)", [keys])  # noqa: S608
                return dict(cursor.fetchall())
            for start in range(0, len(keys), _IN):
                part = keys[start : start + _IN]
                marks = ",".join(["%s"] * len(part))
                cursor.execute(f"SELECT k, line FROM {self.table} WHERE k IN ({marks})", part)  # noqa: S608 - our name
                found.update(cursor.fetchall())
        return found

    def add(self, pairs: list[tuple[str, int]]) -> None:
        if not pairs:
            return
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.table} (k, line) FROM STDIN") as copy:
                    for pair in pairs:
                        copy.write_row(pair)
            else:
                cursor.executemany(f"INSERT INTO {self.table} (k, line) VALUES (%s, %s)", pairs)  # noqa: S608


def matching(manager, attname: str, values: list) -> Iterator:
    """Querysets of the rows whose ``attname`` is among ``values``: one ``= ANY(%s)`` array parameter on
    PostgreSQL (a 5,000-value ``IN`` list costs more to send than to run), ``IN`` lists of ``_IN`` elsewhere."""
    if not values:
        return
    if connection.vendor == "postgresql":
        column = manager.model._meta.get_field(attname).column
        table = connection.ops.quote_name(manager.model._meta.db_table)
        where = f"{table}.{connection.ops.quote_name(column)} = ANY(%s)"
        yield manager.all().extra(where=[where], params=[list(values)])  # noqa: S610 - names from the model
        return
    for start in range(0, len(values), _IN):
        yield manager.filter(**{f"{attname}__in": values[start : start + _IN]})


def key_text(key: tuple) -> str:
    return "\x1f".join("" if part is None else str(part) for part in key)
