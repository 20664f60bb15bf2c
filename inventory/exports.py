"""The analyst lists of the inventory app, each declared once: columns, filters, orderings (core/lists.py)."""

from core.lists import Column, ListSpec, register

from .filters import BusinessInteractionFilterSet, ServiceFilterSet
from .models import BusinessInteraction, Service

SERVICES = register(
    ListSpec(
        key="inventory.services",
        title="Inventory services (CFS and RFS).",
        model=Service,
        filterset=ServiceFilterSet,
        ordering=("pk",),
        orderings=("id", "name", "state", "service_date"),
        columns=[
            Column("id", "Service id"),
            Column("name", "Name"),
            Column("category", "Category"),
            Column("service_type", "Service type"),
            Column("state", "State"),
            Column("specification", "Specification", "specification__id"),
            Column("business_interaction", "Business interaction"),
            Column("has_started", "Has started"),
            Column("is_service_enabled", "Enabled"),
            Column("service_date", "Service date (UTC)"),
            Column("start_date", "Start (UTC)"),
            Column("end_date", "End (UTC)"),
        ],
    )
)

INTERACTIONS = register(
    ListSpec(
        key="inventory.interactions",
        title="Business interactions: bundles (no parent) and their items.",
        model=BusinessInteraction,
        filterset=BusinessInteractionFilterSet,
        ordering=("-pk",),
        orderings=("id", "state", "created_at", "updated_at"),
        columns=[
            Column("id", "Interaction id"),
            Column("parent", "Bundle (parent)"),
            Column("state", "State"),
            Column("description", "Description"),
            Column("activation_requested", "Activation requested"),
            Column("attempt", "Attempt"),
            Column("failed_state", "Failed in state"),
            Column("failure_reason", "Failure reason"),
            Column("effective_date", "Effective (UTC)"),
            Column("created_at", "Created (UTC)"),
            Column("updated_at", "Updated (UTC)"),
        ],
    )
)
