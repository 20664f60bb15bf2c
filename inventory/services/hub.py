"""The TMF638 hub: listeners register a callback (and a query) and receive service events (``ServiceCreateEvent``,
``ServiceStateChangeEvent``, ``ServiceAttributeValueChangeEvent``, ``ServiceDeleteEvent``) through the change
log's delivery engine (signed, retried, ordered per service; ``core.changes``)."""

from collections.abc import Sequence

from django.db import transaction

from core.changes import subscriptions
from core.changes.models import Subscription
from core.errors import Invalid, NotFound

from ..selectors import as_pk

HUB_NOT_FOUND = "inventory.hub_not_found"
# TMF638 event type -> the change log's event type(s).
TMF_TYPES = {
    "ServiceCreateEvent": ["service.created"],
    "ServiceStateChangeEvent": ["service.state_changed"],
    "ServiceAttributeValueChangeEvent": ["service.attributes_changed", "service.updated"],
    "ServiceDeleteEvent": ["service.deleted"],
}


def _event_types(events) -> list[str]:
    """The change log's event types of the hub events a listener asks for (none named: all four)."""
    if not events:
        return [t for types in TMF_TYPES.values() for t in types]
    unknown = [name for name in events if name not in TMF_TYPES]
    if unknown:
        raise Invalid(
            f"unknown: {', '.join(unknown)}; the hub's events are {', '.join(TMF_TYPES)}.",
            code="inventory.invalid_hub_query",
            field="events",
        )
    return [t for name in events for t in TMF_TYPES[name]]


def hub_not_found(hub_id) -> NotFound:
    """A 404 as every UIM not-found: ``entityType`` is a class of the spec's enumeration and the message names
    the thing. The enumeration has no hub (nor TMF's ``EventSubscription``: the bundle spec does not describe the
    hub), so, as a bundle's 404 does, the nearest class: ``Service``, the service inventory's, whose events the
    listener receives."""
    return NotFound(
        f"Hub listener {hub_id} not found.", code=HUB_NOT_FOUND, entity_type="Service", entity_id=str(hub_id)
    )


@transaction.atomic
def hub_subscribe(*, callback: str, events: Sequence[str] = (), query: str = "", owner=None) -> Subscription:
    """Register a listener of ``owner`` for the hub ``events`` it names (``ServiceStateChangeEvent``...; none:
    every one); ``query`` is how it asked, kept to be shown back. Its callback is checked like every webhook
    target (no private addresses)."""
    try:
        return subscriptions.subscription_create(
            name="TMF638 hub listener",
            target_url=callback,
            event_types=_event_types(events),
            format=Subscription.Format.TMF638,
            query=query or "",
            owner=owner,
        )
    except Invalid as exc:
        errors = [("callback" if path == "target_url" else path, text) for path, text in exc.errors]
        raise Invalid(exc.message, code=exc.code, errors=errors) from None


def hub_get(*, hub_id, user, action: str = "view") -> Subscription:
    """A listener that ``user`` may ``view`` or ``delete``: its own, or any with the permission on subscriptions
    (``subscriptions.subscriptions_of``). Another's answers the same 404 as an unknown id: its existence is not
    told."""
    visible = subscriptions.subscriptions_of(user=user, action=action)
    sub = visible.filter(pk=as_pk(hub_id), format=Subscription.Format.TMF638).first()
    if sub is None:
        raise hub_not_found(hub_id)
    return sub


@transaction.atomic
def hub_unsubscribe(*, hub_id, user) -> None:
    subscriptions.subscription_delete(subscription_id=hub_get(hub_id=hub_id, user=user, action="delete").pk)
