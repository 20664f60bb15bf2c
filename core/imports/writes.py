"""Set-based writes for import services: a batch of new records and a batch of changed ones, a few statements each.

- PostgreSQL: the batch is ``COPY``-ed into a temporary staging table shaped like the target, then one
  ``INSERT … SELECT`` (new rows) and one ``UPDATE … FROM`` (changed rows) move it into place.
- Elsewhere (SQLite): one multi-row ``INSERT`` for new rows and one ``INSERT … ON CONFLICT (pk) DO UPDATE`` of
  the written columns for changed ones (Django's ``bulk_create(update_conflicts=True)``).

The import engine has already matched every row by its natural key, so an insert that conflicts is a concurrent
writer: the statement fails, and the engine's per-row fallback reports the row.

Every row written is recorded in the change log as the single-record service records it (``created`` with its
fields, ``updated`` with the fields before and after; one ``Change`` per row, in the import's transaction):
:func:`snapshot_stored` before the write, :func:`record_written` after it. The PostgreSQL set-based path
(``setbased.py``), which writes without calling the app's ``write``, records through the same functions. On
PostgreSQL both build the change rows in SQL instead (one ``INSERT … SELECT`` per action, ``core.changes.written``)
where the spec declares the SQL twins of the natural key and the name (``SqlWrite``) and the model raises no event.
"""

import uuid
from collections.abc import Callable, Iterable

from django.db import connection, models
from django.utils import timezone

from core import changes
from core.changes import written

CHUNK = 2000  # objects read back and recorded per statement


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def snapshot_stored(model: type[models.Model], pks: Iterable) -> dict:
    """The change log's snapshot (``changes.snapshot``) of each stored row about to be overwritten, by pk."""
    befores = {}
    for chunk in _chunks(list(pks)):
        for obj in model._default_manager.filter(pk__in=chunk):
            befores[obj.pk] = changes.snapshot(obj)
    return befores


def record_written(model: type[models.Model], *, created: Iterable = (), befores: dict | None = None) -> None:
    """Record the rows a set-based write made (``created``: their pks) and changed (``befores``: their snapshots
    from :func:`snapshot_stored`) as the service of one record does: ``created`` with the fields set, ``updated``
    with each field before and after (a row whose recorded fields did not change is left out, as ``record``
    does). In pk order, ``CHUNK`` rows at a time."""
    manager = model._default_manager
    for chunk in _chunks(sorted(created)):
        changes.record_many(manager.filter(pk__in=chunk).order_by("pk"), "created")
    befores = befores or {}
    for chunk in _chunks(sorted(befores)):
        changes.record_many(manager.filter(pk__in=chunk).order_by("pk"), "updated", befores=befores)


def upsert(
    model: type[models.Model],
    *,
    creates: list[dict],
    updates: list[tuple[object, dict]],
    update_fields: list[str],
    derive: Callable[[dict], None] | None = None,
) -> None:
    """Insert ``creates`` (value dicts keyed by attname) and overwrite ``update_fields`` of ``updates``
    (``(pk, values)``, values holding every written field). ``derive(values)`` fills derived keys first. Each row
    written is recorded in the change log (:func:`record_written`; in SQL where ``written.twins`` says it can be)."""
    if derive:
        for values in creates:
            derive(values)
        for _, values in updates:
            derive(values)
    pk = model._meta.pk
    fields = [f for f in update_fields if f != pk.attname]
    updates = updates if fields else []
    twins = written.twins(model)
    if twins:  # PostgreSQL, and the change rows can be built in SQL: keep the rows as they were in a table
        with connection.cursor() as cursor:
            before = _keep(cursor, model, "before", "*", [key for key, _ in updates]) if updates else None
            created = _copy_insert(model, creates) if creates else []
            if updates:
                _copy_update(model, updates, fields)
            for action, table in (
                ("created", _keep(cursor, model, "created", None, created) if created else None),
                ("updated", before),
            ):
                if table:
                    cursor.execute(*written.insert_sql(model, action, rows=table, before=action == "updated", **twins))
                    cursor.execute(f"DROP TABLE {table}")
        return
    befores = snapshot_stored(model, [key for key, _ in updates])
    if connection.vendor == "postgresql":
        created = _copy_insert(model, creates) if creates else []
        if updates:
            _copy_update(model, updates, fields)
    else:
        created = [obj.pk for obj in model._default_manager.bulk_create([model(**values) for values in creates])]
        if updates:
            objs = []
            for key, values in updates:
                obj = model(**values)
                obj.pk = key
                objs.append(obj)
            model._default_manager.bulk_create(
                objs, update_conflicts=True, unique_fields=[pk.name], update_fields=fields
            )
    record_written(model, created=created, befores=befores)


