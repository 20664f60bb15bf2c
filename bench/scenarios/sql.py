"""Each statement of ``core.sql`` against its plain ORM form, in process: what keeps it.

Every statement is timed beside the ORM form that ``tests/core/test_sql_conformance.py`` proves equal to it, each
call in its own transaction as a request runs it, the two alternating in ``ROUNDS`` rounds (so a burst of load on
the shared machine hits both alike), with the garbage collector paused while timing. One table row per statement:
the ORM form is the baseline, so the ratio is the statement's speed-up. ``BENCH_SQL_CALLS`` (default 2,000) calls
per variant.
"""

import gc
import os
import time
from datetime import UTC, datetime, timedelta

from bench.harness import Result, scenario
from bench.support import fresh_database

CALLS = int(os.environ.get("BENCH_SQL_CALLS", "2000"))
ROUNDS = 10
CAPTURED = datetime(2026, 1, 1, tzinfo=UTC)


def _timed(run, calls: int, offset: int) -> float:
    from django.db import transaction

    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for n in range(offset, offset + calls):
            with transaction.atomic():
                run(n)
        return time.perf_counter() - start
    finally:
        gc.enable()


def _compare(name: str, orm, statement, *, orm_label: str, statement_label: str) -> list[Result]:
    """Time ``orm(n)`` and ``statement(n)`` (n = call number, distinct per call across both) interleaved."""
    per_round = max(1, CALLS // ROUNDS)
    _timed(orm, min(50, per_round), 10_000_000)  # warm-up: caches, compiled statements, connection
    _timed(statement, min(50, per_round), 20_000_000)
    seconds = {"orm": 0.0, "statement": 0.0}
    for r in range(ROUNDS):
        seconds["orm"] += _timed(orm, per_round, 2 * r * per_round)
        seconds["statement"] += _timed(statement, per_round, (2 * r + 1) * per_round)
    size = per_round * ROUNDS
    return [
        Result(name, f"ORM: {orm_label}", size, seconds["orm"], unit="calls/s", baseline=True),
        Result(name, f"core.sql: {statement_label}", size, seconds["statement"], unit="calls/s"),
    ]


@scenario("sql-statements")
def sql_statements() -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, connection, transaction
    from django.utils import timezone

    from contacts import selectors
    from contacts.models import ContactStatusEvent, CustomerContact, CustomerContactIdentifier, TemplateParameter
    from core import sql
    from core.auth import load_user
    from outages.models import ExternalSystem, OutageEvent

    fresh_database()
    vendor = connection.vendor
    results: list[Result] = []

    # core.auth.load_user: every Basic-cache hit and every JWT request loads the user.
    user_model = get_user_model()
    for n in range(100):
        user_model.objects.create_user(f"user-{n}", password=None)
    results += _compare(
        "sql-user-load",
        lambda n: user_model._default_manager.filter(username=f"user-{n % 100}").first(),
        lambda n: load_user("username", f"user-{n % 100}"),
        orm_label="filter(username=).first()",
        statement_label="Select (load_user)",
    )

    # contacts: the locking read of an update, with its lists and "is this a retry?".
    contacts = []
    for n in range(100):
        contact = CustomerContact.objects.create(external_cc_id=f"C-{n}", cc_id=f"{n:010d}", status="C1PN")
        CustomerContactIdentifier.objects.create(contact=contact, external_ref_id=f"R-{n}", identifier_type="C1NS")
        TemplateParameter.objects.create(contact=contact, key="eta", value="18:30")
        ContactStatusEvent.objects.create(contact=contact, status="C1PN", event_captured_at=CAPTURED)
        contacts.append(contact)

    def read(n):
        return {"external_cc_id": f"C-{n % 100}", "status": "C1ST", "reason": "", "captured": CAPTURED}

    results += _compare(
        "sql-contact-lock",
        lambda n: selectors._for_update(True, True, **read(n)).first(),
        lambda n: selectors.contact_for_update(**read(n)),
        orm_label="select_for_update + lists + Exists, .first()",
        statement_label="Select (contact_for_update)",
    )

    # contacts: a create with two lists and its first status report.
    def contact_row(n):
        now = timezone.now()
        return {
            "external_cc_id": f"NEW-{n}",
            "cc_id": f"9{n:09d}",
            "status": "C1PN",
            "created_at": now,
            "updated_at": now,
        }

    def children():
        return [
            (
                CustomerContactIdentifier,
                "contact",
                [{"position": 0, "external_ref_id": "R", "identifier_type": "C1NS"}],
            ),
            (TemplateParameter, "contact", [{"position": 0, "key": "eta", "value": "18:30"}]),
            (ContactStatusEvent, "contact", [{"status": "C1PN", "event_captured_at": CAPTURED, "applied": True}]),
        ]

    def orm_create(n):
        try:
            with transaction.atomic():
                parent = CustomerContact.objects.create(**contact_row(n))
        except IntegrityError:
            return None
        for child, fk, items in children():
            child.objects.bulk_create([child(**{fk: parent}, **item) for item in items])
        return parent.pk

    results += _compare(
        "sql-contact-create",
        orm_create,
        lambda n: sql.insert_returning_pk(CustomerContact, contact_row(n), children=children()),
        orm_label="create in a savepoint + bulk_create per list",
        statement_label="insert_returning_pk",
    )

    # contacts: a status update with its history entry.
    def changed(n):
        contact = contacts[n % 100]
        contact.status, contact.event_captured_at = ("C1ST", "C1DV")[n % 2], CAPTURED + timedelta(minutes=n)
        event = ContactStatusEvent(
            contact_id=contact.pk, status=contact.status, event_captured_at=contact.event_captured_at
        )
        return contact, event

    fields = ["status", "event_captured_at", "updated_at"]

    def orm_update(n):
        contact, event = changed(n)
        contact.save(update_fields=fields)
        ContactStatusEvent.objects.bulk_create([event])

    def statement_update(n):
        contact, event = changed(n)
        sql.update_and_insert(contact, fields, event)

    results += _compare(
        "sql-contact-update",
        orm_update,
        statement_update,
        orm_label="save(update_fields) + bulk_create",
        statement_label="update_and_insert",
    )

    # outages: the event of a notification, locked (an update, the usual case) or created.
    system = ExternalSystem.objects.create(name="BENCH")
    for n in range(100):
        OutageEvent.objects.create(external_system=system, external_outage_id=f"E-{n}")
    unique = ("external_system", "external_outage_id")
    for kind, key in (("stored", lambda n: f"E-{n % 100}"), ("new", lambda n: f"N-{n}")):
        results += _compare(
            f"sql-event-lock-{kind}",
            lambda n, key=key: OutageEvent.objects.select_for_update().get_or_create(
                external_system=system, external_outage_id=key(n)
            ),
            lambda n, key=key: sql.lock_or_insert(
                OutageEvent(external_system=system, external_outage_id=key(n)), unique
            ),
            orm_label="select_for_update().get_or_create()",
            statement_label="lock_or_insert",
        )
    for result in results:
        result.extra["db"] = vendor
    return results
