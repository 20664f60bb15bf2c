"""Celery tasks of bundle activation: Approve → Issue → Activate as a chain, and the sweep that restarts it.

The services enqueue ``bundle_activation_start`` by name after commit (``core.jobs``); it publishes the chain.
Every step is idempotent (``services.bundle_activation_step`` checks the bundle's state under a row lock),
acknowledged late (a worker killed mid-step leaves the message to be delivered again) and retried with backoff
on transient errors only (the bundle not yet ready, the database unreachable). A refusal, a conflict with the
bundle's recorded history or any other error marks the bundle FAILED with the reason at once.
"""

import logging

from celery import chain, shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from core.errors import DomainError

from . import services

logger = logging.getLogger(__name__)

# Errors worth retrying: another step has not finished yet, or the database is briefly unreachable. Not
# IntegrityError or DataError: the same step would meet them again on every retry.
TRANSIENT = (services.ActivationNotReady, OperationalError, InterfaceError)
STEP_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}
DEFAULT_STALL_SECONDS = 120.0


def _on_failure(step: str):
    """An unexpected error (not a refusal, not transient) also leaves the bundle FAILED with its reason."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        bundle_id = args[0] if args else kwargs.get("bundle_id")
        services.bundle_mark_failed(bundle_id=bundle_id, step=step, reason=str(exc) or type(exc).__name__)

    return on_failure


def _run_step(task, bundle_id: int, step: str) -> str:
    try:
        return services.bundle_activation_step(bundle_id=bundle_id, step=step)
    except TRANSIENT as exc:
        if task.request.retries >= task.max_retries:
            services.bundle_mark_failed(bundle_id=bundle_id, step=step, reason=f"gave up after retries: {exc}")
            return "failed"
        raise  # autoretry_for: retried with backoff
    except DomainError as exc:  # refused (empty bundle, unusable resource) or in conflict with its history
        services.bundle_mark_failed(bundle_id=bundle_id, step=step, reason=exc.message)
        return "failed"
    except DatabaseError as exc:  # an integrity or data error: retrying would meet it again
        logger.exception("inventory: %s of bundle %s failed", step, bundle_id)
        services.bundle_mark_failed(bundle_id=bundle_id, step=step, reason=f"{type(exc).__name__}: {exc}")
        return "failed"


@shared_task(name="inventory.tasks.bundle_approve", on_failure=_on_failure("APPROVE"), **STEP_OPTIONS)
def bundle_approve(self, bundle_id: int) -> str:
    return _run_step(self, bundle_id, "APPROVE")


@shared_task(name="inventory.tasks.bundle_issue", on_failure=_on_failure("ISSUE"), **STEP_OPTIONS)
def bundle_issue(self, bundle_id: int) -> str:
    return _run_step(self, bundle_id, "ISSUE")


@shared_task(name="inventory.tasks.bundle_activate", on_failure=_on_failure("ACTIVATE"), **STEP_OPTIONS)
def bundle_activate(self, bundle_id: int) -> str:
    return _run_step(self, bundle_id, "ACTIVATE")


def _own_queue(task) -> str | None:
    """The queue this task's message came from (the chain's later steps are published by the worker)."""
    delivery = getattr(task.request, "delivery_info", None) or {}
    return delivery.get("routing_key") or None


def activation_chain(bundle_id: int, *, queue: str | None = None):
    """The chain, every step pinned to ``queue`` (if None: the activations queue, ``config/queues.py``)."""
    steps = (task.si(bundle_id) for task in (bundle_approve, bundle_issue, bundle_activate))
    return chain(*(step.set(queue=queue) if queue else step for step in steps))


def publish_activation(bundle_id: int, *, queue: str | None = None) -> bool:
    """Publish the chain; if the broker is down, log it and let the sweep publish it later."""
    try:
        activation_chain(bundle_id, queue=queue).apply_async()
    except Exception:
        logger.exception("inventory: could not enqueue activation of bundle %s; the sweep will retry", bundle_id)
        return False
    return True


@shared_task(bind=True, name=services.START_TASK, acks_late=True)
def bundle_activation_start(self, bundle_id: int) -> bool:
    """Start a bundle's activation (what the services enqueue after commit): publish the chain on this queue."""
    return publish_activation(bundle_id, queue=_own_queue(self))


@shared_task(bind=True, name="inventory.tasks.sweep_stalled_activations", acks_late=True)
def sweep_stalled_activations(self, stall_seconds: float | None = None) -> int:
    """Re-enqueue every bundle that should be activating and has not moved for a while.

    The wait is the ``INVENTORY_SWEEP_STALL_SECONDS`` setting (120 s by default)."""
    if stall_seconds is None:
        stall_seconds = float(getattr(settings, "INVENTORY_SWEEP_STALL_SECONDS", DEFAULT_STALL_SECONDS))
    queue = _own_queue(self)
    ids = list(services.bundles_stalled(stall_seconds=stall_seconds).values_list("pk", flat=True)[:1000])
    sent = [bundle_id for bundle_id in ids if publish_activation(bundle_id, queue=queue)]
    services.bundles_touch(bundle_ids=sent)
    if sent:
        logger.info("inventory: sweep re-enqueued %d stalled bundles at %s", len(sent), timezone.now())
    return len(sent)
