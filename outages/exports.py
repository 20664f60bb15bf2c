"""The analyst lists of the outages app, each declared once: columns, filters, orderings (see core/lists/specs.py)."""

from core.lists.specs import Column, ListSpec, register

from .filters import ExternalSystemFilterSet, OutageCustomerFilterSet, OutageEventFilterSet, OutageMessageFilterSet
from .models import ExternalSystem, OutageCustomer, OutageEvent, OutageMessage

EVENTS = register(
    ListSpec(
        key="outages.events",
        title="Outage events, one row per OMS outage.",
        model=OutageEvent,
        filterset=OutageEventFilterSet,
        ordering=("-start_date_time", "pk"),
        orderings=(
            "id",
            "start_date_time",
            "estimated_restoration_time",
            "impacted_customers",
            "created_at",
            "updated_at",
        ),
        columns=[
            Column("id", "ID"),
            Column("external_system", "External system", "external_system__name"),
            Column("external_outage_id", "Outage id"),
            Column("outage_type", "Type"),
            Column("state", "State"),
            Column("message_reference", "Message reference"),
            Column("impacted_customers", "Impacted customers (OMS)"),
            Column("customer_count", "Listed customers"),
            Column("start_date_time", "Start (UTC)"),
            Column("estimated_restoration_time", "ETR (UTC)"),
            Column("completion_date_time", "Completion (UTC)"),
            Column("discarded", "Discarded"),
            Column("created_at", "Created (UTC)"),
            Column("updated_at", "Updated (UTC)"),
        ],
    )
)

CUSTOMERS = register(
    ListSpec(
        key="outages.customers",
        title="The customers (account, service point) each outage lists.",
        model=OutageCustomer,
        filterset=OutageCustomerFilterSet,
        ordering=("pk",),
        orderings=("id", "account_id", "sp_id"),
        columns=[
            Column("id", "ID"),
            Column("event", "Outage event ID"),
            Column("external_outage_id", "Outage id", "event__external_outage_id"),
            Column("state", "Outage state", "event__state"),
            Column("account_id", "Account id"),
            Column("sp_id", "Service point id"),
        ],
    )
)

MESSAGES = register(
    ListSpec(
        key="outages.messages",
        title="The outage message log: every notification received, applied or refused.",
        model=OutageMessage,
        filterset=OutageMessageFilterSet,
        ordering=("-received_at", "pk"),
        orderings=("id", "received_at", "outcome"),
        columns=[
            Column("id", "ID"),
            Column("received_at", "Received (UTC)"),
            Column("request_id", "Request"),
            Column("index", "Index in request"),
            Column("external_system_name", "External system"),
            Column("external_outage_id", "Outage id"),
            Column("message_reference", "Message reference"),
            Column("event", "Outage event ID"),
            Column("outcome", "Outcome"),
            Column("reason", "Reason"),
            Column("received_by", "Received from"),
            Column("content_type", "Content type"),
            Column("payload", "Payload", searched=False),  # raw bodies: too large to scan
        ],
    )
)

EXTERNAL_SYSTEMS = register(
    ListSpec(
        key="outages.external_systems",
        title="External systems (OMS) allowed to post outage events.",
        model=ExternalSystem,
        filterset=ExternalSystemFilterSet,
        ordering=("name",),
        orderings=("id", "name", "created_at"),
        columns=[
            Column("id", "ID"),
            Column("name", "Name"),
            Column("description", "Description"),
            Column("is_active", "Active"),
            Column("created_at", "Created (UTC)"),
        ],
    )
)
