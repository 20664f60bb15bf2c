"""What the contacts app tells the change log (``core.changes``), registered in ``ContactsConfig.ready()``."""

from core import changes


def _contact_events(action: str, diff: dict) -> list[str]:
    if action in ("created", "updated") and "status" in diff and diff["status"][1]:
        return ["contact.status_changed"]
    return []


def register() -> None:
    from .models import CustomerContact

    changes.event_types(**{"contact.status_changed": "a contact's current delivery status changed"})
    changes.track(CustomerContact, natural_key=lambda c: c.external_cc_id, events=_contact_events)
