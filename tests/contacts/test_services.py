"""contacts.services: upsert rules below the wire, ccId assignment, set-based status marking, concurrency."""

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from contacts import selectors, services
from contacts.models import ContactStatusEvent, CustomerContact, CustomerContactIdentifier, TemplateParameter
from core.errors import Conflict, Invalid, NotFound
from tests.factories.contacts import CustomerContactFactory

from .conftest import PATH, SPEC_BODY

T0 = datetime(2025, 2, 6, 10, 0, tzinfo=UTC)


def upsert(ext="EXT-1", **fields):
    identifiers = fields.pop("identifiers", None)
    template = fields.pop("template_data", None)
    return services.contact_upsert(external_cc_id=ext, fields=fields, identifiers=identifiers, template_data=template)


def test_cc_id_is_ten_digits():
    for _ in range(200):
        assert re.fullmatch(r"\d{10}", services.cc_id_generate())


@pytest.mark.django_db
def test_cc_id_collision_is_retried_with_a_new_one(monkeypatch):
    existing = CustomerContactFactory(cc_id="1111111111")
    values = iter(["1111111111", "1111111111", "2222222222"])
    monkeypatch.setattr(services, "cc_id_generate", lambda: next(values))
    result = upsert(status="C1PN")
    assert result.created and result.contact.cc_id == "2222222222"
    assert CustomerContact.objects.get(pk=existing.pk).cc_id == "1111111111"


@pytest.mark.django_db
def test_cc_id_never_changes_on_update():
    first = upsert(status="C1PN").contact
    second = upsert(status="C1ST", account_id="1589809012").contact
    assert first.pk == second.pk and first.cc_id == second.cc_id


@pytest.mark.django_db
def test_result_flags():
    created = upsert(status="C1DV", event_captured_at=T0)
    assert created.created and created.event_recorded and not created.stale
    stale = upsert(status="C1ST", event_captured_at=T0 - timedelta(minutes=1))
    assert stale.stale and stale.event_recorded and not stale.created
    retry = upsert(status="C1ST", event_captured_at=T0 - timedelta(minutes=1))
    assert not retry.event_recorded


@pytest.mark.django_db
def test_a_superseded_report_retried_is_not_reapplied():
    upsert(status="C1DV", event_captured_at=T0)
    upsert(status="C1OP", event_captured_at=T0)
    upsert(status="C1DV", event_captured_at=T0)  # the platform retries the first report
    contact = CustomerContact.objects.get()
    assert contact.status == "C1OP"
    assert contact.status_events.count() == 2


@pytest.mark.django_db
def test_delivery_rule_raises_a_domain_error_with_the_model_field_name():
    with pytest.raises(Invalid) as excinfo:
        upsert(delivery_channel="EMAI", delivery_value="+14155552671")
    assert excinfo.value.code == "contacts.invalid_delivery_value"
    assert excinfo.value.errors == [
        ("delivery_value", '"+14155552671" is not an e-mail address (deliveryChannel EMAI).')
    ]
    assert not CustomerContact.objects.exists()


@pytest.mark.django_db
def test_delivery_rule_on_update_checks_the_stored_channel():
    upsert(delivery_channel="EMAI", delivery_value="a@example.com")
    with pytest.raises(Invalid) as excinfo:
        upsert(delivery_value="+14155552671")
    assert excinfo.value.code == "contacts.invalid_delivery_value"
    assert CustomerContact.objects.get().delivery_value == "a@example.com"


@pytest.mark.django_db
def test_model_clean_applies_the_same_rule_as_a_django_validation_error():
    contact = CustomerContactFactory.build(delivery_channel="SMS ", delivery_value="nobody@example.com")
    with pytest.raises(ValidationError) as excinfo:
        contact.clean()
    assert excinfo.value.message_dict == {
        "delivery_value": ['"nobody@example.com" is not a phone number (deliveryChannel SMS).']
    }


@pytest.mark.django_db
def test_cc_id_sent_on_create_is_refused_with_its_code():
    with pytest.raises(Invalid) as excinfo:
        services.contact_upsert(external_cc_id="EXT-1", fields={"status": "C1PN"}, cc_id="1234567890")
    assert (excinfo.value.code, excinfo.value.field) == ("contacts.cc_id_assigned_by_system", "cc_id")
    assert not CustomerContact.objects.exists()


@pytest.mark.django_db
def test_cc_id_of_another_contact_is_refused_with_its_code():
    contact = upsert(status="C1PN").contact
    other = "0000000001" if contact.cc_id != "0000000001" else "0000000002"
    with pytest.raises(Invalid) as excinfo:
        services.contact_upsert(external_cc_id="EXT-1", fields={"status": "C1ST"}, cc_id=other)
    assert excinfo.value.code == "contacts.cc_id_mismatch"
    assert CustomerContact.objects.get().status == "C1PN"


