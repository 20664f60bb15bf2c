"""The out-of-order rule of status reports (issue 22, "every rule once"): one function (``contacts.rules``), called
by the wire's upsert, the admin's bulk "mark status" action and the import. Each door is tested at the boundary:
a report captured at the same instant as the current status applies, one a microsecond earlier is only recorded.
(The hand mutation sample's admin action boundary ``__gt`` -> ``__gte`` survived; it is killed here.)"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import ContactStatusEvent, CustomerContact
from contacts.rules import is_out_of_order
from tests.factories.contacts import CustomerContactFactory

T0 = datetime(2025, 2, 6, 10, 0, tzinfo=UTC)
EARLIER = T0 - timedelta(microseconds=1)
LATER = T0 + timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("captured", "current", "expected"),
    [
        (EARLIER, T0, True),
        (T0, T0, False),
        (LATER, T0, False),
        (None, T0, False),
        (T0, None, False),
        (None, None, False),
    ],
)
def test_the_rule(captured, current, expected):
    assert is_out_of_order(captured, current) is expected


# --- the wire's upsert ------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("captured", "applied"), [(EARLIER, False), (T0, True), (LATER, True)])
def test_upsert_applies_a_report_unless_it_is_older(captured, applied):
    services.contact_upsert(external_cc_id="E", fields={"status": "C1DV", "event_captured_at": T0})
    result = services.contact_upsert(external_cc_id="E", fields={"status": "C1ST", "event_captured_at": captured})
    assert result.stale is (not applied)
    assert CustomerContact.objects.get().status == ("C1ST" if applied else "C1DV")
    assert ContactStatusEvent.objects.get(status="C1ST").applied is applied


# --- the admin's bulk action ----------------------------------------------------------------------------------
def _mark_failed_in_admin(client, contact, monkeypatch, now):
    monkeypatch.setattr(services.timezone, "now", lambda: now)
    changelist = reverse("admin:contacts_customercontact_changelist")
    response = client.post(changelist, {"action": "mark_failed", "_selected_action": [contact.pk]}, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "applied"), [(LATER, False), (T0, True), (EARLIER, True), (None, True)])
def test_admin_mark_status_applies_unless_the_current_status_is_newer(admin_client, monkeypatch, current, applied):
    contact = CustomerContactFactory(status="C1CK", event_captured_at=current)
    _mark_failed_in_admin(admin_client, contact, monkeypatch, now=T0)
    contact.refresh_from_db()
    assert contact.status == ("C1FL" if applied else "C1CK")
    assert contact.event_captured_at == (T0 if applied else current)
    assert ContactStatusEvent.objects.get(contact=contact, status="C1FL").applied is applied


@pytest.mark.django_db
def test_mark_status_service_at_the_boundary():
    same = CustomerContactFactory(status="C1CK", event_captured_at=T0)
    newer = CustomerContactFactory(status="C1CK", event_captured_at=LATER)
    taken = services.contacts_mark_status(
        contacts=CustomerContact.objects.all(), status="C1NS", reason="r", captured_at=T0
    )
    assert taken == 1
    assert CustomerContact.objects.get(pk=same.pk).status == "C1NS"
    assert CustomerContact.objects.get(pk=newer.pk).status == "C1CK"


# --- the import ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("captured", "applied"), [(EARLIER, False), (T0, True), (LATER, True), (None, True)])
def test_import_applies_a_report_unless_it_is_older(captured, applied):
    reports = [("C1DV", "", T0), ("C1ST", "late", captured)]
    created = services.contacts_import(records=[services.ContactImport(external_cc_id="I", fields={}, reports=reports)])
    assert created == 1
    contact = CustomerContact.objects.get()
    assert (contact.status, contact.event_captured_at) == (("C1ST", captured or T0) if applied else ("C1DV", T0))
    assert ContactStatusEvent.objects.get(status="C1ST").applied is applied
