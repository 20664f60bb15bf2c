"""The change rows of a set-based write, built in SQL (PostgreSQL): one ``INSERT INTO core_change … SELECT`` over
the rows written, in exactly the form :func:`~core.changes.recording.record_many` stores for them.

The set-based import (``core/imports/setbased.py``) writes 100,000 rows in a few statements; recording them one
Python object at a time (read back, snapshot, diff, natural key) took forty times as long as the write. Here the
same record is an expression over the written row (and, for an update, the row as it was):

- ``changes``: each recorded field (``Tracked.fields``) as :func:`~core.changes.recording.json_value` gives it
  (:func:`json_sql`), a new row's set fields as ``[null, after]`` (a NULL or empty text is no field, as ``_diff``
  leaves it out), a changed row's differing fields as ``[before, after]``; a secret field only as the marks
  ``redact`` writes; a changed row none of whose recorded fields changed is left out, as ``record_many`` does;
- ``natural_key`` and ``object_repr``: SQL twins the caller declares next to the Python ones (the import spec's
  ``SqlWrite``, :func:`declare`), proven equal by ``tests/core/test_imports_changes.py``;
- no events: only a model that raises none is recorded here (so no subscription can listen, and no delivery or
  stored object state is due); :func:`supported` says whether a model qualifies.

This module builds the statement; the caller runs it (the import engine's cursor).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from .. import context
from .models import Change
from .registry import MASK_CHANGED, MASK_SET, tracked

__all__ = ["Unsupported", "declare", "insert_sql", "json_sql", "supported", "twins"]

Twin = Callable[[Callable[[str], str]], str]  # (column of the written row by attname) -> SQL text expression

_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_AS_IS = {
    "BooleanField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}  # not a float: PostgreSQL writes 5.0 as 5 where Python's JSON writes 5.0
_DATE_T = 'YYYY-MM-DD"T"'
_GROUP = 40  # fields per jsonb_build_object (a function takes at most 100 arguments)


class Unsupported(Exception):
    """A field whose JSON form has no exact SQL twin here: the caller records in Python."""


def _kind(field: models.Field) -> str:
    while field.is_relation:  # a foreign key is recorded as the value of its column (the target's)
        field = field.target_field
    return field.get_internal_type()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _clock(expr: str, date_format: str) -> str:
    """A time of day as ``isoformat`` writes it: the microseconds only when there are some."""
    return (
        f"to_char({expr}, '{date_format}HH24:MI:SS') "
        f"|| CASE WHEN to_char({expr}, 'US') = '000000' THEN '' ELSE '.' || to_char({expr}, 'US') END"
    )


def json_sql(field: models.Field, expr: str) -> str:
    """``json_value`` of the field's value as Django loads it, as ``jsonb`` (SQL NULL for None)."""
    kind = _kind(field)
    if kind in _TEXT:
        return f"to_jsonb({expr}::text)"
    if kind in _AS_IS:
        return f"to_jsonb({expr})"
    if kind == "UUIDField":
        return f"to_jsonb({expr}::text)"
    if kind == "DecimalField" and field.decimal_places is not None and field.decimal_places <= 6:
        # str(Decimal) is the plain notation down to an exponent of -6, as numeric's text always is
        return f"to_jsonb({expr}::text)"
    if kind == "DateField":
        return f"to_jsonb(to_char({expr}, 'YYYY-MM-DD'))"
    if kind == "TimeField":
        return f"to_jsonb({_clock(expr, '')})"
    if kind == "DateTimeField":
        if not settings.USE_TZ:
            return f"to_jsonb({_clock(expr, _DATE_T)})"
        utc = f"({expr} AT TIME ZONE 'UTC')"  # an aware date-time in UTC: astimezone(UTC).isoformat()
        return f"to_jsonb({_clock(utc, _DATE_T)} || '+00:00')"
    raise Unsupported(f"{field.model._meta.label}.{field.name}: {kind}")


