"""How service events are rendered for the wire (the door's part of ``inventory/events.py``): ``data.object`` of a
standard event is the service in its UIM shape; a TMF638 hub listener gets the TMF638 event (``eventId``,
``eventTime``, ``eventType``, ``event.service``). Rendered by the delivery worker (``core.changes.rendering``):
the service's own fields as they were at the change, what it holds (characteristics, references, supporting
services, its bundle) as it is when sent. Registered in ``InventoryConfig.ready()``."""

from core import changes
from core.wire.links import public_base_url

from ..events import TMF_EVENTS
from ..models import Service
from . import uim
from .render import Links, ServiceRenderer


def _links(subscription=None) -> Links:
    """A hub listener's links: the public base URL (else the one it registered through) and the API version it
    registered through; a standard subscription's: the public base URL and the current version (``uim``)."""
    base = public_base_url(recorded=getattr(subscription, "base_url", ""))
    return Links.at(base, getattr(subscription, "api_version", "") or uim.CURRENT_VERSION)


def service_wire(service: Service, links: Links | None = None) -> dict:
    """The service in its UIM shape; one that is gone by now is named only (id, href, name, state)."""
    links = links or _links()
    renderer = ServiceRenderer(links)
    if service.pk is not None:
        renderer.load([service.pk])
    current = renderer.graph.services.get(service.pk)
    if current is None:
        return {"id": str(service.pk), "href": links.service(service.pk), "name": service.name, "state": service.state}
    if current is not service:
        for field in Service._meta.concrete_fields:  # its own fields as at the change
            setattr(current, field.attname, getattr(service, field.attname))
    return renderer.render(current, renderer.depth, True)


def service_tmf_event(
    service: Service | None, change, event_type: str, event_id: str, subscription=None
) -> dict | None:
    """The TMF638 event of a service change for a hub listener, or None when the change raises none."""
    tmf_type = TMF_EVENTS.get(change.action)
    if change.action != "state_changed" and "state" in change.changes and event_type == "service.state_changed":
        tmf_type = "ServiceStateChangeEvent"
    if tmf_type is None:
        return None
    links = _links(subscription)
    if change.action == "deleted" or service is None:
        body = {"id": change.object_id, "href": links.service(change.object_id), "name": change.object_repr}
    else:
        body = service_wire(service, links)
    return {"eventId": event_id, "eventTime": change.at.isoformat(), "eventType": tmf_type, "event": {"service": body}}


def register() -> None:
    changes.register_renderer(Service, wire=service_wire, tmf=service_tmf_event)
