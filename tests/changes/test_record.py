"""Every door records its change, per domain: the wire API, the admin (actions), tasks and commands all go through
the services, which record one change per domain action, in the write's transaction, naming who, when, which
request and which object (with its natural key) and what changed, field by field."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.changes.models import Change
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory
from tests.factories.contacts import CustomerContactFactory
from tests.factories.enrollments import jane_doe_enrollment
from tests.factories.outages import ExternalSystemFactory, OutageEventFactory

pytestmark = pytest.mark.django_db

RID = "req-changes-0001"
NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"
CONTACTS = "/rest/apis/customer/v-model/customerContact/"
POLICIES = "/events-service/api/v1.0/blackout_policies"
BUNDLES = "/InventoryRSOpenAPI/serviceInventoryManagement/v2/bundle"
ENROLL = "/rest/apis/cross/digitalAssets/programEnrollments"


def only(**filters) -> Change:
    found = list(Change.objects.filter(**filters))
    assert len(found) == 1, [str(c) for c in Change.objects.all()]
    return found[0]


# --- The wire API, one case per domain ----------------------------------------------------------------------------
def wire_outages(client, bmc):
    ExternalSystemFactory(name="OMS1")
    body = {
        "externalSystem": "OMS1",
        "outageMessages": [
            {
                "eventDetails": {
                    "externalOutageId": "OUT-1",
                    "messageReference": "1",
                    "startDateTime": "2026-01-01T10:00:00Z",
                    "estimatedRestorationTime": "2026-01-01T12:00:00Z",
                },
                "customerInformation": {"customers": [{"accountId": "0000000001"}, {"accountId": "0000000002"}]},
            }
        ],
    }
    response = client.post(NOTIFICATIONS, data=body, format="json", HTTP_X_REQUEST_ID=RID)
    assert response.status_code in (200, 201), response.content
    change = only(object_type="outages.outageevent")
    assert change.natural_key == "OMS1/OUT-1"
    assert change.action == "created"
    assert change.counts == {"customers": 2}
    assert change.changes["estimated_restoration_time"][1].startswith("2026-01-01T12:00:00")
    return change


def wire_contacts(client, bmc):
    from tests.contacts.conftest import SPEC_BODY

    body = dict(SPEC_BODY)
    response = client.put(CONTACTS + "EXT-CHANGES-1", data=body, format="json", HTTP_X_REQUEST_ID=RID)
    assert response.status_code == 200, response.content
    change = only(object_type="contacts.customercontact")
    assert change.natural_key == "EXT-CHANGES-1"
    assert change.events == ["contact.status_changed"]
    return change


def wire_enrollments(client, bmc):
    enrollment = jane_doe_enrollment()
    body = {
        "transactionId": "TX-CHANGES-1",
        "unenrollReason": "CUSTOMEROPTOUT",
        "customerInfo": {"cisAccountId": enrollment.customer.cis_account_id},
        "locationInfo": {"cisServicePointID": enrollment.service_point.cis_service_point_id},
        "programInfo": {"programId": enrollment.program.program_id, "endDate": timezone.localdate().isoformat()},
    }
    response = client.post(f"{ENROLL}/unenroll", data=body, format="json", HTTP_X_REQUEST_ID=RID)
    assert response.status_code in (200, 201), response.content
    change = only(object_type="enrollments.enrollment")
    assert change.action == "unenrolled"
    assert change.events == ["enrollment.unenrolled"]
    assert change.changes["status"][1] == "UNENROLLED"
    return change


def wire_blackouts(client, bmc):
    from blackouts import spec_examples as spec

    response = bmc.post(POLICIES, data=spec.CREATE_ONE_TIME, format="json", HTTP_X_REQUEST_ID=RID)
    assert response.status_code == 200, response.content
    change = only(object_type="blackouts.blackoutpolicy", action="created")
    assert change.natural_key == spec.CREATE_ONE_TIME["name"]
    return change


def wire_inventory(client, bmc):
    from tests.inventory.conftest import example

    call_inventory_demo()
    response = client.post(BUNDLES, data=example("create-request"), format="json", HTTP_X_REQUEST_ID=RID)
    assert response.status_code == 201, response.content
    change = only(natural_key=f"bundle/{response.json()['id']}", action="created")
    assert Change.objects.filter(object_type="inventory.service", action="created").exists()
    return change


def call_inventory_demo():
    from inventory import demo

    demo.load(stdout=StringIO())


WIRE = [wire_outages, wire_contacts, wire_enrollments, wire_blackouts, wire_inventory]


@pytest.mark.parametrize("case", WIRE, ids=lambda f: f.__name__.removeprefix("wire_"))
def test_wire_write_records_who_when_which_request(case, integration_client, bmc_client):
    before = timezone.now()
    change = case(integration_client, bmc_client)
    assert change.actor == "user:oms"
    assert change.request_id == RID
    assert change.at >= before


# --- The admin, one action per domain ------------------------------------------------------------------------------
def admin_outages():
    event = OutageEventFactory()
    return "admin:outages_outageevent_changelist", "discard", [event.pk], {"object_type": "outages.outageevent"}


def admin_contacts():
    contact = CustomerContactFactory()
    return "admin:contacts_customercontact_changelist", "mark_failed", [contact.pk], {"action": "updated"}


def admin_enrollments():
    enrollment = jane_doe_enrollment()
    return "admin:enrollments_enrollment_changelist", "unenroll_today", [enrollment.pk], {"action": "unenrolled"}


def admin_blackouts():
    policy = BlackoutPolicyFactory(enabled=False)
    return "admin:blackouts_blackoutpolicy_changelist", "enable_policies", [policy.pk], {"action": "enabled"}


def admin_inventory():
    from inventory import services as inventory_services
    from inventory.demo import DEMO_ITEMS

    call_inventory_demo()
    bundle = inventory_services.bundle_create(items=DEMO_ITEMS)
    return "admin:inventory_businessinteraction_changelist", "approve", [bundle.pk], {"action": "state_changed"}


ADMIN = [admin_outages, admin_contacts, admin_enrollments, admin_blackouts, admin_inventory]


@pytest.mark.parametrize("case", ADMIN, ids=lambda f: f.__name__.removeprefix("admin_"))
def test_admin_action_records_the_staff_user(case, staff_client):
    from django.urls import reverse

    url, action, ids, expected = case()
    Change.objects.all().delete()
    response = staff_client.post(
        reverse(url), {"action": action, "_selected_action": [str(i) for i in ids], "reason": "CUSTOMEROPTOUT"}
    )
    assert response.status_code in (200, 302)
    found = Change.objects.filter(actor="user:root", **expected)
    assert found.exists(), [(c.actor, str(c)) for c in Change.objects.all()]
    assert all(c.request_id for c in found)


def test_admin_add_records_created_with_fields(staff_client):
    from django.urls import reverse

    response = staff_client.post(
        reverse("admin:outages_externalsystem_add"), {"name": "OMS-ADMIN", "description": "d", "is_active": "on"}
    )
    assert response.status_code == 302, response.content
    change = only(object_type="outages.externalsystem")
    assert change.action == "created" and change.actor == "user:root"
    assert change.changes["name"] == [None, "OMS-ADMIN"]


# --- Tasks and commands ---------------------------------------------------------------------------------------------
def test_set_based_window_opening_is_one_change_with_counts():
    from blackouts import services as blackout_services
    from blackouts import tasks as blackout_tasks
    from blackouts.api.serializers import policy_fields

    now = timezone.now()
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    body = {
        "name": "storm",
        "executionOrder": 1,
        "eventSelectorCriteria": "class equals 'EVENT'",
        "enabled": True,
        "configurations": {
            "definition": {
                "timeframeDetails": {
                    "startDate": start.strftime("%d%m%Y"),
                    "startTime": start.strftime("%H:%M:%S"),
                    "endTime": end.strftime("%H:%M:%S"),
                    "endsOn": {"endDate": end.strftime("%d%m%Y")},
                    "recurrencePattern": {"recurrence": "oneTime"},
                    "timeZone": {"id": "UTC"},
                },
                "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "true"},
            }
        },
    }
    for _ in range(25):
        EventFactory(event_class="EVENT", status="OPEN")
    policy = blackout_services.policy_create(fields=policy_fields(body), now=now)
    blackout_tasks.window_tick.apply()
    opened = only(action="window_opened", object_id=str(policy.pk))
    assert opened.counts == {"events_blacked_out": 25}
    assert opened.events == ["blackout.window_opened"]
    assert Change.objects.filter(object_type="blackouts.event").count() == 0  # none per event


def test_task_actor_is_the_task_name():
    from enrollments import tasks as enrollment_tasks

    enrollment = jane_doe_enrollment(start_date=timezone.localdate() + timedelta(days=1))
    enrollment.status = "PENDING"
    enrollment.start_date = timezone.localdate()
    enrollment.save()
    Change.objects.all().delete()
    enrollment_tasks.complete_due_unenrollments.apply()
    change = only(action="started", object_id=str(enrollment.pk))
    assert change.actor == "task:enrollments.tasks.complete_due_unenrollments"
    assert change.request_id
    assert change.events == ["enrollment.enrolled"]


def test_command_records_as_the_command():
    call_command("load_demo", stdout=StringIO())
    actors = set(Change.objects.values_list("actor", flat=True))
    assert actors and all(a.startswith("command:") for a in actors), actors


# --- Transactions -----------------------------------------------------------------------------------------------------
def test_rolled_back_write_records_nothing():
    from outages import services as outage_services

    ExternalSystemFactory(name="OMS1")
    from outages.domain import OutageNotification

    message = OutageNotification(outage_id="OUT-9", message_reference="1")
    with pytest.raises(RuntimeError), transaction.atomic():
        outage_services.outage_notifications_apply(external_system="OMS1", notifications=[message])
        assert Change.objects.filter(natural_key="OMS1/OUT-9").exists()  # recorded inside the transaction...
        raise RuntimeError("rolled back")
    assert not Change.objects.filter(natural_key="OMS1/OUT-9").exists()  # ...and gone with it


def test_refused_write_records_nothing(integration_client):
    ExternalSystemFactory(name="OMS1")
    ok = {"eventDetails": {"externalOutageId": "OUT-2", "messageReference": "5"}}
    stale = {"eventDetails": {"externalOutageId": "OUT-2", "messageReference": "4"}}
    integration_client.post(NOTIFICATIONS, data={"externalSystem": "OMS1", "outageMessages": [ok]}, format="json")
    before = Change.objects.count()
    response = integration_client.post(
        NOTIFICATIONS, data={"externalSystem": "OMS1", "outageMessages": [stale]}, format="json"
    )
    assert response.status_code >= 400
    assert Change.objects.count() == before


def test_update_records_fields_before_and_after_and_etr_event(integration_client):
    ExternalSystemFactory(name="OMS1")

    def send(reference, etr):
        details = {"externalOutageId": "OUT-3", "messageReference": reference, "estimatedRestorationTime": etr}
        body = {"externalSystem": "OMS1", "outageMessages": [{"eventDetails": details}]}
        assert integration_client.post(NOTIFICATIONS, data=body, format="json").status_code in (200, 201)

    send("1", "2026-01-01T12:00:00Z")
    send("2", "2026-01-01T14:00:00Z")
    send("3", "2026-01-01T14:00:00Z")  # only the reference moves
    updates = list(Change.objects.filter(natural_key="OMS1/OUT-3", action="updated").order_by("id"))
    assert len(updates) == 2
    first, second = updates
    assert first.changes["estimated_restoration_time"][0].startswith("2026-01-01T12:00")
    assert first.changes["estimated_restoration_time"][1].startswith("2026-01-01T14:00")
    assert first.events == ["outage.updated", "outage.etr_changed"]
    assert set(second.changes) == {"message_reference"}
    assert second.events == ["outage.updated"]


def test_large_customer_list_is_one_change_with_counts(integration_client):
    ExternalSystemFactory(name="OMS1")
    customers = [{"accountId": f"{n:010d}"} for n in range(3000)]
    details = {"externalOutageId": "OUT-4", "messageReference": "1"}
    body = {
        "externalSystem": "OMS1",
        "outageMessages": [{"eventDetails": details, "customerInformation": {"customers": customers}}],
    }
    response = integration_client.post(NOTIFICATIONS, data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201)
    change = only(natural_key="OMS1/OUT-4")
    assert change.counts == {"customers": 3000}


def _window_body(start, end) -> dict:
    return {
        "name": "tick window",
        "executionOrder": 1,
        "eventSelectorCriteria": "class equals 'EVENT'",
        "enabled": True,
        "configurations": {
            "definition": {
                "timeframeDetails": {
                    "startDate": start.strftime("%d%m%Y"),
                    "startTime": start.strftime("%H:%M:%S"),
                    "endTime": end.strftime("%H:%M:%S"),
                    "endsOn": {"endDate": end.strftime("%d%m%Y")},
                    "recurrencePattern": {"recurrence": "oneTime"},
                    "timeZone": {"id": "UTC"},
                },
                "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "true"},
            }
        },
    }


def test_blackout_tick_records_as_the_task():
    from blackouts import services as blackout_services
    from blackouts import tasks as blackout_tasks
    from blackouts.api.serializers import policy_fields

    now = timezone.now().replace(microsecond=0)
    start, end = now - timedelta(minutes=30), now + timedelta(hours=1)
    EventFactory(event_class="EVENT", status="OPEN")
    policy = blackout_services.policy_create(
        fields=policy_fields(_window_body(start, end)), now=start - timedelta(hours=1)
    )
    assert not Change.objects.filter(action="window_opened").exists()  # not open yet when created
    blackout_tasks.window_tick.apply()
    opened = only(action="window_opened", object_id=str(policy.pk))
    assert opened.actor == "task:blackouts.tasks.window_tick"
    assert opened.counts == {"events_blacked_out": 1}


def test_inventory_activation_records_as_its_tasks(inventory_demo, django_capture_on_commit_callbacks):
    from inventory import services as inventory_services
    from inventory.demo import DEMO_ITEMS

    with django_capture_on_commit_callbacks(execute=True):
        bundle = inventory_services.bundle_create(items=DEMO_ITEMS, design_only=False)
    moved = Change.objects.filter(natural_key=f"bundle/{bundle.pk}", action="state_changed")
    assert moved.exists()
    assert all(c.actor.startswith("task:inventory.tasks.") for c in moved), [c.actor for c in moved]
    assert Change.objects.filter(
        object_type="inventory.service", action="state_changed", events__icontains="service.state_changed"
    ).exists()


@pytest.mark.django_db
def test_a_subscription_deleted_by_another_process_gets_no_delivery_and_the_write_stands():
    """The enabled subscriptions are cached per process for a few seconds; one deleted meanwhile elsewhere is
    skipped at the write, never referenced by a delivery."""
    from datetime import UTC, datetime

    from contacts import services as contacts
    from core.changes import recording
    from core.changes.models import Delivery, Subscription

    sub = Subscription.objects.create(
        name="gone", target_url="https://receiver.example.com/hook", event_types=["*"], secret="whsec_" + "A" * 32
    )
    recording._invalidate()
    at = datetime(2025, 2, 6, 10, 0, tzinfo=UTC)
    contacts.contact_upsert(external_cc_id="SUB-1", fields={"status": "C1PN", "event_captured_at": at})
    assert Delivery.objects.filter(subscription=sub).exists()  # the control: a live subscription gets its event
    Delivery.objects.all().delete()
    # Deleted as another process would: no signal reaches this process's cache.
    Subscription.objects.filter(pk=sub.pk)._raw_delete(Subscription.objects.db)
    assert [s.pk for s in recording.enabled_subscriptions()] == [sub.pk]  # still cached here
    contacts.contact_upsert(external_cc_id="SUB-2", fields={"status": "C1PN", "event_captured_at": at})
    assert not Delivery.objects.exists()
