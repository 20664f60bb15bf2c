"""The TMF638 hub: listeners register a callback (and a query) and receive service events (``ServiceCreateEvent``,
``ServiceStateChangeEvent``, ``ServiceAttributeValueChangeEvent``, ``ServiceDeleteEvent``) through the change
log's delivery engine (signed, retried, ordered per service; ``core.changes``)."""

import re

from django.db import transaction

from core.changes import subscriptions
from core.changes.models import Subscription
from core.errors import Invalid, NotFound

HUB_NOT_FOUND = "inventory.hub_not_found"
# TMF638 event type -> the change log's event type(s).
TMF_TYPES = {
    "ServiceCreateEvent": ["service.created"],
    "ServiceStateChangeEvent": ["service.state_changed"],
    "ServiceAttributeValueChangeEvent": ["service.attributes_changed", "service.updated"],
    "ServiceDeleteEvent": ["service.deleted"],
}
_QUERY = re.compile(r"^\s*eventType\s*=\s*([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*)\s*$")


def _event_types(query: str) -> list[str]:
    """The event types a hub query asks for: empty → all four; ``eventType=A`` or ``eventType=A,B``."""
    if not query or not query.strip():
        return [t for types in TMF_TYPES.values() for t in types]
    found = _QUERY.match(query)
    names = [n.strip() for n in found.group(1).split(",")] if found else []
    unknown = [n for n in names if n not in TMF_TYPES]
    if not found or unknown:
        raise Invalid(
            f"query: use eventType=<{'|'.join(TMF_TYPES)}>[,...]"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
            code="inventory.invalid_hub_query",
            field="query",
        )
    return [t for n in names for t in TMF_TYPES[n]]


def hub_not_found(hub_id) -> NotFound:
    """A 404 as every UIM not-found: ``entityType`` is a class of the spec's enumeration and the message names
    the thing. The enumeration has no hub (nor TMF's ``EventSubscription``: the bundle spec does not describe the
    hub), so, as a bundle's 404 does, the nearest class: ``Service``, the service inventory's, whose events the
    listener receives."""
    return NotFound(
        f"Hub listener {hub_id} not found.", code=HUB_NOT_FOUND, entity_type="Service", entity_id=str(hub_id)
    )


@transaction.atomic
def hub_subscribe(*, callback: str, query: str = "", owner=None) -> Subscription:
    """Register a listener of ``owner``; its callback is checked like every webhook target (no private
    addresses)."""
    try:
        return subscriptions.subscription_create(
            name="TMF638 hub listener",
            target_url=callback,
            event_types=_event_types(query),
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
    sub = visible.filter(pk=_pk(hub_id), format=Subscription.Format.TMF638).first()
    if sub is None:
        raise hub_not_found(hub_id)
    return sub


@transaction.atomic
def hub_unsubscribe(*, hub_id, user) -> None:
    subscriptions.subscription_delete(subscription_id=hub_get(hub_id=hub_id, user=user, action="delete").pk)


def _pk(hub_id) -> int:
    text = str(hub_id)
    return int(text) if text.isdigit() and len(text) < 18 else -1
