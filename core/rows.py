"""Precompiled statements' two ends, done as the ORM does them: the values of a new row as an ``INSERT`` sends them,
and a fetched row converted as the compiler would before ``Model.from_db``. For the hot paths that run one
statement built once (``core.auth.load_user``, the change record, the outage event's upsert) instead of paying
for the ORM's query building on every request."""

from collections.abc import Iterable, Sequence


def insert_params(fields: Iterable, obj, connection) -> list:
    """``fields`` of the new ``obj`` as a save would send them: ``pre_save`` (``auto_now`` stamps), then
    ``get_db_prep_save`` (JSON adapted per database, date-times, …)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def column_converters(columns: Sequence, connection) -> tuple[tuple, ...]:
    """``(position, column, converters)`` for each selected column (a ``Col``) that has result converters (the
    backend's and the field's, e.g. SQLite's date-times and booleans); compute once per statement."""
    found = (
        (n, col, tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        for n, col in enumerate(columns)
    )
    return tuple(item for item in found if item[2])


def convert_row(row: Sequence, converters: tuple[tuple, ...], connection) -> list:
    """A fetched row with each column's converters applied, as the compiler's ``apply_converters`` does."""
    values = list(row)
    for n, col, functions in converters:
        for convert in functions:
            values[n] = convert(values[n], col, connection)
    return values
