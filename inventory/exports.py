"""The analyst lists of the inventory app, each declared once: columns, filters, orderings (core/lists/specs.py)."""

from core.lists.specs import Column, ListSpec, register

from .filters import (
    BusinessInteractionFilterSet,
    PartyFilterSet,
    PlaceFilterSet,
    ResourceFilterSet,
    ServiceFilterSet,
    SpecificationFilterSet,
)
from .models import BusinessInteraction, Party, Place, Resource, Service, Specification

SERVICES = register(
    ListSpec(
        key="inventory.services",
        title="Inventory services (CFS and RFS).",
        model=Service,
        filterset=ServiceFilterSet,
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

# --- Reference data that services point at: master data that imports load (inventory/imports.py) ----------------
SPECIFICATIONS = register(
    ListSpec(
        key="inventory.specifications",
        title="Specifications (id = name, version).",
        model=Specification,
        filterset=SpecificationFilterSet,
        ordering=("id",),
        orderings=("id", "entity_type", "start_date"),
        columns=[
            Column("id", "Specification"),
            Column("version", "Version"),
            Column("entity_type", "Entity type"),
            Column("description", "Description"),
            Column("service_type", "Service type"),
            Column("start_date", "Start (UTC)"),
            Column("end_date", "End (UTC)"),
        ],
    )
)

PARTIES = register(
    ListSpec(
        key="inventory.parties",
        title="Parties that services relate to.",
        model=Party,
        filterset=PartyFilterSet,
        ordering=("id",),
        orderings=("id", "name", "role"),
        columns=[
            Column("id", "Party"),
            Column("name", "Name"),
            Column("role", "Role"),
            Column("referred_type", "Referred type"),
        ],
    )
)

PLACES = register(
    ListSpec(
        key="inventory.places",
        title="Geographic places services are associated with.",
        model=Place,
        filterset=PlaceFilterSet,
        ordering=("id",),
        orderings=("id", "name"),
        columns=[
            Column("id", "Place"),
            Column("name", "Name"),
            Column("referred_type", "Referred type"),
            Column("latitude", "Latitude"),
            Column("longitude", "Longitude"),
        ],
    )
)

RESOURCES = register(
    ListSpec(
        key="inventory.resources",
        title="Inventory resources (logical and physical devices).",
        model=Resource,
        filterset=ResourceFilterSet,
        ordering=("id",),
        orderings=("id", "name", "type", "status"),
        columns=[
            Column("id", "Resource"),
            Column("name", "Name"),
            Column("type", "Type"),
            Column("description", "Description"),
            Column("lifecycle_state", "Lifecycle state"),
            Column("lifecycle_sub_state", "Lifecycle sub-state"),
            Column("status", "Status"),
            Column("specification", "Specification", "specification__id"),
        ],
    )
)
