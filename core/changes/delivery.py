"""Sending the outbox: signed (Standard Webhooks), ordered per object, retried on the receivers' schedule.

- A delivery goes only when no earlier delivery for the same object and subscription is still pending: a later
  event for an outage never arrives before an earlier one (the earlier succeeded or was given up first).
- Signature: ``webhook-id`` (the event id, the same on every retry), ``webhook-timestamp`` and
  ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of id.timestamp.body>``), by the ``standardwebhooks`` package.
- Retries after ``WEBHOOKS_RETRY_SCHEDULE`` (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then given
  up. A 4xx other than 408 and 429 is not retried. A subscription failing for ``WEBHOOKS_DISABLE_AFTER_SECONDS``
  (a day) is disabled, with the reason.
- Every attempt is logged (:class:`DeliveryAttempt`: status, duration, response excerpt).
- Targets on private, loopback, link-local (and reserved) addresses are refused (``core.changes.targets``).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from standardwebhooks import Webhook

from ..errors import Invalid
from ..jobs import send
from .models import Delivery, DeliveryAttempt, Subscription
from .targets import check_target

logger = logging.getLogger(__name__)

DELIVER_TASK = "core.tasks.deliver_webhook"
DEFAULT_SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
EXCERPT = 1000


def schedule() -> tuple[int, ...]:
    return tuple(getattr(settings, "WEBHOOKS_RETRY_SCHEDULE", DEFAULT_SCHEDULE))


def timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10.0))


def signed_headers(*, secret: str, event_id: str, body: str, now=None) -> dict[str, str]:
    when = now or timezone.now()
    signature = Webhook(secret).sign(msg_id=event_id, timestamp=when, data=body)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "backoffice-webhooks/1",
    }


def _retryable(status: int) -> bool:
    return status >= 500 or status in (408, 429)


_CLIENT: dict = {}


def _client() -> httpx.Client:
    """One pooled client per process (keep-alive to receivers); redirects are not followed (a redirect to a
    private address would step around the target check)."""
    client = _CLIENT.get("client")
    if client is None:
        client = _CLIENT["client"] = httpx.Client(timeout=timeout(), follow_redirects=False)
    return client


def _claim(delivery_id: int, now) -> Delivery | None:
    """Take a due, pending, unclaimed delivery whose earlier siblings (same object and subscription) are done, in
    one conditional UPDATE (a later one waits: it goes when the earlier one is done, ``deliver_next``, or from
    the sweep)."""
    earlier = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        object_key=OuterRef("object_key"),
        status=Delivery.Status.PENDING,
        id__lt=OuterRef("id"),
    )
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now, subscription__enabled=True
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .exclude(Exists(earlier))
        .update(claimed_until=now + timedelta(seconds=timeout() + 30))
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("subscription").get(pk=delivery_id)


def deliver(delivery_id: int) -> str:
    """Attempt one delivery now (if it is due and its turn); returns what happened. Safe to run twice: the claim
    lets one worker at a time send it."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return "skipped"
    sub = delivery.subscription
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=False)
    status_code, excerpt, error = None, "", ""
    started = time.monotonic()
    try:
        check_target(sub.target_url, resolve=True)
        response = _client().post(
            sub.target_url,
            content=body.encode(),
            headers=signed_headers(secret=sub.secret, event_id=delivery.event_id, body=body),
        )
        status_code = response.status_code
        excerpt = response.text[:EXCERPT]
    except Invalid as exc:
        error = f"refused: {exc.message}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:EXCERPT] or type(exc).__name__
    duration_ms = int((time.monotonic() - started) * 1000)
    return _settle(delivery, status_code=status_code, excerpt=excerpt, error=error, duration_ms=duration_ms)


