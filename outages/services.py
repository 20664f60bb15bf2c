"""What changes outage data: applying OMS notifications (atomically, stale-safe, at storm scale), staff edits, and
the message log.

Messages are taken in the wire shape the request serializer validated (``eventDetails``,
``customerInformation``, ``characteristics``): the service is the notification workflow itself. Refusals are
``core.errors`` domain errors with stable codes (``outages.stale_message``...); the wire's Oracle message numbers
are in ``outages/api/errors.py``.
"""

import codecs
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError, Invalid, NotFound, Stale, from_validation_error

from .models import (
    ExternalSystem,
    MessageOutcome,
    OutageCharacteristic,
    OutageCustomer,
    OutageDetail,
    OutageEvent,
    OutageMessage,
    OutageState,
)

CUSTOMER_BATCH = 5000
# Stable domain codes of the refusals (the model names its own: ``outages.etr_before_start``).
UNKNOWN_SYSTEM = "outages.unknown_external_system"  # externalSystem is not an active External System
STALE_MESSAGE = "outages.stale_message"  # a message reference lower than the stored one
LOG_BODY_LIMIT = 65536  # bytes of a refused payload kept in the log, unless settings.OUTAGES_LOG_BODY_LIMIT
_INTEGER = re.compile(r"^[+-]?\d+$")

# eventDetails keys copied to the event when present in a message (absent keys leave the stored value).
_EVENT_FIELDS = {
    "outageType": "outage_type",
    "startDateTime": "start_date_time",
    "estimatedRestorationTime": "estimated_restoration_time",
    "completionDateTime": "completion_date_time",
    "impactedCustomers": "impacted_customers",
}


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


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _customer_keys(customers: Iterable[dict]) -> list[tuple[str, str]]:
    """(accountId, spId) pairs, blanks for missing, duplicates dropped, order kept."""
    return list(dict.fromkeys(((c.get("accountId") or ""), (c.get("spId") or "")) for c in customers))


def _copy_customers(event_id: int, keys: list[tuple[str, str]]) -> None:
    """PostgreSQL COPY of customers into an event whose list is empty (replacement after delete).

    Rows go as COPY text in blocks; values are escaped for its format (backslash, tab, newline, CR).
    """
    table = OutageCustomer._meta.db_table
    escape = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
    prefix = f"{event_id}\t"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} (event_id, account_id, sp_id) FROM STDIN") as copy,
    ):
        for chunk in _chunks(keys, CUSTOMER_BATCH):
            copy.write("".join(f"{prefix}{a.translate(escape)}\t{s.translate(escape)}\n" for a, s in chunk).encode())


def outage_customers_write(*, event: OutageEvent, customers: Iterable[dict], incremental: bool) -> int:
    """Replace (or, incrementally, extend without duplicates) an event's customer list; return its size.

    Set-based: one DELETE, then COPY on PostgreSQL or batched multi-row INSERTs; an increment inserts
    ignoring conflicts on the (event, accountId, spId) constraint.
    """
    keys = _customer_keys(customers)
    vendor = connection.vendor
    if not incremental:
        OutageCustomer.objects.filter(event_id=event.pk).delete()  # fast path: one DELETE, no cascade
        if vendor == "postgresql" and len(keys) > 100:
            _copy_customers(event.pk, keys)
        elif vendor == "sqlite":
            _executemany_customers(event.pk, keys, ignore_conflicts=False)
        else:
            for chunk in _chunks(keys, CUSTOMER_BATCH):
                OutageCustomer.objects.bulk_create(
                    [OutageCustomer(event_id=event.pk, account_id=a, sp_id=s) for a, s in chunk]
                )
        return len(keys)
    if vendor == "postgresql":
        _insert_missing_customers(event.pk, keys)
    elif vendor == "sqlite":
        _executemany_customers(event.pk, keys, ignore_conflicts=True)
    else:
        for chunk in _chunks(keys, CUSTOMER_BATCH):
            OutageCustomer.objects.bulk_create(
                [OutageCustomer(event_id=event.pk, account_id=a, sp_id=s) for a, s in chunk], ignore_conflicts=True
            )
    return OutageCustomer.objects.filter(event_id=event.pk).count()


