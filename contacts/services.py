"""What changes contacts: the upsert behind the wire PUT and the admin (with out-of-order protection), the admin's
status marking, and deletion. Says "no" only with :mod:`core.errors`:

- ``contacts.invalid_delivery_value`` (:class:`~core.errors.Invalid` on ``delivery_value``): the value does not fit
  the channel sent or stored;
- ``contacts.cc_id_assigned_by_system`` / ``contacts.cc_id_mismatch`` (:class:`~core.errors.Invalid` on ``cc_id``):
  a client sent a ``ccId`` on create, or one that is not the contact's;
- ``contacts.create_contention`` (:class:`~core.errors.Conflict`): the contact could be neither created nor locked
  after several attempts (only under pathological ``ccId`` collisions or contention).
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core import changes, metrics, sql
from core.errors import Conflict, Invalid

from . import selectors
from .models import (
    ContactStatusEvent,
    CustomerContact,
    CustomerContactIdentifier,
    TemplateParameter,
    delivery_value_check,
)
from .rules import is_out_of_order

CC_ID_ASSIGNED_BY_SYSTEM = "contacts.cc_id_assigned_by_system"
CC_ID_MISMATCH = "contacts.cc_id_mismatch"
CREATE_CONTENTION = "contacts.create_contention"

CC_ID_DIGITS = 10
CREATE_ATTEMPTS = 8

# Fields of CustomerContact an upsert may set; status/reason/event_captured_at travel together as the status.
CONTACT_FIELDS = (
    "account_id",
    "person_id",
    "contact_id",
    "delivery_channel",
    "delivery_value",
    "email_subject",
    "notification_instance_id",
    "notification_preference_id",
    "notification_type",
    "origin",
    "status",
    "reason",
    "event_captured_at",
)
IDENTIFIER_FIELDS = ("external_ref_id", "identifier_type")
TEMPLATE_FIELDS = ("key", "value")
STATUS_DEFAULTS = {"status": "", "reason": "", "event_captured_at": None}


@dataclass
class ContactImport:
    """One contact for :func:`contacts_import`: its fields, lists and status reports in arrival order."""

    external_cc_id: str
    fields: dict  # model field names, as contact_upsert's; status, reason and capture time come from reports
    reports: list[tuple[str, str, datetime | None]] = field(default_factory=list)  # (status, reason, captured)
    identifiers: list[dict] = field(default_factory=list)
    template_data: list[dict] = field(default_factory=list)


@dataclass
class ContactUpsertResult:
    contact: CustomerContact
    created: bool
    stale: bool  # the body's eventCapturedDateTime was older than the contact's: only history was recorded
    event_recorded: bool  # a new status history entry was written


def cc_id_generate() -> str:
    """A random 10-digit Customer Contact ID (leading zeros allowed); uniqueness is the database's job."""
    return f"{secrets.randbelow(10**CC_ID_DIGITS):0{CC_ID_DIGITS}d}"


def _check_delivery_value(values: dict) -> None:
    delivery_value_check(values.get("delivery_channel") or "", values.get("delivery_value") or "")


def _rows(rows: list[dict], fields: tuple[str, ...]) -> list[dict]:
    """Child rows reduced to ``fields``, blanks for what is missing."""
    return [{name: row.get(name, "") or "" for name in fields} for row in rows]


def _replace_children(contact: CustomerContact, related_name: str, rows: list[dict], fields: tuple[str, ...]) -> bool:
    """Replace a contact's ordered child rows as a whole, unless they are already exactly ``rows`` (compared with
    the rows the locking query read: no query when nothing changes)."""
    model = selectors.LISTS[related_name][0]
    current = sorted(getattr(contact, f"{related_name}_rows", None) or [], key=lambda row: row["position"])
    wanted = [tuple(row.get(f, "") or "" for f in fields) for row in rows]
    if [tuple(row[f] for f in fields) for row in current] == wanted:
        return False
    model.objects.filter(contact=contact).delete()
    model.objects.bulk_create(
        [model(contact=contact, position=i, **dict(zip(fields, row, strict=True))) for i, row in enumerate(wanted)]
    )
    return True


