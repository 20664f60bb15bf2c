"""How outage events are rendered for the wire (the door's part of ``outages/events.py``): ``data.object`` of an
outage event is the outage in the Oracle ``C1OutEvtSearch`` summary shape. Rendered by the delivery worker, from
the outage as it was at the change (``core.changes.rendering``); registered in ``OutagesConfig.ready()``."""

from core import changes

from ..models import OutageEvent
from .serializers import OutageEventSummarySerializer


def outage_wire(event: OutageEvent) -> dict:
    return dict(OutageEventSummarySerializer(event).data)


def register() -> None:
    changes.register_renderer(OutageEvent, wire=outage_wire)
