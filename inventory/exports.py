"""Exportable lists of the inventory app (analyst API, admin Export button, ``manage.py export``)."""

from core.exports import Column, ExportSpec, register

from .filters import BusinessInteractionFilterSet, ServiceFilterSet
from .models import BusinessInteraction, Service

SERVICES = register(
    ExportSpec(
        key="inventory.services",
        model=Service,
        filterset_class=ServiceFilterSet,
        ordering=("pk",),
        columns=[
            Column("id", "Service id", "id"),
            Column("name", "Name", "name"),
            Column("category", "Category", "category"),
            Column("serviceType", "Service type", "service_type"),
            Column("state", "State", "state"),
            Column("serviceSpecification", "Specification", "specification_id"),
            Column("businessInteraction", "Business interaction", "business_interaction_id"),
            Column("hasStarted", "Has started", "has_started"),
            Column("isServiceEnabled", "Enabled", "is_service_enabled"),
            Column("serviceDate", "Service date (UTC)", "service_date"),
            Column("startDate", "Start (UTC)", "start_date"),
            Column("endDate", "End (UTC)", "end_date"),
        ],
    )
)

INTERACTIONS = register(
    ExportSpec(
        key="inventory.interactions",
        model=BusinessInteraction,
        filterset_class=BusinessInteractionFilterSet,
        ordering=("-pk",),
        columns=[
            Column("id", "Interaction id", "id"),
            Column("parent", "Bundle (parent)", "parent_id"),
            Column("state", "State", "state"),
            Column("description", "Description", "description"),
            Column("activationRequested", "Activation requested", "activation_requested"),
            Column("attempt", "Attempt", "attempt"),
            Column("failedState", "Failed in state", "failed_state"),
            Column("failureReason", "Failure reason", "failure_reason"),
            Column("effectiveDate", "Effective (UTC)", "effective_date"),
            Column("createdAt", "Created (UTC)", "created_at"),
            Column("updatedAt", "Updated (UTC)", "updated_at"),
        ],
    )
)
