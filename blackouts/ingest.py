"""Event ingest (BMC ``POST /events``), set-based: the batch is matched against the active policies' compiled
criteria at once (``criteria.FirstMatch``: bit masks, precedence by ``executionOrder`` then name, only the
policies whose guard the batch holds evaluated), stamped, and written in one insert (PostgreSQL: ids from the
sequence, then ``COPY``). One change record per batch.
``services.events_ingest`` is the door; this module is its engine.
"""

import json
import operator
import time
import uuid
from datetime import datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from core import changes, criteria, metrics

from .active_set import active_matcher
from .event_slots import EVENT_SLOTS
from .models import Event, EventStatus

BLACKOUT_FROM = (EventStatus.OPEN, EventStatus.ACK, EventStatus.ASSIGNED)  # statuses ingest may black out
_FROM_ANY = frozenset([*BLACKOUT_FROM, *(status.value for status in BLACKOUT_FROM)])

# Wire attribute -> Event model field: the criteria language's own slot names (one declaration).
EVENT_FIELDS = {**EVENT_SLOTS.text, **EVENT_SLOTS.numeric}
_INPUT = {slot: Event._meta.get_field(name) for slot, name in EVENT_FIELDS.items()}
_PLAIN = {slot: int if slot in EVENT_SLOTS.numeric else str for slot in EVENT_FIELDS}  # needs no preparing
_COLUMNS = tuple(Event._meta.concrete_fields)  # the primary key first
_NAMES = tuple(field.attname for field in _COLUMNS)
_AT = {name: n for n, name in enumerate(_NAMES)}


def _event_row(raw: dict, defaults: list) -> list:
    """An incoming event (wire slot names) as the values of ``Event``'s columns, in ``_COLUMNS`` order; the
    known attributes are prepared as a save would prepare them (``get_prep_value``), any other is a free slot."""
    row = defaults.copy()
    for n in _AUTO_NOW:  # each event its own instant, as a save would stamp it (lists sort by it)
        row[n] = timezone.now()
    for key, value in raw.items():
        field = _INPUT.get(key)
        if field is not None:
            row[_AT[field.attname]] = value if type(value) is _PLAIN[key] else field.get_prep_value(value)
    slots = {k: str(v) for k, v in raw.items() if k not in EVENT_FIELDS and k != "slots"}
    slots.update({k: str(v) for k, v in (raw.get("slots") or {}).items()})
    row[_AT["slots"]] = slots
    return row


def _column_reader(rows: list[list]):
    """Reads a slot's column straight from the rows (``criteria.Batch(read=...)``), as ``EVENT_SLOTS.reader``
    reads it from the row's ``Event.as_selector_input``: a text slot as text (None: ``''``), ``repeat_count``
    through ``int()`` (None: 0), any other from the free slots (missing: ``''``). Values already of the type
    are taken as they are (the usual case: a check per column, not a call per value)."""

    def read(slot: str) -> list:
        field = _INPUT.get(slot)
        if field is None:
            values = [(free or {}).get(slot) for free in map(_SLOTS_OF, rows)]
            kind = str
        else:
            values = list(map(operator.itemgetter(_AT[field.attname]), rows))
            kind = _PLAIN[slot]
        if set(map(type, values)) <= {kind}:
            return values
        if kind is int:
            return [value if type(value) is int else int(value or 0) for value in values]
        return [value if type(value) is str else str(value or "") for value in values]

    return read


_SLOTS_OF = operator.itemgetter(_AT["slots"])


_AUTO_NOW = tuple(
    n for n, field in enumerate(_COLUMNS) if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
)


def _defaults() -> list:
    return [None if field.primary_key else field.get_default() for field in _COLUMNS]


def _insert_rows(rows: list[list]) -> None:
    """Insert the rows in one statement per batch and set their ids (first column): on PostgreSQL the ids are
    drawn from the table's sequence in one query and the rows sent with ``COPY`` (a third of the cost of an
    ``INSERT`` of the same rows from Python, measured); elsewhere one multi-row ``INSERT ... RETURNING`` per
    as many rows as the driver's parameter limit allows (2,500 on SQLite)."""
    table = Event._meta.db_table
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        _copy_rows(rows, table, quote)
        return
    columns = _COLUMNS[1:]
    limit = connection.features.max_query_params or 65535
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, limit // len(columns))
    names = ", ".join(quote(field.column) for field in columns)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    prepare = [_prepared(field) if field.attname in _REPEATED else field.get_db_prep_save for field in columns]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [prep(row[n], connection) for row in chunk for n, prep in enumerate(prepare, 1)]
            values = ", ".join([placeholders] * len(chunk))
            returning = quote(_COLUMNS[0].column)
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES {values} RETURNING {returning}"  # noqa: S608 - names from the model
            cursor.execute(sql, params)
            for row, (pk,) in zip(chunk, sorted(cursor.fetchall()), strict=True):
                row[0] = pk  # one statement's rows take increasing ids in VALUES order


