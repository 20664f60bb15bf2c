"""What an outage notification says, in the domain's words (the model's field names, not the OMS's JSON).

The doors build these — the wire's request serializer (``OutageEventNotificationsSerializer.service_arguments``),
the admin (from its inline rows), the demo loader — and the services in ``outages/services`` take them. A message
says only what it sends: a field or a list it leaves out keeps its stored value.
"""

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

# The event fields a message may set (absent ones keep the stored value).
EVENT_FIELDS = frozenset(
    {
        "outage_type",
        "start_date_time",
        "estimated_restoration_time",
        "completion_date_time",
        "impacted_customers",
        "discarded",
    }
)
CHARACTERISTIC_VALUES = ("value", "value2", "value3", "value4", "value5")


class Customer(NamedTuple):
    """One affected customer: an account, a service point or both (blank when not known). A named tuple, not a
    dataclass: a storm lists 100,000 of them, compared and deduplicated as (account, service point) pairs."""

    account_id: str = ""
    sp_id: str = ""


@dataclass(frozen=True)
class CustomerList:
    """The customers a message lists: the whole list (replacing the stored one) or, ``incremental``, more of it."""

    customers: Sequence[Customer] = ()
    incremental: bool = False


@dataclass(frozen=True)
class Characteristic:
    """One characteristic of an outage, as stored (``OutageCharacteristic``'s columns)."""

    characteristic_type: str = ""
    type_of_characteristic_value: str = ""
    sequence: int | None = None
    value: str = ""
    value2: str = ""
    value3: str = ""
    value4: str = ""
    value5: str = ""

    def row(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Detail:
    """One additional detail of an outage (a name and a value)."""

    name: str = ""
    value: str = ""


@dataclass(frozen=True)
class LoggedMessage:
    """A message as the message log keeps it: the outage it names, its reference and its text as received."""

    outage_id: str = ""
    message_reference: str = ""
    payload: str = ""


@dataclass(frozen=True)
class OutageNotification:
    """One message of an OMS about one outage.

    ``fields`` holds the event fields it sets, by model field name (:data:`EVENT_FIELDS`); ``details``,
    ``characteristics`` and ``customers`` are ``None`` when it does not send that list (the stored one stays).
    ``message_reference`` blank: no reference (no stale check, the stored one kept). ``payload`` is the message
    as received, which the log keeps; blank, the log keeps these arguments as JSON.
    """

    outage_id: str
    message_reference: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    details: Sequence[Detail] | None = None
    characteristics: Sequence[Characteristic] | None = None
    customers: CustomerList | None = None
    payload: str = ""

    def __post_init__(self):
        unknown = set(self.fields) - EVENT_FIELDS
        if unknown:
            raise ValueError(f"Not an event field a notification sets: {', '.join(sorted(unknown))}")

    def logged(self) -> LoggedMessage:
        """What the log keeps of this message."""
        payload = self.payload
        if not payload:
            arguments = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "payload"}
            payload = json.dumps(_plain(arguments), default=_text_of)
        return LoggedMessage(outage_id=self.outage_id, message_reference=self.message_reference, payload=payload)


def _plain(value):
    """Dataclasses, named tuples and mappings as JSON-ready lists and dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Customer):
        return value._asdict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _text_of(value) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
