"""SQL below the ORM, in one place: the few statements a hot path runs without building a query on every call.

This is the only product module (besides the set-based import engine, ``core.imports.setbased``) that uses
Django's internals (``get_compiler``, ``get_db_converters``, ``Model.from_db``, ``_state``). App code declares
which model, which fields and which conditions, and calls:

- :class:`Select` — a ``SELECT`` built by the ORM once per database and shape, with stand-in values, then run
  with the real ones on a plain cursor; the row is converted as the compiler would and becomes an instance by
  ``Model.from_db``, annotations set (``core.auth``'s user load, the contact's locking read).
- :func:`lock_or_insert` — the row of a unique key, inserted if missing, locked, and whether it is new: one
  ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` (the outage event of a notification).
- :func:`insert_returning_pk` — a new row and its children, ``ON CONFLICT DO NOTHING``: one statement on
  PostgreSQL (data-modifying CTEs), one ``INSERT`` a table elsewhere (a contact create).
- :func:`update_and_insert` — an update of some fields of a row and a new row of another table, one statement
  on PostgreSQL (a contact's update with its history entry).
- :func:`mark_stored`, :func:`is_unsaved`, :func:`stored_in`, :func:`insert_params` — the ORM's bookkeeping by
  hand.

Each is kept because ``bench/scenarios/sql.py`` (``sql-statements``) measures its ORM form slower, and each is
proven equal to that ORM form by ``tests/core/test_sql_conformance.py`` on SQLite and PostgreSQL; see
``docs/benchmarks.md``. SQLite needs 3.35+ for ``RETURNING`` (``core.checks`` refuses an older one).
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model, QuerySet


# --- The ORM's bookkeeping ------------------------------------------------------------------------------------
def mark_stored(*objs: Model, using: str | None = DEFAULT_DB_ALIAS) -> None:
    """Mark instances made in Python from values that are in the database as loaded from ``using`` (as
    ``from_db`` would): a later ``save()`` updates instead of inserting, related lookups use that database."""
    for obj in objs:
        obj._state.adding, obj._state.db = False, using


def is_unsaved(obj: Model) -> bool:
    """Whether ``obj`` was never saved nor loaded (an add form's instance), whatever its primary key's default."""
    return obj._state.adding


def stored_in(obj: Model) -> str | None:
    """The database alias ``obj`` was loaded from or saved to (``None`` for an unsaved instance)."""
    return obj._state.db


def insert_params(fields: Iterable[Field], obj: Model, connection) -> list:
    """``fields`` of the new ``obj`` as a save would send them: ``pre_save`` (``auto_now`` stamps, set on ``obj``
    too), then ``get_db_prep_save`` (JSON adapted per database, date-times, …)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _converted(row: Sequence, converters: dict, connection) -> list:
    """A fetched row with each column's converters applied, as the compiler's ``apply_converters`` does."""
    values = list(row)
    for n, (functions, expression) in converters.items():
        for convert in functions:
            values[n] = convert(values[n], expression, connection)
    return values


def _instance(model: type[Model], alias: str, attnames: Sequence[str], values: Sequence) -> Model:
    return model.from_db(alias, list(attnames), list(values))


# --- Precompiled SELECT ---------------------------------------------------------------------------------------
_STAND_IN_TIME = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _stand_in(field: Field, n: int):
    """A value of ``field``'s type that no real input takes, distinct per input ``n``."""
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return f"\x01stand-in-{n}"
    if kind.endswith("AutoField") or kind.endswith("IntegerField"):
        return -987_654_321 - n
    if kind == "DateTimeField":
        return _STAND_IN_TIME + timedelta(microseconds=n)
    raise ValueError(f"no stand-in for a {kind} input")


class Select:
    """A ``SELECT`` of one instance that the ORM builds once per database, vendor and shape, then runs on a plain
    cursor (building the query with the ORM on every call costs more than running it).

    ``build(*shape, **inputs)`` returns the queryset; each input is declared by the model field that prepares
    its value (``Select(build, username=User._meta.get_field("username"))``). The statement is compiled with a
    stand-in value per input; each parameter of the SQL is then either an input or a constant of the query.
    :meth:`get` returns what ``build(*shape, **values).first()`` would (annotations included), or ``None``.
    """

    def __init__(self, build: Callable[..., QuerySet], **inputs: Field):
        self.build, self.inputs = build, inputs
        self._compiled: dict[tuple, tuple] = {}

    def _compile(self, connection, shape: tuple) -> tuple:
        stand_ins = {name: _stand_in(field, n) for n, (name, field) in enumerate(self.inputs.items())}
        queryset = self.build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        by_value = {self.inputs[name].get_db_prep_value(value, connection): name for name, value in stand_ins.items()}
        placed = []
        for param in params:
            name = by_value.get(param)
            if name is None and isinstance(param, str) and "\x01stand-in" in param:
                raise ValueError(f"an input of {queryset.model.__name__} is transformed in the SQL: cannot precompile")
            placed.append((name, param))
        start, end = compiler.klass_info["select_fields"][0], compiler.klass_info["select_fields"][-1] + 1
        columns = [col for col, _, _ in compiler.select]
        attnames = tuple(col.target.attname for col in columns[start:end])
        annotations = tuple(compiler.annotation_col_map.items())
        converters = compiler.get_converters(columns)
        return sql, tuple(placed), queryset.model, (start, end), attnames, annotations, converters

    def get(self, *shape, using: str = DEFAULT_DB_ALIAS, **values) -> Model | None:
        connection = connections[using]
        key = (using, connection.vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection, shape)
        sql, placed, model, (start, end), attnames, annotations, converters = compiled
        params = [
            self.inputs[name].get_db_prep_value(values[name], connection) if name else constant
            for name, constant in placed
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if converters:
            row = _converted(row, converters, connection)
        obj = _instance(model, using, attnames, row[start:end])
        for name, position in annotations:
            setattr(obj, name, row[position])
        return obj


# --- Writes ---------------------------------------------------------------------------------------------------
def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(connection, fields: Iterable[Field]) -> str:
    return ", ".join(_quote(connection, f.column) for f in fields)


def lock_or_insert(obj: Model, unique: Sequence[str], *, using: str = DEFAULT_DB_ALIAS) -> tuple[Model, bool]:
    """The stored row whose ``unique`` fields (a unique constraint) equal ``obj``'s, inserted from ``obj`` if
    missing, locked, and whether it is new: one statement, race-free (what ``select_for_update().get_or_create()``
    does in two to four, with a savepoint).

    ``INSERT … ON CONFLICT (unique) DO UPDATE`` (a no-op update, which locks an existing row as ``SELECT … FOR
    UPDATE`` would) ``RETURNING`` the row as stored. PostgreSQL says whether it is new (``xmax = 0``); elsewhere
    the row is new when it holds the creation stamps (``auto_now_add`` fields) this statement sent.
    """
    connection = connections[using]
    model = type(obj)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    stamps = [f for f in fields if getattr(f, "auto_now_add", False)]
    postgresql = connection.vendor == "postgresql"
    if not postgresql and not stamps:
        raise ValueError(f"{model.__name__} has no auto_now_add field to tell a new row from a stored one")
    params = insert_params(fields, obj, connection)
    returned = [opts.pk, *fields]
    key = [opts.get_field(name).column for name in unique]
    first = _quote(connection, key[0])
    is_new = ", (xmax = 0)" if postgresql else ""
    sql = (
        f"INSERT INTO {_quote(connection, opts.db_table)} ({_columns(connection, fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(_quote(connection, c) for c in key)}) DO UPDATE SET {first} = EXCLUDED.{first} "
        f"RETURNING {_columns(connection, returned)}{is_new}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    columns = [f.get_col(opts.db_table) for f in returned]
    converters = {
        n: (tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection)), col)
        for n, col in enumerate(columns)
    }
    values = _converted(row[: len(returned)], {n: c for n, c in converters.items() if c[0]}, connection)
    stored = _instance(model, using, [f.attname for f in returned], values)
    if postgresql:
        return stored, bool(row[len(returned)])
    return stored, all(getattr(stored, f.attname) == getattr(obj, f.attname) for f in stamps)


def _values(connection, fields: Sequence[Field], rows: Sequence[Sequence]) -> tuple[str, list]:
    """``(%s, ...), ...`` (on PostgreSQL ``(CAST(%s AS type), ...)``) for ``rows`` of ``fields``, with their
    values prepared as a save sends them."""
    if connection.vendor == "postgresql":  # typed, so that a VALUES list feeding an INSERT ... SELECT fits
        one = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields) + ")"
    else:  # SQLite would cast by affinity (a date-time text to a number)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(value, connection) for row in rows for f, value in zip(fields, row, strict=True)]
    return ", ".join([one] * len(rows)), params


