"""Events are rendered by the delivery worker, not at the write (``core.changes.rendering``): from the change's
stored state, so an event says what was true at its change even when the object moved on or is gone before it is
sent; from the object as it is for a change stored before states were kept (an upgraded installation); and a
delivery that cannot be rendered is given up, saying why, without holding the others."""

from datetime import datetime

import pytest
from django.utils import timezone

from core.changes import delivery, subscriptions
from core.changes.models import Change, Delivery
from core.changes.registry import RENDERERS, Renderer
from tests.factories.outages import ExternalSystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener(monkeypatch):
    """Writes fill the outbox and enqueue nothing: the test renders (claims) when it wants."""
    monkeypatch.setattr("core.changes.recording.send", lambda *args, **kwargs: False)
    ExternalSystemFactory(name="OMS1")
    return subscriptions.subscription_create(
        target_url="https://hooks.example.com/x", event_types=["outage.created", "outage.etr_changed"]
    )


def notify(outage_id, reference, etr):
    from outages import services as outage_services
    from outages.domain import OutageNotification

    fields = {"estimated_restoration_time": datetime.fromisoformat(etr)}
    message = OutageNotification(outage_id=outage_id, message_reference=str(reference), fields=fields)
    outage_services.outage_notifications_apply(external_system="OMS1", notifications=[message])


def claim_all() -> list[Delivery]:
    """Claim (and so render) every delivery, each object's in turn, as the worker would; the deliveries after."""
    while delivery._claim(timezone.now(), limit=1000):
        Delivery.objects.filter(status=Delivery.Status.PENDING, claimed_until__isnull=False).update(
            status=Delivery.Status.SUCCEEDED, claimed_until=None
        )
    return list(Delivery.objects.order_by("id"))


def test_the_write_stores_the_state_and_queues_no_payload(listener):
    notify("A", 1, "2026-01-01T12:00:00Z")
    (queued,) = Delivery.objects.all()
    assert queued.payload == {}  # rendered by the worker
    state = queued.change.object_state
    assert state["fields"]["external_outage_id"] == "A"
    assert str(state["fields"]["id"]) == queued.change.object_id


def test_each_event_says_what_was_true_at_its_change(listener):
    """Two writes before anything is sent: each event carries the outage as it was at its own change."""
    notify("A", 1, "2026-01-01T12:00:00Z")
    notify("A", 2, "2026-01-01T15:00:00Z")
    created, moved = claim_all()
    assert (created.event_type, moved.event_type) == ("outage.created", "outage.etr_changed")
    assert created.payload["data"]["object"]["estimatedRestorationTime"] == "2026-01-01T12:00:00Z"
    assert created.payload["data"]["object"]["messageReference"] == "1"
    assert moved.payload["data"]["object"]["estimatedRestorationTime"] == "2026-01-01T15:00:00Z"
    assert moved.payload["data"]["object"]["externalSystem"] == "OMS1"


def test_an_object_gone_before_it_is_sent_is_rendered_from_its_state(listener):
    from outages.models import OutageEvent

    notify("A", 1, "2026-01-01T12:00:00Z")
    OutageEvent.objects.all().delete()  # gone (by hand: no change recorded)
    (sent,) = claim_all()
    assert sent.status == Delivery.Status.SUCCEEDED
    assert sent.payload["data"]["object"]["externalOutageId"] == "A"
    assert sent.payload["data"]["object"]["estimatedRestorationTime"] == "2026-01-01T12:00:00Z"


def test_a_change_stored_without_state_is_rendered_from_the_object_as_it_is(listener):
    """An installation upgraded with events still to send: their changes hold no state (and their deliveries were
    rendered at the write then; a backfill of such a change is rendered when sent)."""
    notify("A", 1, "2026-01-01T12:00:00Z")
    Change.objects.update(object_state=None)
    notify("A", 2, "2026-01-01T15:00:00Z")  # the object moved on
    Change.objects.update(object_state=None)
    first, second = claim_all()
    assert first.payload["data"]["object"]["estimatedRestorationTime"] == "2026-01-01T15:00:00Z"  # as it is now
    assert first.payload["data"]["changes"]["external_outage_id"] == [None, "A"]  # the change itself as recorded
    assert second.payload["data"]["object"]["messageReference"] == "2"


