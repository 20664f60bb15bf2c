"""Heartbeats of background jobs (exports, imports): a running task proves it is alive every
``JOB_HEARTBEAT_SECONDS``; a job whose last beat is older than ``JOB_STALL_SECONDS`` lost its worker (killed,
out of memory, machine gone), and the sweep requeues it, at most ``JOB_MAX_ATTEMPTS`` runs in all, then fails it
with the reason (issue 21, finding 11).

The beat comes from a daemon thread beside the task, not from the task's own loop: a long step (the first fetch of
a sorted million-row cursor, one large import transaction) would otherwise look like a dead worker.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def stall_cutoff(now=None):
    """A heartbeat older than this is a lost worker's."""
    return (now or timezone.now()) - timedelta(seconds=settings.JOB_STALL_SECONDS)


class Heartbeat:
    """``with Heartbeat(beat):`` calls ``beat()`` every ``JOB_HEARTBEAT_SECONDS`` in a daemon thread until the block
    ends. A failing beat is logged and the next one tried; the thread closes its own database connection."""

    def __init__(self, beat: Callable[[], None], *, name: str = "job", every: float | None = None):
        self.beat = beat
        self.every = float(settings.JOB_HEARTBEAT_SECONDS if every is None else every)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{name}", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    self.beat()
                except Exception:
                    logger.warning("heartbeat %s failed", self._thread.name, exc_info=True)
        finally:
            connection.close()  # this thread's connection, if a beat opened one

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False


def requeue_or_fail(queryset, *, name: str, now) -> list:
    """Put each job of ``queryset`` (RUNNING, its worker lost) back to PENDING to be sent again, or, once it has
    started ``JOB_MAX_ATTEMPTS`` runs, mark it FAILED with the reason. Each change is conditional on the job still
    being as read (a worker that beat meanwhile keeps it). Returns the ids put back to PENDING."""
    model = queryset.model
    limit = settings.JOB_MAX_ATTEMPTS
    requeued = []
    for job in queryset.only("pk", "attempts", "heartbeat_at", "started_at")[:1000]:
        silent = int((now - (job.heartbeat_at or job.started_at or now)).total_seconds())
        same = model.objects.filter(pk=job.pk, status=model.Status.RUNNING, heartbeat_at=job.heartbeat_at)
        lost = f"its worker stopped (no heartbeat for over {int(settings.JOB_STALL_SECONDS)} s)"
        if job.attempts >= limit:
            reason = f"Failed: {lost} during run {job.attempts} of {limit} (JOB_MAX_ATTEMPTS); not retried."
            if same.update(status=model.Status.FAILED, error=reason, finished_at=now):
                logger.warning("%s %s: %s", name, job.pk, reason, extra={"silent_seconds": silent})
        else:
            reason = f"Requeued: {lost} during run {job.attempts} of {limit}."
            if same.update(status=model.Status.PENDING, error=reason):
                requeued.append(job.pk)
                logger.warning("%s %s: %s", name, job.pk, reason, extra={"silent_seconds": silent})
    return requeued
