"""Reads beyond a one-line queryset: which outages affect a customer, one event with its history."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.errors import NotFound

from .models import OutageCustomer, OutageEvent, OutageMessage, OutageState

RECENTLY_RESTORED = timedelta(hours=24)
HISTORY_LIMIT = 100


def outage_events_for_customer(
    *, account_id: str = "", sp_id: str = "", include_recently_restored: bool = False, now=None
) -> QuerySet[OutageEvent]:
    """Active outages listing the account or the service point (either matches); optionally also those
    restored in the last 24 hours. Discarded outages never affect anyone."""
    match = Q()
    if account_id:
        match |= Q(account_id=account_id)
    if sp_id:
        match |= Q(sp_id=sp_id)
    if not match:
        return OutageEvent.objects.none()
    listed = OutageCustomer.objects.filter(match, event=OuterRef("pk"))
    state = Q(state=OutageState.ACTIVE)
    if include_recently_restored:
        cutoff = (now or timezone.now()) - RECENTLY_RESTORED
        state |= Q(state=OutageState.RESTORED, completion_date_time__gte=cutoff)
    return (
        OutageEvent.objects.filter(state)
        .filter(Exists(listed))
        .select_related("external_system")
        .order_by("-start_date_time", "-id")
    )


def outage_event_get(*, external_system: str, external_outage_id: str) -> OutageEvent:
    """One event with its details, characteristics and its most recent messages (``recent_messages``).

    Raises :class:`~core.errors.NotFound` (``outages.event_not_found``) when there is no such event.
    """
    event = (
        OutageEvent.objects.select_related("external_system")
        .prefetch_related("details", "characteristics")
        .filter(external_system__name=external_system, external_outage_id=external_outage_id)
        .first()
    )
    if event is None:
        raise NotFound(
            f'No outage event "{external_outage_id}" from external system "{external_system}".',
            code="outages.event_not_found",
            external_system=external_system,
            external_outage_id=external_outage_id,
        )
    event.recent_messages = list(
        outage_event_history(event=event).only("received_at", "message_reference", "outcome", "reason", "received_by")[
            :HISTORY_LIMIT
        ]
    )
    return event


def outage_event_history(*, event: OutageEvent) -> QuerySet[OutageMessage]:
    """Every logged message about the event: those applied to it and those refused for its outage id."""
    return OutageMessage.objects.filter(
        Q(event=event)
        | Q(
            event__isnull=True,
            external_system_name=event.external_system.name,
            external_outage_id=event.external_outage_id,
        )
    ).order_by("-received_at", "-id")
