"""The statements behind :func:`contacts.services.contact_upsert`: as few round trips as the database allows.

- The **locking read** (:func:`locked`) brings, with the contact, whether the report is a retry (``EXISTS`` on its
  history) and both lists (JSON aggregates); its SQL is compiled once per shape of report, since building it with
  the ORM on every request cost more than running it.
- A **create** (:func:`insert_contact`) is ``INSERT … ON CONFLICT DO NOTHING RETURNING id``: a parallel create of
  the same external id, or a ccId collision, inserts nothing (no error, so no savepoint) and the caller reads
  again. On PostgreSQL the lists and the first history entry are data-modifying CTEs of the same statement.
- An **update** (:func:`save_and_record`) writes the changed fields and appends the history entry, on PostgreSQL
  in one statement.
"""

import functools
import json
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Value
from django.utils import timezone

from . import selectors
from .models import ContactStatusEvent, CustomerContact


def _known_report(*, status: str | None, reason: str, captured: datetime | None) -> Exists | Value:
    """Whether this exact status report (status, reason, capture time) is already in the contact's history (a
    retry), as an expression evaluated by the query that locks the contact: no round trip of its own."""
    if not status:
        return Value(False)
    return Exists(
        ContactStatusEvent.objects.filter(
            contact=OuterRef("pk"), status=status, reason=reason, event_captured_at=captured
        )
    )


_LOCK_INPUTS = {  # stand-ins the locking read is compiled with, one per input
    "external_cc_id": "\x01external_cc_id",
    "status": "\x01status",
    "reason": "\x01reason",
    "captured": datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
}


def _prepared(name: str, value):
    field = ContactStatusEvent._meta.get_field("event_captured_at") if name == "captured" else None
    return field.get_db_prep_value(value, connection) if field is not None else value


@functools.lru_cache(maxsize=32)
def _lock_statement(alias: str, vendor: str, with_status: bool, with_captured: bool) -> tuple[str, tuple]:
    """The SQL of the locking read for one shape of report, compiled once (building it with the ORM costs more
    than running it), and for each of its parameters the input it takes (or its constant value)."""
    stand_in = _LOCK_INPUTS
    known = _known_report(
        status=stand_in["status"] if with_status else None,
        reason=stand_in["reason"],
        captured=stand_in["captured"] if with_captured else None,
    )
    lock = selectors.with_lists(CustomerContact.objects.select_for_update()).annotate(known_report=known)
    query = lock.filter(external_cc_id=stand_in["external_cc_id"]).order_by()[:1].query
    sql, params = query.get_compiler(alias).as_sql()
    by_value = {_prepared(name, value): name for name, value in stand_in.items()}
    return sql, tuple((by_value.get(param), param) for param in params)  # (input, or None for a constant)


def locked(
    external_cc_id: str, *, status: str | None, reason: str, captured: datetime | None
) -> CustomerContact | None:
    """The contact locked for update with, from the same query, whether the report is a retry (``known_report``,
    see :func:`_known_report`) and its lists (``<related name>_rows``)."""
    sql, inputs = _lock_statement(connection.alias, connection.vendor, bool(status), captured is not None)
    values = {"external_cc_id": external_cc_id, "status": status, "reason": reason, "captured": captured}
    contact = next(
        iter(
            CustomerContact.objects.raw(
                sql, [_prepared(name, values[name]) if name else constant for name, constant in inputs]
            )
        ),
        None,
    )
    if contact is not None:
        contact.known_report = bool(contact.known_report)
        for name in selectors.LISTS:
            rows = getattr(contact, f"{name}_rows")
            setattr(contact, f"{name}_rows", json.loads(rows) if isinstance(rows, str) else rows)
    return contact