_REPEATED = ("blackout_policy_id", "blacked_out_at")  # a batch's few values (None, its instant, its policies)


def _prepared(field):
    """``field.get_db_prep_save`` answered once per value of the batch (a datetime's costs 2.4-5 us on SQLite,
    and a batch holds one instant and a few policies): equal values prepare alike."""
    seen: dict = {}

    def prepare(value, connection):
        found = seen.get(value, seen)
        if found is seen:
            found = seen[value] = field.get_db_prep_save(value, connection)
        return found

    return prepare


def _copy_text(value) -> str:
    """A policy id or an instant as psycopg's own text dumpers write it into ``COPY`` (``%032x`` of a UUID,
    ``str`` of a datetime), so the row the database reads is the same."""
    return "%032x" % value.int if isinstance(value, uuid.UUID) else str(value)  # noqa: UP031 - psycopg's form


def _copy_rows(rows: list[list], table: str, quote) -> None:
    key = _COLUMNS[0].column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, key, len(rows)]
        )
        for row, (pk,) in zip(rows, sorted(cursor.fetchall()), strict=True):
            row[0] = pk
        json_columns = [n for n, field in enumerate(_COLUMNS) if isinstance(field, JSONField)]
        stamp_columns = [_AT[name] for name in _REPEATED]
        texts: dict = {}  # a stamp's value -> its text, once per batch (psycopg would dump it once per row)
        sql = f"COPY {quote(table)} ({', '.join(quote(field.column) for field in _COLUMNS)}) FROM STDIN"
        started = time.monotonic()
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                out = list(row)
                for n in json_columns:
                    out[n] = json.dumps(out[n], cls=_COLUMNS[n].encoder)
                for n in stamp_columns:
                    value = out[n]
                    if value is not None:
                        text = texts.get(value)
                        if text is None:
                            text = texts[value] = _copy_text(value)
                        out[n] = text
                copy.write_row(out)
        if connection.queries_logged:  # as Django's debug cursor logs a statement, so query counts see it
            seconds = time.monotonic() - started
            connection.queries_log.append({"sql": f"{sql} -- {len(rows)} rows", "time": f"{seconds:.3f}"})


class StoredEvent(NamedTuple):
    """What ingest stored for one event: its id, its status (BLACKOUT when a policy took it), the status a
    blackout replaced, and that policy's id. (A tuple, not an ``Event`` instance: building 500 model instances
    cost as much as matching them against 1,000 policies.)"""

    pk: int
    status: str
    previous_status: str
    blackout_policy_id: uuid.UUID | None


@transaction.atomic
def events_ingest(*, events: list[dict], now: datetime | None = None) -> list[StoredEvent]:
    """Store events (wire slot names); an event matching an active policy is stored as BLACKOUT and
    remembers its status and the policy (lowest executionOrder wins, then name). Returns what was stored,
    in request order.

    Set-based: the batch is matched against every active policy at once (``criteria.FirstMatch``: the
    guards of all the policies checked against the batch together, then the policies whose guard it holds
    evaluated over the whole batch in precedence order), then written in one insert. Queries, whatever the
    number of events: the policy set's token (the active policies are kept per process, ``active_set.py``; two
    more queries when they must be read again, three when a schedule cache is stale) and the insert (on
    PostgreSQL the ids, then ``COPY``)."""
    now = now or timezone.now()
    defaults = _defaults()
    rows = [_event_row(raw, defaults) for raw in events]
    matcher = active_matcher(now=now)
    if matcher and rows:
        status, previous, policy = _AT["status"], _AT["previous_status"], _AT["blackout_policy_id"]
        blacked_out_at, blackout = _AT["blacked_out_at"], EventStatus.BLACKOUT.value
        batch = criteria.Batch(rows, EVENT_SLOTS, read=_column_reader(rows))
        eligible = batch.all
        if not set(map(operator.itemgetter(status), rows)) <= _FROM_ANY:  # else (usual) every event may be taken
            eligible = 0
            for position, row in enumerate(rows):
                if row[status] in BLACKOUT_FROM:
                    eligible |= 1 << position
        for row, policy_id in zip(rows, matcher(batch, eligible), strict=True):
            if policy_id is not None:
                row[previous], row[status] = row[status], blackout
                row[policy], row[blacked_out_at] = policy_id, now
    if rows:
        _insert_rows(rows)
    blacked = sum(1 for row in rows if row[_AT["blackout_policy_id"]] is not None)
    metrics.outcome("events", "received", len(rows))
    metrics.outcome("events", "blacked_out", blacked)
    changes.record_set(Event, "ingested", counts={"events": len(rows), "blacked_out": blacked})
    pk, status, previous, policy = _AT["id"], _AT["status"], _AT["previous_status"], _AT["blackout_policy_id"]
    return [StoredEvent(row[pk], row[status], row[previous], row[policy]) for row in rows]
