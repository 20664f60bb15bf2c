"""What the contacts app tells the change log (``core.changes``), registered in ``ContactsConfig.ready()``."""

from core import changes

# How the notification reaches the customer: a change of any of these (wire PUT, admin edit) is a
# ``contact.delivery_changed`` event, whatever else changed with it.
DELIVERY_FIELDS = (
    "delivery_channel",
    "delivery_value",
    "email_subject",
    "notification_type",
    "notification_preference_id",
    "notification_instance_id",
)


def _contact_events(action: str, diff: dict) -> list[str]:
    found = []
    if action in ("created", "updated") and "status" in diff and diff["status"][1]:
        found.append("contact.status_changed")
    if action == "updated" and any(name in diff for name in DELIVERY_FIELDS):
        found.append("contact.delivery_changed")
    return found


def register() -> None:
    from .models import CustomerContact

    changes.event_types(
        **{
            "contact.status_changed": "a contact's current delivery status changed",
            "contact.delivery_changed": "a contact's delivery details changed (channel, contact information, "
            "notification type, e-mail subject, preference or instance)",
        }
    )
    changes.track(CustomerContact, natural_key=lambda c: c.external_cc_id, events=_contact_events)