def values_sql(model, names: tuple[str, ...], rows: list[tuple]) -> tuple[str, list]:
    """``(%s, ...), ...`` (on PostgreSQL ``(CAST(%s AS type), ...)``) for ``rows`` of ``model``'s fields
    ``names``, with their prepared values."""
    fields = [model._meta.get_field(name) for name in names]
    if connection.vendor == "postgresql":  # typed, so that a VALUES list feeding an INSERT ... SELECT fits
        one = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields) + ")"
    else:  # SQLite would cast by affinity (a date-time text to a number)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(value, connection) for row in rows for f, value in zip(fields, row, strict=True)]
    return ", ".join([one] * len(rows)), params


def column_list(model, names) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in names)


def insert_contact(row: dict, children: dict[str, list[dict]], event: dict | None) -> int | None:
    """Insert a new contact with its lists and its first status report; return its id, or ``None`` when its
    external id (a parallel create) or its ccId is already taken (``ON CONFLICT DO NOTHING``: no error, so no
    savepoint). On PostgreSQL one statement writes the four tables (data-modifying CTEs); elsewhere one INSERT a
    table."""
    names = tuple(row)
    values, params = values_sql(CustomerContact, names, [tuple(row.values())])
    insert = (
        f"INSERT INTO {CustomerContact._meta.db_table} ({column_list(CustomerContact, names)}) VALUES {values} "  # noqa: S608
        "ON CONFLICT DO NOTHING RETURNING id"
    )
    parts = [(model, list(items[0]) if items else [], items) for model, items in children.items()]
    if event:
        parts.append((ContactStatusEvent, list(event), [event]))
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:  # SQLite 3.35+ has RETURNING (core.checks refuses an older one)
            cursor.execute(insert, params)
            found = cursor.fetchone()
        if found is None:
            return None
        for model, _, items in parts:
            if items:
                model.objects.bulk_create([model(contact_id=found[0], **item) for item in items])
        return found[0]
    sql, ctes = [f"WITH new_contact AS ({insert})"], []
    for n, (model, fields, items) in enumerate(parts):
        if not items:
            continue
        child_values, child_params = values_sql(
            model, tuple(fields), [tuple(item[f] for f in fields) for item in items]
        )
        columns = column_list(model, fields)
        sql.append(
            f", part{n} AS (INSERT INTO {model._meta.db_table} (contact_id, {columns}) "  # noqa: S608
            f"SELECT new_contact.id, v.* FROM new_contact, (VALUES {child_values}) AS v({columns}))"
        )
        ctes.extend(child_params)
    sql.append(" SELECT id FROM new_contact")
    with connection.cursor() as cursor:
        cursor.execute("".join(sql), params + ctes)
        found = cursor.fetchone()
    return found[0] if found else None


def save_and_record(contact: CustomerContact, changed: list[str], event: dict | None) -> None:
    """Write the changed fields and append the status report to the history: on PostgreSQL both in one statement
    (the UPDATE in a data-modifying CTE), elsewhere one statement each; nothing for what there is not."""
    if changed:
        contact.updated_at = timezone.now()
    if event is not None:
        event = {"contact_id": contact.pk, **event, "received_at": timezone.now()}
    if not (changed and event is not None and connection.vendor == "postgresql"):
        if changed:
            contact.save(update_fields=[*changed, "updated_at"])
        if event is not None:
            ContactStatusEvent.objects.bulk_create([ContactStatusEvent(**event)])
        return
    names = (*changed, "updated_at")
    assignments = ", ".join(
        f"{connection.ops.quote_name(CustomerContact._meta.get_field(n).column)} = %s" for n in names
    )
    update_params = [
        CustomerContact._meta.get_field(n).get_db_prep_save(getattr(contact, n), connection) for n in names
    ]
    values, event_params = values_sql(ContactStatusEvent, tuple(event), [tuple(event.values())])
    history = f"{ContactStatusEvent._meta.db_table} ({column_list(ContactStatusEvent, tuple(event))})"
    sql = (
        f"WITH changed AS (UPDATE {CustomerContact._meta.db_table} SET {assignments} WHERE id = %s RETURNING id) "  # noqa: S608
        f"INSERT INTO {history} VALUES {values}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*update_params, contact.pk, *event_params])
