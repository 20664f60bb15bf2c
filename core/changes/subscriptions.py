"""Subscriptions: create, change, delete, redeliver: the services the admin, the API and the TMF hub call."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .. import context
from ..criteria import tmf
from ..errors import Invalid, NotFound
from .models import Delivery, Subscription
from .recording import record
from .registry import EVENT_TYPES, track
from .rendering import compiled_filter
from .saving import validate_save_record
from .targets import check_target


def register() -> None:
    """Describe subscriptions to the change log (core's ``ready()``): their ``secret`` is recorded only as changed.
    A subscription's changes raise no outbound event."""
    track(Subscription, natural_key=lambda s: s.name or s.target_url)


def secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _check_secret(secret: str) -> None:
    """Standard Webhooks' form: base64 (optionally prefixed ``whsec_``) of a key of 24 to 64 bytes."""
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        key = b""
    if not 24 <= len(key) <= 64:
        raise Invalid(
            "The secret must be whsec_ and the base64 of a 24 to 64 byte key, as Standard Webhooks says.",
            code="webhooks.invalid_secret",
            field="secret",
        )


def _event_type_errors(types) -> list[Invalid]:
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        return [Invalid("Choose at least one event type.", code="webhooks.no_event_types", field="event_types")]
    unknown = [t for t in types if t != "*" and t not in EVENT_TYPES]
    if unknown:
        message = f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(sorted(EVENT_TYPES))}."
        return [Invalid(message, code="webhooks.unknown_event_type", field="event_types")]
    return []


def subscription_validate(sub: Subscription) -> None:
    """The rules of a subscription: a known event type at least, a filter that parses, a signing secret, a
    target that is not a private address (SSRF). Every broken rule is reported at once, each on its field."""
    errors = _event_type_errors(sub.event_types)
    if sub.filter and sub.filter.strip():
        try:
            compiled_filter(sub.filter)
        except Invalid as exc:  # the criteria language speaks of eventSelectorCriteria (BMC's): here it is the filter
            errors.append(
                Invalid(exc.message.replace("eventSelectorCriteria", "filter"), code=exc.code, field="filter")
            )
    if sub.format == Subscription.Format.TMF638:
        try:
            tmf.parse(sub.query)  # a TMF630 filter query (Invalid on field "query"); judged on each rendered event
        except Invalid as exc:
            errors.append(exc)
    if not sub.secret:
        sub.secret = secret_generate()
    for check in (
        lambda: _check_secret(sub.secret),
        lambda: check_target(sub.target_url, resolve=True, unresolved_ok=True),
    ):
        try:
            check()
        except Invalid as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        pairs = [pair for exc in errors for pair in exc.errors]
        raise Invalid("; ".join(f"{path}: {text}" for path, text in pairs), code=errors[0].code, errors=pairs)


def subscriptions_of(*, user, action: str = "view"):
    """The subscriptions ``user`` may ``view``, ``change`` or ``delete``: every one with the model permission
    (``core.<action>_subscription``: operators, superusers), else only its own (``owned_by``: a TMF hub listener's
    integration). Who may not see a subscription is told it does not exist."""
    if user is None or not user.is_authenticated:
        return Subscription.objects.none()
    if user.has_perm(f"changes.{action}_subscription"):
        return Subscription.objects.all()
    return Subscription.objects.filter(owned_by=user)


@transaction.atomic
def subscription_save(*, subscription: Subscription, owner=None) -> Subscription:
    """Add or change a subscription (admin, API). Enabling it again clears why it was disabled. A new one belongs
    to ``owner`` (the user who made it), when given."""
    subscription_validate(subscription)
    if subscription.enabled:
        subscription.disabled_reason = ""
        subscription.failing_since = None
    if not subscription.owner:
        subscription.owner = (context.actor() or "")[:200]
    if subscription.pk is None and subscription.owned_by_id is None and owner is not None and owner.is_authenticated:
        subscription.owned_by = owner
    return validate_save_record(subscription, code="webhooks.invalid_subscription")


@transaction.atomic
def subscription_create(
    *,
    target_url: str,
    event_types: list[str],
    secret: str = "",
    filter: str = "",
    enabled: bool = True,
    name: str = "",
    format: str = Subscription.Format.STANDARD,
    query: str = "",
    base_url: str = "",
    api_version: str = "",
    owner=None,
) -> Subscription:
    sub = Subscription(
        target_url=target_url,
        event_types=list(event_types),
        secret=secret,
        filter=filter,
        enabled=enabled,
        name=name,
        format=format,
        query=query,
        base_url=base_url,
        api_version=api_version,
    )
    return subscription_save(subscription=sub, owner=owner)


@transaction.atomic
def subscription_delete(*, subscription_id) -> None:
    sub = Subscription.objects.filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound(f"No subscription with id {subscription_id}.", code="webhooks.subscription_not_found")
    record(sub, "deleted")
    sub.delete()


@transaction.atomic
def deliveries_redeliver(*, delivery_ids: Iterable[int]) -> int:
    """Staff action: send deliveries again (a new attempt series, now), whatever their outcome was."""
    now = timezone.now()
    ids = list(Delivery.objects.filter(pk__in=list(delivery_ids)).order_by("id").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, claimed_until=None, finished_at=None
    )
    from ..jobs import enqueue_on_commit

    if ids:
        enqueue_on_commit("core.tasks.deliver_webhook", *ids)
    return len(ids)
