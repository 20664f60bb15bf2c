"""Bundle tasks (Approve, Issue, Activate, Cancel), run at once or as the background activation chain.

The chain is enqueued by name once the transaction commits (``core.jobs``): this module never imports the tasks
module (tasks import services, never the reverse). If the broker is down, the bundle keeps
``activation_requested`` and the sweep (``bundles_stalled``) starts it later.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import changes, metrics
from core.errors import Conflict, Invalid, InvalidState
from core.jobs import enqueue_on_commit

from ..choices import (
    OPEN_STATES,
    RUNNING_STATES,
    UNUSABLE_LIFECYCLE_STATES,
    AssignmentState,
    InteractionState,
    ReferenceState,
    ServiceState,
)
from ..errors import ACTIVATION_NOT_READY, BUNDLE_EMPTY, HISTORY_CONFLICT, RESOURCE_UNUSABLE, TASK_NOT_ALLOWED
from ..models import BusinessInteraction, InteractionTransition, ServicePartyRef, ServicePlaceRef, ServiceResourceRef
from .common import bundle_scope, bundle_services, lock_bundle

logger = logging.getLogger(__name__)

# The task that starts the chain (``inventory/tasks.py``), named so this module need not import it.
START_TASK = "inventory.tasks.bundle_activation_start"
TASKS = ("APPROVE", "ISSUE", "ACTIVATE", "CANCEL")
# task -> (states it may start from, state it leads to)
TASK_RULES = {
    "APPROVE": (OPEN_STATES, InteractionState.APPROVED),
    "ISSUE": ((InteractionState.APPROVED,), InteractionState.ISSUED),
    "ACTIVATE": ((InteractionState.ISSUED,), InteractionState.COMPLETED),
    "CANCEL": (OPEN_STATES, InteractionState.CANCELLED),
}
ACTIVATION_STEPS = ("APPROVE", "ISSUE", "ACTIVATE")
_ORDER = {
    InteractionState.CREATED: 0,
    InteractionState.IN_PROGRESS: 0,
    InteractionState.APPROVED: 1,
    InteractionState.ISSUED: 2,
    InteractionState.COMPLETED: 3,
}
_FINISHED = (InteractionState.COMPLETED, InteractionState.CANCELLED, InteractionState.FAILED)


class ActivationNotReady(InvalidState):
    """A chain step found the bundle not yet in the state it starts from (the task retries with backoff)."""

    default_code = ACTIVATION_NOT_READY


class ActivationRefused(InvalidState):
    """The inventory cannot activate the bundle as designed (not retried: the chain marks the bundle FAILED)."""


def _check_has_items(bundle: BusinessInteraction) -> None:
    if not bundle.children.exists():
        raise ActivationRefused(f"Bundle {bundle.pk} has no items: there is nothing to activate.", code=BUNDLE_EMPTY)


def _check_resources(bundle: BusinessInteraction) -> None:
    unusable = (
        ServiceResourceRef.objects.filter(
            service__business_interaction__parent=bundle, resource__lifecycle_state__in=UNUSABLE_LIFECYCLE_STATES
        )
        .values_list("resource_id", "resource__lifecycle_state")
        .order_by("resource_id")
        .distinct()
    )
    problems = [f"resource {rid} is {state}" for rid, state in unusable]
    if problems:
        raise ActivationRefused("Cannot activate: " + "; ".join(problems) + ".", code=RESOURCE_UNUSABLE)


def _activate_rows(bundle: BusinessInteraction, now) -> None:
    bundle_services(bundle).update(
        state=ServiceState.ACTIVE, has_started=True, is_service_enabled=True, start_date=Coalesce("start_date", now)
    )
    scope = Q(service__business_interaction__parent=bundle)
    ServiceResourceRef.objects.filter(scope).update(
        reference_state=ReferenceState.REFERENCED, assignment_state=AssignmentState.ASSIGNED
    )
    ServicePartyRef.objects.filter(scope).update(reference_state=ReferenceState.REFERENCED)
    ServicePlaceRef.objects.filter(scope).update(reference_state=ReferenceState.REFERENCED)


def _cancel_rows(bundle: BusinessInteraction) -> None:
    bundle_services(bundle).update(state=ServiceState.CANCELLED, is_service_enabled=False)
    scope = Q(service__business_interaction__parent=bundle)
    for model in (ServiceResourceRef, ServicePartyRef, ServicePlaceRef):
        model.objects.filter(scope).update(reference_state=ReferenceState.UNREFERENCED)


def _apply(bundle: BusinessInteraction, task: str, to_state: str) -> None:
    """Apply one task's effects to the bundle, its interactions, services and references.

    The transition's unique constraint (bundle, attempt, state reached) makes a replayed step unable to record
    twice; a conflicting row that is already there is a ``Conflict`` (never retried: it would conflict again).
    """
    if task in ACTIVATION_STEPS:
        _check_has_items(bundle)
    now = timezone.now()
    services_before = {s.pk: s for s in bundle_services(bundle)} if task in ("ACTIVATE", "CANCEL") else {}
    if task == "ACTIVATE":
        _check_resources(bundle)
        _activate_rows(bundle, now)
    elif task == "CANCEL":
        _cancel_rows(bundle)
    bundle_scope(bundle).update(state=to_state, updated_at=now)
    moved = [
        s
        for s in bundle_services(bundle).filter(pk__in=list(services_before))
        if s.state != services_before[s.pk].state
    ]
    befores = {s.pk: changes.snapshot(services_before[s.pk]) for s in moved}
    changes.record_many(moved, "state_changed", befores=befores)
    changes.record(bundle, "state_changed", changes={"state": [bundle.state, to_state]})
    try:
        with transaction.atomic():
            InteractionTransition.objects.create(
                interaction=bundle, attempt=bundle.attempt, task=task, from_state=bundle.state, to_state=to_state
            )
    except IntegrityError as exc:
        raise Conflict(
            f"{task}: the bundle's history already records a change to {to_state} in attempt {bundle.attempt}; "
            "nothing was applied.",
            code=HISTORY_CONFLICT,
        ) from exc
    if to_state in (InteractionState.COMPLETED, InteractionState.CANCELLED):
        BusinessInteraction.objects.filter(pk=bundle.pk).update(activation_requested=False)
    bundle.state = to_state


@transaction.atomic
def bundle_run_task(*, bundle_id, task: str) -> BusinessInteraction:
    """Run one task (APPROVE, ISSUE, ACTIVATE, CANCEL) now; ``InvalidState`` naming the state if it cannot start."""
    task = task.upper()
    if task not in TASK_RULES:
        raise Invalid(f"{task} is not one of {', '.join(TASKS)}.", field="task")
    bundle = lock_bundle(bundle_id)
    allowed, to_state = TASK_RULES[task]
    if bundle.state not in allowed:
        required = " or ".join(s for s in allowed if s != InteractionState.CREATED) or allowed[0]
        raise InvalidState(
            f"Cannot {task} bundle {bundle.pk}: it is {bundle.state} ({task} requires {required}).",
            code=TASK_NOT_ALLOWED,
        )
    _apply(bundle, task, to_state)
    return bundle


def _step_delay() -> None:
    """Tests make a step slow (setting ``INVENTORY_STEP_DELAY_SECONDS``) to kill the worker in the middle of it."""
    delay = float(getattr(settings, "INVENTORY_STEP_DELAY_SECONDS", 0) or 0)
    if delay > 0:
        time.sleep(delay)


@transaction.atomic
def bundle_activation_step(*, bundle_id: int, step: str) -> str:
    """One idempotent step of the activation chain, under the bundle's row lock.

    Already past this step → nothing to do. Cancelled or failed → the chain stops doing anything.
    Not yet at the step's starting state → ``ActivationNotReady`` (the task retries with backoff).
    ``ActivationRefused`` or ``Conflict`` → the task marks the bundle FAILED with the reason.
    """
    bundle = BusinessInteraction.objects.select_for_update().filter(pk=bundle_id, parent__isnull=True).first()
    if bundle is None:
        return "missing"
    allowed, to_state = TASK_RULES[step]
    if bundle.state in (InteractionState.CANCELLED, InteractionState.FAILED):
        return f"skipped: {bundle.state}"
    if bundle.state not in allowed:
        if _ORDER.get(bundle.state, -1) >= _ORDER[to_state]:
            return "already done"
        raise ActivationNotReady(f"{step} needs {allowed[-1]}, bundle {bundle.pk} is {bundle.state}")
    _step_delay()
    _apply(bundle, step, to_state)
    metrics.outcome("bundles", "activated", int(to_state == InteractionState.COMPLETED))
    return "applied"


@transaction.atomic
def bundle_mark_failed(*, bundle_id: int, step: str, reason: str) -> None:
    """The activation chain gave up: the bundle becomes FAILED, keeping the state it failed in and why."""
    bundle = BusinessInteraction.objects.select_for_update().filter(pk=bundle_id, parent__isnull=True).first()
    if bundle is None or bundle.state in _FINISHED:
        return
    reason = f"{step}: {reason}"[:2000]
    bundle_scope(bundle).update(
        state=InteractionState.FAILED, failed_state=bundle.state, failure_reason=reason, updated_at=timezone.now()
    )
    metrics.outcome("bundles", "failed")
    changes.record(
        bundle,
        "state_changed",
        changes={"state": [bundle.state, InteractionState.FAILED], "failure_reason": [None, reason]},
    )
    try:
        with transaction.atomic():
            InteractionTransition.objects.create(
                interaction=bundle,
                attempt=bundle.attempt,
                task=step,
                from_state=bundle.state,
                to_state=InteractionState.FAILED,
                reason=reason,
            )
    except IntegrityError:  # a conflicting history row must not keep the bundle from failing visibly
        logger.warning("inventory: bundle %s failed (%s) but its history already has a FAILED row", bundle.pk, reason)


def bundle_request_activation(*, bundle: BusinessInteraction) -> None:
    """Mark the bundle as to be activated and enqueue the chain once the transaction commits.

    An empty bundle is refused (``InvalidState``). A bundle whose ``effective_date`` is still ahead is only
    marked: the sweep starts it once the date has passed."""
    if bundle.state not in RUNNING_STATES:
        raise InvalidState(f"Cannot activate bundle {bundle.pk}: it is {bundle.state}.", code=TASK_NOT_ALLOWED)
    _check_has_items(bundle)
    BusinessInteraction.objects.filter(pk=bundle.pk).update(activation_requested=True, updated_at=timezone.now())
    if not bundle.activation_requested:
        changes.record(bundle, "activation_requested", changes={"activation_requested": [False, True]})
    bundle.activation_requested = True
    if bundle.effective_date and bundle.effective_date > timezone.now():
        return
    enqueue_on_commit(START_TASK, bundle.pk)


@transaction.atomic
def bundle_retry(*, bundle_id) -> BusinessInteraction:
    """Put a FAILED bundle back in the state it failed in and run its activation again."""
    bundle = lock_bundle(bundle_id)
    if bundle.state != InteractionState.FAILED:
        raise InvalidState(f"Cannot retry bundle {bundle.pk}: it is {bundle.state}, not FAILED.", code=TASK_NOT_ALLOWED)
    back_to = bundle.failed_state or InteractionState.CREATED
    bundle.attempt += 1
    bundle_scope(bundle).update(failed_state="", failure_reason="")
    BusinessInteraction.objects.filter(pk=bundle.pk).update(state=back_to, attempt=bundle.attempt)
    BusinessInteraction.objects.filter(parent=bundle).update(
        state=InteractionState.IN_PROGRESS if back_to in OPEN_STATES else back_to
    )
    InteractionTransition.objects.create(
        interaction=bundle, attempt=bundle.attempt, task="RETRY", from_state=InteractionState.FAILED, to_state=back_to
    )
    # One change for the one staff action: back to its state, activation requested again.
    changed = {"state": [InteractionState.FAILED, back_to]}
    if not bundle.activation_requested:
        changed["activation_requested"] = [False, True]
    bundle.state = back_to
    _check_has_items(bundle)
    changes.record(bundle, "state_changed", changes=changed)
    bundle.activation_requested = True
    bundle_request_activation(bundle=bundle)
    return bundle


def bundles_stalled(*, stall_seconds: float):
    """Bundles that should be running their activation and have not moved for ``stall_seconds``."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=stall_seconds)
    return (
        BusinessInteraction.objects.filter(
            parent__isnull=True, activation_requested=True, state__in=RUNNING_STATES, updated_at__lte=cutoff
        )
        .filter(Q(effective_date__isnull=True) | Q(effective_date__lte=now))
        .order_by("pk")
    )


def bundles_touch(*, bundle_ids: list[int]) -> None:
    """Note that the sweep re-enqueued these bundles, so the next sweep waits for them again."""
    BusinessInteraction.objects.filter(pk__in=bundle_ids).update(updated_at=timezone.now())