# model -> the SQL twins of its natural key and name, declared with ``declare`` (the import engine does, from the
# import spec's ``SqlWrite``)
_TWINS: dict[type[models.Model], dict[str, Twin]] = {}


def declare(model: type[models.Model], *, natural_key: Twin, name: Twin) -> None:
    """Declare the SQL twins of the natural key and of ``str(obj)`` of ``model``'s records."""
    _TWINS[model] = {"natural_key": natural_key, "name": name}


def twins(model: type[models.Model]) -> dict[str, Twin] | None:
    """The declared twins of ``model`` when its change rows can be built here: on PostgreSQL, for a model that
    raises no event and whose recorded fields all have a JSON twin (the keyword arguments of :func:`insert_sql`)."""
    found = _TWINS.get(model)
    if found is None or connection.vendor != "postgresql" or not supported(model):
        return None
    return found


def supported(model: type[models.Model]) -> bool:
    """Whether the changes of ``model`` can be recorded here: it raises no event, and every recorded field has an
    exact JSON twin."""
    spec = tracked(model)
    if spec.events is not None:
        return False
    try:
        for attname in spec.fields:
            if attname not in spec.sensitive:
                json_sql(model._meta.get_field(attname), "x")
    except Unsupported:
        return False
    return True


def _json_text_sql(field: models.Field, expr: str) -> str:
    """:func:`json_sql` as JSON text (``to_json``, which writes text without building a ``jsonb`` value)."""
    jsonb = json_sql(field, expr)
    if not (jsonb.startswith("to_jsonb(") and jsonb.endswith(")")):  # every form json_sql returns, today
        raise Unsupported(jsonb)
    return f"to_json({jsonb[len('to_jsonb(') :]}::text"


def _sensitive_value_sql(expr: str) -> str:
    """A sensitive field's value as its mask reads it: NULL for NULL and "" (not set), its text otherwise."""
    return f"NULLIF({expr}::text, '')"


def _created_sql(model: type[models.Model], after: Callable[[str], str]) -> str:
    """The ``changes`` of a new row, written as JSON text and read as ``jsonb`` once: ``{"field": [null, after]}``
    for each recorded field that is set. The same value as building it with ``jsonb_build_object`` (which makes a
    ``jsonb`` value per field and per pair, most of the cost of recording a first load of 100,000 rows)."""
    spec = tracked(model)
    parts = []
    for attname in spec.fields:
        field = model._meta.get_field(attname)
        a = after(attname)
        if attname in spec.sensitive:  # a digest of str(value), None for NULL and "": only whether it is set
            marked = _literal(json.dumps(attname) + ":" + json.dumps([None, MASK_CHANGED]))
            parts.append(f"CASE WHEN {_sensitive_value_sql(a)} IS NOT NULL THEN {marked} END")
            continue
        head = _literal(json.dumps(attname) + ":[null,")
        cond = f"{a} IS NOT NULL" + (f" AND {a}::text <> ''" if _kind(field) in _TEXT else "")
        parts.append(f"CASE WHEN {cond} THEN {head} || {_json_text_sql(field, a)} || ']' END")
    if not parts:
        return "'{}'::jsonb"
    groups = [f"concat_ws(',', {', '.join(parts[start : start + _GROUP])})" for start in range(0, len(parts), _GROUP)]
    body = groups[0] if len(groups) == 1 else "concat_ws(',', " + ", ".join(f"NULLIF({g}, '')" for g in groups) + ")"
    return f"('{{' || {body} || '}}')::jsonb"