def _executemany_customers(event_id: int, keys: list[tuple[str, str]], *, ignore_conflicts: bool) -> None:
    """SQLite: one prepared INSERT (OR IGNORE) run over batches of rows, without building model instances."""
    table = OutageCustomer._meta.db_table
    verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
    sql = f"{verb} INTO {table} (event_id, account_id, sp_id) VALUES (%s, %s, %s)"
    with connection.cursor() as cursor:
        for chunk in _chunks(keys, CUSTOMER_BATCH):
            cursor.executemany(sql, [(event_id, a, s) for a, s in chunk])


def _insert_missing_customers(event_id: int, keys: list[tuple[str, str]]) -> None:
    """PostgreSQL: one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING per 50,000 customers."""
    table = OutageCustomer._meta.db_table
    sql = (
        f"INSERT INTO {table} (event_id, account_id, sp_id) "  # noqa: S608 - table name from the model
        "SELECT %s, a, s FROM unnest(%s::varchar[], %s::varchar[]) AS u(a, s) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(keys, 10 * CUSTOMER_BATCH):
            cursor.execute(sql, [event_id, [a for a, _ in chunk], [s for _, s in chunk]])


def _characteristics_replace(event: OutageEvent, items: list[dict]) -> None:
    OutageCharacteristic.objects.filter(event_id=event.pk).delete()
    rows = []
    for position, item in enumerate(items):
        value = item.get("characteristicValue") or {}
        rows.append(
            OutageCharacteristic(
                event_id=event.pk,
                position=position,
                characteristic_type=item.get("characteristicType") or "",
                type_of_characteristic_value=item.get("typeOfCharacteristicValue") or "",
                sequence=item.get("sequence"),
                **{name: value.get(name) or "" for name in ("value", "value2", "value3", "value4", "value5")},
            )
        )
    OutageCharacteristic.objects.bulk_create(rows)


def _details_replace(event: OutageEvent, items: list[dict]) -> None:
    OutageDetail.objects.filter(event_id=event.pk).delete()
    OutageDetail.objects.bulk_create(
        [
            OutageDetail(event_id=event.pk, position=i, name=item.get("name") or "", value=item.get("value") or "")
            for i, item in enumerate(items)
        ]
    )


def _event_lock(system: ExternalSystem, outage_id: str) -> OutageEvent:
    """The event row, created if missing and locked (race-free: insert-or-ignore on the unique key, then lock)."""
    OutageEvent.objects.bulk_create(
        [OutageEvent(external_system=system, external_outage_id=outage_id)], ignore_conflicts=True
    )
    return OutageEvent.objects.select_for_update().get(external_system=system, external_outage_id=outage_id)


def outage_message_apply(*, system: ExternalSystem, message: dict, index: int = 0) -> OutageEvent:
    """Apply one validated message to its event (inside the caller's transaction), or refuse it.

    Raises :class:`~core.errors.Stale` (``outages.stale_message``) for a reference lower than the stored one and
    :class:`~core.errors.Invalid` (``outages.etr_before_start``) when the message would leave the ETR before the
    start; both carry ``index``, the position of the message in the request.
    """
    details = message["eventDetails"]
    outage_id = details["externalOutageId"]
    event = _event_lock(system, outage_id)
    incoming = details.get("messageReference")
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
    for wire_name, attr in _EVENT_FIELDS.items():
        if wire_name in details:
            value = details[wire_name]
            setattr(event, attr, value if value is not None or attr != "outage_type" else "")
    if details.get("discarded") is not None:
        event.discarded = details["discarded"]
    if "startDateTime" in details or "estimatedRestorationTime" in details:
        error = event.times_error()
        if error is not None:
            path = f"outageMessages[{index}].eventDetails.estimatedRestorationTime"
            raise Invalid(f"{path}: {error.message}", code=error.code, errors=[(path, error.message)], index=index)
    if "additionalDetails" in details:
        _details_replace(event, details["additionalDetails"] or [])
    if "characteristics" in message:
        _characteristics_replace(event, message["characteristics"] or [])
    info = message.get("customerInformation")
    if info is not None:
        event.customer_count = outage_customers_write(
            event=event, customers=info.get("customers") or [], incremental=bool(info.get("incrementalUpdate"))
        )
    _event_save(event)
    return event


def _event_save(event: OutageEvent) -> None:
    """Save an event with its state derived from its fields by the one rule (``OutageEvent.derive_state``)."""
    event.state = OutageEvent.derive_state(discarded=event.discarded, completion_date_time=event.completion_date_time)
    event.save()


def _payloads(messages: list, payloads: list[str] | None) -> list[str]:
    if payloads is not None:
        return payloads
    return [json.dumps(m, default=str) for m in messages]


def _text(value, limit: int) -> str:
    """Text safe for any database column: no NUL characters (PostgreSQL refuses them), at most ``limit``."""
    return str(value).replace("\x00", "")[:limit] if value is not None else ""


def _outage_id(message) -> str:
    details = message.get("eventDetails") if isinstance(message, dict) else None
    value = details.get("externalOutageId") if isinstance(details, dict) else None
    return _text(value, 254)


def _reference(message) -> str:
    details = message.get("eventDetails") if isinstance(message, dict) else None
    value = details.get("messageReference") if isinstance(details, dict) else None
    return _text(value, 254)


def log_body_limit() -> int:
    """Bytes of a refused request's payloads the log keeps (``settings.OUTAGES_LOG_BODY_LIMIT``, default 64 KiB)."""
    return int(getattr(settings, "OUTAGES_LOG_BODY_LIMIT", LOG_BODY_LIMIT))


@dataclass
class _Kept:
    """What the log keeps of a refused payload: at most a budget of its bytes, with its whole size and hash."""

    text: str
    size: int
    sha256: str
    truncated: bool


def _keep(body: bytes | str, budget: int) -> _Kept:
    raw = body if isinstance(body, bytes) else body.encode("utf-8", errors="surrogatepass")
    head = raw[: max(budget, 0)]
    # An incremental decoder holds back a character cut in two at the limit instead of mangling it.
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=len(head) == len(raw))
    return _Kept(_text(text, len(text)), len(raw), hashlib.sha256(raw).hexdigest(), len(head) < len(raw))


