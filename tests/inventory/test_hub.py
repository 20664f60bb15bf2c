"""TMF638 where the UIM spec is silent (issue 23): ``@referredType`` on references, listener queries in TMF630's
filter syntax judged on each event as rendered, listeners that can verify what they receive (Standard Webhooks
secret, shown once), and hrefs under the public base URL and the API version served."""

import base64
import json
import re

import pytest
from standardwebhooks import Webhook

from core.changes.models import Change, Delivery, Subscription

from .conftest import BASE

pytestmark = pytest.mark.django_db
HUB = f"{BASE}/v3/hub"
SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def receivers(settings):
    """pytest-httpserver on 127.0.0.1 is an allowed target (the SSRF rule is tested in tests/changes)."""
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5


def _register(client, httpserver, path, version="v3", **body):
    httpserver.expect_request(path).respond_with_data("", status=204)
    response = client.post(f"{BASE}/{version}/hub", {"callback": httpserver.url_for(path), **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _received(httpserver, path):
    return [(request, json.loads(request.get_data())) for request, _ in httpserver.log if request.path == path]


def _create_and_activate(client, body, capture):
    """A bundle made from the spec's create example, then approved, issued and activated (events sent in-process)."""
    with capture(execute=True):
        created = client.post(f"{BASE}/v3/bundle", body, format="json")
    assert created.status_code in (200, 201), created.content
    for task in ("APPROVE", "ISSUE", "ACTIVATE"):
        with capture(execute=True):
            response = client.post(f"{BASE}/v3/bundle/{created.json()['id']}/{task}")
        assert response.status_code == 200, response.content
    return created.json()


def _refs(service):
    """Every reference object of a rendered service: parties, resources, places, service links."""
    yield from (("relatedParty", ref) for ref in service.get("relatedParty", []))
    yield from (("supportingResource", ref) for ref in service.get("supportingResource", []))
    yield from (("place", ref) for ref in service.get("place", []))
    yield from (("supportingService", ref) for ref in service.get("supportingService", []))
    yield from (("serviceRelationship", rel["service"]) for rel in service.get("serviceRelationship", []))


def _assert_referred_types(service):
    kinds = set()
    for kind, ref in _refs(service):
        kinds.add(kind)
        assert ref.get("@referredType"), (kind, ref)
        if kind == "relatedParty":
            assert ref["@referredType"] == "Party"  # the demo parties' type (TMF: required on a RelatedParty)
        if kind in ("supportingService", "serviceRelationship"):
            assert ref["@referredType"] == "Service"
    return kinds


def test_references_name_their_referred_type_in_bodies_and_events(
    integration_client, receivers, demo, create_body, httpserver, django_capture_on_commit_callbacks
):
    _register(integration_client, httpserver, "/all")
    bundle = _create_and_activate(integration_client, create_body, django_capture_on_commit_callbacks)
    kinds = set()
    for item in bundle["items"]:
        kinds |= _assert_referred_types(item)
    assert {"relatedParty", "supportingResource", "serviceRelationship"} <= kinds
    events = [event for _, event in _received(httpserver, "/all")]
    assert events
    for event in events:
        if event["eventType"] != "ServiceDeleteEvent":
            _assert_referred_types(event["event"]["service"])
    assert any(event["event"]["service"].get("relatedParty") for event in events)


def test_a_listener_receives_only_what_its_query_selects(
    integration_client, receivers, demo, create_body, httpserver, django_capture_on_commit_callbacks
):
    _register(integration_client, httpserver, "/all", query="")
    _register(integration_client, httpserver, "/state", query="eventType=ServiceStateChangeEvent")
    _register(
        integration_client, httpserver, "/active", query="eventType=ServiceStateChangeEvent&event.service.state=active"
    )
    _register(
        integration_client,
        httpserver,
        "/created-or-active",
        query="eventType=ServiceCreateEvent;event.service.state=active",
    )
    named = _register(
        integration_client,
        httpserver,
        "/named",
        query="eventType = ServiceCreateEvent & event.service.name=BroadbandCFS2",
    )
    _register(
        integration_client, httpserver, "/none", query="eventType=ServiceStateChangeEvent&event.service.state=nope"
    )
    _create_and_activate(integration_client, create_body, django_capture_on_commit_callbacks)

    def received(path):
        return [
            (e["eventType"], e["event"]["service"].get("state"), e["event"]["service"]["name"])
            for _, e in _received(httpserver, path)
        ]

    every = received("/all")
    assert {"ServiceCreateEvent", "ServiceStateChangeEvent"} <= {t for t, _, _ in every}
    assert received("/state") == [e for e in every if e[0] == "ServiceStateChangeEvent"]
    assert received("/active") == [e for e in every if e[0] == "ServiceStateChangeEvent" and e[1] == "active"]
    assert received("/active")
    assert received("/created-or-active") == [e for e in every if e[0] == "ServiceCreateEvent" or e[1] == "active"]
    assert received("/named") == [e for e in every if e[0] == "ServiceCreateEvent" and e[2] == "BroadbandCFS2"]
    assert len(received("/named")) == 1
    assert received("/none") == []
    # Judged when rendered: what a listener's query leaves out is dropped from the outbox then, never sent.
    assert not Delivery.objects.filter(subscription__target_url__endswith="/none").exists()
    assert Subscription.objects.get(pk=named["id"]).event_types == ["service.created"]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("state=active", "'state' is no field"),
        ("eventType=NoSuchEvent", "unknown event type NoSuchEvent"),
        ("eventType=", "a value is missing"),
        ("eventType", "is no condition"),
        ("eventType=ServiceCreateEvent&&eventId=1", "empty condition"),
        ("eventTime.gt=1,2", "one value"),
        ("event.service.state.gt>=1", "one operator"),
        ("filter=event[?(@.id=='1')]", "'filter' is no field"),
    ],
)
def test_an_invalid_query_is_a_400_in_the_uim_envelope_saying_why(integration_client, query, said):
    response = integration_client.post(
        HUB, {"callback": "https://listener.example.com/e", "query": query}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "INVALID_REQUEST" and error["status"] == "400-2" and error["reason"] == "Bad Request"
    assert len(error["message"]) == 1 and error["message"][0].startswith("query: ") and said in error["message"][0]
    assert not Subscription.objects.exists()


def test_a_listener_verifies_each_delivery_with_the_secret_it_gave_or_was_given(
    integration_client, receivers, demo, create_body, httpserver, django_capture_on_commit_callbacks, caplog
):
    given = _register(integration_client, httpserver, "/given", secret=SECRET, query="eventType=ServiceCreateEvent")
    generated = _register(integration_client, httpserver, "/generated", query="eventType=ServiceCreateEvent")
    assert given["secret"] == SECRET
    assert generated["secret"].startswith("whsec_") and generated["secret"] != SECRET
    assert len(base64.b64decode(generated["secret"].removeprefix("whsec_"))) >= 24
    _create_and_activate(integration_client, create_body, django_capture_on_commit_callbacks)

    for path, secret in (("/given", SECRET), ("/generated", generated["secret"])):
        deliveries = _received(httpserver, path)
        assert deliveries
        for request, event in deliveries:
            assert request.headers["webhook-signature"].startswith("v1,")
            assert Webhook(secret).verify(request.get_data(), dict(request.headers)) == event
            with pytest.raises(Exception, match="signature"):
                Webhook(SECRET if secret != SECRET else generated["secret"]).verify(
                    request.get_data(), dict(request.headers)
                )

    # Shown in the registration's answer only: never on a read, in the history or in the logs.
    for listener in (given, generated):
        read = integration_client.get(f"{HUB}/{listener['id']}")
        assert read.status_code == 200 and "secret" not in read.json()
        assert listener["secret"] not in read.content.decode()
    history = json.dumps(list(Change.objects.filter(object_type="changes.subscription").values()), default=str)
    assert history and SECRET not in history and generated["secret"] not in history
    assert SECRET not in caplog.text and generated["secret"] not in caplog.text


@pytest.mark.parametrize(
    "secret",
    [
        base64.b64encode(bytes(32)).decode(),  # base64, but not Standard Webhooks' whsec_ form
        "whsec_%%%",
        "whsec_" + base64.b64encode(bytes(8)).decode(),  # a key shorter than 24 bytes
        "whsec_" + base64.b64encode(bytes(65)).decode(),
    ],
)
def test_an_invalid_secret_is_a_400_on_the_secret(integration_client, secret):
    response = integration_client.post(
        HUB, {"callback": "https://listener.example.com/e", "secret": secret}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "INVALID_REQUEST" and error["message"][0].startswith("secret: ")
    assert secret not in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("/", "http://testserver/"),
        ("https://api.example.com/backoffice", "https://api.example.com/backoffice/"),
        ("https://api.example.com/backoffice/", "https://api.example.com/backoffice/"),
        ("/bo", "http://testserver/bo/"),
    ],
)
@pytest.mark.parametrize("version", ["v1", "v3"])
def test_body_hrefs_follow_the_public_base_url_and_the_version_served(
    integration_client, demo, settings, configured, expected, version
):
    settings.API_PUBLIC_BASE_URL = configured
    services = integration_client.get(f"{BASE}/{version}/service").json()
    assert services
    root = f"{expected}InventoryRSOpenAPI/"
    for service in services:
        assert service["href"] == f"{root}serviceInventoryManagement/{version}/service/{service['id']}"
        assert service["serviceSpecification"]["href"].startswith(f"{root}specification/")
        for kind, ref in _refs(service):
            assert ref["href"].startswith(root), (kind, ref)
            if kind in ("supportingService", "serviceRelationship"):
                assert ref["href"].startswith(f"{root}serviceInventoryManagement/{version}/service/")
    unknown = integration_client.get(f"{BASE}/{version}/service/999999")
    assert unknown.json()["referenceError"] == f"{expected}api/docs/"  # the error envelope's link too


