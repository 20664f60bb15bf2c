"""Outbound events in one process, against a real HTTP receiver (pytest-httpserver): signed as Standard Webhooks
says, retried on the schedule, a 4xx not retried, ordered per object, filtered, refused for private targets, and
nothing sent for a rolled-back write. The worker and broker paths are in test_worker.py."""

import json
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from core.changes import delivery, subscriptions
from core.changes.models import Change, Delivery, DeliveryAttempt, Subscription
from core.errors import Invalid
from tests.factories.outages import ExternalSystemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_receivers")]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def system(db):
    return ExternalSystemFactory(name="OMS1")


def subscribe(httpserver, path="/hooks", **options) -> Subscription:
    options.setdefault("event_types", ["outage.created", "outage.updated", "outage.etr_changed"])
    return subscriptions.subscription_create(target_url=httpserver.url_for(path), secret=SECRET, **options)


def notify(outage_id, reference, etr="2026-01-01T12:00:00Z"):
    from outages import services as outage_services
    from outages.domain import OutageNotification

    message = OutageNotification(
        outage_id=outage_id,
        message_reference=str(reference),
        fields={"estimated_restoration_time": datetime.fromisoformat(etr)},
    )
    outage_services.outage_notifications_apply(external_system="OMS1", notifications=[message])


def test_signed_payload_verifies_and_fails_after_tampering(httpserver, system, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hooks", method="POST").respond_with_data("ok")
    sub = subscribe(httpserver)
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    (request, _response) = httpserver.log[0]
    body = request.get_data()
    headers = dict(request.headers)
    payload = Webhook(SECRET).verify(body, headers)
    assert payload["type"] == "outage.created"
    assert payload["data"]["natural_key"] == "OMS1/OUT-1"
    assert payload["data"]["object"]["externalOutageId"] == "OUT-1"
    assert headers["Webhook-Id"] == payload["id"]
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"OUT-1", b"OUT-2"), headers)
    done = Delivery.objects.get(subscription=sub)
    assert done.status == Delivery.Status.SUCCEEDED
    attempt = DeliveryAttempt.objects.get(delivery=done)
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"


