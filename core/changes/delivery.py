"""Sending the outbox: signed (Standard Webhooks), ordered per object, retried on the receivers' schedule.

- A delivery goes only when no earlier delivery for the same object and subscription is still pending: a later
  event for an outage never arrives before an earlier one (the earlier succeeded or was given up first).
- Signature: ``webhook-id`` (the event id, the same on every retry), ``webhook-timestamp`` and
  ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of id.timestamp.body>``), by the ``standardwebhooks`` package.
- Retries after ``WEBHOOKS_RETRY_SCHEDULE`` (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then given
  up. A 4xx other than 408 and 429 is not retried. A subscription failing for ``WEBHOOKS_DISABLE_AFTER_SECONDS``
  (a day) is disabled, with the reason.
- Every attempt is logged (:class:`DeliveryAttempt`: status, duration, response excerpt).
- Rendered here, not at the write: a delivery is made with no payload and rendered when it is first claimed
  (``core.changes.rendering``: the app's renderer over the object as it was at the change), then kept, so every
  retry sends the same body. One whose subscription's filter does not match (or a TMF638 listener's, for a
  change that raises no TMF event) is dropped then; one that cannot be rendered is given up, saying why.
- SSRF: every attempt vets its target again (``core.changes.targets``: the URL and its port here, every address
  the host resolves to in the transport, which connects only to an address it vetted: ``core.changes.transport``).
  A refused target fails the delivery at once, saying why, and disables the subscription.

Work goes in batches, so a fan-out costs a few statements per batch rather than several per delivery: one
statement claims up to ``WEBHOOKS_BATCH_SIZE`` due deliveries that are first in line for their object (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, so workers share the outbox without waiting on each other), the POSTs go out on one
pooled client with one lane per endpoint (endpoints in parallel, each lane in order), and the outcomes are written
back in bulk in one transaction (attempts inserted together, deliveries updated together). Only the first pending
delivery per object and subscription is ever claimed, so a batch never holds two events of one object.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from standardwebhooks import Webhook

from ..errors import Invalid
from ..jobs import send
from .models import Change, Delivery, DeliveryAttempt, Subscription
from .rendering import Rendering
from .targets import check_target
from .transport import pinned_client

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


def batch_size() -> int:
    return max(1, int(getattr(settings, "WEBHOOKS_BATCH_SIZE", 300)))


_CLIENT: dict = {}
_RULES = ("ALLOW_PRIVATE_TARGETS", "ALLOW_LOOPBACK_TARGETS", "ALLOWED_PORTS", "LOOPBACK_PORTS", "TIMEOUT_SECONDS")


def _client() -> httpx.Client:
    """One pooled client per process, shared by the lanes (httpx keeps a keep-alive pool per endpoint), on the
    pinned transport (``core.changes.transport``: connects only to vetted addresses, follows no redirect). A
    kept-alive connection was opened to a vetted address of its host; a new one if the target rules change."""
    rules = tuple(repr(getattr(settings, f"WEBHOOKS_{name}", None)) for name in _RULES)
    if _CLIENT.get("rules") != rules:
        old = _CLIENT.get("client")
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
        _CLIENT.update(client=pinned_client(timeout=timeout(), limits=limits), rules=rules)
        if old is not None:
            old.close()
    return _CLIENT["client"]


def _claimable(now):
    """Pending, due, unclaimed deliveries of enabled subscriptions that are first in line for their object (no
    earlier delivery of the same object to the same subscription is pending)."""
    earlier = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        object_key=OuterRef("object_key"),
        status=Delivery.Status.PENDING,
        id__lt=OuterRef("id"),
    )
    return (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now, subscription__enabled=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .exclude(Exists(earlier))
    )


def _claim(now, *, ids=None, limit: int) -> list[Delivery]:
    """Claim a batch in one transaction: select the rows (locked, skipping rows another worker holds), render
    those not rendered yet, and lease them for as long as their lanes may take; committed before anything is sent,
    so the lease (and the payload) is visible. Rows dropped or given up at rendering leave the batch: when every
    row of a batch did, the next one is claimed."""
    while True:
        with transaction.atomic():
            candidates = _claimable(now)
            if ids is not None:
                candidates = candidates.filter(pk__in=list(ids))
            selected = list(
                candidates.select_related("subscription")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")[:limit]
            )
            rows = _render(selected)
            if rows or not selected:
                _lease(rows, now)
                return rows


def _render(rows: list[Delivery]) -> list[Delivery]:
    """Render the payload of each row that has none yet (in the claim's transaction) and store it; drop the rows
    whose subscription gets no such event, give up those that cannot be rendered. Returns the rows to send."""
    todo = [row for row in rows if not row.payload]
    if not todo:
        return rows
    changes = Change.objects.in_bulk({row.change_id for row in todo if row.change_id is not None})
    rendering = Rendering(changes.values())
    rendered, dropped, broken = [], set(), {}
    for row in todo:
        change = changes.get(row.change_id)
        if change is None:
            broken[row.pk] = "not rendered: its change is gone (pruned before it was sent)"
            continue
        try:
            payload = rendering.payload(change, row.subscription, row.event_type, row.event_id)
        except Exception as exc:  # one broken renderer must not hold the outbox: this event is given up, logged
            logger.exception("could not render delivery %s (%s)", row.pk, row.event_type)
            broken[row.pk] = f"not rendered: {type(exc).__name__}: {exc}"[:EXCERPT]
            continue
        if payload is None:
            dropped.add(row.pk)
        else:
            row.payload = payload
            rendered.append(row)
    if rendered:
        Delivery.objects.bulk_update(rendered, ["payload"], batch_size=500)
    if dropped:
        Delivery.objects.filter(pk__in=dropped).delete()
    for pk, error in broken.items():
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.FAILED, last_error=error, finished_at=timezone.now(), claimed_until=None
        )
    return [row for row in rows if row.pk not in dropped and row.pk not in broken]


def _lease(rows: list[Delivery], now) -> None:
    if rows:
        longest_lane = max(_lane_sizes(rows).values())
        lease = timedelta(seconds=timeout() * longest_lane + 30)
        Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(claimed_until=now + lease)


def _lane_sizes(rows: list[Delivery]) -> dict[int, int]:
    sizes: dict[int, int] = defaultdict(int)
    for row in rows:
        sizes[row.subscription_id] += 1
    return sizes


@dataclass
class Sent:
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0


def _post(delivery: Delivery, refusal: str) -> Sent:
    sub = delivery.subscription
    if refusal:
        return Sent(error=refusal)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=False)
    started = time.monotonic()
    sent = Sent()
    try:
        response = _client().post(
            sub.target_url,
            content=body.encode(),
            headers=signed_headers(secret=sub.secret, event_id=delivery.event_id, body=body),
        )
        sent.status_code = response.status_code
        sent.excerpt = response.text[:EXCERPT]
    except httpx.HTTPError as exc:
        sent.error = f"{type(exc).__name__}: {exc}"[:EXCERPT] or type(exc).__name__
    except Invalid as exc:  # the transport refused an address the host resolved to
        sent.error = f"refused: {exc.message}"[:EXCERPT]
    sent.duration_ms = int((time.monotonic() - started) * 1000)
    return sent


def _refusal(url: str) -> str:
    """Why a target is refused before anything is sent: the URL and port rules of today (a target stored under
    older rules is caught here), and the address when the URL holds one. A name's addresses are vetted by the
    transport, on the lookup it connects with (resolving here too would let a rebinding name answer twice)."""
    try:
        check_target(url, resolve=False)
    except Invalid as exc:
        return f"refused: {exc.message}"[:EXCERPT]
    return ""


def _send_all(rows: list[Delivery]) -> list[tuple[Delivery, Sent]]:
    """POST a claimed batch: one lane per endpoint, in id order within it; lanes run side by side. The target's
    URL is checked once per endpoint per batch; its addresses whenever the transport opens a connection."""
    lanes: dict[int, list[Delivery]] = defaultdict(list)
    for row in rows:
        lanes[row.subscription_id].append(row)

    def run(lane: list[Delivery]) -> list[tuple[Delivery, Sent]]:
        refusal = _refusal(lane[0].subscription.target_url)
        return [(row, _post(row, refusal)) for row in lane]

    if len(lanes) == 1:
        return run(rows)
    _client()  # made once, before the lanes share it
    workers = min(len(lanes), int(getattr(settings, "WEBHOOKS_SEND_CONCURRENCY", 8)))
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="webhooks") as pool:
        return [pair for lane in pool.map(run, lanes.values()) for pair in lane]


def deliver(delivery_id: int) -> str:
    """Attempt one delivery now (if it is due and its turn); returns what happened. Safe to run twice: the claim
    lets one worker at a time send it."""
    return deliver_many([delivery_id]).get(delivery_id, "skipped")


def deliver_many(delivery_ids, *, hand_over: bool = True) -> dict[int, str]:
    """Attempt the given deliveries that are due and first in line for their object, as one batch; returns
    ``{id: outcome}`` for those attempted. With ``hand_over``, the next delivery of each object that finished is
    enqueued once this commits (in one message)."""
    ids = list(delivery_ids)
    outcomes: dict[int, str] = {}
    for start in range(0, len(ids), batch_size()):
        rows = _claim(timezone.now(), ids=ids[start : start + batch_size()], limit=batch_size())
        if rows:
            outcomes.update(_settle_all(_send_all(rows), hand_over=hand_over))
    return outcomes


def drain(*, seconds: float | None = None, limit: int | None = None) -> int:
    """Deliver due deliveries in batches until none is due (or ``seconds`` have passed: then one message asks a
    worker to go on). What a worker does after its message: the next event of each object is simply in the next
    batch, so no hand-over is needed. Returns the number of attempts made."""
    budget = float(getattr(settings, "WEBHOOKS_DRAIN_SECONDS", 60) if seconds is None else seconds)
    started = time.monotonic()
    attempted = 0
    while True:
        rows = _claim(timezone.now(), limit=limit or batch_size())
        if not rows:
            return attempted
        attempted += len(_settle_all(_send_all(rows), hand_over=False))
        if time.monotonic() - started >= budget:
            send(DELIVER_TASK)
            return attempted


def _outcome(delivery: Delivery, sent: Sent) -> str:
    status_code = sent.status_code
    if status_code is not None and 200 <= status_code < 300:
        return Delivery.Status.SUCCEEDED
    if sent.error.startswith("refused:"):
        return Delivery.Status.FAILED  # a refused target: retrying cannot help
    if status_code is not None and not _retryable(status_code) and not 300 <= status_code < 400:
        return Delivery.Status.FAILED  # a 4xx other than 408/429: the receiver said no
    if delivery.attempts + 1 >= len(schedule()):
        return Delivery.Status.FAILED
    return Delivery.Status.PENDING


@transaction.atomic
def _settle_all(results: list[tuple[Delivery, Sent]], *, hand_over: bool) -> dict[int, str]:
    """Write a batch's outcomes in bulk: every attempt logged, every delivery updated, each subscription's
    failure state noted once (its last failure, disabling it after a day or at once for a refused target).
    A delivery whose subscription was deleted while it was being sent is gone with it: nothing to settle."""
    # The deliveries still there, locked (a subscription deleted from now on waits for this commit: its deliveries
    # go before it), with the attempts each has logged.
    attempts_logged = (
        DeliveryAttempt.objects.filter(delivery_id=OuterRef("pk")).values("delivery_id").annotate(n=Count("id"))
    )
    logged = dict(
        Delivery.objects.select_for_update(of=("self",))
        .filter(pk__in=[d.pk for d, _ in results])
        .annotate(n=Coalesce(Subquery(attempts_logged.values("n")), 0))
        .values_list("pk", "n")
    )
    results = [(d, sent) for d, sent in results if d.pk in logged]
    now = timezone.now()
    attempts, outcomes = [], {}
    last_failure: dict[int, tuple[bool, str]] = {}
    last_ok: dict[int, bool] = {}
    retry: dict[int, list[int]] = defaultdict(list)
    finished: set[tuple[int, str]] = set()
    for delivery, sent in results:
        outcome = _outcome(delivery, sent)
        attempts.append(
            DeliveryAttempt(
                delivery=delivery,
                number=logged.get(delivery.pk, 0) + 1,
                at=now,
                status_code=sent.status_code,
                duration_ms=sent.duration_ms,
                response_excerpt=sent.excerpt,
                error=sent.error,
            )
        )
        delivery.attempts += 1  # in the current series (a redelivery starts a new one)
        delivery.last_status_code = sent.status_code
        delivery.last_error = sent.error
        delivery.claimed_until = None
        delivery.status = outcome
        last_ok[delivery.subscription_id] = outcome == Delivery.Status.SUCCEEDED
        if outcome != Delivery.Status.SUCCEEDED:
            refused = sent.error.startswith("refused:")
            last_failure[delivery.subscription_id] = (refused, sent.error or f"HTTP {sent.status_code}")
        if outcome == Delivery.Status.PENDING:
            delay = schedule()[delivery.attempts]
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            if delay <= int(getattr(settings, "WEBHOOKS_COUNTDOWN_MAX_SECONDS", 60)):
                retry[delay].append(delivery.pk)
            outcomes[delivery.pk] = "retry"
        else:
            delivery.finished_at = now
            finished.add((delivery.subscription_id, delivery.object_key))
            outcomes[delivery.pk] = outcome
    DeliveryAttempt.objects.bulk_create(attempts)
    # One UPDATE per distinct outcome (a fan-out has one or two): much cheaper than bulk_update's CASE per row.
    same: dict[tuple, list[int]] = defaultdict(list)
    for delivery, _sent in results:
        key = (delivery.status, delivery.last_status_code, delivery.last_error, delivery.next_attempt_at)
        same[key].append(delivery.pk)
    for (status, status_code, error, next_attempt_at), pks in same.items():
        Delivery.objects.filter(pk__in=pks).update(
            attempts=F("attempts") + 1,
            last_status_code=status_code,
            last_error=error,
            claimed_until=None,
            status=status,
            next_attempt_at=next_attempt_at,
            finished_at=None if status == Delivery.Status.PENDING else now,
        )
    for sub_id, (refused, reason) in last_failure.items():
        sub = Subscription.objects.select_for_update().filter(pk=sub_id).first()
        if sub is not None:
            _note_failure(sub, now, refused=refused, reason=reason)
    recovered = [sub_id for sub_id, ok in last_ok.items() if ok]
    if recovered:
        Subscription.objects.filter(pk__in=recovered, failing_since__isnull=False).update(failing_since=None)
    for delay, pks in retry.items():
        transaction.on_commit(lambda pks=pks, delay=delay: _send_later(pks, delay))
    if hand_over and finished:
        transaction.on_commit(lambda: deliver_next(finished))
    return outcomes


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


def _send_later(delivery_ids: list[int], delay: int) -> None:
    from celery import current_app

    try:
        current_app.tasks[DELIVER_TASK].apply_async(args=tuple(delivery_ids), countdown=delay)
    except Exception:
        logger.exception("could not enqueue webhook deliveries %s; the sweep will pick them up", delivery_ids)


def deliver_next(finished: set[tuple[int, str]]) -> None:
    """Enqueue the next pending delivery of each (subscription, object) whose earlier one is done (their turn has
    come), in one message."""
    following = (
        Delivery.objects.filter(
            subscription_id__in={sub_id for sub_id, _ in finished},
            object_key__in={key for _, key in finished},
            status=Delivery.Status.PENDING,
        )
        .values("subscription_id", "object_key")
        .annotate(first=Min("id"))
        .values_list("subscription_id", "object_key", "first")
    )
    ids = sorted(first for sub_id, key, first in following if (sub_id, key) in finished)
    for start in range(0, len(ids), batch_size()):
        send(DELIVER_TASK, *ids[start : start + batch_size()])


def sweep(*, now=None, limit: int = 5000) -> int:
    """Enqueue deliveries that are due and unclaimed but were never (or no longer) queued: the broker was down at
    the write, a countdown was lost, a long retry came due. The first pending delivery per object only, in
    messages of ``WEBHOOKS_BATCH_SIZE``; returns how many were enqueued."""
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
    heads = set(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .values("subscription_id", "object_key")
        .annotate(first=Min("id"))
        .values_list("first", flat=True)
    )
    seen, ids = set(), []
    for pk, sub_id, key in due:
        if (sub_id, key) in seen or pk not in heads:
            continue
        seen.add((sub_id, key))
        ids.append(pk)
    sent = 0
    for start in range(0, len(ids), batch_size()):
        chunk = ids[start : start + batch_size()]
        if send(DELIVER_TASK, *chunk):
            sent += len(chunk)
    return sent