def test_gone_and_without_state_a_standard_event_has_no_object(listener):
    from outages.models import OutageEvent

    notify("A", 1, "2026-01-01T12:00:00Z")
    Change.objects.update(object_state=None)
    OutageEvent.objects.all().delete()
    (sent,) = claim_all()
    assert sent.payload["data"]["object"] is None and sent.payload["data"]["natural_key"] == "OMS1/A"


def test_a_tmf_event_of_a_service_gone_without_state_names_it(monkeypatch):
    from inventory.api.events import service_tmf_event

    change = Change(at=timezone.now(), object_type="inventory.service", object_id="7", object_repr="CFS-7")
    change.action, change.changes = "state_changed", {"state": ["designed", "active"]}
    event = service_tmf_event(None, change, "service.state_changed", "evt_1")
    assert event["eventType"] == "ServiceStateChangeEvent"
    assert event["event"] == {"service": {"id": "7", "href": event["event"]["service"]["href"], "name": "CFS-7"}}
    assert event["event"]["service"]["href"].endswith("/InventoryRSOpenAPI/serviceInventoryManagement/v3/service/7")


def test_a_delivery_whose_change_is_gone_is_given_up_saying_why(listener):
    notify("A", 1, "2026-01-01T12:00:00Z")
    Delivery.objects.update(change=None)
    (given_up,) = claim_all()
    assert given_up.status == Delivery.Status.FAILED and given_up.last_error.startswith("not rendered:")
    assert given_up.payload == {}


def test_a_broken_renderer_gives_up_its_event_and_holds_no_other(listener, monkeypatch):
    from outages.models import OutageEvent

    def broken(event):
        if event.external_outage_id == "B":
            raise RuntimeError("renderer bug")
        return {"id": event.external_outage_id}

    monkeypatch.setitem(RENDERERS, OutageEvent, Renderer(wire=broken))
    notify("A", 1, "2026-01-01T12:00:00Z")
    notify("B", 1, "2026-01-01T12:00:00Z")
    a, b = claim_all()
    assert a.status == Delivery.Status.SUCCEEDED and a.payload["data"]["object"] == {"id": "A"}
    assert b.status == Delivery.Status.FAILED and "RuntimeError: renderer bug" in b.last_error


def test_a_retry_sends_the_payload_rendered_first(listener):
    notify("A", 1, "2026-01-01T12:00:00Z")
    (first,) = claim_all()
    Delivery.objects.update(status=Delivery.Status.PENDING, next_attempt_at=timezone.now())
    notify("A", 2, "2026-01-01T15:00:00Z")
    again = claim_all()[0]
    assert again.pk == first.pk and again.payload == first.payload


def test_the_state_gives_back_each_value_as_the_object_held_it():
    """A date-time (with its instant), a date, a decimal, a UUID come back as such; a value the object held as the
    text it was given (a date-time as sent, before the database parsed it) comes back as that text."""
    import datetime as dt
    import decimal
    import uuid

    from blackouts.models import BlackoutPolicy
    from core.changes.recording import object_state
    from core.changes.registry import tracked
    from core.changes.rendering import instance_at

    policy = BlackoutPolicy(
        id=uuid.uuid4(),
        name="p",
        applied_start=dt.datetime(2030, 5, 6, 12, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        applied_end="2030-05-06T11:00:00Z",
    )
    change = Change(object_type="blackouts.blackoutpolicy", object_id=str(policy.pk), object_state=object_state(policy))
    back = instance_at(change, tracked(BlackoutPolicy), None)
    assert back.pk == policy.pk and isinstance(back.pk, uuid.UUID)
    assert back.applied_start == policy.applied_start and isinstance(back.applied_start, dt.datetime)
    assert back.applied_end == "2030-05-06T11:00:00Z"
    assert back.name == "p" and back._state.adding is False
    state = object_state(policy)
    assert state["types"]["applied_start"] == "datetime" and "applied_end" not in state["types"]
    assert {type(v) for v in state["fields"].values()} <= {str, int, float, bool, type(None), list, dict}
    assert (
        decimal.Decimal("1.50")
        == instance_at(
            Change(object_state={"fields": {"name": "1.50"}, "types": {"name": "decimal"}}),
            tracked(BlackoutPolicy),
            None,
        ).name
    )


def test_the_state_holds_no_secret():
    from core.changes.models import Subscription
    from core.changes.recording import object_state

    sub = Subscription(target_url="https://hooks.example.com/x", secret="whsec_" + "B" * 32)
    state = object_state(sub)
    assert "secret" not in state["fields"] and "whsec_" not in str(state)
    assert state["fields"]["target_url"] == "https://hooks.example.com/x"
