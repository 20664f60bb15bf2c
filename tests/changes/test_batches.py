"""The outbox in batches: a claim takes only the first pending delivery of each object, a drain sends every object's
events in order across batches with a few statements per batch (not per delivery), outcomes of one batch are
settled each on its own (a 400 given up, a 503 retried, a 204 done, every attempt logged), and on PostgreSQL two
workers claiming at once never take the same row (FOR UPDATE SKIP LOCKED)."""

import json
import threading
from collections import defaultdict
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.changes import delivery, subscriptions
from core.changes.models import Delivery, DeliveryAttempt
from tests.factories.outages import ExternalSystemFactory

pytestmark = pytest.mark.usefixtures("loopback_receivers")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def queued(monkeypatch):
    """Writes fill the outbox but enqueue nothing (as with the broker down): the test drives the sending."""
    monkeypatch.setattr("core.changes.recording.send", lambda *args, **kwargs: False)


def subscribe(httpserver, path="/hooks"):
    return subscriptions.subscription_create(
        target_url=httpserver.url_for(path),
        secret=SECRET,
        event_types=["outage.created", "outage.updated", "outage.etr_changed"],
    )


def notify(outage_id, reference):
    from outages import services as outage_services
    from outages.domain import OutageNotification

    message = OutageNotification(
        outage_id=outage_id,
        message_reference=str(reference),
        fields={"estimated_restoration_time": datetime.fromisoformat(f"2026-01-01T1{reference}:00:00Z")},
    )
    with transaction.atomic():
        outage_services.outage_notifications_apply(external_system="OMS1", notifications=[message])


def fill(outages=("A", "B", "C", "D"), rounds=3):
    ExternalSystemFactory(name="OMS1")
    for n in range(1, rounds + 1):
        for outage in outages:
            notify(outage, n)


@pytest.mark.django_db
def test_a_claim_takes_only_the_first_in_line_of_each_object(httpserver, queued):
    first, second = subscribe(httpserver, "/one"), subscribe(httpserver, "/two")
    fill()
    claimed = delivery._claim(timezone.now(), limit=1000)
    keys = [(d.subscription_id, d.object_key) for d in claimed]
    assert len(keys) == len(set(keys)) == 2 * 4  # one per object per subscription, though each has several pending
    for d in claimed:
        assert (
            d.pk
            == Delivery.objects.filter(subscription_id=d.subscription_id, object_key=d.object_key)
            .order_by("id")
            .values_list("pk", flat=True)
            .first()
        )
    assert {first.pk, second.pk} == {d.subscription_id for d in claimed}
    # claimed (leased) rows are not claimed again, and their successors still wait their turn
    assert delivery._claim(timezone.now(), limit=1000) == []


@pytest.mark.django_db
def test_a_drain_sends_every_object_in_order_with_a_few_statements_per_batch(
    httpserver, queued, django_assert_max_num_queries
):
    httpserver.expect_request("/one").respond_with_data("", status=204)
    httpserver.expect_request("/two").respond_with_data("", status=204)
    subscribe(httpserver, "/one"), subscribe(httpserver, "/two")
    fill()
    pending = Delivery.objects.count()
    depth = max(
        Delivery.objects.filter(subscription_id=s, object_key=k).count()
        for s, k in Delivery.objects.values_list("subscription_id", "object_key").distinct()
    )
    assert pending >= 40 and depth >= 3
    # A batch: claim (select, update) and settle (count, insert attempts, update, clear failures), each in its own
    # transaction (a savepoint in the test's): about 10 statements however many deliveries it holds; and rendering
    # the payloads at the claim (the changes, their objects with their systems, the payloads stored): 3 more.
    with django_assert_max_num_queries(15 * (depth + 1)):
        attempted = delivery.drain(seconds=60)
    assert attempted == pending
    assert not Delivery.objects.exclude(status=Delivery.Status.SUCCEEDED).exists()
    assert DeliveryAttempt.objects.count() == pending
    order = dict(Delivery.objects.values_list("event_id", "pk"))
    per_target = defaultdict(list)
    for request, _response in httpserver.log:
        payload = json.loads(request.get_data())
        per_target[(request.path, payload["data"]["natural_key"])].append(order[payload["id"]])
    assert sum(len(ids) for ids in per_target.values()) == pending  # each once
    for key, ids in per_target.items():
        assert ids == sorted(ids), key  # in order per object and subscription


