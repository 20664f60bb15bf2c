"""Staff doors (admin add/change/delete and actions, demo loaders): the same rules as the wire, through here."""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from core import changes
from core.changes.saving import validate_save_record

from ..domain import Characteristic, Detail
from ..models import (
    ExternalSystem,
    OutageCustomer,
    OutageEvent,
    OutageState,
)
from .notifications import LIST_REPLACED, characteristics_replace, details_replace, event_save


@transaction.atomic
def outage_events_discard(*, event_ids: Iterable[int]) -> int:
    """Staff action: mark events discarded (set-based); returns how many changed."""
    discarded = OutageEvent.derive_state(discarded=True, completion_date_time=None)  # discarded wins, whatever else
    targets = OutageEvent.objects.filter(pk__in=list(event_ids)).exclude(state=OutageState.DISCARDED)
    befores = {e.pk: changes.snapshot(e) for e in targets.select_related("external_system")}
    done = targets.update(discarded=True, state=discarded, updated_at=timezone.now())
    discarded_events = OutageEvent.objects.filter(pk__in=list(befores)).select_related("external_system")
    changes.record_many(discarded_events, "discarded", befores=befores)
    return done


@transaction.atomic
def outage_event_save(*, event: OutageEvent) -> OutageEvent:
    """Staff add or change of an event (the admin): its times checked by the model's rule, its state derived."""
    error = event.times_error()
    if error is not None:
        raise error
    before = changes.stored(event)
    event_save(event)
    changes.record(event, "created" if before is None else "updated", before=before)
    return event


@transaction.atomic
def outage_event_lists_replace(
    *, event: OutageEvent, characteristics: Sequence[Characteristic], details: Sequence[Detail]
) -> None:
    """Staff edit of an event's characteristics and additional details: both lists replaced, in order, as a
    notification replaces them. Recorded only when a list changed (saving the form again as it is records
    nothing)."""
    replaced = {}
    if characteristics_replace(event, characteristics):
        replaced["characteristics"] = LIST_REPLACED
    if details_replace(event, details):
        replaced["details"] = LIST_REPLACED
    if replaced:
        counts = {"characteristics": len(characteristics), "details": len(details)}
        changes.record(event, "lists_replaced", changes=replaced, counts=counts)


@transaction.atomic
def outage_events_delete(*, event_ids: Iterable[int]) -> int:
    """Staff delete of events with their customers, characteristics and details; logged messages stay (their
    event emptied). Customers go in one DELETE first, so a storm's list costs no per-row cascade."""
    ids = list(event_ids)
    for event in OutageEvent.objects.filter(pk__in=ids).select_related("external_system"):
        changes.record(event, "deleted")
    OutageCustomer.objects.filter(event_id__in=ids).delete()
    _, per_model = OutageEvent.objects.filter(pk__in=ids).delete()
    return per_model.get(OutageEvent._meta.label, 0)


@transaction.atomic
def external_system_save(*, system: ExternalSystem) -> ExternalSystem:
    """Staff add or change of an external system (its name is what OMS requests send in ``externalSystem``)."""
    return validate_save_record(system, code="outages.invalid_external_system")


@transaction.atomic
def external_system_ensure(*, name: str, description: str = "") -> ExternalSystem:
    """The external system of that name, created (active) if missing; an existing one is left as it is (demo
    loaders, set-up commands)."""
    system, created = ExternalSystem.objects.get_or_create(name=name, defaults={"description": description})
    if created:
        changes.record(system, "created")
    return system


@transaction.atomic
def external_systems_set_active(*, system_ids: Iterable[int], active: bool) -> int:
    targets = list(ExternalSystem.objects.filter(pk__in=list(system_ids)).exclude(is_active=active))
    done = ExternalSystem.objects.filter(pk__in=[s.pk for s in targets]).update(is_active=active)
    for system in targets:
        changes.record(system, "updated", changes={"is_active": [not active, active]})
    return done
