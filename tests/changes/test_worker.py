"""End to end, with a real Celery worker (Redis, PostgreSQL) and a real HTTP receiver (pytest-httpserver): a
receiver that is down and comes back gets every event, in order per object, each webhook-id at least once, none
lost; a receiver answering 400 is not retried; the broker unreachable at the write still ends in delivery after
the sweep; every signature verifies."""

import json
import threading
from collections import defaultdict
from datetime import datetime

import pytest
from django.db import transaction
from standardwebhooks import Webhook
from werkzeug import Response

from core.changes import subscriptions
from core.changes.models import Delivery, DeliveryAttempt
from tests.factories.outages import ExternalSystemFactory
from tests.worker import wait_for, worker_process

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ENV = {
    "WEBHOOKS_ALLOW_LOOPBACK_TARGETS": "1",
    "WEBHOOKS_LOOPBACK_PORTS": "1024-65535",  # pytest-httpserver's port
    "WEBHOOKS_RETRY_SCHEDULE": ",".join(["0"] + ["1"] * 15),  # the receivers' schedule, compressed to seconds
    "WEBHOOKS_SWEEP_GRACE_SECONDS": "0",
}


class Receiver:
    """Answers 503 while down, else 200; keeps every request it was sent."""

    def __init__(self):
        self.up = False
        self.lock = threading.Lock()
        self.received: list[tuple[dict, bytes, dict]] = []
        self.refused = 0

    def __call__(self, request):
        with self.lock:
            if not self.up:
                self.refused += 1
                return Response("down", status=503)
            body = request.get_data()
            self.received.append((json.loads(body), body, dict(request.headers)))
        return Response("ok", status=200)


def notify(outage_id, reference, etr):
    from outages import services as outage_services
    from outages.domain import OutageNotification

    message = OutageNotification(
        outage_id=outage_id,
        message_reference=str(reference),
        fields={"estimated_restoration_time": datetime.fromisoformat(etr)},
    )
    with transaction.atomic():
        outage_services.outage_notifications_apply(external_system="OMS1", notifications=[message])


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_down_then_up_receiver_gets_everything_in_order(httpserver, settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)
    receiver = Receiver()
    httpserver.expect_request("/hooks").respond_with_handler(receiver)
    httpserver.expect_request("/bad").respond_with_data("bad request", status=400)
    ExternalSystemFactory(name="OMS1")
    good = subscriptions.subscription_create(
        target_url=httpserver.url_for("/hooks"),
        secret=SECRET,
        event_types=["outage.created", "outage.updated", "outage.etr_changed"],
    )
    bad = subscriptions.subscription_create(
        target_url=httpserver.url_for("/bad"), secret=SECRET, event_types=["outage.created"]
    )
    with worker_process(concurrency=2, extra_env=ENV):
        for n in range(1, 4):
            for outage in ("A", "B", "C"):
                notify(outage, n, f"2026-01-01T1{n}:00:00Z")
        wait_for(lambda: receiver.refused >= 6, timeout=120, message="the receiver refusing while down")
        receiver.up = True
        expected = Delivery.objects.filter(subscription=good).count()
        wait_for(
            lambda: not Delivery.objects.filter(subscription=good, status="pending").exists(),
            timeout=300,
            message="every delivery done",
        )
        # The broker is unreachable at the write: the deliveries are rows, the sweep sends them.
        from celery import current_app
        from kombu.exceptions import OperationalError

        task = current_app.tasks["core.tasks.deliver_webhook"]

        def broker_down(*args, **kwargs):
            raise OperationalError("broker unreachable")

        monkeypatch.setattr(task, "apply_async", broker_down)
        notify("D", 1, "2026-01-02T10:00:00Z")
        monkeypatch.undo()
        swept = Delivery.objects.get(subscription=good, change__natural_key="OMS1/D")
        assert swept.status == "pending" and swept.attempts == 0
        current_app.tasks["core.tasks.sweep_webhooks"].delay()
        wait_for(lambda: Delivery.objects.get(pk=swept.pk).status == "succeeded", timeout=120, message="the sweep")

    assert Delivery.objects.filter(subscription=good).count() == expected + 1
    assert set(Delivery.objects.filter(subscription=good).values_list("status", flat=True)) == {"succeeded"}
    # Every webhook-id at least once, none lost, each verified with the standardwebhooks verifier.
    sent_ids = set(Delivery.objects.filter(subscription=good).values_list("event_id", flat=True))
    received_ids = set()
    for payload, body, headers in receiver.received:
        assert Webhook(SECRET).verify(body, headers)["id"] == payload["id"]
        received_ids.add(headers["Webhook-Id"])
    assert received_ids == sent_ids
    # In order per object: the first arrival of each event follows the order of the writes.
    order = {d.event_id: d.pk for d in Delivery.objects.filter(subscription=good)}
    per_object = defaultdict(list)
    for payload, _body, _headers in receiver.received:
        if payload["id"] not in per_object[payload["data"]["natural_key"]]:
            per_object[payload["data"]["natural_key"]].append(payload["id"])
    for natural_key, ids in per_object.items():
        assert ids == sorted(ids, key=order.__getitem__), natural_key
    # The 400 receiver: one attempt each, given up, not retried.
    refused = Delivery.objects.filter(subscription=bad)
    assert refused.count() == 4
    assert set(refused.values_list("status", flat=True)) == {"failed"}
    assert DeliveryAttempt.objects.filter(delivery__subscription=bad).count() == 4
