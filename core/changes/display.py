"""A recorded change in staff language: the one renderer every page that shows a change uses (the History of a
change page, the change log's list and detail).

A change stores JSON values (``recording.json_value``): codes, ISO date-times in UTC, nested dicts. Shown to
people they read as the forms read: a field by its verbose name, a choice by its label (``Started``, not
``C1ST``), a date-time in the admin's zone, a yes/no, a nested value (a timeframe) as labelled fields, never as
JSON or a Python repr. An app may describe one field its own way (:func:`register_field_display`, e.g. a blackout
policy's timeframe as a sentence); what it returns is shown as is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.db import models
from django.utils import formats, timezone

from .registry import MASK_CHANGED, MASK_SET, tracked_type

NONE = "∅"

# (model, field attname) -> a function of the stored JSON value returning text.
_FIELD_DISPLAYS: dict[tuple[type[models.Model], str], Callable[[object], str]] = {}


def register_field_display(model: type[models.Model], name: str, show: Callable[[object], str]) -> None:
    """Describe a field's stored value the app's way (from its ``AppConfig.ready()``)."""
    model._meta.get_field(name)  # a typo fails at start-up
    _FIELD_DISPLAYS[(model, name)] = show


def words(key: str) -> str:
    """``startDate`` -> ``start date``, ``event_class`` -> ``event class``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(key)).replace("_", " ").lower()


def when(value) -> str:
    """An instant in the admin's zone (``TIME_ZONE``), as the forms show it, with the zone named."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'Y-m-d H:i:s')} {local.tzname()}"


def nested_text(value) -> str:
    """A JSON value without a schema, as labelled fields: ``start date: 03022021; ends on: never: yes``."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if not value:
            return NONE
        parts = [f"{words(k)}: {nested_text(v)}" for k, v in value.items()]
        return "; ".join(parts) if all(not isinstance(v, dict) for v in value.values()) else " · ".join(parts)
    if isinstance(value, list | tuple):
        return ", ".join(nested_text(v) for v in value) if value else NONE
    return str(value)


def _field(model, name: str):
    for f in model._meta.concrete_fields:
        if name in (f.attname, f.name):
            return f
    return None


def field_label(model, name: str) -> str:
    f = _field(model, name) if model is not None else None
    return str(f.verbose_name) if f is not None else words(name)


def value_text(model, name: str, value) -> str:
    """One stored value of field ``name`` of ``model`` (None: unknown model) as the forms show it."""
    if value in (MASK_CHANGED, MASK_SET):
        return str(value)
    f = _field(model, name) if model is not None else None
    show = _FIELD_DISPLAYS.get((model, getattr(f, "attname", name)))
    if show is not None and value is not None:
        try:
            return show(value)
        except Exception:  # a value the app's describer cannot read: still shown, generically
            return nested_text(value)
    if value is None or value == "":
        return NONE
    if f is not None and f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        try:
            return when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return nested_text(value)


def model_of(object_type: str):
    spec = tracked_type(object_type)
    return spec.model if spec is not None else None


def field_rows(change) -> list[tuple[str, str, str]]:
    """``(label, before, after)`` of each field a change recorded, in staff language."""
    model = model_of(change.object_type)
    stored = change.changes if isinstance(change.changes, dict) else {}
    return [
        (field_label(model, name), value_text(model, name, pair[0]), value_text(model, name, pair[1]))
        for name, pair in stored.items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]


def count_rows(change) -> list[tuple[str, str]]:
    counts = change.counts if isinstance(change.counts, dict) else {}
    return [(words(name), nested_text(value)) for name, value in counts.items()]


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
