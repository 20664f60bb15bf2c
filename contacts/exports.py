"""Exportable lists of the contacts app (analyst API, admin Export button, ``manage.py export``)."""

from core.exports import Column, ExportSpec, register

from .filters import ContactStatusEventFilterSet, CustomerContactFilterSet
from .models import ContactStatusEvent, CustomerContact

CONTACTS = register(
    ExportSpec(
        key="contacts.contacts",
        model=CustomerContact,
        filterset_class=CustomerContactFilterSet,
        ordering=("-pk",),
        columns=[
            Column("externalCCId", "External CC id", "external_cc_id"),
            Column("ccId", "ccId", "cc_id"),
            Column("accountId", "Account", "account_id"),
            Column("personId", "Person", "person_id"),
            Column("deliveryChannel", "Channel", "delivery_channel"),
            Column("deliveryValue", "Contact information", "delivery_value"),
            Column("notificationType", "Notification type", "notification_type"),
            Column("origin", "Origin", "origin"),
            Column("status", "Status", "status"),
            Column("reason", "Status reason", "reason"),
            Column("eventCapturedDateTime", "Captured (UTC)", "event_captured_at"),
            Column("updatedAt", "Updated (UTC)", "updated_at"),
        ],
    )
)

HISTORY = register(
    ExportSpec(
        key="contacts.history",
        model=ContactStatusEvent,
        filterset_class=ContactStatusEventFilterSet,
        ordering=("-pk",),
        columns=[
            Column("id", "ID", "id"),
            Column("externalCCId", "External CC id", "contact__external_cc_id"),
            Column("accountId", "Account", "contact__account_id"),
            Column("status", "Status", "status"),
            Column("reason", "Reason", "reason"),
            Column("eventCapturedDateTime", "Captured (UTC)", "event_captured_at"),
            Column("receivedAt", "Received (UTC)", "received_at"),
            Column("applied", "Became current", "applied"),
        ],
    )
)
