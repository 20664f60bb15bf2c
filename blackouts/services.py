"""What changes blackout data: policy writes, window transitions (set-based), event ingest (its engine is in
``ingest.py``).

Transitions are idempotent and crash-safe: ``policy_reconcile`` locks the policy row, compares the window
the engine says is open now with the one recorded in ``applied_start``/``applied_end``, applies the
difference with one ``UPDATE`` per edge, and records the new state in the same transaction. Running it
twice changes nothing the second time; a tick that was down catches up on the next run.
"""

import logging
from datetime import datetime

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from core import changes, context, criteria, metrics
from core.errors import Conflict, Invalid, InvalidState, NotFound

from . import policy_input, windows
from .active_set import policy_set_changed
from .event_slots import EVENT_SLOTS
from .ingest import BLACKOUT_FROM, EVENT_FIELDS, StoredEvent, events_ingest  # noqa: F401  (the ingest door)
from .models import BlackoutPolicy, Event, EventStatus

logger = logging.getLogger(__name__)


def policy_not_found(ids) -> NotFound:
    missing = [str(pk) for pk in ids]
    return NotFound(
        f"No blackout policy with id {', '.join(missing)}",
        code="blackouts.policy_not_found",
        id=missing[0],
        ids=missing,
    )


def _refresh_schedule(policy: BlackoutPolicy, now: datetime) -> None:
    window = windows.current_or_next_window(policy.parsed_timeframe, now)
    policy.window_start, policy.window_end = (window.start, window.end) if window else (None, None)


@transaction.atomic
def policy_create(*, fields: dict, owner: str = "", now: datetime | None = None, policy_id=None) -> BlackoutPolicy:
    """Create a policy from model fields; the name is unique. Reconciles at once (an open window applies).
    ``policy_id`` fixes the new policy's id (the demo gives the spec's examples the spec's ids)."""
    now = now or timezone.now()
    fields = policy_input.clean_policy(fields)
    if BlackoutPolicy.objects.filter(name=fields["name"]).exists():
        raise Conflict(
            "Failed to create policy, a policy with this name exists",
            code="blackouts.policy_name_taken",
            field="name",
            name=fields["name"],
        )
    policy = BlackoutPolicy(owner=owner, **fields)
    if policy_id is not None:
        policy.pk = policy_id
    policy.applied_edge = now  # windows that ended before the policy existed are not applied
    _refresh_schedule(policy, now)
    policy.save()
    policy_set_changed()
    changes.record(policy, "created")
    policy_reconcile(policy_id=policy.pk, now=now)
    policy.refresh_from_db()
    return policy


@transaction.atomic
def policy_update(*, policy_id, fields: dict, now: datetime | None = None) -> BlackoutPolicy:
    """Replace a policy's definition. The name must not change; a policy whose window is active now (and is
    enabled) cannot be updated (``BLACKOUT_POLICY_ACTIVE``)."""
    now = now or timezone.now()
    policy = BlackoutPolicy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise policy_not_found([policy_id])
    fields = policy_check_update(policy=policy, fields=fields, now=now)
    before = changes.snapshot(policy)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.apply_error, policy.apply_error_at = "", None
    if policy.applied_start is None:
        policy.applied_edge = now  # the new definition's past windows are not applied
    _refresh_schedule(policy, now)
    policy.save()
    policy_set_changed()
    changes.record(policy, "updated", before=before)
    policy_reconcile(policy_id=policy.pk, now=now)
    policy.refresh_from_db()
    return policy


def policy_check_update(*, policy: BlackoutPolicy, fields: dict, now: datetime | None = None) -> dict:
    """The rules of an update, without writing: the name never changes, the input (``fields`` over the stored
    ones) is valid, and an enabled policy whose window is open now is not edited. Returns the cleaned fields."""
    if fields.get("name") != policy.name:
        raise Invalid("Policy name cannot be changed", code="blackouts.policy_name_immutable", field="name")
    stored = {name: getattr(policy, name) for name in BlackoutPolicy.INPUT_FIELDS}
    fields = policy_input.clean_policy(stored | fields)
    if _is_active(policy, now or timezone.now()):
        raise InvalidState(
            "Failed to update, policy is in active state", code="blackouts.policy_active", id=str(policy.pk)
        )
    return fields


