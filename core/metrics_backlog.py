"""Core's scrape-time gauges: the Celery queues (depth, oldest waiting task) and the background jobs whose worker
stopped beating, the sum of the parts each job kind registers (``core.metrics.gauge_part("jobs_stalled", ...)``).

The apps register theirs (tick lag, stalled activations) in their own ``metrics.py``, and so does the lists app
(running and never-taken exports, its jobs' part of ``jobs_stalled``: ``core/lists/metrics.py``). Each gauge runs
when ``/metrics`` or ``/healthz`` is read, never per request.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from celery import current_app
from django.conf import settings

from core.broker import is_file_broker
from core.metrics import backlog_gauge, gauge_parts, scrape_id

SENT_AT_HEADER = "sent_at"  # set by config/celery.py when a task is published (epoch seconds)
BROKER_TIMEOUT = 2.0  # seconds: a scrape or a health check answers fast when the broker is away (no retries)
_last_read: tuple[int | None, str, object] | None = None  # (scrape id, broker URL, result or exception)


def _queue_names() -> list[str]:
    """The default queue and each class's (``config/queues.py``), and any other queue Celery knows of."""
    names = set(current_app.amqp.queues.keys()) if current_app.amqp.queues else set()
    names.add(current_app.conf.task_default_queue or "celery")
    names.update(f"{settings.CELERY_QUEUE_PREFIX}{queue_class}" for queue_class in settings.TASK_QUEUE_CLASSES)
    return sorted(names)


def _filesystem_queues(names: list[str]) -> dict[str, tuple[int, float | None]]:
    folder = Path(current_app.conf.broker_transport_options.get("data_folder_in", "data_in"))
    found: dict[str, tuple[int, float | None]] = dict.fromkeys(names, (0, None))
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    for entry in entries:
        queue = entry.name.partition(".")[2].removesuffix(".msg")
        if queue not in found:
            continue
        try:
            age = max(0.0, now - entry.stat().st_mtime)
        except FileNotFoundError:  # taken by a worker meanwhile
            continue
        depth, oldest = found[queue]
        found[queue] = (depth + 1, age if oldest is None else max(oldest, age))
    return found


def _message_age(raw: bytes | None, now: float) -> float | None:
    if not raw:
        return None
    try:
        sent = float(json.loads(raw).get("headers", {}).get(SENT_AT_HEADER))
    except (TypeError, ValueError, AttributeError):
        return None
    return max(0.0, now - sent)


def _redis_queues(names: list[str]) -> dict[str, tuple[int, float | None]]:
    found: dict[str, tuple[int, float | None]] = {}
    now = time.time()
    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)  # one try: kombu's default retries for long
        channel = conn.default_channel
        client = channel.client
        for name in names:
            depth, oldest = 0, None
            for priority in channel.priority_steps:
                key = channel._q_for_pri(name, priority)
                depth += client.llen(key)
                age = _message_age(client.lindex(key, -1), now)  # LPUSH + BRPOP: the oldest is at the tail
                if age is not None:
                    oldest = age if oldest is None else max(oldest, age)
            found[name] = (depth, oldest)
    return found


def _read_queues(url: str) -> dict[str, tuple[int, float | None]]:
    names = _queue_names()
    if is_file_broker(url):
        return _filesystem_queues(names)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return _redis_queues(names)
    return {}  # other brokers: not measured here (use the broker's own exporter)


def queue_backlog() -> dict[str, tuple[int, float | None]]:
    """``{queue: (waiting tasks, age in seconds of the oldest or None)}`` for the broker in use. Read once for all
    the gauges of one scrape, a failure too: a broker that is away costs one connection attempt per scrape (about
    ``BROKER_TIMEOUT`` at most), not one per gauge."""
    global _last_read
    url, scrape = str(current_app.conf.broker_url or ""), scrape_id()
    if scrape is not None and _last_read is not None and _last_read[:2] == (scrape, url):
        found = _last_read[2]
    else:
        try:
            found = _read_queues(url)
        except Exception as exc:  # reported by the gauge (logged, "unknown" in the health check)
            found = exc
        _last_read = (scrape, url, found)
    if isinstance(found, Exception):
        raise found
    return found


@backlog_gauge("queue_depth", "Tasks waiting in each Celery queue (not yet taken by a worker).", labels=("queue",))
def queue_depth() -> dict:
    return {(name,): depth for name, (depth, _age) in queue_backlog().items()}


@backlog_gauge(
    "queue_oldest_age_seconds",
    "Age of the oldest task waiting in each Celery queue (0 when empty).",
    labels=("queue",),
    health_limit="HEALTH_MAX_QUEUE_AGE_SECONDS",
)
def queue_oldest_age() -> dict:
    return {(name,): age or 0.0 for name, (_depth, age) in queue_backlog().items()}


@backlog_gauge(
    "jobs_stalled",
    "Background exports and imports RUNNING without a heartbeat for JOB_STALL_SECONDS (their worker was lost); "
    "the sweep requeues them or, after JOB_MAX_ATTEMPTS runs, fails them.",
    health_limit="HEALTH_MAX_JOBS_STALLED",
)
def jobs_stalled() -> int:
    return sum(count() for count in gauge_parts("jobs_stalled"))