def test_without_a_configured_base_hrefs_keep_the_requests_path_prefix(integration_client, demo, settings):
    settings.API_PUBLIC_BASE_URL = "/"
    response = integration_client.get(f"{BASE}/v2/service", SCRIPT_NAME="/backoffice")
    assert response.status_code == 200
    assert response.json()[0]["href"].startswith(
        "http://testserver/backoffice/InventoryRSOpenAPI/serviceInventoryManagement/v2/service/"
    )


def test_event_hrefs_follow_the_listeners_version_and_the_public_base_url(
    integration_client, receivers, demo, create_body, httpserver, django_capture_on_commit_callbacks, settings
):
    settings.API_PUBLIC_BASE_URL = "/"
    _register(integration_client, httpserver, "/v1", version="v1", query="eventType=ServiceCreateEvent")
    _register(integration_client, httpserver, "/v2", version="v2", query="eventType=ServiceStateChangeEvent")
    settings.API_PUBLIC_BASE_URL = "https://api.example.com/bo"  # a proxy put in front since: the events follow
    _create_and_activate(integration_client, create_body, django_capture_on_commit_callbacks)
    for path, root in (
        ("/v1", "https://api.example.com/bo/InventoryRSOpenAPI/"),
        ("/v2", "https://api.example.com/bo/InventoryRSOpenAPI/"),
    ):
        events = [event for _, event in _received(httpserver, path)]
        assert events
        version = path.strip("/")
        for event in events:
            service = event["event"]["service"]
            assert service["href"] == f"{root}serviceInventoryManagement/{version}/service/{service['id']}"
            for kind, ref in _refs(service):
                assert ref["href"].startswith(root), (kind, ref)
            assert "localhost" not in json.dumps(event)


