"""What the inventory app tells the change log (``core.changes``), registered in ``InventoryConfig.ready()``:
bundles and services, their events, and the TMF638 event shapes the hub's listeners receive."""

from django.conf import settings

from core import changes

# TMF638 event types by change action (ServiceCreateEvent, ServiceStateChangeEvent...).
TMF_EVENTS = {
    "created": "ServiceCreateEvent",
    "state_changed": "ServiceStateChangeEvent",
    "attributes_changed": "ServiceAttributeValueChangeEvent",
    "updated": "ServiceAttributeValueChangeEvent",
    "deleted": "ServiceDeleteEvent",
}


def _service_events(action: str, diff: dict) -> list[str]:
    found = ["service.state_changed"] if action == "state_changed" or "state" in diff else []
    if action in TMF_EVENTS and action != "state_changed":
        found.append(f"service.{action}")
    return found


def _bundle_events(action: str, diff: dict) -> list[str]:
    return ["bundle.state_changed"] if action == "state_changed" else []


def _links():
    from .api.render import Links

    root = getattr(settings, "INVENTORY_EVENT_BASE_URL", "http://localhost/").rstrip("/") + "/InventoryRSOpenAPI/"
    return Links(root, getattr(settings, "INVENTORY_EVENT_API_VERSION", "v2"))


def _service_wire(service) -> dict:
    from .api.render import ServiceRenderer

    rendered = ServiceRenderer(_links()).render_many([service.pk])
    return rendered[0] if rendered else {"id": str(service.pk), "name": service.name, "state": service.state}


def service_tmf_event(service, change, event_type: str, event_id: str) -> dict | None:
    """The TMF638 event of a service change (``eventId``, ``eventTime``, ``eventType``, ``event.service``)."""
    tmf_type = TMF_EVENTS.get(change.action)
    if change.action != "state_changed" and "state" in change.changes and event_type == "service.state_changed":
        tmf_type = "ServiceStateChangeEvent"
    if tmf_type is None:
        return None
    if change.action == "deleted":
        body = {"id": change.object_id, "name": change.object_repr}
    else:
        body = _service_wire(service)
    return {"eventId": event_id, "eventTime": change.at.isoformat(), "eventType": tmf_type, "event": {"service": body}}


def register() -> None:
    from .models import BusinessInteraction, Party, Place, Resource, Service, Specification

    changes.event_types(
        **{
            "bundle.state_changed": "a bundle moved to another state (approved, issued, completed, failed…)",
            "service.state_changed": "a service's state changed (activation, cancellation)",
            "service.created": "a service was designed (TMF638 ServiceCreateEvent)",
            "service.attributes_changed": "a service's attributes changed (TMF638 ServiceAttributeValueChangeEvent)",
            "service.updated": "a service's fields changed (TMF638 ServiceAttributeValueChangeEvent)",
            "service.deleted": "a service was deleted (TMF638 ServiceDeleteEvent)",
        }
    )
    for reference in (Specification, Party, Place, Resource):  # reference data: recorded, raises no event
        changes.track(reference, natural_key=lambda obj: f"{obj._meta.model_name}/{obj.pk}")
    changes.track(BusinessInteraction, natural_key=lambda b: f"bundle/{b.pk}", events=_bundle_events)
    changes.track(
        Service,
        natural_key=lambda s: f"service/{s.pk}",
        wire=_service_wire,
        events=_service_events,
        tmf=service_tmf_event,
    )