def outage_messages_log_refused(
    *,
    external_system: str,
    messages: list,
    reason: str,
    outcome: str = MessageOutcome.REJECTED,
    index: int | None = None,
    received_by: str = "",
    content_type: str = "",
    raw_body: bytes | str | None = None,
    payloads: list[str] | None = None,
) -> uuid.UUID:
    """Log the messages of a refused request (the offending one with ``outcome``), or its raw body if unparsed.

    Bounded, so that a flood of refused requests cannot fill the disk: the payloads of one request keep at most
    :func:`log_body_limit` bytes in all (in order), each entry with its whole size and SHA-256.
    """
    request_id = uuid.uuid4()
    received_at = timezone.now()
    common = {
        "request_id": request_id,
        "received_at": received_at,
        "external_system_name": _text(external_system, 254),
        "received_by": _text(received_by, 150),
        "content_type": _text(content_type, 100),
    }
    budget = log_body_limit()

    def kept(body) -> dict:
        nonlocal budget
        payload = _keep(body, budget)
        budget -= payload.size
        return {
            "payload": payload.text,
            "payload_bytes": payload.size,
            "payload_sha256": payload.sha256,
            "payload_truncated": payload.truncated,
        }

    if not messages:
        entries = [
            OutageMessage(
                index=0,
                outcome=MessageOutcome.REJECTED,
                reason=_text(reason, 10_000),
                **kept(raw_body or b""),
                **common,
            )
        ]
    else:
        texts = _payloads(messages, payloads)
        entries = []
        for i, message in enumerate(messages):
            own = index is None or i == index
            entries.append(
                OutageMessage(
                    index=i,
                    external_outage_id=_outage_id(message),
                    message_reference=_reference(message),
                    outcome=outcome if own else MessageOutcome.REJECTED,
                    reason=_text(reason if own else f"Not applied: the request was refused ({reason})", 10_000),
                    **kept(texts[i]),
                    **common,
                )
            )
    OutageMessage.objects.bulk_create(entries)
    return request_id


