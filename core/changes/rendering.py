"""Rendering an event for the wire, when the worker first sends it: outside the write's transaction, from the
stored change and the object as it was at the change.

The object is rebuilt from the change's ``object_state`` (every field as the object held it at the change) laid over
the object as it is now, so its own fields are what was true at the write, and what it points at (an outage's external
system, a service's characteristics and bundle) is read when sent. The vendor's shape comes from the renderer the
app's door registered (``<app>/api/events.py``, :func:`core.changes.registry.register_renderer`); a model without
one is sent with its recorded fields. A rendered payload is stored on its delivery, so every retry sends the same.

A change stored before it kept ``object_state`` (an installation upgraded with events still to send) is rendered
from the object as it is now; if the object is gone too, a standard event carries no ``object`` and a TMF638 event
names the service only (id and name), as a deletion does.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models

from .. import criteria, sql
from ..criteria import tmf as tmf_query
from .models import Change, Subscription
from .recording import json_value, snapshot
from .registry import Tracked, renderer, tracked_type


def _current(spec: Tracked, object_id: str) -> models.Model | None:
    if not object_id:
        return None
    try:
        return spec.model._default_manager.filter(pk=object_id).first()
    except (TypeError, ValueError, ValidationError):  # an id this model's key cannot hold
        return None


_UNREAD = object()


def instance_at(change: Change, spec: Tracked, current=_UNREAD) -> models.Model | None:
    """The object of ``change`` as it was at the change: its stored state over the current row (or over a new,
    unsaved instance when the object is gone); the current row when no state was stored; None when neither is.
    ``current`` is the current row when the caller has read it already (None: it is gone)."""
    model = spec.model
    if current is _UNREAD:
        current = _current(spec, change.object_id)
    state = change.object_state
    if not isinstance(state, dict) or not isinstance(state.get("fields"), dict):
        return current
    fields, types = state["fields"], state.get("types") or {}
    obj = current if current is not None else model()
    for field in model._meta.concrete_fields:
        if field.attname in fields:
            setattr(obj, field.attname, _value(fields[field.attname], types.get(field.attname)))
    if current is None:
        sql.mark_stored(obj)  # it existed: a renderer may read it as a stored row
    return obj


def _value(value, kind: str | None):
    """A stored state's value as the object held it (``recording.object_state``)."""
    if value is None or kind is None:
        return value
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "uuid":
        return uuid.UUID(value)
    return value


def representation(spec: Tracked, obj: models.Model) -> dict:
    """The object's wire representation: its app's (registered by the door), else its recorded fields."""
    wire = renderer(spec.model).wire
    if wire is not None:
        return wire(obj)
    return {"id": json_value(obj.pk), **{k: v for k, v in snapshot(obj).items() if k not in spec.sensitive}}


def standard_payload(change: Change, event_type: str, event_id: str, wire: dict | None) -> dict:
    return {
        "id": event_id,
        "type": event_type,
        "timestamp": change.at.isoformat(),
        "data": {
            "object_type": change.object_type,
            "object_id": change.object_id,
            "natural_key": change.natural_key,
            "action": change.action,
            "changes": change.changes,
            "counts": change.counts,
            "actor": change.actor,
            "request_id": change.request_id,
            "object": wire,
        },
    }


class Rendering:
    """Renders the deliveries of a batch: the current rows of its changes' objects are read in one query per
    model, and each change's object rebuilt, and its representation rendered, once for all the subscriptions and
    event types it goes to."""

    def __init__(self, changes: Iterable[Change] = ()):
        self._objects: dict[int, models.Model | None] = {}
        self._wires: dict[int, dict | None] = {}
        self._rows: dict[tuple[str, str], models.Model] = {}
        wanted: dict[str, set[str]] = defaultdict(set)
        for change in changes:
            if change.object_id:
                wanted[change.object_type].add(change.object_id)
        for object_type, ids in wanted.items():
            spec = tracked_type(object_type)
            if spec is None:
                continue
            try:  # with the objects they cannot be without (an outage's system), read in the same query
                rows = spec.model._default_manager.select_related().filter(pk__in=ids)
                self._rows.update({(object_type, str(obj.pk)): obj for obj in rows})
            except (TypeError, ValueError, ValidationError):
                continue

    def _object(self, change: Change, spec: Tracked):
        if change.pk not in self._objects:
            current = self._rows.get((change.object_type, change.object_id))
            self._objects[change.pk] = instance_at(change, spec, current)
        return self._objects[change.pk]

    def _wire(self, change: Change, spec: Tracked) -> dict | None:
        if change.pk not in self._wires:
            obj = None if change.action == "deleted" else self._object(change, spec)
            self._wires[change.pk] = None if obj is None else json_value(representation(spec, obj))
        return self._wires[change.pk]

    def payload(self, change: Change, subscription: Subscription, event_type: str, event_id: str) -> dict | None:
        """The payload of one delivery, or None when the subscription gets no such event (its filter does not
        match; a TMF638 listener and a change that raises no TMF event or one its query does not select)."""
        spec = tracked_type(change.object_type)
        if subscription.format == Subscription.Format.TMF638:
            tmf = renderer(spec.model).tmf if spec is not None else None
            if tmf is None:
                return None
            payload = tmf(self._object(change, spec), change, event_type, event_id, subscription)
            if payload is None:
                return None
            payload = json_value(payload)
            if not tmf_query.matches(subscription.query, payload):  # the listener's TMF630 query, on the event
                return None
        else:
            wire = self._wire(change, spec) if spec is not None else None
            payload = standard_payload(change, event_type, event_id, wire)
        if subscription.filter and not filter_matches(subscription.filter, payload):
            return None
        return payload


def flatten(data, prefix: str = "") -> dict:
    """A payload as a flat dict of dotted paths (``data.object.state``), the slots a filter reads."""
    out: dict = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
    elif isinstance(data, list):
        out[prefix[:-1]] = ",".join(str(v) for v in data if not isinstance(v, dict | list))
        for i, value in enumerate(data):
            if isinstance(value, dict | list):
                out.update(flatten(value, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = "" if data is None else data
    return out


# A subscription's filter is criteria (``core.criteria``) over the payload's dotted paths (``type``,
# ``data.natural_key``, ``data.object.state``): every slot a free one, read as text from the flat dict.
PAYLOAD_SLOTS = criteria.Slots(free=None)


@lru_cache(maxsize=512)
def compiled_filter(text: str):
    """The predicate of a subscription's filter; :class:`core.errors.Invalid` when it does not parse."""
    return criteria.to_predicate(criteria.parse(text, PAYLOAD_SLOTS), PAYLOAD_SLOTS)


def filter_matches(text: str, payload: dict) -> bool:
    if not text.strip():
        return True
    probe = flatten(payload)
    probe["slots"] = probe
    try:
        return bool(compiled_filter(text)(probe))
    except Exception:  # a filter that cannot be evaluated matches nothing, never fails the send
        return False