def test_4xx_is_not_retried_but_408_and_5xx_are(httpserver, system, django_capture_on_commit_callbacks):
    httpserver.expect_request("/bad").respond_with_data("no", status=400)
    httpserver.expect_request("/busy").respond_with_data("later", status=503)
    bad = subscribe(httpserver, "/bad")
    busy = subscribe(httpserver, "/busy")
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    refused = Delivery.objects.get(subscription=bad)
    assert refused.status == Delivery.Status.FAILED and refused.attempts == 1
    retried = Delivery.objects.get(subscription=busy)
    assert retried.status == Delivery.Status.PENDING and retried.attempts == 1
    # the receivers' schedule: the second attempt 5 s after the first
    assert timedelta(seconds=4) <= retried.next_attempt_at - timezone.now() <= timedelta(seconds=6)
    assert delivery.deliver(retried.pk) == "skipped"  # not due yet
    Delivery.objects.filter(pk=retried.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(retried.pk) == "retry"
    retried.refresh_from_db()
    assert retried.attempts == 2
    assert retried.next_attempt_at - timezone.now() > timedelta(minutes=4)  # then 5 min
    assert delivery._retryable(408) and delivery._retryable(429) and not delivery._retryable(404)


def test_gives_up_after_the_schedule(httpserver, system, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_RETRY_SCHEDULE = (0, 0, 0)
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    sub = subscribe(httpserver, "/down")
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    pending = Delivery.objects.get(subscription=sub)
    for _ in range(2):
        delivery.deliver(pending.pk)
    pending.refresh_from_db()
    assert pending.status == Delivery.Status.FAILED and pending.attempts == 3
    assert DeliveryAttempt.objects.filter(delivery=pending).count() == 3


def test_failing_for_a_day_disables_the_subscription(httpserver, system, django_capture_on_commit_callbacks):
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    sub = subscribe(httpserver, "/down")
    Subscription.objects.filter(pk=sub.pk).update(failing_since=timezone.now() - timedelta(days=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    sub.refresh_from_db()
    assert not sub.enabled
    assert "failing since" in sub.disabled_reason and "HTTP 500" in sub.disabled_reason


def test_later_event_waits_for_the_earlier_one(httpserver, system, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hooks").respond_with_data("down", status=500)
    sub = subscribe(httpserver)
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 2, etr="2026-01-01T15:00:00Z")
    first, *later = Delivery.objects.filter(subscription=sub).order_by("id")
    assert first.status == Delivery.Status.PENDING and first.attempts == 1
    assert later and all(d.attempts == 0 for d in later)  # never tried while the first one is pending
    httpserver.clear()
    httpserver.expect_request("/hooks").respond_with_data("ok")
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery.deliver(first.pk)
    while callbacks:  # each success hands over to the next one (deliver_next)
        pending = list(callbacks)
        callbacks.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            for callback in pending:
                callback()
    types = [json.loads(r.get_data())["type"] for r, _ in httpserver.log]
    assert types == ["outage.created", "outage.updated", "outage.etr_changed"]
    assert set(Delivery.objects.filter(subscription=sub).values_list("status", flat=True)) == {"succeeded"}


def test_filter_in_the_blackout_criteria_language(httpserver, system, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    sub = subscribe(httpserver, filter="data.natural_key has_prefix 'OMS1/A' AND type equals 'outage.created'")
    with django_capture_on_commit_callbacks(execute=True):
        notify("A-1", 1)
        notify("B-1", 1)
    assert list(Delivery.objects.filter(subscription=sub).values_list("payload__data__natural_key", flat=True)) == [
        "OMS1/A-1"
    ]
    with pytest.raises(Invalid) as refused:
        subscribe(httpserver, filter="data.natural_key has_prefix")
    assert refused.value.errors[0][0] == "filter"


def test_rolled_back_write_sends_nothing(httpserver, system, django_capture_on_commit_callbacks):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    subscribe(httpserver)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify("OUT-1", 1)
        raise RuntimeError("rolled back")
    assert not Delivery.objects.exists()
    assert not Change.objects.filter(natural_key="OMS1/OUT-1").exists()
    assert httpserver.log == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hooks",
        "http://192.168.1.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
        "ftp://example.com/hooks",
    ],
)
def test_private_targets_are_refused(settings, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = False
    with pytest.raises(Invalid) as refused:
        subscriptions.subscription_create(target_url=url, event_types=["outage.created"])
    assert refused.value.code == "webhooks.forbidden_target"


def test_loopback_only_when_allowed_and_checked_again_at_send(
    httpserver, system, settings, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    sub = subscribe(httpserver)  # allowed (local development)
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = False
    with pytest.raises(Invalid):
        subscribe(httpserver)
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    refused = Delivery.objects.get(subscription=sub)
    assert refused.status == Delivery.Status.FAILED and refused.last_error.startswith("refused:")
    assert httpserver.log == []
    sub.refresh_from_db()
    assert not sub.enabled and "refused" in sub.disabled_reason


def test_sweep_sends_what_the_broker_never_got(httpserver, system, monkeypatch, django_capture_on_commit_callbacks):
    from core import jobs

    httpserver.expect_request("/hooks").respond_with_data("ok")
    sub = subscribe(httpserver)
    real_send = jobs.send
    monkeypatch.setattr("core.changes.recording.send", lambda *a, **k: False)  # the broker is down at the write
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    assert httpserver.log == []
    monkeypatch.setattr("core.changes.delivery.send", real_send)
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert delivery.sweep() == 1
    for callback in list(callbacks):
        callback()
    assert Delivery.objects.get(subscription=sub).status == Delivery.Status.SUCCEEDED
    assert len(httpserver.log) == 1


def test_redeliver_action(httpserver, system, client, superuser, django_capture_on_commit_callbacks):
    from django.urls import reverse

    httpserver.expect_request("/hooks").respond_with_data("ok")
    sub = subscribe(httpserver, event_types=["outage.created"])
    with django_capture_on_commit_callbacks(execute=True):
        notify("OUT-1", 1)
    done = Delivery.objects.get(subscription=sub)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:changes_delivery_changelist"), {"action": "redeliver", "_selected_action": [done.pk]}
        )
    assert response.status_code == 302
    assert len(httpserver.log) == 2
    ids = {r.headers["webhook-id"] for r, _ in httpserver.log}
    assert ids == {done.event_id}  # the same event, at least once
    assert DeliveryAttempt.objects.filter(delivery=done).count() == 2
    page = client.get(reverse("admin:changes_delivery_change", args=[done.pk]))
    assert page.status_code == 200 and b"attempt" in page.content.lower()


def test_subscription_api(api_client, superuser, analyst_user, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = False
    api_client.force_authenticate(superuser)
    created = api_client.post(
        "/api/webhooks/subscriptions/",
        {"target_url": "https://hooks.example.com/x", "event_types": ["outage.etr_changed"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 20  # shown once
    assert api_client.get(f"/api/webhooks/subscriptions/{body['id']}/").json()["secret"] == "whsec_…"
    refused = api_client.post(
        "/api/webhooks/subscriptions/",
        {"target_url": "http://127.0.0.1:9/x", "event_types": ["outage.etr_changed"]},
        format="json",
    )
    assert refused.status_code == 400 and "target_url" in refused.json()
    unknown = api_client.post(
        "/api/webhooks/subscriptions/",
        {"target_url": "https://hooks.example.com/x", "event_types": ["outage.nope"]},
        format="json",
    )
    assert unknown.status_code == 400 and "event_types" in unknown.json()
    changed = api_client.patch(f"/api/webhooks/subscriptions/{body['id']}/", {"enabled": False}, format="json")
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert Change.objects.filter(object_type="changes.subscription", object_id=str(body["id"])).count() == 2
    api_client.force_authenticate(analyst_user)
    assert api_client.get("/api/webhooks/subscriptions/").status_code == 403
    api_client.force_authenticate(superuser)
    assert api_client.delete(f"/api/webhooks/subscriptions/{body['id']}/").status_code == 204