def _keep(cursor, model, what: str, columns: str | None, pks: list) -> str:
    """A temporary table of the rows of ``pks`` (``columns``: ``*``, or None for the primary key alone)."""
    table = f"import_{what}_{uuid.uuid4().hex[:12]}"
    pk = connection.ops.quote_name(model._meta.pk.column)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS SELECT {columns or pk} "  # noqa: S608
        f"FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {pk} = ANY(%s)",
        [list(pks)],
    )
    return table


def _defaults(model: type[models.Model], given: set[str]) -> list[tuple[str, Callable[[], object]]]:
    """What ``Model(**values)`` and ``save()`` would fill in for the columns a row does not give."""
    now = timezone.now()
    out = []
    for f in model._meta.concrete_fields:
        if f.attname in given or (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField)):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out.append((f.attname, lambda now=now: now))
        elif f.has_default():
            out.append((f.attname, f.get_default))
        else:
            out.append((f.attname, lambda f=f: None if f.null else f.get_default()))
    return out


def _adapt(model, columns: list[str]):
    """Per column, how a Python value goes into COPY (JSON as jsonb; everything else as psycopg dumps it)."""
    from psycopg.types.json import Jsonb

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [
        (lambda v: None if v is None else Jsonb(v)) if isinstance(by_attname[c], models.JSONField) else None
        for c in columns
    ]


def _stage(cursor, model, columns: list[str], rows) -> str:
    table = model._meta.db_table
    stage = f"import_stage_{uuid.uuid4().hex[:12]}"
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS SELECT {quoted} FROM {connection.ops.quote_name(table)} "  # noqa: S608
        "WITH NO DATA"
    )
    adapters = _adapt(model, columns)
    with cursor.cursor.copy(f"COPY {stage} ({quoted}) FROM STDIN") as copy:
        if any(adapters):
            for row in rows:
                copy.write_row([fn(v) if fn else v for fn, v in zip(adapters, row, strict=True)])
        else:
            for row in rows:
                copy.write_row(row)
    return stage


def _copy_insert(model, creates: list[dict]) -> list:
    """Insert ``creates``; returns their primary keys."""
    pk = model._meta.pk
    if isinstance(pk, models.AutoField | models.BigAutoField):  # the database numbers new rows
        creates = [{k: v for k, v in values.items() if k != pk.attname} for values in creates]
    columns = list(creates[0])
    defaults = _defaults(model, set(columns))
    columns += [name for name, _ in defaults]
    makers = [fn for _, fn in defaults]

    def rows():
        for values in creates:
            yield [values[c] for c in columns[: len(columns) - len(makers)]] + [fn() for fn in makers]

    if any(set(values) != set(creates[0]) for values in creates):  # rows of different shapes: one by one
        return [key for values in creates for key in _copy_insert(model, [values])]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        stage = _stage(cursor, model, columns, rows())
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {stage} "  # noqa: S608
            f"RETURNING {connection.ops.quote_name(pk.column)}"
        )
        created = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DROP TABLE {stage}")
    return created


def _copy_update(model, updates: list[tuple[object, dict]], fields: list[str]) -> None:
    pk = model._meta.pk.attname
    columns = [pk, *fields]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        stage = _stage(cursor, model, columns, ([key, *(values[f] for f in fields)] for key, values in updates))
        assignments = ", ".join(f"{quote(f)} = s.{quote(f)}" for f in fields)
        table = quote(model._meta.db_table)
        cursor.execute(f"UPDATE {table} AS t SET {assignments} FROM {stage} AS s WHERE t.{quote(pk)} = s.{quote(pk)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {stage}")