def _check_stored(policy: BlackoutPolicy) -> None:
    """A stored policy still passes the validator (rules tighten: a pattern PostgreSQL refuses, say) before it
    is enabled, so enabling never breaks the window tick."""
    try:
        policy_input.clean_policy({name: getattr(policy, name) for name in BlackoutPolicy.INPUT_FIELDS})
    except Invalid as exc:
        errors = [(path, f"policy {policy.name}: {text}") for path, text in exc.errors]
        raise Invalid(f"policy {policy.name}: {exc.message}", code=exc.code, errors=errors, **exc.params) from None


def _is_active(policy: BlackoutPolicy, now: datetime) -> bool:
    return policy.enabled and windows.active_window(policy.parsed_timeframe, now) is not None


@transaction.atomic
def policies_set_enabled(*, ids: list, enabled: bool, now: datetime | None = None) -> list:
    """Enable or disable policies (all must exist, else nothing changes); reconcile each at once. Enabling or
    disabling clears a tick error (staff retry that way). Returns the ids."""
    now = now or timezone.now()
    policies = list(BlackoutPolicy.objects.select_for_update().filter(pk__in=ids))
    known = {p.pk for p in policies}
    missing = [pk for pk in ids if pk not in known]
    if missing:
        raise policy_not_found(missing)
    if enabled:
        for policy in policies:
            _check_stored(policy)
    changed = [p.pk for p in policies if p.enabled != enabled]
    BlackoutPolicy.objects.filter(pk__in=changed).update(enabled=enabled, modified_at=now, applied_edge=now)
    if changed:
        policy_set_changed()
    for policy in policies:
        if policy.pk in changed:
            changes.record(policy, "enabled" if enabled else "disabled", changes={"enabled": [not enabled, enabled]})
    BlackoutPolicy.objects.filter(pk__in=known).exclude(apply_error="").update(apply_error="", apply_error_at=None)
    for pk in changed:
        policy_reconcile(policy_id=pk, now=now)
    return [p.pk for p in policies]


