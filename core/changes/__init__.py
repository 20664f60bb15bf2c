"""The change log and outbound events (see docs/events.md).

Services call :func:`record` once per domain action, inside their transaction (take a :func:`snapshot` before
changing an object to record its fields before and after). Apps describe their models in ``AppConfig.ready()``
with :func:`track` and declare their :func:`event_types`; their doors (``<app>/api/events.py``) say how an
event is rendered for the wire with :func:`register_renderer` (rendered by the delivery worker, after the write).
"""

from .display import register_field_display
from .registry import event_types, register_renderer, track

_RECORDING = frozenset({"record", "record_many", "record_set", "snapshot", "stored"})


def __getattr__(name: str):
    # Recording needs the models, which a Django app's package must not import while the app registry loads
    # (INSTALLED_APPS imports this package first): loaded on first use.
    if name in _RECORDING:
        from . import recording

        return getattr(recording, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "event_types",
    "record",
    "record_many",
    "record_set",
    "register_field_display",
    "register_renderer",
    "snapshot",
    "stored",
    "track",
]
