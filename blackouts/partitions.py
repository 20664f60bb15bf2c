"""The event table's monthly partitions on PostgreSQL (migration 0008; docs/blackouts.md, "Event table
partitions"): months are created ahead, and retention drops whole months, never a ``DELETE`` of millions of rows.

- ``partitions_ensure`` creates the partition of the current month and of the ``ahead`` months after it, and one
  for every month that has rows in the DEFAULT partition: those rows are *moved* into their new month in the same
  transaction (rather than refusing to create it), so that the DEFAULT partition, a safety net that keeps an
  insert from ever failing when the beat has not run, is emptied at the next run and its rows come under the
  retention like the rest. Idempotent: a month that has its partition is left alone.
- ``partitions_drop_expired`` detaches, then drops, every month partition whose upper bound is older than
  ``EVENTS_RETENTION_DAYS`` (0, the default: keep everything). An event is so kept at least the retention and at
  most a month more. On SQLite (development), and on a table that is not partitioned, the same retention is a
  ``DELETE`` of the older events in batches.

Partitions are named ``blackouts_event_pYYYYMM`` and bounded by calendar months in UTC.
"""

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Event

log = logging.getLogger(__name__)

TABLE = Event._meta.db_table
DEFAULT = f"{TABLE}_default"
AHEAD_MONTHS = 3  # months created ahead of the current one: the beat may be down that long before rows go DEFAULT
DELETE_BATCH = 10_000  # rows per DELETE when retention cannot drop partitions (SQLite)
# How long a create or drop waits for its lock. A DETACH waits for every query on the table (a long export) and
# every insert would queue behind it: better give up (lock_not_available, the task fails) and retry next hour.
LOCK_TIMEOUT = "5s"


class Partition(NamedTuple):
    name: str
    lower: datetime
    upper: datetime


def month_start(value: datetime, months: int = 0) -> datetime:
    """The first instant (UTC) of ``value``'s month, ``months`` months later."""
    value = value.astimezone(UTC)
    index = value.year * 12 + value.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(lower: datetime) -> str:
    return f"{TABLE}_p{lower:%Y%m}"


def is_partitioned() -> bool:
    """True on PostgreSQL once migration 0008 has made the table partitioned."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


def event_partitions() -> list[Partition]:
    """The range partitions (the DEFAULT one aside), oldest first, with their bounds as PostgreSQL states them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = _BOUNDS.search(bound or "")
        if match:  # not DEFAULT, nor a MINVALUE/MAXVALUE bound
            lower, upper = (datetime.fromisoformat(text).astimezone(UTC) for text in match.groups())
            found.append(Partition(name, lower, upper))
    return sorted(found, key=lambda partition: partition.lower)


def events_in_default(*, cap: int = 100_000) -> int:
    """Events in the DEFAULT partition (counted up to ``cap``): 0 while the beat creates months ahead; more means
    months are missing (the next ``partitions_ensure`` moves them). 0 where the table is not partitioned."""
    if not is_partitioned():
        return 0
    with connection.cursor() as cursor:
        rows = f"SELECT 1 FROM {connection.ops.quote_name(DEFAULT)} LIMIT %s"  # noqa: S608 - our table
        cursor.execute(f"SELECT count(*) FROM ({rows}) AS d", [cap])  # noqa: S608
        return cursor.fetchone()[0]


def _missing_months(*, ahead: int, now: datetime) -> list[datetime]:
    """The months (their first instant) that want a partition and have none: the current one and ``ahead`` more,
    and every month holding rows in the DEFAULT partition."""
    wanted = {month_start(now, n) for n in range(ahead + 1)}
    month = "date_trunc('month', received_at AT TIME ZONE 'UTC')"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {month} FROM {connection.ops.quote_name(DEFAULT)}")  # noqa: S608 - ours
        wanted |= {month.replace(tzinfo=UTC) for (month,) in cursor.fetchall()}
    have = {partition.lower for partition in event_partitions()}
    return sorted(wanted - have)


