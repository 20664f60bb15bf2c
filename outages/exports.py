"""Exportable lists of the outages app (analyst API, admin Export button, ``manage.py export``)."""

from core.exports import Column, ExportSpec, register

from .filters import OutageCustomerFilterSet, OutageEventFilterSet, OutageMessageFilterSet
from .models import OutageCustomer, OutageEvent, OutageMessage

EVENTS = register(
    ExportSpec(
        key="outages.events",
        model=OutageEvent,
        filterset_class=OutageEventFilterSet,
        ordering=("-start_date_time", "pk"),
        columns=[
            Column("id", "ID", "id"),
            Column("externalSystem", "External system", "external_system__name"),
            Column("externalOutageId", "Outage id", "external_outage_id"),
            Column("outageType", "Type", "outage_type"),
            Column("state", "State", "state"),
            Column("messageReference", "Message reference", "message_reference"),
            Column("impactedCustomers", "Impacted customers (OMS)", "impacted_customers"),
            Column("customerCount", "Listed customers", "customer_count"),
            Column("startDateTime", "Start (UTC)", "start_date_time"),
            Column("estimatedRestorationTime", "ETR (UTC)", "estimated_restoration_time"),
            Column("completionDateTime", "Completion (UTC)", "completion_date_time"),
            Column("discarded", "Discarded", "discarded"),
            Column("updatedAt", "Updated (UTC)", "updated_at"),
        ],
    )
)

CUSTOMERS = register(
    ExportSpec(
        key="outages.customers",
        model=OutageCustomer,
        filterset_class=OutageCustomerFilterSet,
        ordering=("pk",),
        columns=[
            Column("externalOutageId", "Outage id", "event__external_outage_id"),
            Column("state", "Outage state", "event__state"),
            Column("accountId", "Account id", "account_id"),
            Column("spId", "Service point id", "sp_id"),
        ],
    )
)

MESSAGES = register(
    ExportSpec(
        key="outages.messages",
        model=OutageMessage,
        filterset_class=OutageMessageFilterSet,
        ordering=("-received_at", "pk"),
        columns=[
            Column("id", "ID", "id"),
            Column("receivedAt", "Received (UTC)", "received_at"),
            Column("requestId", "Request", "request_id"),
            Column("externalSystem", "External system", "external_system_name"),
            Column("externalOutageId", "Outage id", "external_outage_id"),
            Column("messageReference", "Message reference", "message_reference"),
            Column("outcome", "Outcome", "outcome"),
            Column("reason", "Reason", "reason"),
            Column("receivedBy", "Received from", "received_by"),
        ],
    )
)