@transaction.atomic
def policies_delete(*, ids: list, now: datetime | None = None) -> tuple[list, list]:
    """Delete the policies that exist; an open window is closed first (its reset applies). Returns
    ``(deleted ids, ids that did not exist)`` in request order."""
    now = now or timezone.now()
    existing = set(BlackoutPolicy.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    deleted = [i for i in ids if i in existing]
    failed = [i for i in ids if i not in existing]
    for pk in deleted:
        BlackoutPolicy.objects.filter(pk=pk).update(enabled=False)
        policy_reconcile(policy_id=pk, now=now)
    for policy in BlackoutPolicy.objects.filter(pk__in=deleted):
        changes.record(policy, "deleted")
    BlackoutPolicy.objects.filter(pk__in=deleted).delete()
    if deleted:
        policy_set_changed()
    return deleted, failed


def policy_delete(*, policy_id, now: datetime | None = None) -> None:
    """Delete one policy (its open window is closed first); :class:`NotFound` if there is none."""
    deleted, _ = policies_delete(ids=[policy_id], now=now)
    if not deleted:
        raise policy_not_found([policy_id])


def _actor_owner() -> str:
    """The owner of a policy created by whoever acts now: a user's name (``user:<name>``, as the wire and the
    admin set it), else the actor itself (``command:import_records``)."""
    actor = context.actor() or ""
    owner = context.actor_username(actor) or actor
    return owner[: BlackoutPolicy._meta.get_field("owner").max_length]


@transaction.atomic
def policy_rows_write(*, creates: list[dict], updates: list[tuple], now: datetime | None = None) -> None:
    """Policies from an import (already matched by name and cleaned): each through ``policy_create`` or
    ``policy_update``, the wire's own writes, so the same rules hold (an active policy is not edited). The owner
    of a created policy is the actor (the importing user), never a value of the file."""
    # The rows to update are locked before a create replaces the policy set's token: every policy write takes its
    # policy rows first and the token last, so two writes never wait on each other in a cycle.
    list(BlackoutPolicy.objects.select_for_update().filter(pk__in=[pk for pk, _ in updates]).values_list("pk"))
    for values in creates:
        fields = {name: values[name] for name in BlackoutPolicy.INPUT_FIELDS if name in values}
        policy_create(fields=fields, owner=_actor_owner(), now=now)
    for pk, values in updates:
        fields = {name: values[name] for name in BlackoutPolicy.INPUT_FIELDS if name in values}
        policy_update(policy_id=pk, fields=fields, now=now)


# --- Transitions ------------------------------------------------------------------------------------------------
def _policy_q(policy: BlackoutPolicy) -> Q:
    return criteria.to_q(criteria.parse(policy.selector_criteria, EVENT_SLOTS), EVENT_SLOTS)


def event_blackout_apply(*, policy: BlackoutPolicy, now: datetime, bound_ms: int | None = None) -> int:
    """Window start: OPEN events matching the selector become BLACKOUT, in one UPDATE, bounded by ``bound_ms``
    (None: ``CRITERIA_STATEMENT_TIMEOUT_MS``, for a request; the tick passes the window edges' own bound)."""
    matching = Event.objects.filter(status=EventStatus.OPEN).filter(_policy_q(policy))
    with criteria.bounded(bound_ms):
        count = matching.update(
            status=EventStatus.BLACKOUT,
            previous_status=EventStatus.OPEN,
            blackout_policy=policy.pk,
            blacked_out_at=now,
        )
    metrics.outcome("events", "blacked_out", count)
    return count


def event_blackout_reset(*, policy: BlackoutPolicy, now: datetime, bound_ms: int | None = None) -> int:
    """Window end: events this policy blacked out get their previous status back, except those another
    active policy still covers (they are handed over to it, lowest executionOrder first)."""
    blacked = Event.objects.filter(blackout_policy=policy.pk, status=EventStatus.BLACKOUT)
    others = (
        BlackoutPolicy.objects.filter(enabled=True)
        .filter(Q(applied_start__isnull=False) | Q(window_start__lte=now, window_end__gt=now))
        .exclude(pk=policy.pk)
        .by_precedence()
    )
    for other in others:
        if other.applied_start is None and windows.active_window(other.parsed_timeframe, now) is None:
            continue
        handed = blacked.filter(_policy_q(other))
        with criteria.bounded(bound_ms):
            handed.update(blackout_policy=other.pk)
    return blacked.update(
        status=Coalesce(NullIf(F("previous_status"), Value("")), Value(EventStatus.OPEN)),
        previous_status="",
        blackout_policy=None,
        blacked_out_at=None,
    )


@transaction.atomic
def policy_reconcile(*, policy_id, now: datetime | None = None, bound_ms: int | None = None) -> str:
    """Bring events in line with the policy's window at ``now``. Idempotent; returns what it did. ``bound_ms``: the
    time bound of its criteria statements (``event_blackout_apply``)."""
    now = now or timezone.now()
    policy = BlackoutPolicy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        return "gone"
    tf = policy.parsed_timeframe
    desired = windows.active_window(tf, now) if policy.enabled else None
    applied = windows.Window(policy.applied_start, policy.applied_end) if policy.applied_start else None
    done = []
    transitions = []  # (action, counts) for the change log: one change per window edge, with its counts
    if applied is not None and applied != desired:
        if policy.reset_status_on_blackout_end:
            reset = event_blackout_reset(policy=policy, now=now, bound_ms=bound_ms)
            done.append(f"reset {reset}")
            transitions.append(("window_closed", {"events_reset": reset}))
        else:
            done.append("closed")
            transitions.append(("window_closed", {"events_reset": 0}))
        policy.applied_start = policy.applied_end = None
        policy.applied_edge = min(applied.end, now)
    elif (
        applied is None
        and desired is None
        and policy.reset_status_on_blackout_end
        and Event.objects.filter(blackout_policy=policy.pk, status=EventStatus.BLACKOUT).exists()
    ):
        # Events blacked out at ingest during a window no tick applied: the end still gives them back.
        reset = event_blackout_reset(policy=policy, now=now, bound_ms=bound_ms)
        done.append(f"reset {reset}")
        transitions.append(("window_closed", {"events_reset": reset}))
    if policy.enabled:
        # A window that opened and closed while no tick ran: apply its net effect once.
        missed = windows.last_started_window(tf, now)
        unseen = missed is not None and (policy.applied_edge is None or missed.start > policy.applied_edge)
        if unseen and missed != desired and missed.end <= now:
            if policy.blackout_existing_events and not policy.reset_status_on_blackout_end:
                caught = event_blackout_apply(policy=policy, now=now, bound_ms=bound_ms)
                done.append(f"caught up {caught}")
                transitions.append(("window_caught_up", {"events_blacked_out": caught}))
            policy.applied_edge = missed.end
    if desired is not None and applied != desired:
        if policy.blackout_existing_events:
            blacked = event_blackout_apply(policy=policy, now=now, bound_ms=bound_ms)
            done.append(f"blacked out {blacked}")
            transitions.append(("window_opened", {"events_blacked_out": blacked}))
        else:
            done.append("opened")
            transitions.append(("window_opened", {"events_blacked_out": 0}))
        policy.applied_start, policy.applied_end = desired.start, desired.end
        policy.applied_edge = desired.start
    _refresh_schedule(policy, now)
    # update(), not save(): a transition is not a modification of the policy (modificationTime stays).
    BlackoutPolicy.objects.filter(pk=policy.pk).update(
        applied_start=policy.applied_start,
        applied_end=policy.applied_end,
        applied_edge=policy.applied_edge,
        window_start=policy.window_start,
        window_end=policy.window_end,
    )
    policy_set_changed()
    for action, counts in transitions:  # the events carry the provenance: blackout_policy and blacked_out_at
        window = {"applied_start": policy.applied_start, "applied_end": policy.applied_end, "at": now}
        changes.record(policy, action, changes={"window": [None, window]}, counts=counts)
    if done:
        logger.info("blackout policy %s: %s", policy.name, ", ".join(done))
    return ", ".join(done) or "nothing"


def policies_due(*, now: datetime) -> list:
    """Policies whose applied state may differ from their window now: an edge has passed or a window is
    recorded as applied while the policy is disabled. Policies marked in error wait for staff."""
    return list(
        BlackoutPolicy.objects.filter(apply_error="")
        .filter(
            Q(enabled=True, window_start__lte=now, applied_start__isnull=True)
            | Q(applied_end__lte=now)
            | Q(enabled=False, applied_start__isnull=False)
            | Q(enabled=True, window_end__lte=now)
        )
        .values_list("pk", flat=True)
    )


TRANSIENT_ERRORS = (OperationalError, InterfaceError)  # the database is away: retry on the next tick


def policies_tick(*, now: datetime | None = None) -> dict:
    """One scheduler tick: reconcile every due policy, each in its own transaction. A policy that cannot be
    applied (its criteria or timeframe fail, the database refuses its pattern) is marked in error with why,
    and the others go on; a lost database connection is not the policy's fault and is retried next tick."""
    now = now or timezone.now()
    results = {}
    bound = criteria.window_timeout_ms()  # in the background: a window edge may change millions of events
    for pk in policies_due(now=now):
        try:
            results[str(pk)] = policy_reconcile(policy_id=pk, now=now, bound_ms=bound)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            logger.exception("blackout policy %s cannot be applied; marked in error", pk)
            reason = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).strip()
            policy_mark_error(policy_id=pk, reason=f"{type(exc).__name__}: {reason}"[:2000], now=now)
            results[str(pk)] = "error"
    return results


def policy_mark_error(*, policy_id, reason: str, now: datetime | None = None) -> None:
    """Record why the tick cannot apply a policy (shown in the admin); the tick skips it until an edit,
    enable or disable clears it."""
    BlackoutPolicy.objects.filter(pk=policy_id).update(apply_error=reason, apply_error_at=now or timezone.now())
    for policy in BlackoutPolicy.objects.filter(pk=policy_id):
        changes.record(policy, "apply_error", changes={"apply_error": [None, reason]})