def _create_month(cursor, lower: datetime) -> int:
    """A month's partition, with the DEFAULT partition's rows of that month moved into it; returns their number.
    Built apart, then attached: ATTACH checks the DEFAULT partition holds no row of the month any more, and gives
    the new table the table's indexes, primary key and foreign key."""
    upper = month_start(lower, 1)
    quote = connection.ops.quote_name
    name, table, default = quote(partition_name(lower)), quote(TABLE), quote(DEFAULT)
    cursor.execute(f"CREATE TABLE {name} (LIKE {table})")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {default} WHERE received_at >= %s AND received_at < %s RETURNING *)"  # noqa: S608
        f" INSERT INTO {name} SELECT * FROM moved",
        [lower, upper],
    )
    moved = cursor.rowcount
    # partition bounds cannot be parameters; these are timestamps this module formats
    bounds = f"FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES {bounds}")
    return moved


def partitions_ensure(*, ahead: int = AHEAD_MONTHS, now: datetime | None = None) -> list[str]:
    """Create the partitions the coming months need (see the module's docstring); returns the names created.
    A run with nothing to create only reads the catalog; one that creates holds the DEFAULT partition locked
    (inserts routed to it wait) for the time it takes to move its rows of those months (normally none)."""
    if not is_partitioned():
        return []
    now = now or timezone.now()
    if not _missing_months(ahead=ahead, now=now):
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        # taken before reading again, so that two runs at once create each month once and no row reaches the
        # DEFAULT partition between the move and the attach
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(DEFAULT)} IN ACCESS EXCLUSIVE MODE")
        for lower in _missing_months(ahead=ahead, now=now):
            moved = _create_month(cursor, lower)
            created.append(partition_name(lower))
            log.info("event partition created", extra={"partition": created[-1], "moved_from_default": moved})
    return created


def _retention_cutoff(retention_days: int | None, now: datetime | None) -> datetime | None:
    days = settings.EVENTS_RETENTION_DAYS if retention_days is None else retention_days
    if not days or days <= 0:
        return None  # keep forever
    return (now or timezone.now()) - timedelta(days=days)


def partitions_drop_expired(*, retention_days: int | None = None, now: datetime | None = None) -> dict:
    """Drop what is past the retention (``EVENTS_RETENTION_DAYS`` unless given; 0 keeps everything): on a
    partitioned table each month partition whose upper bound is at or before ``now - retention`` (DETACH, then
    DROP: the parent is locked only for the catalog change, never for a row scan); elsewhere the older events,
    deleted in batches. Returns ``{"partitions": [names], "events": count}``."""
    cutoff = _retention_cutoff(retention_days, now)
    if cutoff is None:
        return {"partitions": [], "events": 0}
    if not is_partitioned():
        return {"partitions": [], "events": _delete_older(cutoff)}
    quote = connection.ops.quote_name
    dropped, events = [], 0
    for partition in event_partitions():
        if partition.upper > cutoff:
            break  # oldest first: the rest are newer
        name = quote(partition.name)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 - a partition's name, from the catalog
            count = cursor.fetchone()[0]
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"ALTER TABLE {quote(TABLE)} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        dropped.append(partition.name)
        events += count
        log.info("event partition dropped", extra={"partition": partition.name, "events": count})
    return {"partitions": dropped, "events": events}


def _delete_older(cutoff: datetime) -> int:
    """Events received before ``cutoff``, deleted ``DELETE_BATCH`` at a time (each its own short transaction)."""
    table = connection.ops.quote_name(TABLE)
    sql = f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE received_at < %s ORDER BY id LIMIT %s)"  # noqa: S608
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [cutoff, DELETE_BATCH])
            count = cursor.rowcount
        deleted += count
        if count < DELETE_BATCH:
            return deleted


def partitions_maintain() -> dict:
    """The beat's upkeep: create the coming months, then drop the expired ones."""
    created = partitions_ensure()
    expired = partitions_drop_expired()
    return {"created": created, "dropped": expired["partitions"], "events_dropped": expired["events"]}