def _create(
    external_cc_id: str,
    fields: dict,
    identifiers: list[dict] | None,
    template_data: list[dict] | None,
    report: tuple[str, str, datetime | None] | None,
) -> CustomerContact | None:
    """The new contact as stored (with its lists attached), or ``None`` if the insert met a conflict."""
    now = timezone.now()
    row = {"external_cc_id": external_cc_id, "cc_id": cc_id_generate()}
    for name in CONTACT_FIELDS:
        row[name] = fields.get(name, CustomerContact._meta.get_field(name).get_default())
    row |= {"created_at": now, "updated_at": now}
    lists = {
        "identifiers": _rows(identifiers or [], IDENTIFIER_FIELDS),
        "template_data": _rows(template_data or [], TEMPLATE_FIELDS),
    }
    children = [
        (model, "contact", [{"position": i, **item} for i, item in enumerate(lists[name])])
        for model, name in ((CustomerContactIdentifier, "identifiers"), (TemplateParameter, "template_data"))
    ]
    if report is not None:
        status, reason, captured = report
        event = {"status": status, "reason": reason, "event_captured_at": captured, "received_at": now, "applied": True}
        children.append((ContactStatusEvent, "contact", [event]))
    # One statement on PostgreSQL; ON CONFLICT DO NOTHING: a parallel create of this external id, or a ccId
    # collision, inserts nothing (no error, so no savepoint) and the caller reads again.
    pk = sql.insert_returning_pk(CustomerContact, row, children=children)
    if pk is None:
        return None
    contact = CustomerContact(id=pk, **row)
    sql.mark_stored(contact)
    return selectors.attach_lists(contact, **lists)


