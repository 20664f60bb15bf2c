"""Customer lists at storm scale: set-based replacement (one DELETE, then COPY or batched INSERTs) and increments
(INSERT ... ON CONFLICT DO NOTHING), without a model instance per row."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..domain import Customer
from ..models import OutageCustomer, OutageCustomerSpell, OutageEvent

CUSTOMER_BATCH = 5000
# A write of at least this many rows refreshes the planner's statistics of the two tables (PostgreSQL ``ANALYZE``,
# a sample, well under a second): without them, the next message's spell statements over a storm's list were
# planned as if the tables were empty (a nested loop, quadratic: 9 minutes for an increment of 10,000 on 100,000).
ANALYZE_AFTER = 10_000


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _customer_keys(customers: Iterable[Customer]) -> list[Customer]:
    """(account, service point) pairs, duplicates dropped, order kept."""
    return list(dict.fromkeys(customers))


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


def outage_customers_write(
    *,
    event: OutageEvent,
    customers: Iterable[Customer],
    incremental: bool,
    empty: bool = False,
    at: datetime | None = None,
) -> tuple[int, bool]:
    """Replace (or, incrementally, extend without duplicates) an event's customer list; return its size and
    whether the list changed (a list sent again as it is stored is not written again).

    Set-based: one DELETE (none when the caller knows the list is ``empty``: an event created just now), then COPY
    (PostgreSQL, over 100 customers), one ``INSERT … SELECT FROM unnest`` (PostgreSQL, up to 100) or batched
    INSERTs; an increment inserts ignoring conflicts on the (event, accountId,
    spId) constraint. A full list of the stored size is compared with the rows its DELETE returns (no statement
    more).

    A list that changed also updates the customers' spells (:class:`~outages.models.OutageCustomerSpell`, the
    history the reliability indices read), as of ``at`` (when the message was received; now by default).
    """
    streamed = _streamed(event, customers, incremental=incremental, empty=empty)
    if streamed is not None:
        count, changed = streamed
    else:
        count, changed = _write_list(event, _customer_keys(customers), incremental=incremental, empty=empty)
    if changed:
        # A stored list means spells exist (migration 0003 gave the old lists theirs): no need to look.
        first = True if empty else (None if event.customer_count == 0 else False)
        spells_follow_list(event.pk, at=at or timezone.now(), full=not incremental or empty, first=first)
        if connection.vendor == "postgresql" and abs(count - event.customer_count) >= ANALYZE_AFTER:
            _analyze()
    return count, changed


def _analyze() -> None:
    tables = (OutageCustomer._meta.db_table, OutageCustomerSpell._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


def _streamed(event: OutageEvent, customers, *, incremental: bool, empty: bool) -> tuple[int, bool] | None:
    """PostgreSQL, a list that is not held in memory (``outages.api.storm.CompactCustomers``, read from the request
    body): written as it is read, never as a list of keys; None when it has to be held after all (a full list of
    the stored size is compared with the stored one).

    A full list is COPYed as sent, in a savepoint: duplicates (rare) break the unique constraint, and the list is
    then written again the ordinary way, without them. An increment needs no care: it ignores conflicts."""
    if connection.vendor != "postgresql" or isinstance(customers, list | tuple):
        return None
    if incremental and not empty and len(customers) > 100:
        _insert_missing_customers(event.pk, customers)
        count = OutageCustomer.objects.filter(event_id=event.pk).count()
        return count, count != event.customer_count
    if len(customers) <= 100 or (not empty and event.customer_count == len(customers)):
        return None  # a small list (one INSERT), or one compared with the stored list: held as keys
    if not empty:
        _delete_customers(event.pk, returning=False)
    try:
        with transaction.atomic():  # a savepoint: the retry writes on what the DELETE left
            _copy_blocks(event.pk, customers)
    except (IntegrityError, psycopg_integrity_error()):
        return None
    return len(customers), bool(len(customers)) or not empty


def psycopg_integrity_error() -> type[Exception]:
    """The driver's own error: a COPY runs on the raw cursor, past Django's wrapping of database errors."""
    import psycopg

    return psycopg.IntegrityError


def _copy_blocks(event_id: int, customers) -> None:
    blocks = getattr(customers, "copy_blocks", None)
    if blocks is None:
        _copy_customers(event_id, customers)
        return
    table = OutageCustomer._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} (event_id, account_id, sp_id) FROM STDIN") as copy,
    ):
        for block in blocks(event_id):
            copy.write(block)


def _write_list(event: OutageEvent, keys: list[Customer], *, incremental: bool, empty: bool) -> tuple[int, bool]:
    vendor = connection.vendor
    changed = bool(keys)
    if not incremental or empty:
        if not empty:
            deleted = _delete_customers(event.pk, returning=event.customer_count == len(keys))
            changed = deleted is None or deleted != set(keys)
        if vendor == "postgresql" and len(keys) > 100:
            _copy_customers(event.pk, keys)
        elif vendor == "postgresql":  # a small list: one INSERT ... SELECT FROM unnest, no model instances
            _insert_missing_customers(event.pk, keys)  # (the list is empty now: nothing to conflict with)
        elif vendor == "sqlite":
            _executemany_customers(event.pk, keys, ignore_conflicts=False)
        else:
            for chunk in _chunks(keys, CUSTOMER_BATCH):
                OutageCustomer.objects.bulk_create(
                    [OutageCustomer(event_id=event.pk, account_id=a, sp_id=s) for a, s in chunk]
                )
        return len(keys), changed
    if vendor == "postgresql":
        _insert_missing_customers(event.pk, keys)
    elif vendor == "sqlite":
        _executemany_customers(event.pk, keys, ignore_conflicts=True)
    else:
        for chunk in _chunks(keys, CUSTOMER_BATCH):
            OutageCustomer.objects.bulk_create(
                [OutageCustomer(event_id=event.pk, account_id=a, sp_id=s) for a, s in chunk], ignore_conflicts=True
            )
    count = OutageCustomer.objects.filter(event_id=event.pk).count()
    return count, count != event.customer_count  # an increment only adds: the same size is the same list


def _delete_customers(event_id: int, *, returning: bool) -> set[tuple[str, str]] | None:
    """One DELETE of an event's customers (no cascade); with ``returning``, the (accountId, spId) it deleted."""
    if not returning:
        OutageCustomer.objects.filter(event_id=event_id).delete()
        return None
    if connection.vendor not in ("postgresql", "sqlite"):  # pragma: no cover - the two supported databases
        deleted = set(OutageCustomer.objects.filter(event_id=event_id).values_list("account_id", "sp_id"))
        OutageCustomer.objects.filter(event_id=event_id).delete()
        return deleted
    table = connection.ops.quote_name(OutageCustomer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE event_id = %s RETURNING account_id, sp_id", [event_id])  # noqa: S608
        return set(map(tuple, cursor.fetchall()))


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


def spells_follow_list(event_id: int, *, at: datetime, full: bool, first: bool | None) -> None:
    """Bring an event's spells in line with its stored list, set-based: a full list closes the open spells of the
    customers it no longer names (``dropped_at = at``); every listed customer without an open spell gets one,
    from ``at`` — or from the outage's start (``added_at`` NULL) when this is the event's first list (``first``;
    ``None``: look)."""
    spells = connection.ops.quote_name(OutageCustomerSpell._meta.db_table)
    listed = connection.ops.quote_name(OutageCustomer._meta.db_table)
    if first is None:  # not known: the event's first list if it has no spell yet
        first = not OutageCustomerSpell.objects.filter(event_id=event_id).exists()
    same = "{o}.event_id = {i}.event_id AND {o}.account_id = {i}.account_id AND {o}.sp_id = {i}.sp_id"
    with connection.cursor() as cursor:
        if full and not first:
            cursor.execute(
                f"UPDATE {spells} SET dropped_at = %s WHERE event_id = %s AND dropped_at IS NULL "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {listed} c WHERE {same.format(o='c', i=spells)})",
                [connection.ops.adapt_datetimefield_value(at), event_id],
            )
        open_spell = f"SELECT 1 FROM {spells} s WHERE {same.format(o='s', i='c')} AND s.dropped_at IS NULL"  # noqa: S608
        missing = "" if first else f" AND NOT EXISTS ({open_spell})"
        cursor.execute(
            f"INSERT INTO {spells} (event_id, account_id, sp_id, added_at, dropped_at) "  # noqa: S608
            f"SELECT c.event_id, c.account_id, c.sp_id, %s, NULL FROM {listed} c WHERE c.event_id = %s{missing}",
            [None if first else connection.ops.adapt_datetimefield_value(at), event_id],
        )
