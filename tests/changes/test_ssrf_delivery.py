"""The SSRF rule at send time (issue #21, finding 5): the sender resolves a target once, vets every address and
connects to a vetted one (a rebinding resolver cannot send it elsewhere), keeps the host name for the Host header
and TLS (server name and certificate), and re-vets targets stored under older rules, recording a refusal once."""

import ssl

import httpcore
import httpx
import pytest

from core.changes import delivery, subscriptions
from core.changes.models import Delivery, DeliveryAttempt, Subscription
from tests.factories.outages import ExternalSystemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_production_rule")]
PUBLIC = "93.184.216.34"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5


@pytest.fixture
def system(db):
    return ExternalSystemFactory(name="OMS1")


@pytest.fixture
def connects(monkeypatch):
    """Every TCP connection the HTTP client opens, as (host, port); the public test address is unreachable (no
    network in tests), everything else is really connected."""
    opened: list[tuple[str, int]] = []
    real = httpcore.SyncBackend.connect_tcp

    def connect_tcp(self, host, port, *args, **kwargs):
        opened.append((host, port))
        if host == PUBLIC:
            raise httpcore.ConnectError(f"{PUBLIC} is not reachable from the tests")
        return real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return opened


def notify(django_capture_on_commit_callbacks) -> None:
    from outages import services as outage_services
    from outages.domain import OutageNotification

    message = OutageNotification(outage_id="OUT-1", message_reference="1")
    with django_capture_on_commit_callbacks(execute=True):
        outage_services.outage_notifications_apply(external_system="OMS1", notifications=[message])


def test_dns_rebinding_cannot_reach_a_loopback_listener(
    httpserver, resolver, connects, settings, system, django_capture_on_commit_callbacks
):
    """The resolver answers a public address, then 127.0.0.1: the connection goes to the public address that was
    checked, never to the listener on loopback."""
    httpserver.expect_request("/hooks").respond_with_data("reached")
    settings.WEBHOOKS_ALLOWED_PORTS = (80, 443, httpserver.port)
    resolver.set("rebind.test", PUBLIC)
    sub = subscriptions.subscription_create(
        target_url=f"http://rebind.test:{httpserver.port}/hooks", event_types=["outage.created"], secret=SECRET
    )
    resolver.lookups.clear()
    resolver.set("rebind.test", PUBLIC, "127.0.0.1")
    notify(django_capture_on_commit_callbacks)
    assert httpserver.log == []
    assert connects == [(PUBLIC, httpserver.port)]
    assert resolver.lookups == ["rebind.test"]  # resolved once
    sent = Delivery.objects.get(subscription=sub)
    assert sent.status == Delivery.Status.PENDING and "ConnectError" in sent.last_error  # unreachable: retried


def test_the_vetted_address_is_connected_with_the_host_name_kept(
    httpserver, resolver, connects, settings, system, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = (httpserver.port,)
    resolver.set("receiver.test", "127.0.0.1")
    sub = subscriptions.subscription_create(
        target_url=f"http://receiver.test:{httpserver.port}/hooks", event_types=["outage.created"], secret=SECRET
    )
    resolver.lookups.clear()
    notify(django_capture_on_commit_callbacks)
    assert Delivery.objects.get(subscription=sub).status == Delivery.Status.SUCCEEDED
    (request, _response) = httpserver.log[0]
    assert request.headers["Host"] == f"receiver.test:{httpserver.port}"
    assert connects == [("127.0.0.1", httpserver.port)]
    assert resolver.lookups == ["receiver.test"]


def test_https_verifies_the_certificate_against_the_host_name(resolver, monkeypatch):
    """Unit level: the connection goes to the vetted address, and TLS gets the host name as server name (SNI) with
    a context that verifies the certificate and its host name."""
    resolver.set("hooks.example.test", PUBLIC)
    seen: dict = {}

    class Stream(httpcore.NetworkStream):
        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            seen.update(ssl_context=ssl_context, server_hostname=server_hostname)
            raise httpcore.ConnectError("stopped before the handshake")

        def close(self):
            pass

    def connect_tcp(self, host, port, *args, **kwargs):
        seen["connected"] = (host, port)
        return Stream()

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    with pytest.raises(httpx.ConnectError):
        delivery._client().post("https://hooks.example.test/x", content=b"{}")
    assert seen["connected"] == (PUBLIC, 443)
    assert seen["server_hostname"] == "hooks.example.test"
    context = seen["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True


def test_every_resolved_address_is_vetted(resolver, connects, system, django_capture_on_commit_callbacks):
    resolver.set("mixed.test", PUBLIC)
    sub = subscriptions.subscription_create(
        target_url="https://mixed.test/hooks", event_types=["outage.created"], secret=SECRET
    )
    resolver.set("mixed.test", [PUBLIC, "10.0.0.7"])
    notify(django_capture_on_commit_callbacks)
    refused = Delivery.objects.get(subscription=sub)
    assert refused.status == Delivery.Status.FAILED and refused.attempts == 1
    assert refused.last_error.startswith("refused:") and "10.0.0.7" in refused.last_error
    assert connects == []
    sub.refresh_from_db()
    assert not sub.enabled and "refused" in sub.disabled_reason


def test_a_name_that_stops_resolving_is_retried_not_refused(
    resolver, connects, system, django_capture_on_commit_callbacks
):
    """A DNS failure is an unreachable receiver (retried on the schedule), not a refused target."""
    resolver.set("flaky.test", PUBLIC)
    sub = subscriptions.subscription_create(
        target_url="https://flaky.test/hooks", event_types=["outage.created"], secret=SECRET
    )
    resolver.set("flaky.test", [])
    notify(django_capture_on_commit_callbacks)
    pending = Delivery.objects.get(subscription=sub)
    assert pending.status == Delivery.Status.PENDING and "does not resolve" in pending.last_error
    assert Subscription.objects.get(pk=sub.pk).enabled


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ("http://user:pw@localhost:{port}/hooks", "user"),  # userinfo, refused now
        ("http://localhost:{port}/hooks", "port"),  # a port no longer allowed
        ("http://[::ffff:7f00:1]:{port}/hooks", "IPv4-mapped"),  # loopback allowed, but not in this form
    ],
)
def test_a_target_stored_under_older_rules_is_refused_at_send(
    httpserver, settings, system, django_capture_on_commit_callbacks, stored, reason
):
    """A subscription stored before a rule existed (here: written straight to the table) is vetted again before
    every attempt: refused with the reason, not retried, the subscription disabled saying why, nothing sent."""
    httpserver.expect_request("/hooks").respond_with_data("reached")
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True  # loopback itself is allowed; the port is not
    sub = Subscription.objects.create(
        target_url=stored.format(port=httpserver.port), event_types=["outage.created"], secret=SECRET
    )
    notify(django_capture_on_commit_callbacks)
    assert httpserver.log == []
    refused = Delivery.objects.get(subscription=sub)
    assert refused.status == Delivery.Status.FAILED and refused.attempts == 1
    assert refused.last_error.startswith("refused:") and reason in refused.last_error
    attempt = DeliveryAttempt.objects.get(delivery=refused)
    assert attempt.status_code is None and attempt.error == refused.last_error
    sub.refresh_from_db()
    assert not sub.enabled and reason in sub.disabled_reason