def outage_notifications_apply(
    *,
    external_system: str,
    messages: list[dict],
    received_by: str = "",
    content_type: str = "application/json",
    payloads: list[str] | None = None,
) -> AppliedNotifications:
    """Apply a notification request atomically: every message, or none (then raise the domain error).

    Refusals: :class:`~core.errors.NotFound` ``outages.unknown_external_system``, :class:`~core.errors.Stale`
    ``outages.stale_message``, :class:`~core.errors.Invalid` ``outages.etr_before_start``. Each message upserts
    its event under a row lock, so concurrent requests for one outage serialize and the highest reference wins.
    Every message is logged, applied (whole payload) or refused (bounded payload).
    """
    texts = _payloads(messages, payloads)
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
            for index, message in enumerate(messages):
                result.events.append(outage_message_apply(system=system, message=message, index=index))
            received_at = timezone.now()
            OutageMessage.objects.bulk_create(
                [
                    OutageMessage(
                        request_id=result.request_id,
                        received_at=received_at,
                        index=i,
                        external_system_name=external_system,
                        external_outage_id=_outage_id(message),
                        message_reference=_reference(message),
                        event=event,
                        outcome=MessageOutcome.APPLIED,
                        payload=texts[i],
                        received_by=received_by[:150],
                        content_type=content_type[:100],
                    )
                    for i, (message, event) in enumerate(zip(messages, result.events, strict=True))
                ]
            )
            return result
    except DomainError as exc:
        outage_messages_log_refused(
            external_system=external_system,
            messages=messages,
            reason=exc.message,
            outcome=MessageOutcome.STALE if isinstance(exc, Stale) else MessageOutcome.REJECTED,
            index=exc.params.get("index"),
            received_by=received_by,
            content_type=content_type,
            payloads=texts,
        )
        raise


@transaction.atomic
def outage_events_discard(*, event_ids: Iterable[int]) -> int:
    """Staff action: mark events discarded (set-based); returns how many changed."""
    discarded = OutageEvent.derive_state(discarded=True, completion_date_time=None)  # discarded wins, whatever else
    return (
        OutageEvent.objects.filter(pk__in=list(event_ids))
        .exclude(state=OutageState.DISCARDED)
        .update(discarded=True, state=discarded, updated_at=timezone.now())
    )


@transaction.atomic
def outage_event_save(*, event: OutageEvent) -> OutageEvent:
    """Staff add or change of an event (the admin): its times checked by the model's rule, its state derived."""
    error = event.times_error()
    if error is not None:
        raise error
    _event_save(event)
    return event


@transaction.atomic
def outage_event_lists_replace(*, event: OutageEvent, characteristics: list[dict], details: list[dict]) -> None:
    """Staff edit of an event's characteristics and additional details: both lists replaced, in the wire shape of
    a message (``characteristicType``, ``typeOfCharacteristicValue``, ``sequence``, ``characteristicValue``)."""
    _characteristics_replace(event, characteristics)
    _details_replace(event, details)


@transaction.atomic
def outage_events_delete(*, event_ids: Iterable[int]) -> int:
    """Staff delete of events with their customers, characteristics and details; logged messages stay (their
    event emptied). Customers go in one DELETE first, so a storm's list costs no per-row cascade."""
    ids = list(event_ids)
    OutageCustomer.objects.filter(event_id__in=ids).delete()
    _, per_model = OutageEvent.objects.filter(pk__in=ids).delete()
    return per_model.get(OutageEvent._meta.label, 0)


@transaction.atomic
def external_system_save(*, system: ExternalSystem) -> ExternalSystem:
    """Staff add or change of an external system (its name is what OMS requests send in ``externalSystem``)."""
    try:
        system.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc, code="outages.invalid_external_system") from None
    system.save()
    return system


@transaction.atomic
def external_system_ensure(*, name: str, description: str = "") -> ExternalSystem:
    """The active external system of that name, created if missing (demo loaders, set-up commands)."""
    system, _ = ExternalSystem.objects.get_or_create(name=name, defaults={"description": description})
    return system


@transaction.atomic
def external_systems_set_active(*, system_ids: Iterable[int], active: bool) -> int:
    return ExternalSystem.objects.filter(pk__in=list(system_ids)).update(is_active=active)


@transaction.atomic
def outage_messages_prune(*, older_than_days: int) -> int:
    """Delete log entries older than the given age (events keep their state). Idempotent."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutageMessage.objects.filter(received_at__lt=cutoff).delete()
    return deleted
