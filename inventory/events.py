"""What the inventory app tells the change log (``core.changes``), registered in ``InventoryConfig.ready()``:
bundles and services and their events. How a service's event is rendered for the wire (its UIM representation,
the TMF638 event the hub's listeners receive) is the door's: ``inventory/api/events.py``."""

from core import changes

# TMF638 event types by change action (ServiceCreateEvent, ServiceStateChangeEvent...): which actions raise a
# service event; the door renders the event itself (``inventory/api/events.py``).
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
    changes.track(Service, natural_key=lambda s: f"service/{s.pk}", events=_service_events)