@transaction.atomic
def _settle(delivery: Delivery, *, status_code, excerpt: str, error: str, duration_ms: int) -> str:
    now = timezone.now()
    number = delivery.attempts + 1  # in the current series (a redelivery starts a new one)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=_logged(delivery) + 1,
        at=now,
        status_code=status_code,
        duration_ms=duration_ms,
        response_excerpt=excerpt,
        error=error,
    )
    delivery.attempts = number
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.claimed_until = None
    sub = delivery.subscription
    refused = error.startswith("refused:")
    if status_code is not None and 200 <= status_code < 300:
        outcome = Delivery.Status.SUCCEEDED
        if sub.failing_since is not None:
            Subscription.objects.filter(pk=sub.pk).update(failing_since=None)
    elif refused or (status_code is not None and not _retryable(status_code) and not 300 <= status_code < 400):
        outcome = Delivery.Status.FAILED  # a 4xx (other than 408/429) or a refused target: retrying cannot help
    elif number >= len(schedule()):
        outcome = Delivery.Status.FAILED
    else:
        outcome = Delivery.Status.PENDING
    if outcome != Delivery.Status.SUCCEEDED:
        sub = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
        _note_failure(sub, now, refused=refused, reason=error or f"HTTP {status_code}")
    delivery.status = outcome
    fields = ["attempts", "last_status_code", "last_error", "claimed_until", "status"]
    if outcome == Delivery.Status.PENDING:
        delay = schedule()[number]
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        fields.append("next_attempt_at")
        delivery.save(update_fields=fields)
        if delay <= int(getattr(settings, "WEBHOOKS_COUNTDOWN_MAX_SECONDS", 60)):
            pk = delivery.pk
            transaction.on_commit(lambda: _send_later(pk, delay))
        return "retry"
    delivery.finished_at = now
    fields.append("finished_at")
    delivery.save(update_fields=fields)
    transaction.on_commit(
        lambda: deliver_next(subscription_id=delivery.subscription_id, object_key=delivery.object_key)
    )
    return outcome


def _logged(delivery: Delivery) -> int:
    return DeliveryAttempt.objects.filter(delivery=delivery).count()


def _note_failure(sub: Subscription, now, *, refused: bool, reason: str) -> None:
    """A failing endpoint: remember since when; disable it after a day (or at once for a refused target)."""
    failing_since = sub.failing_since or now
    limit = timedelta(seconds=int(getattr(settings, "WEBHOOKS_DISABLE_AFTER_SECONDS", 86400)))
    updates: dict = {"failing_since": failing_since}
    if refused or now - failing_since >= limit:
        updates["enabled"] = False
        why = "its target is refused" if refused else f"failing since {failing_since.isoformat()}"
        updates["disabled_reason"] = f"Disabled at {now.isoformat()}: {why} (last error: {reason})"[:2000]
    Subscription.objects.filter(pk=sub.pk).update(**updates)


def _send_later(delivery_id: int, delay: int) -> None:
    from celery import current_app

    try:
        current_app.tasks[DELIVER_TASK].apply_async(args=(delivery_id,), countdown=delay)
    except Exception:
        logger.exception("could not enqueue webhook delivery %s; the sweep will pick it up", delivery_id)


def deliver_next(*, subscription_id: int, object_key: str) -> None:
    """Enqueue the next pending delivery of an object for a subscription (its turn has come)."""
    following = (
        Delivery.objects.filter(subscription_id=subscription_id, object_key=object_key, status=Delivery.Status.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        send(DELIVER_TASK, following)


def sweep(*, now=None, limit: int = 5000) -> int:
    """Enqueue deliveries that are due and unclaimed but were never (or no longer) queued: the broker was down at
    the write, a countdown was lost, a long retry came due. The first pending delivery per object only."""
    now = now or timezone.now()
    grace = timedelta(seconds=int(getattr(settings, "WEBHOOKS_SWEEP_GRACE_SECONDS", 10)))
    due = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now - grace, subscription__enabled=True
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("id")
        .values_list("pk", "subscription_id", "object_key")[:limit]
    )
    seen, sent = set(), 0
    heads = set(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .values("subscription_id", "object_key")
        .annotate(first=Min("id"))
        .values_list("first", flat=True)
    )
    for pk, sub_id, key in due:
        if (sub_id, key) in seen or pk not in heads:
            continue
        seen.add((sub_id, key))
        if send(DELIVER_TASK, pk):
            sent += 1
    return sent