def _changes_sql(model: type[models.Model], after: Callable[[str], str], before: Callable[[str], str] | None) -> str:
    """The ``changes`` of a row: ``before`` None for a new one."""
    if before is None:
        return _created_sql(model, after)
    spec = tracked(model)
    entries = []
    for attname in spec.fields:
        field = model._meta.get_field(attname)
        a = after(attname)
        if attname in spec.sensitive:  # a digest of str(value), None for NULL and "": only whether it is set
            now = _sensitive_value_sql(a)
            mark = f"CASE WHEN {now} IS NOT NULL THEN to_jsonb({_literal(MASK_CHANGED)}::text) END"
            then = _sensitive_value_sql(before(attname))
            was = f"CASE WHEN {then} IS NOT NULL THEN to_jsonb({_literal(MASK_SET)}::text) END"
            changed = f"{then} IS DISTINCT FROM {now}"
            entries.append((attname, changed, f"jsonb_build_array({was}, {mark})"))
            continue
        now = json_sql(field, a)
        was = json_sql(field, before(attname))
        entries.append((attname, f"{was} IS DISTINCT FROM {now}", f"jsonb_build_array({was}, {now})"))
    if not entries:
        return "'{}'::jsonb"
    groups = []
    for start in range(0, len(entries), _GROUP):
        pairs = ", ".join(
            f"{_literal(name)}, CASE WHEN {cond} THEN {value} END"
            for name, cond, value in entries[start : start + _GROUP]
        )
        groups.append(f"jsonb_strip_nulls(jsonb_build_object({pairs}))")  # a field left out is a NULL stripped
    return " || ".join(groups)


def insert_sql(
    model: type[models.Model],
    action: str,
    *,
    rows: str,
    natural_key: Twin,
    name: Twin,
    before: bool = False,
    whole: bool = False,
) -> tuple[str, list]:
    """``INSERT INTO core_change … SELECT`` recording ``action`` (``created`` or ``updated``) for each row of
    ``model`` whose primary key is in the table ``rows``; with ``before``, ``rows`` holds the rows as they were
    (``SELECT *`` of the model's table), and only those whose recorded fields changed are recorded. In primary key
    order. With ``whole``, ``rows`` holds the new rows themselves (every column: ``RETURNING *`` of the write, in a
    ``WITH`` the caller puts before the statement) and is not joined with the table again. Returns the statement
    and its parameters."""
    if not supported(model):
        raise Unsupported(model._meta.label)
    q = connection.ops.quote_name
    opts = model._meta

    def column(alias: str) -> Callable[[str], str]:
        return lambda attname: f"{alias}.{q(opts.get_field(attname).column)}"

    pk = q(opts.pk.column)
    spec = tracked(model)
    after = column("t")
    values = {
        "at": "%s",
        "actor": "%s",
        "request_id": "%s",
        "object_type": "%s",
        "object_id": "x.object_id",
        "natural_key": "x.natural_key",
        "object_repr": "x.object_repr",
        "action": "%s",
        "changes": "x.changes",
        "counts": "'{}'::jsonb",
        "events": "'[]'::jsonb",
        "object_state": "NULL::jsonb",
    }
    fields = [f for f in Change._meta.concrete_fields if not f.primary_key]
    if {f.attname for f in fields} != set(values):  # a new column of the change log must be said here
        raise Unsupported(f"core_change has columns {sorted(f.attname for f in fields)}")
    params = [
        timezone.now(),
        (context.actor() or "")[:200],
        (context.request_id() or "")[:128],
        spec.object_type,
        action[:50],
    ]
    changes = _changes_sql(model, after, column("r") if before else None)
    select = (
        f"SELECT t.{pk} AS pk, left(t.{pk}::text, 100) AS object_id, "  # noqa: S608 - names from the models
        # a key that cannot be read is the primary key (``recording._natural_key``)
        f"COALESCE(left(({natural_key(after)})::text, 500), t.{pk}::text) AS natural_key, "
        f"left(({name(after)})::text, 200) AS object_repr, "
        f"{changes} AS changes FROM "
        + (f"{rows} t" if whole and not before else f"{q(opts.db_table)} t JOIN {rows} r ON r.{pk} = t.{pk}")
    )
    return (
        f"INSERT INTO {q(Change._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT {', '.join(values[f.attname] for f in fields)} FROM ({select}) x "
        + ("WHERE x.changes <> '{}'::jsonb " if before else "")
        + "ORDER BY x.pk",
        params,
    )
