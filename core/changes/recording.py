"""``record()``: the one call a service makes after a write, inside the write's transaction.

It stores the :class:`~core.changes.models.Change` (who, when, which request, which object, the action and the
fields before and after) and, for every enabled subscription the change's events match, a
:class:`~core.changes.models.Delivery` in the outbox, enqueued once the transaction commits. A rollback takes
the change and its deliveries with it: nothing is recorded that did not happen, nothing is sent either.

Nothing here renders the vendor's representation of an event: a change that is to be sent stores the object's
fields as they are (``object_state``, plain JSON), and its deliveries are made with no payload yet. The worker
renders each payload when it first sends it (``core.changes.rendering``, calling the renderers the apps' doors
registered), outside this transaction; so the domain write never reaches DRF or any wire code.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import time
import uuid
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .. import context
from ..jobs import send
from ..sql import insert_params
from .models import Change, Delivery, Subscription
from .registry import MASK_CHANGED, MASK_SET, Tracked, renderer, tracked, tracked_type

DELIVER_TASK = "core.tasks.deliver_webhook"


_PLAIN = frozenset({type(None), bool, int, float, str})


def json_value(value):
    """A field value as JSON: dates ISO 8601 (an aware date-time in UTC, so that one instant is one value whatever
    offset it was sent with), decimals and UUIDs as text, the rest as is when JSON knows it."""
    if type(value) in _PLAIN or isinstance(value, bool | int | float | str):  # the type first: the common case
        return value
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model) -> dict:
    """The recorded fields of an object as JSON values: take one before changing it, pass it as ``before=``.

    A secret field (``sensitive_fields``) is held as a keyed digest, so a change of it is seen and its value is in
    no snapshot; :func:`record` then writes only that it changed."""
    spec = tracked(obj)
    return {
        name: _digest(getattr(obj, name)) if name in spec.sensitive else json_value(getattr(obj, name))
        for name in spec.fields
    }


def _digest(value) -> str | None:
    if value is None or value == "":
        return None
    key = settings.SECRET_KEY.encode()
    return "hmac-sha256:" + hmac.new(key, str(value).encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def redact(spec: Tracked, changes: dict) -> dict:
    """``changes`` with every secret field's values replaced by a fixed mark: what is recorded is that it was set
    (``••••``) and changed (``•••• (changed)``), never a value (nor its digest)."""
    if not spec.sensitive or not isinstance(changes, dict):
        return changes
    out = {}
    for name, pair in changes.items():
        if name in spec.sensitive:
            if isinstance(pair, list | tuple) and len(pair) == 2:
                pair = [None if pair[0] in (None, "") else MASK_SET, None if pair[1] in (None, "") else MASK_CHANGED]
            else:
                pair = [None, MASK_CHANGED]
        out[name] = pair
    return out


def object_state(obj: models.Model) -> dict:
    """Every concrete field of ``obj`` as the object holds it (its primary key and the bookkeeping the diff leaves
    out included), its secret fields left out: stored with a change that is to be sent, so that its events are
    rendered later with the object as it was at the change (``core.changes.rendering.instance_at``).

    ``fields`` holds JSON values; ``types`` names the fields whose value JSON cannot hold as is (a date-time, a
    date, a time, a decimal, a UUID), so that each is given back as the value it was: a field that held the text it
    was given (a date-time as sent) is given back as that text, as a renderer would have seen it at the write."""
    secret = tracked(obj).sensitive
    fields, types = {}, {}
    for field in obj._meta.concrete_fields:
        if field.attname in secret:
            continue
        value = getattr(obj, field.attname)
        kind = next((name for klass, name in _KINDS if isinstance(value, klass)), None)
        if kind is not None:
            types[field.attname] = kind
        fields[field.attname] = json_value(value)
    return {"fields": fields, "types": types}


# A date-time is a date too: it is asked first.
_KINDS = (
    (dt.datetime, "datetime"),
    (dt.date, "date"),
    (dt.time, "time"),
    (decimal.Decimal, "decimal"),
    (uuid.UUID, "uuid"),
)


def stored(obj: models.Model) -> dict | None:
    """The :func:`snapshot` of the stored row of ``obj`` (before an admin form's changes are saved), or None
    for an object not saved yet."""
    if obj.pk is None:
        return None
    row = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if row is None else snapshot(row)


def _diff(before: dict | None, after: dict | None) -> dict:
    if before is None and after is None:
        return {}
    if before is None:
        return {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}
    if after is None:
        return {k: [v, None] for k, v in before.items() if v not in (None, "", [], {})}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    obj: models.Model,
    action: str,
    *,
    before: dict | None = None,
    changes: dict | None = None,
    counts: dict | None = None,
    events: Iterable[str] | None = None,
) -> Change | None:
    """Record one domain action on ``obj`` (inside the caller's transaction) and queue its outbound events.

    ``action`` is ``created``, ``updated``, ``deleted`` or a domain action (``window_opened``, ``unenrolled``…).
    The changed fields come from ``before`` (a :func:`snapshot` taken before the change) against the object now,
    and/or are given as ``changes`` ({field: [before, after]}; with ``before``, added to its diff: what is no
    field, such as a replaced child list). An ``updated`` that changed no field records nothing and sends nothing,
    whatever its ``counts`` (a repeated message is no change).
    """
    spec = tracked(obj)
    if changes is None or before is not None:
        given = changes or {}
        after = None if action == "deleted" else snapshot(obj)
        if action == "deleted" and before is None:
            before = snapshot(obj)
        changes = _diff(before, after) if (before is not None or action == "created") else {}
        changes.update(given)
    if action == "updated" and not changes:
        return None
    changes = json_value(redact(spec, changes))
    types = list(events) if events is not None else spec.event_types(action, changes)
    listeners = _listening(spec, types)
    change = _insert(
        at=timezone.now(),
        actor=(context.actor() or "")[:200],
        request_id=(context.request_id() or "")[:128],
        object_type=spec.object_type,
        object_id=str(obj.pk)[:100],
        natural_key=_natural_key(spec, obj),
        object_repr=str(obj)[:200],
        action=action[:50],
        changes=changes,
        counts=json_value(counts or {}),
        events=types,
        object_state=object_state(obj) if listeners else None,
    )
    if listeners:
        _outbox(change, spec, listeners)
    return change


def record_many(
    objs: Iterable[models.Model],
    action: str,
    *,
    befores: dict | None = None,
    changes: dict | None = None,
    counts: dict | None = None,
) -> list[Change]:
    """:func:`record` for many objects of one model in one INSERT (set-based staff actions, a bundle's services).

    ``befores`` maps each object's pk to its :func:`snapshot` taken before; or ``changes`` gives the same changed
    fields for all. Objects whose ``updated`` changed no field are left out. On PostgreSQL, ``COPY_FROM`` changes
    or more that send no event are inserted with ``COPY`` (an import's rows); the changes returned then have no ids.
    """
    objs = list(objs)
    if not objs:
        return []
    spec = tracked(objs[0])
    at, actor, rid = timezone.now(), (context.actor() or "")[:200], (context.request_id() or "")[:128]
    rows, sending = [], False
    for obj in objs:
        if changes is not None:
            diff = changes
        elif befores is not None:
            diff = _diff(befores.get(obj.pk), None if action == "deleted" else snapshot(obj))
        else:
            diff = _diff(None, snapshot(obj)) if action == "created" else {}
        if action == "updated" and not diff:  # no changed field: no change (counts alone are none)
            continue
        # A diff of snapshots holds JSON values already; given changes may not.
        diff = redact(spec, diff) if changes is None else json_value(redact(spec, diff))
        types = spec.event_types(action, diff)
        listening = bool(_listening(spec, types))
        sending = sending or listening
        rows.append(
            Change(
                at=at,
                actor=actor,
                request_id=rid,
                object_type=spec.object_type,
                object_id=str(obj.pk)[:100],
                natural_key=_natural_key(spec, obj),
                object_repr=str(obj)[:200],
                action=action[:50],
                changes=diff,
                counts=json_value(counts or {}),
                events=types,
                object_state=object_state(obj) if listening else None,
            )
        )
    if not sending and len(rows) >= COPY_FROM and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        _copy(rows)  # many rows, none to send: COPY (no ids are read back)
        return rows
    created = Change.objects.bulk_create(rows)
    for change in created if sending else ():
        listeners = _listening(spec, change.events)
        if listeners:
            if change.pk is None:  # a backend that returns no ids from a bulk insert
                change = Change.objects.filter(
                    object_type=change.object_type, object_id=change.object_id, at=at, action=change.action
                ).latest("id")
            _outbox(change, spec, listeners)
    return created


COPY_FROM = 500  # record_many COPYs this many changes or more on PostgreSQL (a large import's rows)


def _copy(rows: list[Change]) -> None:
    """Insert ``rows`` with ``COPY … FROM STDIN`` (PostgreSQL): an import of 100,000 rows records as many changes,
    which ``bulk_create``'s array parameters take ten times longer to send. Values are prepared by each field as a
    save would (``insert_params``)."""
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in Change._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(Change._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for change in rows:
            copy.write_row(insert_params(fields, change, connection))


def record_set(model: type[models.Model], action: str, *, counts: dict, natural_key: str = "") -> Change:
    """Record one set-based action that has no single object (an import of many new records): one change on
    the model, with the counts, and the events it raises (``imported``: ``import.applied``) queued."""
    spec = tracked(model)
    types = spec.event_types(action, {})
    change = _insert(
        at=timezone.now(),
        actor=(context.actor() or "")[:200],
        request_id=(context.request_id() or "")[:128],
        object_type=spec.object_type,
        object_id="",
        natural_key=natural_key[:500],
        object_repr=str(model._meta.verbose_name_plural)[:200],
        action=action[:50],
        counts=json_value(counts),
        events=types,
    )
    listeners = _listening(spec, types)
    if listeners:
        _outbox(change, spec, listeners)
    return change


@lru_cache(maxsize=4)
def _insert_statement(vendor: str, table: str) -> tuple[str, tuple]:
    """``INSERT … RETURNING id`` of one change, built once (the ORM's insert compilation costs more than the
    statement; SQLite 3.35+ and PostgreSQL both return the id)."""
    fields = tuple(f for f in Change._meta.concrete_fields if not f.primary_key)
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders}) RETURNING {quote('id')}", fields  # noqa: S608


def _insert(**values) -> Change:
    """``Change.objects.create(**values)``, in one precompiled statement: each value prepared by its field as a
    save would (``get_db_prep_save``: JSON adapted per database), the id read back."""
    connection = connections[DEFAULT_DB_ALIAS]
    change = Change(**values)
    sql, fields = _insert_statement(connection.vendor, Change._meta.db_table)
    params = insert_params(fields, change, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        change.pk = cursor.fetchone()[0]
    change._state.adding, change._state.db = False, DEFAULT_DB_ALIAS
    return change


def _natural_key(spec: Tracked, obj) -> str:
    try:
        return str(spec.natural_key(obj))[:500]
    except Exception:  # a key that cannot be read (a deleted relation) must not fail the write
        return str(obj.pk)


# --- The outbox -------------------------------------------------------------------------------------------------
_CACHE: dict = {"at": 0.0, "rows": None}


def _invalidate(**_kwargs) -> None:
    _CACHE["rows"] = None


post_save.connect(_invalidate, sender=Subscription, dispatch_uid="core.changes.subscriptions_saved")
post_delete.connect(_invalidate, sender=Subscription, dispatch_uid="core.changes.subscriptions_deleted")


def enabled_subscriptions() -> list[Subscription]:
    """Enabled subscriptions, cached in the process for ``WEBHOOKS_SUBSCRIPTION_CACHE_SECONDS`` (a change made in
    this process is seen at once; one made by another process within that many seconds)."""
    ttl = float(getattr(settings, "WEBHOOKS_SUBSCRIPTION_CACHE_SECONDS", 2.0))
    now = time.monotonic()
    rows = _CACHE["rows"]
    if rows is None or now - _CACHE["at"] > ttl:
        rows = list(Subscription.objects.filter(enabled=True).order_by("id"))
        _CACHE.update(rows=rows, at=now)
    return rows


def backfill(*, subscription: Subscription, changes: Iterable[Change]) -> int:
    """Queue past changes for one subscription (a new listener catching up on recent history); returns how
    many deliveries were made. Changes of objects that are gone are left out; a change stored without the
    object's state (it had no listener then) is rendered from the object as it is when sent."""
    made = 0
    for change in changes:
        if not change.events:
            continue
        spec = tracked_type(change.object_type)
        if spec is None or not change.object_id or not spec.model._default_manager.filter(pk=change.object_id).exists():
            continue
        made += _outbox(change, spec, _listening(spec, change.events, [subscription]))
    return made


def _listening(spec: Tracked, types: list[str], subscriptions: list[Subscription] | None = None) -> list:
    """The subscriptions that get an event of these types: those listening to one of them, and for a TMF638 hub
    listener only when the model's door renders TMF events (its filter is applied when the event is rendered)."""
    if not types:
        return []
    subscriptions = enabled_subscriptions() if subscriptions is None else subscriptions
    tmf = renderer(spec.model).tmf is not None
    return [
        sub
        for sub in subscriptions
        if ("*" in sub.event_types or any(t in sub.event_types for t in types))
        and (sub.format != Subscription.Format.TMF638 or tmf)
    ]


def _outbox(change: Change, spec: Tracked, subscriptions: list[Subscription]) -> int:
    """One delivery per event type and listening subscription, with no payload yet (``{}``): the worker renders
    it when it first sends it (``core.changes.rendering``) and drops it there if the subscription's filter, or
    the TMF638 shape, says it gets no such event."""
    rows = []
    object_key = f"{change.object_type}:{change.object_id}"[:200]
    for event_type in change.events:
        event_id = f"evt_{uuid.uuid4().hex}"
        for sub in subscriptions:
            if event_type not in sub.event_types and "*" not in sub.event_types:
                continue
            rows.append(
                Delivery(
                    event_id=event_id,
                    subscription=sub,
                    change=change,
                    event_type=event_type,
                    object_key=object_key,
                    payload={},
                    created_at=change.at,
                    next_attempt_at=change.at,
                )
            )
    if rows:
        # The cached subscriptions may be a few seconds old: a subscription deleted by another process since then
        # gets nothing (a delivery never points at a deleted row, which would fail the write). One disabled since
        # then is held at send time, as any delivery of a disabled subscription is.
        live = Subscription.objects.filter(pk__in={row.subscription_id for row in rows})
        kept = set(live.values_list("pk", flat=True))
        rows = [row for row in rows if row.subscription_id in kept]
    if not rows:
        return 0
    created = Delivery.objects.bulk_create(rows)
    ids = [d.pk for d in created if d.pk is not None]
    if len(ids) != len(created):  # a backend that returns no ids: read them back
        ids = list(Delivery.objects.filter(change=change).values_list("pk", flat=True))
    transaction.on_commit(lambda: send(DELIVER_TASK, *ids))  # one message per write; the worker batches
    return len(rows)
