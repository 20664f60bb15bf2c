"""Each statement of :mod:`core.sql` against its plain ORM form: the same input leaves the same rows and returns the
same objects. Runs on the database of the run: SQLite, and PostgreSQL with ``DATABASE_URL`` (run the file twice).
"""

import threading
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from contacts import selectors as contact_selectors
from contacts.models import ContactStatusEvent, CustomerContact, CustomerContactIdentifier, TemplateParameter
from core import sql
from core.auth import load_user
from outages.models import ExternalSystem, OutageEvent

pytestmark = pytest.mark.django_db

STAMPS = {"created_at", "updated_at", "received_at"}  # times taken when the row is written: differ between runs
CAPTURED = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def _values(obj, *, skip=()) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def _rows(model, *, skip=("id",), order=("id",)) -> list[dict]:
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip and f.attname not in STAMPS]
    return list(model.objects.order_by(*order).values(*names))


def _rolled_back(run):
    """``run()``'s result and the rows it left, then undone (so the ORM form can run on the same database)."""
    with transaction.atomic():
        result = run()
        rows = {
            model.__name__: _rows(model)
            for model in (
                CustomerContact,
                CustomerContactIdentifier,
                TemplateParameter,
                ContactStatusEvent,
                OutageEvent,
            )
        }
        transaction.set_rollback(True)
    return result, rows


def _assert_same_instance(statement, orm, *, annotations=()):
    assert (statement is None) == (orm is None)
    if orm is None:
        return
    assert type(statement) is type(orm)
    assert _values(statement) == _values(orm)
    for name in annotations:
        assert getattr(statement, name) == getattr(orm, name), name
        assert type(getattr(statement, name)) is type(getattr(orm, name)), name
    assert not sql.is_unsaved(statement) and not sql.is_unsaved(orm)
    assert sql.stored_in(statement) == sql.stored_in(orm)


# --- Select: the user load -------------------------------------------------------------------------------------
def test_load_user_is_the_orm_first():
    model = get_user_model()
    user = model.objects.create_user("ana", password="x", email="")  # last_login NULL, booleans, a date-time
    stored = model.objects.create_user("bob", password="y", email="b@example.com")
    stored.last_login = timezone.now()
    stored.save()
    for field_name, value in (("username", "ana"), ("username", "bob"), ("id", user.pk), ("id", stored.pk)):
        _assert_same_instance(load_user(field_name, value), model.objects.filter(**{field_name: value}).first())
    assert load_user("username", "nobody") is None
    assert load_user("id", 987_654) is None


# --- Select: the contact's locking read ------------------------------------------------------------------------
def _contact(external_cc_id: str, *, lists: bool, **fields) -> CustomerContact:
    contact = CustomerContact.objects.create(external_cc_id=external_cc_id, cc_id=external_cc_id[-10:], **fields)
    if lists:
        CustomerContactIdentifier.objects.create(
            contact=contact, position=1, external_ref_id="R-2", identifier_type="C1NS"
        )
        CustomerContactIdentifier.objects.create(contact=contact, position=0, external_ref_id="R-1")
        TemplateParameter.objects.create(contact=contact, position=0, key="eta", value="18:30")
    ContactStatusEvent.objects.create(contact=contact, status="C1PN", reason="", event_captured_at=CAPTURED)
    ContactStatusEvent.objects.create(contact=contact, status="C1ST", reason="why", event_captured_at=None)
    return contact