@pytest.mark.django_db
def test_endless_cc_id_collisions_are_a_conflict(monkeypatch):
    CustomerContactFactory(cc_id="1111111111")
    monkeypatch.setattr(services, "cc_id_generate", lambda: "1111111111")
    with pytest.raises(Conflict) as excinfo:
        upsert(status="C1PN")
    assert excinfo.value.code == "contacts.create_contention"


@pytest.mark.django_db
def test_unknown_contact_is_not_found():
    with pytest.raises(NotFound) as excinfo:
        selectors.contact_get(external_cc_id="nobody")
    assert excinfo.value.code == "contacts.contact_not_found"


@pytest.mark.django_db
def test_lists_unchanged_are_not_rewritten():
    rows = [{"external_ref_id": "A", "identifier_type": "C1EX"}, {"external_ref_id": "B", "identifier_type": "C1NS"}]
    upsert(identifiers=rows, template_data=[{"key": "k", "value": "v"}])
    ids = list(CustomerContactIdentifier.objects.values_list("id", flat=True))
    upsert(identifiers=rows, template_data=[{"key": "k", "value": "v"}])
    assert list(CustomerContactIdentifier.objects.values_list("id", flat=True)) == ids
    upsert(identifiers=rows[::-1])
    assert list(CustomerContactIdentifier.objects.order_by("position").values_list("external_ref_id", flat=True)) == [
        "B",
        "A",
    ]
    assert TemplateParameter.objects.count() == 1


@pytest.mark.django_db
def test_identical_upsert_writes_nothing(django_assert_max_num_queries):
    upsert(status="C1ST", event_captured_at=T0, account_id="1589809012", template_data=[{"key": "k", "value": "v"}])
    stamp = CustomerContact.objects.get().updated_at
    with django_assert_max_num_queries(5):  # lock, retry check, template compare, savepoint pair at most
        upsert(status="C1ST", event_captured_at=T0, account_id="1589809012", template_data=[{"key": "k", "value": "v"}])
    assert CustomerContact.objects.get().updated_at == stamp
    assert ContactStatusEvent.objects.count() == 1


