"""The TMF638 hub: listeners register a callback, a TMF630 filter query and a signing secret, and receive service
events (``ServiceCreateEvent``, ``ServiceStateChangeEvent``, ``ServiceAttributeValueChangeEvent``,
``ServiceDeleteEvent``) through the change log's delivery engine (signed, retried, ordered per service;
``core.changes``)."""

from django.db import transaction

from core.changes import subscriptions
from core.changes.models import Subscription
from core.criteria import tmf
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

# What a listener's query may name: the fields of the events it receives (``eventType=…``, ``event.service.state=…``).
QUERY_FIELDS = ("eventId", "eventTime", "eventType")


def _query_invalid(message: str) -> Invalid:
    return Invalid(message, code="inventory.invalid_hub_query", field="query")


def _event_types(query: str) -> list[str]:
    """The change log's event types a listener's TMF630 query can select (its ``eventType`` values; none named: all
    four). The query names only the events' fields and their event types; it is judged on each event as rendered
    (``core.changes.rendering``)."""
    try:
        alternatives = tmf.parse(query)
    except Invalid as exc:
        raise _query_invalid(exc.message) from None
    for condition in (c for alternative in alternatives for c in alternative):
        if condition.name not in QUERY_FIELDS and condition.path[:2] != ("event", "service"):
            raise _query_invalid(
                f"'{condition.name}' is no field of the hub's events: {', '.join(QUERY_FIELDS)} or event.service.…"
            )
        unknown = [v for v in condition.values if condition.name == "eventType" and v not in TMF_TYPES]
        if unknown:
            raise _query_invalid(f"unknown event type {', '.join(unknown)}; the hub's are {', '.join(TMF_TYPES)}.")
    named = tmf.equal_values(alternatives, "eventType")
    return [t for name, types in TMF_TYPES.items() if named is None or name in named for t in types]


def hub_not_found(hub_id) -> NotFound:
    """A 404 as every UIM not-found: ``entityType`` is a class of the spec's enumeration and the message names
    the thing. The enumeration has no hub (nor TMF's ``EventSubscription``: the bundle spec does not describe the
    hub), so, as a bundle's 404 does, the nearest class: ``Service``, the service inventory's, whose events the
    listener receives."""
    return NotFound(
        f"Hub listener {hub_id} not found.", code=HUB_NOT_FOUND, entity_type="Service", entity_id=str(hub_id)
    )


@transaction.atomic
def hub_subscribe(
    *, callback: str, query: str = "", secret: str = "", base_url: str = "", api_version: str = "", owner=None
) -> Subscription:
    """Register a listener of ``owner`` for the events its TMF630 ``query`` selects (empty: every one), signed
    with ``secret`` (Standard Webhooks' ``whsec_…``; none: one is generated), its events' hrefs under the
    ``base_url`` and ``api_version`` it registered through. Its callback is checked like every webhook target (no
    private addresses)."""
    if secret and not secret.startswith("whsec_"):
        raise Invalid("Standard Webhooks' form: whsec_<base64>.", code="webhooks.invalid_secret", field="secret")
    try:
        return subscriptions.subscription_create(
            name="TMF638 hub listener",
            target_url=callback,
            event_types=_event_types(query),
            format=Subscription.Format.TMF638,
            query=query or "",
            secret=secret,
            base_url=base_url,
            api_version=api_version,
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