@pytest.mark.parametrize(
    ("status", "reason", "captured"),
    [
        (None, "", None),  # no status: no history lookup
        ("C1PN", "", CAPTURED),  # a retry of a stored report
        ("C1PN", "", datetime(2026, 3, 4, 5, 6, 8, tzinfo=UTC)),  # another time: not a retry
        ("C1ST", "why", None),  # a NULL capture time: never equal in SQL, on both paths
        ("C1ST", "other", None),
        ("C1DV", "", CAPTURED),
    ],
)
def test_contact_for_update_is_the_orm_first(status, reason, captured):
    _contact("CONF-0000001", lists=True, email_subject="", event_captured_at=CAPTURED, status="C1PN")
    _contact("CONF-0000002", lists=False)
    for external_cc_id in ("CONF-0000001", "CONF-0000002", "CONF-missing"):
        with transaction.atomic():
            statement = contact_selectors.contact_for_update(
                external_cc_id, status=status, reason=reason, captured=captured
            )
            orm = contact_selectors._for_update(
                bool(status),
                captured is not None,
                external_cc_id=external_cc_id,
                status=status,
                reason=reason,
                captured=captured,
            ).first()
        _assert_same_instance(statement, orm, annotations=("known_report", "identifiers_rows", "template_data_rows"))
    # the two shapes of report compile apart: one of each was run above
    assert {shape for (_, _, shape) in contact_selectors._FOR_UPDATE._compiled} >= {
        (bool(status), captured is not None)
    }


def test_select_refuses_an_input_the_sql_transforms():
    select = sql.Select(
        lambda name: CustomerContact.objects.filter(reason__icontains=name),
        name=CustomerContact._meta.get_field("reason"),
    )
    with pytest.raises(ValueError, match="cannot precompile"):
        select.get(name="x")


# --- lock_or_insert: the outage event ---------------------------------------------------------------------------
def _orm_event_lock(system, outage_id):
    return OutageEvent.objects.select_for_update().get_or_create(external_system=system, external_outage_id=outage_id)


def test_lock_or_insert_is_get_or_create():
    system = ExternalSystem.objects.create(name="OMS")
    OutageEvent.objects.create(
        external_system=system, external_outage_id="STORED", message_reference="7", start_date_time=CAPTURED
    )
    unique = ("external_system", "external_outage_id")
    for outage_id in ("NEW", "STORED"):
        (statement, statement_new), statement_rows = _rolled_back(
            lambda outage_id=outage_id: sql.lock_or_insert(
                OutageEvent(external_system=system, external_outage_id=outage_id), unique
            )
        )
        (orm, orm_new), orm_rows = _rolled_back(lambda outage_id=outage_id: _orm_event_lock(system, outage_id))
        assert statement_new == orm_new == (outage_id == "NEW")
        assert statement_rows == orm_rows
        if outage_id == "STORED":
            _assert_same_instance(statement, orm)
        else:  # a new row: the same values but its id and the times of its insert
            assert _values(statement, skip={"id", *STAMPS}) == _values(orm, skip={"id", *STAMPS})
            assert statement.created_at is not None and statement.updated_at is not None
            assert not sql.is_unsaved(statement)


def test_lock_or_insert_twice_in_one_transaction_finds_its_own_row():
    system = ExternalSystem.objects.create(name="OMS")
    unique = ("external_system", "external_outage_id")
    with transaction.atomic():
        first, first_new = sql.lock_or_insert(OutageEvent(external_system=system, external_outage_id="X"), unique)
        second, second_new = sql.lock_or_insert(OutageEvent(external_system=system, external_outage_id="X"), unique)
    assert (first_new, second_new) == (True, False)
    assert _values(second) == _values(first) == _values(OutageEvent.objects.get())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_or_insert_waits_for_a_concurrent_insert_and_finds_it():
    """Two transactions lock-or-insert the same key: the second waits for the first's commit, then finds its row
    (not new) — as ``select_for_update().get_or_create()`` does with its savepoint and retry."""
    system = ExternalSystem.objects.create(name="OMS")
    unique = ("external_system", "external_outage_id")
    inserted, release, results = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = sql.lock_or_insert(
                    OutageEvent(external_system=system, external_outage_id="C"), unique
                )
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert inserted.wait(10)
    timer = threading.Timer(0.3, release.set)  # the second statement blocks on the first's row until it commits
    timer.start()
    with transaction.atomic():
        second, second_new = sql.lock_or_insert(OutageEvent(external_system=system, external_outage_id="C"), unique)
    thread.join(10)
    first_event, first_new = results["first"]
    assert (first_new, second_new) == (True, False)
    assert second.pk == first_event.pk and OutageEvent.objects.count() == 1


