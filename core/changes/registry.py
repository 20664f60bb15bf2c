"""What the change log knows about each tracked model, filled by each app in its ``AppConfig.ready()`` (core
imports no app): its type name, its natural key, the fields whose before and after are recorded, which of them are
secret, and which outbound events a change of it raises (``<app>/events.py``, the app's domain layer); and how an
event of it is rendered in the vendor's representation (:func:`register_renderer`, from ``<app>/api/events.py``,
the app's door: rendered by the delivery worker, never inside the domain write).

Secret fields are declared once, on the model (``sensitive_fields = ("secret",)``) or, for a model of another
library, with :func:`declare_sensitive`; :func:`sensitive_fields` is what every door reads (the change log records
only that such a field changed, the admin and the API mask it, the generated secrets test scans for it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

# Fields never worth a line in a history (bookkeeping that changes on every save).
DEFAULT_EXCLUDE = frozenset({"created_at", "updated_at"})
# What the change log records, before and after, of a secret field that is set: never its value.
MASK_CHANGED = "•••• (changed)"
MASK_SET = "••••"

# Secret fields of models that cannot say it themselves (another library's): model -> field names.
_DECLARED_SENSITIVE: dict[type[models.Model], frozenset[str]] = {}


def declare_sensitive(model: type[models.Model], *names: str) -> None:
    """Declare secret fields of a model that cannot carry a ``sensitive_fields`` attribute (Django's, a library's)."""
    for name in names:
        model._meta.get_field(name)  # a typo fails at start-up, not silently
    _DECLARED_SENSITIVE[model] = _DECLARED_SENSITIVE.get(model, frozenset()) | frozenset(names)
    for described in REGISTRY.values():  # a model described before its secrets were declared
        described.sensitive = sensitive_fields(described.model)


def declare_library_secrets() -> None:
    """The secret fields of models this project does not define: a user's password hash, an outstanding refresh
    token (core's ``ready()``)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    declare_sensitive(get_user_model(), "password")
    if apps.is_installed("rest_framework_simplejwt.token_blacklist"):
        declare_sensitive(apps.get_model("token_blacklist", "OutstandingToken"), "token")


def sensitive_fields(model_or_obj) -> frozenset[str]:
    """The secret fields of a model (names and attnames): its own ``sensitive_fields`` and any declared for it
    or for a model it derives from."""
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    names: set[str] = set()
    for klass in model.__mro__:
        names.update(getattr(klass, "sensitive_fields", ()) or ())
        names.update(_DECLARED_SENSITIVE.get(klass, ()))
    out = set(names)
    for name in names:
        out.add(model._meta.get_field(name).attname)
    return frozenset(out)


def sensitive_models() -> dict[type[models.Model], frozenset[str]]:
    """Every installed model that declares secret fields, with them (the generated secrets test walks this)."""
    from django.apps import apps

    found = {m: sensitive_fields(m) for m in apps.get_models()}
    return {m: names for m, names in found.items() if names}


@dataclass
class Tracked:
    """One tracked model. ``events(action, changes)`` gives the event types a change raises (domain facts only:
    how an event is rendered for the wire is the door's, :func:`register_renderer`)."""

    model: type[models.Model]
    natural_key: Callable[[models.Model], str] = str
    events: Callable[[str, dict], list[str]] | None = None
    exclude: frozenset = DEFAULT_EXCLUDE
    declared: bool = True  # False: recorded with defaults because a service wrote it without describing it
    fields: list[str] = field(default_factory=list)
    sensitive: frozenset = frozenset()

    def __post_init__(self):
        opts = self.model._meta
        self.fields = [f.attname for f in opts.concrete_fields if f.name not in self.exclude and not f.primary_key]
        self.sensitive = sensitive_fields(self.model)

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def event_types(self, action: str, changes: dict) -> list[str]:
        found = list(self.events(action, changes)) if self.events else []
        if action == IMPORTED:  # a file of records applied, whatever the model: receivers may resynchronise
            found.append(IMPORT_APPLIED)
        return found


REGISTRY: dict[type[models.Model], Tracked] = {}
# The change of a whole import (``record_set(model, "imported", counts=...)``: the file import of core.imports, a
# set-based import service) and the event it raises for every model; each record it wrote raises its own too.
IMPORTED = "imported"
IMPORT_APPLIED = "import.applied"
# Every event type an app can raise (for subscriptions' choices and validation), with a line saying when.
EVENT_TYPES: dict[str, str] = {
    IMPORT_APPLIED: "records were imported from a file (the model in data.object_type, the counts in data.counts)",
}


def track(model: type[models.Model], **options) -> Tracked:
    """Register a model with the change log (from the app's ``AppConfig.ready()``)."""
    tracked = Tracked(model=model, **options)
    REGISTRY[model] = tracked
    return tracked


def event_types(**described: str) -> None:
    """Declare event types: ``event_types(**{"outage.created": "an outage appeared"})``."""
    EVENT_TYPES.update(described)


def tracked(model_or_obj) -> Tracked:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    found = REGISTRY.get(model)
    if found is None:
        for base in model.__mro__[1:]:  # a proxy or subclass of a tracked model
            if base in REGISTRY:
                return REGISTRY[base]
        found = REGISTRY[model] = Tracked(model=model, declared=False)  # recorded with defaults, raises no event
    return found


def is_tracked(model: type[models.Model]) -> bool:
    """Whether an app described this model to the change log (``track``)."""
    found = REGISTRY.get(model)
    return found is not None and found.declared


def tracked_type(object_type: str) -> Tracked | None:
    """The tracked model of a recorded ``object_type`` (``app_label.model``), or None."""
    for tracked_model in REGISTRY.values():
        if tracked_model.object_type == object_type:
            return tracked_model
    return None


def type_label(object_type: str) -> str:
    for tracked_model in REGISTRY.values():
        if tracked_model.object_type == object_type:
            return str(tracked_model.model._meta.verbose_name)
    return object_type


@dataclass(frozen=True)
class Renderer:
    """How an app's door renders the events of one tracked model for the wire, at delivery time (the worker).

    ``wire(obj)``: the object's representation in the vendor's shape (``data.object`` of a standard event), given
    the object as it was at the change (its fields from the change's stored state). ``tmf(obj, change, event_type,
    event_id, subscription)``: the TMF638 event of a change for the hub listener ``subscription`` (its hrefs from the
    base URL and version it registered through), or None when the change raises none (``obj`` is None when the
    object is gone and the change holds no state to rebuild it from); the listener's query is judged on it after."""

    wire: Callable[[models.Model], dict] | None = None
    tmf: Callable | None = None


# model -> its renderer; filled from each app's ``api/events.py`` (the door), called only by core.changes.rendering.
RENDERERS: dict[type[models.Model], Renderer] = {}
NO_RENDERER = Renderer()


def register_renderer(model: type[models.Model], *, wire: Callable | None = None, tmf: Callable | None = None) -> None:
    """Register how the events of ``model`` are rendered for the wire (from the app's ``api/events.py``, imported
    by its ``AppConfig.ready()``). A model without one is sent with its recorded fields."""
    RENDERERS[model] = Renderer(wire=wire, tmf=tmf)


def renderer(model_or_obj) -> Renderer:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    for klass in model.__mro__:  # a proxy or subclass of a rendered model
        if klass in RENDERERS:
            return RENDERERS[klass]
    return NO_RENDERER
