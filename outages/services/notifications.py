"""Applying OMS notifications: atomically, stale-safe, under a row lock per event, every message logged.

Messages come as :class:`~outages.domain.OutageNotification` (the domain's words, built at the door: the wire's
request serializer, the demo loader): the service is the notification workflow itself.
"""

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core import changes, metrics, sql
from core.errors import DomainError, Invalid, NotFound, Stale

from ..domain import Characteristic, Detail, OutageNotification
from ..models import (
    ExternalSystem,
    MessageOutcome,
    OutageCharacteristic,
    OutageDetail,
    OutageEvent,
    OutageMessage,
)
from .customers import outage_customers_write
from .log import column_text, messages_insert, outage_messages_log_refused

# Stable domain codes of the refusals (the model names its own: ``outages.etr_before_start``).
UNKNOWN_SYSTEM = "outages.unknown_external_system"  # externalSystem is not an active External System
STALE_MESSAGE = "outages.stale_message"  # a message reference lower than the stored one
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass
class AppliedNotifications:
    request_id: uuid.UUID
    events: list[OutageEvent] = field(default_factory=list)


def reference_compare(incoming: str | None, stored: str | None) -> int | None:
    """-1, 0 or 1 comparing two message references; ``None`` when either is missing (no check).

    Numerically when both are integers (``"9" < "10"``), otherwise as text; both trimmed.
    """
    a, b = (incoming or "").strip(), (stored or "").strip()
    if not a or not b:
        return None
    left: int | str
    right: int | str
    if _INTEGER.match(a) and _INTEGER.match(b):
        left, right = int(a), int(b)
    else:
        left, right = a, b
    return (left > right) - (left < right)


# A child list that changed is named in the change as ``{list: [None, "replaced"]}``: lists are no fields of the
# event, and a list replaced by the same rows is no change (a repeated message records nothing, docs/outages.md).
LIST_REPLACED = [None, "replaced"]
LIST_EXTENDED = [None, "extended"]
_CHARACTERISTIC_COLUMNS = tuple(f.name for f in dataclasses.fields(Characteristic))


def characteristics_replace(event: OutageEvent, items: Sequence[Characteristic], *, empty: bool = False) -> bool:
    """Replace an event's characteristics unless they already are ``items`` (in order); return whether they
    changed. ``empty``: the caller knows the event has none (created just now), so nothing is read."""
    rows = [item.row() for item in items]
    if not empty:
        stored = OutageCharacteristic.objects.filter(event_id=event.pk).order_by("position")
        if list(stored.values(*_CHARACTERISTIC_COLUMNS)) == rows:
            return False
        stored.delete()
    OutageCharacteristic.objects.bulk_create(
        [OutageCharacteristic(event_id=event.pk, position=position, **row) for position, row in enumerate(rows)]
    )
    return bool(rows) or not empty


def details_replace(event: OutageEvent, items: Sequence[Detail], *, empty: bool = False) -> bool:
    """Replace an event's additional details unless they already are ``items`` (in order); return whether they
    changed."""
    rows = [(item.name, item.value) for item in items]
    if not empty:
        stored = OutageDetail.objects.filter(event_id=event.pk).order_by("position")
        if list(stored.values_list("name", "value")) == rows:
            return False
        stored.delete()
    OutageDetail.objects.bulk_create(
        [OutageDetail(event_id=event.pk, position=i, name=name, value=value) for i, (name, value) in enumerate(rows)]
    )
    return bool(rows) or not empty


def _event_lock(system: ExternalSystem, outage_id: str) -> tuple[OutageEvent, bool]:
    """The event row, created if missing, locked, and whether it is new: one statement, race-free
    (:func:`core.sql.lock_or_insert`)."""
    event, created = sql.lock_or_insert(
        OutageEvent(external_system=system, external_outage_id=outage_id), ("external_system", "external_outage_id")
    )
    event.external_system = system  # the caller's row: its natural key needs no read
    return event, created