@pytest.mark.django_db
def test_one_batch_settles_each_outcome_on_its_own(httpserver, queued):
    httpserver.expect_request("/ok").respond_with_data("", status=204)
    httpserver.expect_request("/no").respond_with_data("no", status=400)
    httpserver.expect_request("/busy").respond_with_data("later", status=503)
    ok, no, busy = subscribe(httpserver, "/ok"), subscribe(httpserver, "/no"), subscribe(httpserver, "/busy")
    fill(outages=("A",), rounds=1)
    heads = list(Delivery.objects.order_by("id").values_list("pk", flat=True))
    outcomes = delivery.deliver_many(heads, hand_over=False)
    by_sub = defaultdict(set)
    for d in Delivery.objects.filter(pk__in=outcomes):
        by_sub[d.subscription_id].add((d.status, d.attempts, d.last_status_code))
    assert by_sub[ok.pk] == {("succeeded", 1, 204)}
    assert by_sub[no.pk] == {("failed", 1, 400)}  # not retried
    assert by_sub[busy.pk] == {("pending", 1, 503)}  # retried on the schedule
    retried = Delivery.objects.get(pk__in=outcomes, subscription=busy)
    assert 4 <= (retried.next_attempt_at - timezone.now()).total_seconds() <= 6
    assert DeliveryAttempt.objects.filter(delivery_id__in=outcomes).count() == 3
    busy.refresh_from_db()
    ok.refresh_from_db()
    assert busy.failing_since is not None and ok.failing_since is None
    # the next event of the object that succeeded is handed over; the retried one's successor still waits
    assert delivery._claim(timezone.now(), limit=100) == list(
        Delivery.objects.filter(subscription=ok, status="pending").order_by("id")[:1]
    )


@pytest.mark.django_db
def test_a_subscription_deleted_while_its_batch_was_sent_is_settled_without_error(httpserver, queued):
    # Attack rerun (issue 21): the corpus deleted subscriptions while their deliveries were in flight; settling
    # the batch raised Subscription.DoesNotExist in the worker and lost the other deliveries' outcomes too.
    httpserver.expect_request("/gone").respond_with_data("later", status=503)
    httpserver.expect_request("/kept").respond_with_data("", status=204)
    gone, kept = subscribe(httpserver, "/gone"), subscribe(httpserver, "/kept")
    fill(outages=("A",), rounds=1)
    rows = delivery._claim(timezone.now(), limit=100)
    results = delivery._send_all(rows)
    subscriptions.subscription_delete(subscription_id=gone.pk)
    outcomes = delivery._settle_all(results, hand_over=False)
    assert set(outcomes.values()) == {"succeeded"}
    assert Delivery.objects.get(pk__in=outcomes).subscription_id == kept.pk
    assert not Delivery.objects.filter(subscription_id=gone.pk).exists()
    assert DeliveryAttempt.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_take_the_same_row(httpserver, queued):
    """One worker holds its claim's row locks (its transaction is still open); another claims meanwhile: it skips
    the locked rows instead of waiting, and takes the others."""
    subscribe(httpserver, "/one"), subscribe(httpserver, "/two")
    fill(rounds=1)
    heads = delivery._claimable(timezone.now()).count()
    held, release, taken = threading.Event(), threading.Event(), []

    def first_worker():
        try:
            with transaction.atomic():
                rows = list(
                    delivery._claimable(timezone.now())
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("id")[: heads // 2]
                )
                taken.extend(row.pk for row in rows)
                held.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert held.wait(30)
        second = delivery._claim(timezone.now(), limit=1000)
    finally:
        release.set()
        thread.join(30)
    assert taken and second
    assert not set(taken) & {d.pk for d in second}
    assert len(taken) + len(second) == heads