@transaction.atomic
def contact_upsert(
    *,
    external_cc_id: str,
    fields: dict,
    identifiers: list[dict] | None = None,
    template_data: list[dict] | None = None,
    cc_id: str | None = None,
) -> ContactUpsertResult:
    """Create the contact of ``external_cc_id`` or update it with the fields sent.

    ``fields`` holds only what the request sent (model field names); absent fields keep their value, absent
    lists keep their rows, sent lists replace them as a whole. A status is recorded in the history once per
    distinct (status, reason, capture time). A body captured before the contact's current
    ``event_captured_at`` is out of order: it is recorded in the history and changes nothing else.
    A retry of a report already in the history records nothing and does not re-apply that status.
    ``cc_id``, when the client sends one, must be the contact's: the system assigns it.

    Queries: an update is the locking read (which also answers "is this a retry?" and reads the lists), the
    UPDATE when a field changed, and the history INSERT; a create is the locking read and one INSERT per table
    written (one statement in all on PostgreSQL). A list sent unchanged costs nothing.
    The result's contact carries its lists (no read needed for the answer).
    """
    fields = {k: v for k, v in fields.items() if k in CONTACT_FIELDS and v is not None}
    status = fields.get("status")
    captured = fields.get("event_captured_at")
    reason = fields.get("reason", "")
    for _ in range(CREATE_ATTEMPTS):
        contact = selectors.contact_for_update(external_cc_id, status=status, reason=reason, captured=captured)
        if contact is not None:
            break
        _check_delivery_value(fields)
        if cc_id:
            raise Invalid(f'"{cc_id}" is assigned by the system.', code=CC_ID_ASSIGNED_BY_SYSTEM, field="cc_id")
        report = (status, reason, captured) if status else None
        contact = _create(external_cc_id, fields, identifiers, template_data, report)
        if contact is not None:
            if status:
                metrics.outcome("contact_status_reports", "applied")
            sent = {"identifiers": identifiers, "template_data": template_data}
            changes.record(contact, "created", counts={k: len(v) for k, v in sent.items() if v is not None})
            return ContactUpsertResult(contact=contact, created=True, stale=False, event_recorded=bool(status))
        # a parallel create of this external id won (the next read locks its row), or a ccId collision: again
    else:
        raise Conflict(
            f"Customer contact {external_cc_id} could not be created or locked; try again.",
            code=CREATE_CONTENTION,
            external_cc_id=external_cc_id,
        )
    if cc_id and cc_id != contact.cc_id:  # raising rolls the whole upsert back
        raise Invalid(f'"{cc_id}" differs from this contact\'s ccId.', code=CC_ID_MISMATCH, field="cc_id")
    retry = bool(status) and bool(contact.known_report)
    stale = is_out_of_order(captured, contact.event_captured_at)
    before = changes.snapshot(contact)
    lists, changed, replaced = {}, [], {}
    if not stale:
        if retry:  # a report already received is not applied again (it may have been superseded since)
            fields = {k: v for k, v in fields.items() if k not in ("status", "reason", "event_captured_at")}
        changed = [name for name, value in fields.items() if getattr(contact, name) != value]
        if changed:
            merged = {name: getattr(contact, name) for name in ("delivery_channel", "delivery_value")} | fields
            _check_delivery_value(merged)
            for name in changed:
                setattr(contact, name, fields[name])
        if identifiers is not None:
            lists["identifiers"] = _rows(identifiers, IDENTIFIER_FIELDS)
            if _replace_children(contact, "identifiers", lists["identifiers"], IDENTIFIER_FIELDS):
                replaced["identifiers"] = [None, "replaced"]  # a list is no field: named when it changed
        if template_data is not None:
            lists["template_data"] = _rows(template_data, TEMPLATE_FIELDS)
            if _replace_children(contact, "template_data", lists["template_data"], TEMPLATE_FIELDS):
                replaced["template_data"] = [None, "replaced"]

    event_recorded = bool(status) and not retry
    event = None
    if event_recorded:
        event = ContactStatusEvent(
            contact_id=contact.pk, status=status, reason=reason, event_captured_at=captured, applied=not stale
        )
        metrics.outcome("contact_status_reports", "out_of_order" if stale else "applied")
    # The changed fields and the history entry: one statement on PostgreSQL.
    sql.update_and_insert(contact, [*changed, "updated_at"] if changed and not stale else [], event)
    if stale and event_recorded:
        changes.record(contact, "status_out_of_order", changes={"status": [None, status]})
    elif not stale:
        counts = {name: len(rows) for name, rows in lists.items()}
        changes.record(contact, "updated", before=before, changes=replaced, counts=counts)  # a replay: nothing
    selectors.attach_lists(contact, **lists)
    return ContactUpsertResult(contact=contact, created=False, stale=stale, event_recorded=event_recorded)


@transaction.atomic
def contacts_mark_status(
    *, contacts: QuerySet[CustomerContact], status: str, reason: str, captured_at: datetime | None = None
) -> int:
    """Record ``status`` for many contacts at once (admin action), with the same out-of-order rule as the wire.

    Returns how many contacts took it as their current status.
    """
    captured_at = captured_at or timezone.now()
    current = dict(contacts.select_for_update().values_list("id", "event_captured_at"))
    ids = list(current)
    newer = {i for i, captured in current.items() if is_out_of_order(captured_at, captured)}
    ContactStatusEvent.objects.bulk_create(
        [
            ContactStatusEvent(
                contact_id=i, status=status, reason=reason, event_captured_at=captured_at, applied=i not in newer
            )
            for i in ids
        ]
    )
    taking = CustomerContact.objects.filter(id__in=ids).exclude(id__in=newer)
    taken = list(taking)
    befores = {c.pk: changes.snapshot(c) for c in taken}
    done = taking.update(status=status, reason=reason, event_captured_at=captured_at, updated_at=timezone.now())
    for contact in taken:
        contact.status, contact.reason, contact.event_captured_at = status, reason, captured_at
    changes.record_many(taken, "updated", befores=befores)
    return done