def test_lock_or_insert_without_a_creation_stamp():
    """PostgreSQL tells a new row by ``xmax``; elsewhere a model needs an ``auto_now_add`` field to tell it."""
    contact = CustomerContact.objects.create(external_cc_id="STAMP", cc_id="7777777777")
    unique = ("contact", "position")
    if connection.vendor != "postgresql":
        with pytest.raises(ValueError, match="auto_now_add"):
            sql.lock_or_insert(CustomerContactIdentifier(contact=contact, position=0), unique)
        return
    with transaction.atomic():
        first = sql.lock_or_insert(CustomerContactIdentifier(contact=contact, position=0, external_ref_id="a"), unique)
        second = sql.lock_or_insert(CustomerContactIdentifier(contact=contact, position=0, external_ref_id="b"), unique)
    assert (first[1], second[1]) == (True, False)
    assert second[0].external_ref_id == "a" == CustomerContactIdentifier.objects.get().external_ref_id


# --- insert_returning_pk: a contact create ------------------------------------------------------------------------
def _contact_row(external_cc_id: str, cc_id: str, **fields) -> dict:
    now = timezone.now()
    return {"external_cc_id": external_cc_id, "cc_id": cc_id, **fields, "created_at": now, "updated_at": now}


def _children(with_event: bool, captured=CAPTURED) -> list:
    children = [
        (CustomerContactIdentifier, "contact", [{"position": 0, "external_ref_id": "R-1", "identifier_type": "C1NS"}]),
        (
            TemplateParameter,
            "contact",
            [{"position": 0, "key": "a", "value": ""}, {"position": 1, "key": "b", "value": "2"}],
        ),
        (TemplateParameter, "contact", []),  # an empty list writes nothing
    ]
    if with_event:
        event = {
            "status": "C1PN",
            "reason": "",
            "event_captured_at": captured,
            "received_at": timezone.now(),
            "applied": True,
        }
        children.append((ContactStatusEvent, "contact", [event]))
    return children


def _orm_insert(model, row, children):
    """The ORM's form: create in a savepoint, ``None`` on a unique conflict; then each child list."""
    try:
        with transaction.atomic():
            parent = model.objects.create(**row)
    except IntegrityError:
        return None
    for child, fk, items in children:
        child.objects.bulk_create([child(**{fk: parent}, **item) for item in items])
    return parent.pk


@pytest.mark.parametrize(
    ("row", "with_event", "captured"),
    [
        ({"account_id": "1589810001", "delivery_channel": "SMS", "event_captured_at": CAPTURED}, True, CAPTURED),
        ({"event_captured_at": None}, True, None),  # NULLs in the row and in the history entry
        ({}, False, CAPTURED),
    ],
)
def test_insert_returning_pk_is_create_and_bulk_create(row, with_event, captured):
    CustomerContact.objects.create(external_cc_id="TAKEN", cc_id="1111111111")
    for external_cc_id, cc_id, conflict in (
        ("NEW", "2222222222", False),
        ("TAKEN", "3333333333", True),  # the external id is taken (a parallel create)
        ("OTHER", "1111111111", True),  # the ccId is taken (a collision)
    ):
        values = _contact_row(external_cc_id, cc_id, **row)
        statement_pk, statement_rows = _rolled_back(
            lambda values=values: sql.insert_returning_pk(
                CustomerContact, values, children=_children(with_event, captured)
            )
        )
        orm_pk, orm_rows = _rolled_back(
            lambda values=values: _orm_insert(CustomerContact, values, _children(with_event, captured))
        )
        assert (statement_pk is None) == (orm_pk is None) == conflict
        # the rows the same, the children under the new parent (ids aside: each run draws its own)
        for rows in (statement_rows, orm_rows):
            for name in ("CustomerContactIdentifier", "TemplateParameter", "ContactStatusEvent"):
                for item in rows[name]:
                    item["contact_id"] = "new" if item["contact_id"] in (statement_pk, orm_pk) else item["contact_id"]
        assert statement_rows == orm_rows


