"""The message log: every message an OMS sent, applied (whole payload) or refused (bounded payload), and its pruning."""

import codecs
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import metrics

from ..domain import LoggedMessage
from ..models import MessageOutcome, OutageMessage

LOG_BODY_LIMIT = 65536  # bytes of a refused payload kept in the log, unless settings.OUTAGES_LOG_BODY_LIMIT


def column_text(value, limit: int) -> str:
    """Text safe for any database column: no NUL characters (PostgreSQL refuses them), at most ``limit``."""
    return str(value).replace("\x00", "")[:limit] if value is not None else ""


# A log entry whose payload is larger than this is written by COPY on PostgreSQL: a storm's message (50 MB) as one
# row of the driver's COPY stream, not as a query literal composed, quoted and encoded (three more copies of it).
COPY_PAYLOAD_OVER = 1 << 20


def messages_insert(entries: list[OutageMessage]) -> None:
    """Insert log entries, in order: ``bulk_create``, or on PostgreSQL, when a payload is large, COPY."""
    if connection.vendor != "postgresql" or all(len(e.payload) <= COPY_PAYLOAD_OVER for e in entries):
        OutageMessage.objects.bulk_create(entries)
        return
    fields = [f for f in OutageMessage._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(OutageMessage._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for entry in entries:
            copy.write_row([f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields])


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
    return _Kept(column_text(text, len(text)), len(raw), hashlib.sha256(raw).hexdigest(), len(head) < len(raw))


def outage_messages_log_refused(
    *,
    external_system: str,
    messages: Sequence[LoggedMessage],
    reason: str,
    outcome: str = MessageOutcome.REJECTED,
    index: int | None = None,
    received_by: str = "",
    content_type: str = "",
    raw_body: bytes | str | None = None,
) -> uuid.UUID:
    """Log the messages of a refused request (the offending one with ``outcome``), or its raw body if unparsed.

    ``messages`` are what the door could read of the request (the outage, the reference and the text of each).

    Bounded, so that a flood of refused requests cannot fill the disk: the payloads of one request keep at most
    :func:`log_body_limit` bytes in all (in order), each entry with its whole size and SHA-256.
    """
    request_id = uuid.uuid4()
    received_at = timezone.now()
    common = {
        "request_id": request_id,
        "received_at": received_at,
        "external_system_name": column_text(external_system, 254),
        "received_by": column_text(received_by, 150),
        "content_type": column_text(content_type, 100),
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
                reason=column_text(reason, 10_000),
                **kept(raw_body or b""),
                **common,
            )
        ]
    else:
        entries = []
        for i, message in enumerate(messages):
            own = index is None or i == index
            entries.append(
                OutageMessage(
                    index=i,
                    external_outage_id=column_text(message.outage_id, 254),
                    message_reference=column_text(message.message_reference, 254),
                    outcome=outcome if own else MessageOutcome.REJECTED,
                    reason=column_text(reason if own else f"Not applied: the request was refused ({reason})", 10_000),
                    **kept(message.payload),
                    **common,
                )
            )
    messages_insert(entries)
    metrics.outcome("outage_messages", "stale" if outcome == MessageOutcome.STALE else "refused", len(entries))
    return request_id


@transaction.atomic
def outage_messages_prune(*, older_than_days: int) -> int:
    """Delete log entries older than the given age (events keep their state). Idempotent."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutageMessage.objects.filter(received_at__lt=cutoff).delete()
    return deleted