@pytest.mark.django_db
def test_mark_status_is_set_based_and_respects_newer_reports(django_assert_max_num_queries):
    future = CustomerContactFactory(status="C1CK", event_captured_at=datetime(2999, 1, 1, tzinfo=UTC))
    others = CustomerContactFactory.create_batch(20, status="C1ST", event_captured_at=T0)
    # savepoint pair, lock ids, newer ids, one insert, one update; the change log: the rows before, one insert of
    # the changes, the enabled subscriptions
    with django_assert_max_num_queries(9):
        taken = services.contacts_mark_status(
            contacts=CustomerContact.objects.all(), status="C1FL", reason="operator", captured_at=T0 + timedelta(1)
        )
    assert taken == 20
    assert set(CustomerContact.objects.filter(pk__in=[c.pk for c in others]).values_list("status", flat=True)) == {
        "C1FL"
    }
    future.refresh_from_db()
    assert future.status == "C1CK"
    assert ContactStatusEvent.objects.filter(status="C1FL").count() == 21
    assert ContactStatusEvent.objects.get(contact=future).applied is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_puts_of_a_new_external_id_create_exactly_one_contact(integration_user):
    """16 clients PUT the same new externalCCId at once: one contact, one ccId, one history entry, all 200."""
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    results: list = [None] * threads_count

    def worker(index: int) -> None:
        client = APIClient()
        client.force_authenticate(integration_user)
        try:
            barrier.wait(timeout=30)
            response = client.put(PATH + "RACE-1", data=SPEC_BODY, format="json")
            results[index] = (response.status_code, response.json().get("ccId"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert connection.vendor == "postgresql"
    assert [status for status, _ in results] == [200] * threads_count, results
    assert len({cc_id for _, cc_id in results}) == 1
    assert CustomerContact.objects.filter(external_cc_id="RACE-1").count() == 1
    assert ContactStatusEvent.objects.count() == 1
    assert CustomerContactIdentifier.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_out_of_order_reports_end_on_the_latest(integration_user):
    """Reports of one contact arriving in parallel in any order: the latest captured wins, all are recorded."""
    statuses = ["C1PN", "C1ST", "C1DV", "C1OP", "C1CK", "C1PN", "C1ST", "C1DV"]
    barrier = threading.Barrier(len(statuses))
    codes: list[int] = []

    def worker(minute: int, status: str) -> None:
        client = APIClient()
        client.force_authenticate(integration_user)
        try:
            barrier.wait(timeout=30)
            body = {"status": status, "eventCapturedDateTime": f"2025-02-06T10:{minute:02d}:00Z"}
            codes.append(client.put(PATH + "RACE-2", data=body, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(m, s)) for m, s in enumerate(statuses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [200] * len(statuses)
    contact = CustomerContact.objects.get(external_cc_id="RACE-2")
    assert contact.status == "C1DV" and contact.event_captured_at == T0 + timedelta(minutes=7)
    assert contact.status_events.count() == len(statuses)


REPORTS = st.lists(
    st.tuples(
        st.sampled_from(["C1PN", "C1ST", "C1DV", "C1CK"]),
        st.sampled_from(["", "r"]),
        st.one_of(st.none(), st.integers(0, 5).map(lambda m: T0 + timedelta(minutes=m))),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(reports=REPORTS)
def test_import_ends_as_the_same_reports_put_one_by_one(reports):
    """contacts_import is the set-based twin of contact_upsert: same current status, same history."""
    fields = {"account_id": "1589809012", "delivery_channel": "SMS ", "delivery_value": "+14155552671"}
    ext = str(uuid.uuid4())
    for index, (status, reason, captured) in enumerate(reports):
        sent = {"status": status, "reason": reason, "event_captured_at": captured}
        services.contact_upsert(external_cc_id=f"PUT-{ext}", fields=sent | (fields if index == 0 else {}))
    created = services.contacts_import(
        records=[services.ContactImport(external_cc_id=f"IMP-{ext}", fields=fields, reports=reports)]
    )
    assert created == 1
    put, imported = (CustomerContact.objects.get(external_cc_id=f"{p}-{ext}") for p in ("PUT", "IMP"))
    columns = ("status", "reason", "event_captured_at", "account_id", "delivery_channel", "delivery_value")
    assert [getattr(imported, c) for c in columns] == [getattr(put, c) for c in columns]
    assert re.fullmatch(r"\d{10}", imported.cc_id) and imported.cc_id != put.cc_id
    history = ("status", "reason", "event_captured_at", "applied")
    assert list(imported.status_events.order_by("id").values_list(*history)) == list(
        put.status_events.order_by("id").values_list(*history)
    )


@pytest.mark.django_db
def test_import_is_set_based_skips_stored_ids_and_keeps_lists(django_assert_max_num_queries):
    CustomerContactFactory(external_cc_id="IMP-0")
    records = [
        services.ContactImport(
            external_cc_id=f"IMP-{n}",
            fields={"delivery_channel": "EMAI", "delivery_value": f"c{n}@example.com"},
            reports=[("C1PN", "", T0), ("C1ST", "", T0 + timedelta(minutes=1))],
            identifiers=[{"external_ref_id": f"R{n}", "identifier_type": "C1EX"}],
            template_data=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
        )
        for n in range(50)
    ]
    with django_assert_max_num_queries(11):  # 10, and the enabled subscriptions for its import.applied event
        assert services.contacts_import(records=records) == 49
    assert CustomerContact.objects.count() == 50
    assert len(set(CustomerContact.objects.values_list("cc_id", flat=True))) == 50
    one = CustomerContact.objects.get(external_cc_id="IMP-7")
    assert one.status == "C1ST" and one.status_events.count() == 2
    assert list(one.template_data.order_by("position").values_list("key", flat=True)) == ["a", "b"]
    assert not CustomerContact.objects.get(external_cc_id="IMP-0").status_events.exists()


@pytest.mark.django_db
def test_import_checks_the_delivery_rule_and_writes_nothing_on_refusal():
    records = [
        services.ContactImport(external_cc_id="OK", fields={"delivery_channel": "EMAI", "delivery_value": "a@b.org"}),
        services.ContactImport(external_cc_id="BAD", fields={"delivery_channel": "EMAI", "delivery_value": "+1415"}),
    ]
    with pytest.raises(Invalid) as excinfo:
        services.contacts_import(records=records)
    assert excinfo.value.code == "contacts.invalid_delivery_value"
    assert not CustomerContact.objects.exists()


@pytest.mark.django_db
def test_import_redraws_colliding_cc_ids(monkeypatch):
    CustomerContactFactory(cc_id="1111111111")
    values = iter(["1111111111", "3333333333", "3333333333", "4444444444"])
    monkeypatch.setattr(services, "cc_id_generate", lambda: next(values))
    records = [services.ContactImport(external_cc_id=f"IMP-{n}", fields={}) for n in range(2)]
    assert services.contacts_import(records=records) == 2
    assert set(CustomerContact.objects.values_list("cc_id", flat=True)) == {"1111111111", "3333333333", "4444444444"}