def outage_message_apply(
    *, system: ExternalSystem, notification: OutageNotification, index: int = 0, received_at: datetime | None = None
) -> OutageEvent:
    """Apply one message to its event (inside the caller's transaction), or refuse it. ``received_at`` (now by
    default) dates the customers it adds or drops (their spells).

    Raises :class:`~core.errors.Stale` (``outages.stale_message``) for a reference lower than the stored one and
    :class:`~core.errors.Invalid` (``outages.etr_before_start``) when the message would leave the ETR before the
    start; both carry ``index``, the position of the message in the request.
    """
    outage_id = notification.outage_id
    event, created = _event_lock(system, outage_id)
    before = None if created else changes.snapshot(event)
    incoming = notification.message_reference
    if (reference_compare(incoming, event.message_reference) or 0) < 0:
        raise Stale(
            f"outageMessages[{index}]: outage {outage_id} message reference {incoming.strip()} is lower than "
            f"the stored {event.message_reference.strip()}; stale, not applied.",
            code=STALE_MESSAGE,
            index=index,
            outage_id=outage_id,
            incoming=incoming,
            stored=event.message_reference,
        )
    if incoming and incoming.strip():
        event.message_reference = incoming
    for attr, value in notification.fields.items():
        setattr(event, attr, value)
    if "start_date_time" in notification.fields or "estimated_restoration_time" in notification.fields:
        error = event.times_error()
        if error is not None:
            path = f"outageMessages[{index}].eventDetails.estimatedRestorationTime"
            raise Invalid(f"{path}: {error.message}", code=error.code, errors=[(path, error.message)], index=index)
    lists = {}  # the child lists this message changed (a replay changes none)
    if notification.details is not None and details_replace(event, notification.details, empty=created):
        lists["details"] = LIST_REPLACED
    if notification.characteristics is not None and characteristics_replace(
        event, notification.characteristics, empty=created
    ):
        lists["characteristics"] = LIST_REPLACED
    info = notification.customers
    if info is not None:
        event.customer_count, changed = outage_customers_write(
            event=event, customers=info.customers, incremental=info.incremental, empty=created, at=received_at
        )
        if changed:
            lists["customers"] = LIST_EXTENDED if info.incremental and not created else LIST_REPLACED
    event_save(event)
    counts = {"customers": event.customer_count} if info is not None else None
    if before is None:
        changes.record(event, "created", counts=counts)
    else:  # nothing recorded (nor sent) when no field and no list changed
        changes.record(event, "updated", before=before, changes=lists, counts=counts)
    return event


def event_save(event: OutageEvent) -> None:
    """Save an event with its state derived from its fields by the one rule (``OutageEvent.derive_state``)."""
    event.state = OutageEvent.derive_state(discarded=event.discarded, completion_date_time=event.completion_date_time)
    event.save()


def outage_notifications_apply(
    *,
    external_system: str,
    notifications: Sequence[OutageNotification],
    received_by: str = "",
    content_type: str = "application/json",
    received_at: datetime | None = None,
) -> AppliedNotifications:
    """Apply a notification request atomically: every message, or none (then raise the domain error).

    Refusals: :class:`~core.errors.NotFound` ``outages.unknown_external_system``, :class:`~core.errors.Stale`
    ``outages.stale_message``, :class:`~core.errors.Invalid` ``outages.etr_before_start``. Each message upserts
    its event under a row lock, so concurrent requests for one outage serialize and the highest reference wins.
    Every message is logged, applied (whole payload) or refused (bounded payload). ``received_at`` is now unless
    given (a replay of recorded messages): it dates the log entries and the customers' spells.
    """
    logged = [notification.logged() for notification in notifications]
    try:
        with transaction.atomic():
            system = ExternalSystem.objects.filter(name=external_system, is_active=True).first()
            if system is None:
                raise NotFound(
                    f'externalSystem "{external_system}" is not an active External System.',
                    code=UNKNOWN_SYSTEM,
                    external_system=external_system,
                )
            result = AppliedNotifications(request_id=uuid.uuid4())
            received_at = received_at or timezone.now()
            for index, notification in enumerate(notifications):
                result.events.append(
                    outage_message_apply(system=system, notification=notification, index=index, received_at=received_at)
                )
            messages_insert(
                [
                    OutageMessage(
                        request_id=result.request_id,
                        received_at=received_at,
                        index=i,
                        external_system_name=external_system,
                        external_outage_id=column_text(message.outage_id, 254),
                        message_reference=column_text(message.message_reference, 254),
                        event=event,
                        outcome=MessageOutcome.APPLIED,
                        payload=message.payload,
                        received_by=received_by[:150],
                        content_type=content_type[:100],
                    )
                    for i, (message, event) in enumerate(zip(logged, result.events, strict=True))
                ]
            )
            metrics.outcome("outage_messages", "applied", len(logged))
            return result
    except DomainError as exc:
        outage_messages_log_refused(
            external_system=external_system,
            messages=logged,
            reason=exc.message,
            outcome=MessageOutcome.STALE if isinstance(exc, Stale) else MessageOutcome.REJECTED,
            index=exc.params.get("index"),
            received_by=received_by,
            content_type=content_type,
        )
        raise
