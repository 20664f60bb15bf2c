"""The change log and outbound events (see docs/events.md).

Services call :func:`record` once per domain action, inside their transaction (take a :func:`snapshot` before
changing an object to record its fields before and after). Apps describe their models in ``AppConfig.ready()``
with :func:`track` and declare their :func:`event_types`.
"""

from .recording import record, record_many, record_set, snapshot, stored
from .registry import event_types, register_filter_language, track

__all__ = [
    "event_types",
    "record",
    "record_many",
    "record_set",
    "register_filter_language",
    "snapshot",
    "stored",
    "track",
]