def _full_row(model: type[Model], given: dict[str, Any], *, skip: Field | None = None) -> tuple[list, list]:
    """The fields of a new row of ``model`` (all but its primary key and ``skip``) and their values: those
    ``given`` as given, the others as a save fills them (defaults, ``auto_now`` stamps)."""
    obj = model(**given)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f is not skip]
    values = [
        getattr(obj, f.attname) if f.name in given or f.attname in given else f.pre_save(obj, True) for f in fields
    ]
    return fields, values


def insert_returning_pk(
    model: type[Model],
    row: dict[str, Any],
    *,
    children: Sequence[tuple[type[Model], str, list[dict[str, Any]]]] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> Any:
    """Insert a row of ``model`` (field name → value, stored as given; the other fields as a save fills them) and
    its ``children`` — ``(child model, name of its foreign key to the new row, items)`` — and return the new
    primary key; or ``None``, inserting nothing, when the row breaks a unique constraint (``ON CONFLICT DO
    NOTHING``: no error, so no savepoint). On PostgreSQL one statement writes every table (data-modifying CTEs);
    elsewhere one ``INSERT`` a table."""
    connection = connections[using]
    opts = model._meta
    fields, row_values = _full_row(model, row)
    values, params = _values(connection, fields, [row_values])
    pk = _quote(connection, opts.pk.column)
    insert = (
        f"INSERT INTO {_quote(connection, opts.db_table)} ({_columns(connection, fields)}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING {pk}"
    )
    children = [(child, fk, items) for child, fk, items in children if items]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(insert, params)
            found = cursor.fetchone()
        if found is None:
            return None
        for child, fk, items in children:
            attname = child._meta.get_field(fk).attname
            child._default_manager.using(using).bulk_create([child(**{attname: found[0]}, **item) for item in items])
        return found[0]
    sql = [f"WITH new_row AS ({insert})"]
    for n, (child, fk, items) in enumerate(children):
        key = child._meta.get_field(fk)
        child_fields, first = _full_row(child, items[0], skip=key)
        child_rows = [first] + [_full_row(child, item, skip=key)[1] for item in items[1:]]
        child_values, child_params = _values(connection, child_fields, child_rows)
        columns = _columns(connection, child_fields)
        sql.append(
            f", part{n} AS (INSERT INTO {_quote(connection, child._meta.db_table)} "  # noqa: S608
            f"({_quote(connection, key.column)}, {columns}) "
            f"SELECT new_row.{pk}, v.* FROM new_row, (VALUES {child_values}) AS v({columns}))"
        )
        params.extend(child_params)
    sql.append(f" SELECT {pk} FROM new_row")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("".join(sql), params)
        found = cursor.fetchone()
    return found[0] if found else None


def update_and_insert(
    obj: Model, update_fields: Sequence[str], new: Model | None, *, using: str = DEFAULT_DB_ALIAS
) -> None:
    """``obj.save(update_fields=update_fields)`` (when there are any) and ``bulk_create([new])`` (when given):
    on PostgreSQL, when there are both, in one statement (the ``UPDATE`` in a data-modifying CTE); elsewhere one
    statement each. Values are prepared as a save prepares them (``auto_now`` stamps included)."""
    connection = connections[using]
    if not (update_fields and new is not None and connection.vendor == "postgresql"):
        if update_fields:
            obj.save(update_fields=list(update_fields), using=using)
        if new is not None:
            type(new)._default_manager.using(using).bulk_create([new])
        return
    opts = obj._meta
    changed = [opts.get_field(name) for name in update_fields]
    assignments = ", ".join(f"{_quote(connection, f.column)} = %s" for f in changed)
    update_params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in changed]
    new_fields = [f for f in new._meta.concrete_fields if not f.primary_key]
    new_params = insert_params(new_fields, new, connection)
    pk = _quote(connection, opts.pk.column)
    sql = (
        f"WITH changed AS (UPDATE {_quote(connection, opts.db_table)} SET {assignments} WHERE {pk} = %s "  # noqa: S608
        f"RETURNING {pk}) INSERT INTO {_quote(connection, new._meta.db_table)} ({_columns(connection, new_fields)}) "
        f"VALUES ({', '.join(['%s'] * len(new_fields))}) RETURNING {_quote(connection, new._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*update_params, opts.pk.get_db_prep_value(obj.pk, connection), *new_params])
        new.pk = cursor.fetchone()[0]
    mark_stored(new, using=using)


# --- Read replicas (core.replicas) ---------------------------------------------------------------------------------
# Seconds since the last transaction the replica replayed, when it has WAL it has not replayed yet; 0 when it has
# replayed everything it received (an idle primary is no lag) or is no replica at all.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM (clock_timestamp() - pg_last_xact_replay_timestamp())), 0)
END
"""


def replay_lag_seconds(alias: str) -> float:
    """How far the database ``alias`` is behind its primary, in seconds (0 on one that is no PostgreSQL replica)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return max(0.0, float(cursor.fetchone()[0] or 0))
