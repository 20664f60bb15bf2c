"""A contact's outbound events (issue #24): a change of its delivery details (channel, contact information,
notification type, e-mail subject, preference, instance) raises ``contact.delivery_changed`` at every door that can
make one (the admin's change form, the wire's PUT); a status report raises ``contact.status_changed`` as before."""

import pytest
from django.urls import reverse

from contacts import services
from contacts.events import DELIVERY_FIELDS
from contacts.models import CustomerContact
from core.changes.models import Change, Delivery, Subscription
from tests.contacts.test_admin import form_data

pytestmark = pytest.mark.django_db

CONTACTS = "/rest/apis/customer/v-model/customerContact/"


@pytest.fixture
def receiver():
    """A subscription to every event (its deliveries are what a receiver would get)."""
    return Subscription.objects.create(
        name="all", target_url="https://receiver.example.com/hook", event_types=["*"], secret="whsec_" + "A" * 32
    )


@pytest.fixture
def contact(db):
    services.contact_upsert(
        external_cc_id="EV-1",
        fields={
            "delivery_channel": "SMS ",
            "delivery_value": "+14155552671",
            "notification_type": "OUTAGE_RESTORED",
        },
    )
    Change.objects.all().delete()
    return CustomerContact.objects.get(external_cc_id="EV-1")


def _events() -> list[str]:
    return sorted(Delivery.objects.values_list("event_type", flat=True))


@pytest.mark.parametrize(
    "edit",
    [
        {"delivery_value": "+14155550000"},
        {"notification_type": "OUTAGE_ETR"},
        {"delivery_channel": "EMAI", "delivery_value": "jane@example.com"},
    ],
    ids=["delivery value", "notification type", "channel and value"],
)
def test_an_admin_edit_of_delivery_details_raises_delivery_changed(admin_client, contact, receiver, edit):
    url = reverse("admin:contacts_customercontact_change", args=[contact.pk])
    response = admin_client.post(url, form_data(admin_client.get(url), **edit))
    assert response.status_code == 302, response.content
    change = Change.objects.get(object_type="contacts.customercontact", action="updated")
    assert set(edit) <= set(change.changes)
    assert change.events == ["contact.delivery_changed"]
    assert _events() == ["contact.delivery_changed"]
    assert change.actor == "user:admin"


def test_a_wire_put_that_moves_the_delivery_value_raises_delivery_changed(integration_client, contact, receiver):
    response = integration_client.put(CONTACTS + "EV-1", {"deliveryValue": "+14155550001"}, format="json")
    assert response.status_code == 200, response.content
    assert _events() == ["contact.delivery_changed"]


def test_a_status_report_alone_raises_status_changed_only(integration_client, contact, receiver):
    body = {"status": "C1DV", "eventCapturedDateTime": "2025-02-06T10:00:00Z"}
    assert integration_client.put(CONTACTS + "EV-1", body, format="json").status_code == 200
    assert _events() == ["contact.status_changed"]


def test_a_put_of_the_same_details_raises_nothing(integration_client, contact, receiver):
    body = {"deliveryValue": "+14155552671", "notificationType": "OUTAGE_RESTORED"}
    assert integration_client.put(CONTACTS + "EV-1", body, format="json").status_code == 200
    assert _events() == []


def test_every_delivery_field_is_a_field_of_the_contact():
    names = {f.name for f in CustomerContact._meta.concrete_fields}
    assert set(DELIVERY_FIELDS) <= names