@transaction.atomic
def contacts_delete(*, contacts: QuerySet[CustomerContact]) -> int:
    """Delete contacts with their lists and status history (admin); returns how many contacts went."""
    for contact in contacts:
        changes.record(contact, "deleted")
    _, per_model = contacts.delete()
    return per_model.get(CustomerContact._meta.label, 0)


def _with_new_cc_ids(contacts: list[CustomerContact]) -> None:
    """Give each new contact a ccId that no stored contact and no other contact of the batch has."""
    pending = contacts
    for _ in range(CREATE_ATTEMPTS):
        for contact in pending:
            contact.cc_id = cc_id_generate()
        wanted = [c.cc_id for c in contacts]
        taken = set(CustomerContact.objects.filter(cc_id__in=wanted).values_list("cc_id", flat=True))
        seen: set[str] = set()
        pending = []
        for contact in contacts:
            if contact.cc_id in taken or contact.cc_id in seen:
                pending.append(contact)
            seen.add(contact.cc_id)
        if not pending:
            return
    raise Conflict("Could not assign distinct ccIds; try again.", code=CREATE_CONTENTION)


@transaction.atomic
def contacts_import(*, records: list[ContactImport]) -> int:
    """Create many new contacts at once (demo data, a migration from another platform), each exactly as if its
    reports had been PUT one after the other: ccIds assigned here, the delivery rule checked, lists kept in order,
    the status history written with the same out-of-order and retry rules as :func:`contact_upsert`.

    External ids already stored (or repeated in ``records``) are skipped. Set-based: a handful of queries whatever
    the count. Returns how many contacts were created.
    """
    stored = set(
        CustomerContact.objects.filter(external_cc_id__in=[r.external_cc_id for r in records]).values_list(
            "external_cc_id", flat=True
        )
    )
    todo: dict[str, ContactImport] = {}
    for record in records:
        if record.external_cc_id not in stored:
            todo.setdefault(record.external_cc_id, record)
    contacts, histories = [], {}
    for ext, record in todo.items():
        values = {k: v for k, v in record.fields.items() if k in CONTACT_FIELDS and v is not None}
        _check_delivery_value(values)
        current = {name: values.pop(name, default) for name, default in STATUS_DEFAULTS.items()}
        events, seen = [], set()
        for status, reason, captured in record.reports:
            if (status, reason, captured) in seen:  # a retry: recorded once, not applied again
                continue
            seen.add((status, reason, captured))
            applied = not is_out_of_order(captured, current["event_captured_at"])
            if applied:
                current.update(status=status, reason=reason)
                if captured is not None:
                    current["event_captured_at"] = captured
            events.append(ContactStatusEvent(status=status, reason=reason, event_captured_at=captured, applied=applied))
        histories[ext] = events
        contacts.append(CustomerContact(external_cc_id=ext, **values, **current))
    _with_new_cc_ids(contacts)
    CustomerContact.objects.bulk_create(contacts)
    ids = dict(CustomerContact.objects.filter(external_cc_id__in=todo).values_list("external_cc_id", "id"))
    rows = {ContactStatusEvent: [], CustomerContactIdentifier: [], TemplateParameter: []}
    for ext, record in todo.items():
        contact_id = ids[ext]
        for event in histories[ext]:
            event.contact_id = contact_id
            rows[ContactStatusEvent].append(event)
        for position, item in enumerate(_rows(record.identifiers, IDENTIFIER_FIELDS)):
            rows[CustomerContactIdentifier].append(
                CustomerContactIdentifier(contact_id=contact_id, position=position, **item)
            )
        for position, item in enumerate(_rows(record.template_data, TEMPLATE_FIELDS)):
            rows[TemplateParameter].append(TemplateParameter(contact_id=contact_id, position=position, **item))
    for model, objs in rows.items():
        model.objects.bulk_create(objs)
    if contacts:  # an import that creates nothing changed nothing: no record
        changes.record_set(
            CustomerContact, "imported", counts={"contacts": len(contacts), "skipped": len(records) - len(contacts)}
        )
    return len(contacts)