def test_without_a_configured_base_events_use_the_base_the_listener_registered_through(
    integration_client, receivers, demo, create_body, httpserver, django_capture_on_commit_callbacks, settings
):
    settings.API_PUBLIC_BASE_URL = "/"
    _register(integration_client, httpserver, "/l", version="v1", query="eventType=ServiceCreateEvent")
    _create_and_activate(integration_client, create_body, django_capture_on_commit_callbacks)
    events = [event for _, event in _received(httpserver, "/l")]
    assert events
    for event in events:
        assert event["event"]["service"]["href"].startswith(
            "http://testserver/InventoryRSOpenAPI/serviceInventoryManagement/v1/service/"
        )


VALID_QUERIES = [
    "",
    "eventType=ServiceCreateEvent",
    "eventType=ServiceCreateEvent,ServiceDeleteEvent",
    "eventType=ServiceStateChangeEvent&event.service.state=active",
    "eventType=ServiceCreateEvent;event.service.state=active",
    "?eventType = ServiceCreateEvent & event.service.name=BroadbandCFS2",
    "eventTime.gt=2024-05-01T00:00:00&event.service.relatedParty.role.ne=Customer",
    "event.service.state!=designed",
]


@pytest.mark.parametrize("query", VALID_QUERIES)
def test_the_published_pattern_takes_the_queries_the_server_takes(integration_client, query):
    from inventory.api.hub import QUERY_PATTERN

    assert re.fullmatch(QUERY_PATTERN, query)
    body = {"callback": "https://listener.example.com/e", "query": query}
    assert integration_client.post(HUB, body, format="json").status_code == 201


@pytest.mark.parametrize(
    "query", ["state=active", "eventType=NoSuchEvent", "eventType=", "eventType", "eventType=ServiceCreateEvent&&x=1"]
)
def test_the_published_pattern_refuses_what_the_server_refuses(query):
    from inventory.api.hub import QUERY_PATTERN

    assert not re.fullmatch(QUERY_PATTERN, query)