def test_insert_returning_pk_stores_the_values_as_given():
    values = _contact_row("EXACT", "4444444444", event_captured_at=CAPTURED)
    pk = sql.insert_returning_pk(CustomerContact, values)
    assert _values(CustomerContact.objects.get(pk=pk)) == {"id": pk, **_values(CustomerContact(**values), skip={"id"})}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_insert_returning_pk_waits_for_a_concurrent_create_and_inserts_nothing():
    """Two transactions create the same external id: the second waits for the first's commit, then inserts
    nothing (``None``, no error, the transaction still usable), as the ORM's create in a savepoint would."""
    inserted, release, results = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                values = _contact_row("RACE", "8888888888")
                results["first"] = sql.insert_returning_pk(CustomerContact, values, children=_children(True))
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    assert inserted.wait(10)
    timer = threading.Timer(0.3, release.set)
    timer.start()
    with transaction.atomic():
        second = sql.insert_returning_pk(CustomerContact, _contact_row("RACE", "9999999999"), children=_children(True))
        assert CustomerContact.objects.filter(external_cc_id="RACE").count() == 1  # the transaction goes on
    thread.join(10)
    assert results["first"] is not None and second is None
    assert CustomerContact.objects.get().cc_id == "8888888888"
    assert ContactStatusEvent.objects.count() == 1 and TemplateParameter.objects.count() == 2


# --- update_and_insert: a contact update with its history entry ----------------------------------------------
@pytest.mark.parametrize("fields", [["status", "reason", "event_captured_at", "updated_at"], ["email_subject"], []])
@pytest.mark.parametrize("with_event", [True, False])
@pytest.mark.parametrize("captured", [CAPTURED, None])
def test_update_and_insert_is_save_and_bulk_create(fields, with_event, captured):
    contact = CustomerContact.objects.create(
        external_cc_id="UPD", cc_id="5555555555", status="C1PN", event_captured_at=CAPTURED
    )

    def run(statement: bool):
        obj = CustomerContact.objects.get(pk=contact.pk)
        obj.status, obj.reason, obj.event_captured_at, obj.email_subject = (
            "C1ST",
            "why",
            captured,
            "not saved unless named",
        )
        new = (
            ContactStatusEvent(contact_id=obj.pk, status="C1ST", reason="why", event_captured_at=captured)
            if with_event
            else None
        )
        if statement:
            sql.update_and_insert(obj, fields, new)
        else:
            if fields:
                obj.save(update_fields=fields)
            if new is not None:
                ContactStatusEvent.objects.bulk_create([new])
        return obj, new

    (statement_obj, statement_new), statement_rows = _rolled_back(lambda: run(True))
    (orm_obj, orm_new), orm_rows = _rolled_back(lambda: run(False))
    assert statement_rows == orm_rows
    assert _values(statement_obj, skip=STAMPS) == _values(orm_obj, skip=STAMPS)
    if with_event:
        assert statement_new.pk is not None and orm_new.pk is not None
        assert not sql.is_unsaved(statement_new) and not sql.is_unsaved(orm_new)
        assert _values(statement_new, skip={"id", *STAMPS}) == _values(orm_new, skip={"id", *STAMPS})
    if "updated_at" in fields:  # auto_now stamps as a save does, on the instance too
        assert statement_obj.updated_at > contact.updated_at


def test_mark_stored_makes_a_save_an_update():
    contact = CustomerContact.objects.create(external_cc_id="MARK", cc_id="6666666666")
    copy = CustomerContact(**_values(contact))
    assert sql.is_unsaved(copy) and sql.stored_in(copy) is None
    sql.mark_stored(copy)
    assert not sql.is_unsaved(copy) and sql.stored_in(copy) == "default"
    copy.email_subject = "x"
    copy.save()
    assert CustomerContact.objects.count() == 1 and CustomerContact.objects.get().email_subject == "x"
