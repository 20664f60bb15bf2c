"""A message sent again as it is records no change and sends no event, in every Oracle app (issue 21, finding 8:
200 identical outage notifications gave 199 empty ``outage.updated`` changes and 199 deliveries). A real
difference — a field or a child list — is one more change. The rule is the change log's own: an ``updated`` that
changed no field records nothing, whatever its counts (``core/changes/recording.py``)."""

import json

import pytest
from django.utils import timezone

from core.changes import recording
from core.changes.models import Change, Delivery, Subscription
from tests.factories.enrollments import jane_doe_enrollment
from tests.factories.outages import ExternalSystemFactory

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"
CONTACTS = "/rest/apis/customer/v-model/customerContact/"
ENROLL = "/rest/apis/cross/digitalAssets/programEnrollments"


@pytest.fixture(autouse=True)
def listener(db):
    """A subscription to every event: each change that raises one also makes a delivery."""
    subscription = Subscription.objects.create(
        name="replays", target_url="https://receiver.example.com/hook", event_types=["*"], secret="whsec_" + "A" * 32
    )
    recording._invalidate()
    yield subscription
    recording._invalidate()


def counted(object_type: str) -> tuple[int, int]:
    return (
        Change.objects.filter(object_type=object_type).count(),
        Delivery.objects.filter(change__object_type=object_type).count(),
    )


def test_outage_notification_replayed(integration_client):
    from tests.outages.test_api import SPEC_EXAMPLE_BODY

    ExternalSystemFactory(name="CCB-NMS integration")

    def send(body, times):
        for _ in range(times):
            response = integration_client.post(NOTIFICATIONS, data=json.dumps(body), content_type="application/json")
            assert response.status_code == 200, response.content

    send(SPEC_EXAMPLE_BODY, 1)
    assert counted("outages.outageevent") == (1, 2)  # created: outage.created and outage.restored
    send(SPEC_EXAMPLE_BODY, 19)  # its times sent with -08:00 are the instants stored (in UTC): no change either
    assert counted("outages.outageevent") == (1, 2)
    changed = json.loads(json.dumps(SPEC_EXAMPLE_BODY))
    changed["outageMessages"][0]["eventDetails"]["estimatedRestorationTime"] = "2025-02-07T14:00:00-08:00"
    send(changed, 3)
    assert counted("outages.outageevent") == (2, 4)  # one update: outage.updated and outage.etr_changed
    update = Change.objects.get(object_type="outages.outageevent", action="updated")
    assert set(update.changes) == {"estimated_restoration_time"}


def test_contact_put_replayed(integration_client):
    from tests.contacts.conftest import SPEC_BODY

    for _ in range(5):
        assert integration_client.put(CONTACTS + "EXT-REPLAY", data=SPEC_BODY, format="json").status_code == 200
    assert counted("contacts.customercontact") == (1, 1)  # created, with its status event
    only_a_list = {**SPEC_BODY, "templateData": [{"key": "eta", "value": "19:00"}]}
    for _ in range(3):
        assert integration_client.put(CONTACTS + "EXT-REPLAY", data=only_a_list, format="json").status_code == 200
    update = Change.objects.get(object_type="contacts.customercontact", action="updated")
    assert set(update.changes) == {"template_data"}  # a list is named when it changed (no event: not a status)
    assert counted("contacts.customercontact") == (2, 1)


def test_unenrollment_replayed(integration_client):
    enrollment = jane_doe_enrollment()
    body = {
        "transactionId": "TX-REPLAY-1",
        "unenrollReason": "CUSTOMEROPTOUT",
        "customerInfo": {"cisAccountId": enrollment.customer.cis_account_id},
        "locationInfo": {"cisServicePointID": enrollment.service_point.cis_service_point_id},
        "programInfo": {"programId": enrollment.program.program_id, "endDate": timezone.localdate().isoformat()},
    }
    for _ in range(5):
        assert integration_client.post(f"{ENROLL}/unenroll", data=body, format="json").status_code in (200, 201)
    assert Change.objects.filter(object_type="enrollments.enrollment").count() == 1
    assert Delivery.objects.filter(change__object_type="enrollments.enrollment").count() == 1


def test_counts_alone_make_no_update(integration_client):
    """The shared rule, on its own: ``record(obj, "updated", before=…, counts=…)`` with no changed field."""
    from contacts.models import CustomerContact
    from core import changes
    from tests.factories.contacts import CustomerContactFactory

    contact = CustomerContactFactory()
    before = changes.snapshot(contact)
    assert changes.record(contact, "updated", before=before, counts={"identifiers": 2}) is None
    assert changes.record_many([contact], "updated", befores={contact.pk: before}, counts={"identifiers": 2}) == []
    assert not Change.objects.filter(object_type="contacts.customercontact", action="updated").exists()
    contact.reason = "moved"
    CustomerContact.objects.filter(pk=contact.pk).update(reason="moved")
    recorded = changes.record(contact, "updated", before=before, changes={"identifiers": [None, "replaced"]})
    assert set(recorded.changes) == {"reason", "identifiers"}  # given changes add to the diff of ``before``
