"""What the outages app tells the change log (``core.changes``): its tracked models, their natural keys and the
outbound events their changes raise. Registered in ``OutagesConfig.ready()``. How an event is rendered for the
wire is the door's (``outages/api/events.py``), rendered by the delivery worker after the write."""

from core import changes


def _outage_events(action: str, diff: dict) -> list[str]:
    if action == "created":
        found = ["outage.created"]
    elif action in ("updated", "customers_replaced", "discarded"):
        found = ["outage.updated"]
    else:
        return []
    if action != "created" and "estimated_restoration_time" in diff:
        found.append("outage.etr_changed")
    if diff.get("state", [None, None])[1] == "restored":
        found.append("outage.restored")
    return found


def register() -> None:
    from .models import ExternalSystem, OutageEvent

    changes.event_types(
        **{
            "outage.created": "an outage event appeared (first message of an outage)",
            "outage.updated": "an outage event changed (any field, its customer list, discarded)",
            "outage.etr_changed": "an outage's estimated restoration time moved",
            "outage.restored": "an outage got its completion time (restored)",
        }
    )
    changes.track(
        OutageEvent,
        natural_key=lambda e: f"{e.external_system.name}/{e.external_outage_id}",
        events=_outage_events,
    )
    changes.track(ExternalSystem, natural_key=lambda s: s.name)
