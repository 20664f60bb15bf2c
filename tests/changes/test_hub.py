"""The TMF638 hub of the inventory: listeners registered with POST …/hub receive ServiceStateChangeEvent (and the
other TMF638 events) through the change log's delivery engine; errors in the UIM envelope."""

import json

import pytest
from standardwebhooks import Webhook

from core.changes.models import Delivery, Subscription

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_receivers")]
HUB = "/InventoryRSOpenAPI/serviceInventoryManagement/v2/hub"
BUNDLE = "/InventoryRSOpenAPI/serviceInventoryManagement/v2/bundle"


@pytest.fixture
def demo_bundle(db):
    from io import StringIO

    from inventory import demo
    from inventory.models import BusinessInteraction

    demo.load(stdout=StringIO())
    return BusinessInteraction.objects.get(description=demo.DEMO_BUNDLE, parent__isnull=True)


def test_register_read_delete(integration_client, httpserver):
    callback = httpserver.url_for("/listener")
    created = integration_client.post(
        HUB, {"callback": callback, "query": "eventType=ServiceStateChangeEvent"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    secret = body.pop("secret")  # shown in this answer only (tests/inventory/test_hub.py)
    assert secret.startswith("whsec_")
    assert body == {"id": body["id"], "callback": callback, "query": "eventType=ServiceStateChangeEvent"}
    assert integration_client.get(f"{HUB}/{body['id']}").json() == body
    assert integration_client.delete(f"{HUB}/{body['id']}").status_code == 204
    gone = integration_client.get(f"{HUB}/{body['id']}")
    assert gone.status_code == 404
    assert gone.json()["code"] == "ENTITY_NOT_FOUND" and "Hub" in gone.json()["message"][0]


@pytest.fixture
def webhook_subscription(db):
    """A subscription of our own webhooks API (not a hub listener): the hub neither shows nor deletes it."""
    from core.changes import subscriptions

    return subscriptions.subscription_create(target_url="https://hooks.example.com/x", event_types=["*"])


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("hub_id", ["999999", "not-a-number", "webhook"])
def test_unknown_hub_id_is_the_uim_404_naming_the_listener(integration_client, webhook_subscription, method, hub_id):
    if hub_id == "webhook":
        hub_id = str(webhook_subscription.pk)
    response = getattr(integration_client, method)(f"{HUB}/{hub_id}")
    assert response.status_code == 404, response.content
    error = response.json()
    # The envelope every UIM 404 answers, as an unknown service's does (same keys, code, status, entity type):
    # the spec's entityType enumeration has no hub, so the nearest class (Service) and the message names it.
    unknown_service = integration_client.get(HUB.replace("/hub", "/service/999999")).json()
    assert set(error) == set(unknown_service)
    assert error["code"] == unknown_service["code"] == "ENTITY_NOT_FOUND"
    assert error["status"] == "404-1" and error["reason"] == "Not Found"
    assert error["entityType"] == "Service"
    assert error["message"] == [f"Hub listener {hub_id} not found."]
    assert Subscription.objects.filter(pk=webhook_subscription.pk).exists()  # never deleted through the hub


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"callback": "not a url"}, "callback"),
        ({"callback": "http://10.1.2.3/listener"}, "callback"),
        ({"callback": "https://listener.example.com/x", "query": "state=active"}, "query"),
    ],
)
def test_bad_registrations_are_400_in_the_uim_envelope(integration_client, settings, body, field):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = False
    response = integration_client.post(HUB, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "INVALID_REQUEST" and error["status"] == "400-2"
    assert any(field in line for line in error["message"]), error


def test_hub_needs_authentication(api_client):
    assert api_client.post(HUB, {"callback": "https://x.example.com/"}, format="json").status_code == 401


def test_activating_the_demo_bundle_sends_service_state_change_events(
    integration_client, httpserver, demo_bundle, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/listener").respond_with_data("", status=204)
    created = integration_client.post(
        HUB, {"callback": httpserver.url_for("/listener"), "query": "eventType=ServiceStateChangeEvent"}, format="json"
    )
    hub = Subscription.objects.get(pk=created.json()["id"])
    for task in ("APPROVE", "ISSUE", "ACTIVATE"):
        with django_capture_on_commit_callbacks(execute=True):
            response = integration_client.post(f"{BUNDLE}/{demo_bundle.pk}/{task}")
        assert response.status_code == 200, response.content
    events = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert events, "no event reached the listener"
    assert {e["eventType"] for e in events} == {"ServiceStateChangeEvent"}
    services = {e["event"]["service"]["id"]: e["event"]["service"]["state"] for e in events}
    assert set(services.values()) == {"active"}
    from inventory.services.common import bundle_services

    assert set(services) == {str(pk) for pk in bundle_services(demo_bundle).values_list("pk", flat=True)}
    first = httpserver.log[0][0]
    assert Webhook(hub.secret).verify(first.get_data(), dict(first.headers))["eventId"] == events[0]["eventId"]
    assert set(Delivery.objects.filter(subscription=hub).values_list("status", flat=True)) == {"succeeded"}
