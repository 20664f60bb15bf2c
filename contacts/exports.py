"""The analyst lists of the contacts app, each declared once: columns, filters, orderings (see core/lists/specs.py)."""

from core.lists.specs import Column, ListSpec, register

from .filters import ContactStatusEventFilterSet, CustomerContactFilterSet
from .models import ContactStatusEvent, CustomerContact

CONTACTS = register(
    ListSpec(
        key="contacts.contacts",
        title="Customer contacts (notification subscriptions) as the CIS holds them.",
        model=CustomerContact,
        filterset=CustomerContactFilterSet,
        ordering=("-pk",),
        orderings=("id", "event_captured_at", "created_at", "updated_at", "status"),
        columns=[
            Column("id", "ID"),
            Column("external_cc_id", "External CC id"),
            Column("cc_id", "ccId"),
            Column("account_id", "Account"),
            Column("person_id", "Person"),
            Column("contact_id", "Contact"),
            Column("delivery_channel", "Channel"),
            Column("delivery_value", "Contact information"),
            Column("notification_type", "Notification type"),
            Column("origin", "Origin"),
            Column("status", "Status"),
            Column("reason", "Status reason"),
            Column("event_captured_at", "Captured (UTC)"),
            Column("created_at", "Created (UTC)"),
            Column("updated_at", "Updated (UTC)"),
        ],
    )
)

HISTORY = register(
    ListSpec(
        key="contacts.history",
        title="The status history of customer contacts.",
        model=ContactStatusEvent,
        filterset=ContactStatusEventFilterSet,
        ordering=("-pk",),
        orderings=("id", "received_at", "event_captured_at"),
        columns=[
            Column("id", "ID"),
            Column("contact", "Contact ID"),
            Column("external_cc_id", "External CC id", "contact__external_cc_id"),
            Column("account_id", "Account", "contact__account_id"),
            Column("status", "Status"),
            Column("reason", "Reason"),
            Column("event_captured_at", "Captured (UTC)"),
            Column("received_at", "Received (UTC)"),
            Column("applied", "Became current"),
        ],
    )
)
