"""What changes the inventory. Views, the admin, tasks and the demo loader call these; nothing else writes.

- ``items``: what a bundle request says, in the inventory's terms (the typed items of create and update);
- ``bundles``: bundle create / update / edit, with the rows of each item;
- ``references``: loading every entity a request names (one query per kind) or a 404 naming it;
- ``activation``: the bundle tasks, the idempotent activation steps, failure, retry and the sweep's reads;
- ``service_records``: staff edits of one service;
- ``reference_data``: staff writes of specifications, parties, places and resources, one at a time.
"""

from .activation import (
    ACTIVATION_STEPS,
    START_TASK,
    TASKS,
    ActivationNotReady,
    bundle_activation_step,
    bundle_mark_failed,
    bundle_request_activation,
    bundle_retry,
    bundle_run_task,
    bundles_stalled,
    bundles_touch,
)
from .bundles import bundle_create, bundle_edit, bundle_update
from .items import (
    Characteristic,
    EntityName,
    ExternalIdentity,
    ItemUpdate,
    NewItem,
    PartyRef,
    PlaceRef,
    Relationship,
    ResourceRef,
)
from .reference_data import (
    PartyValues,
    PlaceValues,
    ResourceValues,
    SpecificationValues,
    party_create,
    party_delete,
    party_update,
    place_create,
    place_delete,
    place_update,
    resource_create,
    resource_delete,
    resource_update,
    specification_create,
    specification_delete,
    specification_update,
    values_of,
)
from .references import bundle_references_check
from .service_records import ServiceDetails, details_of, service_create, service_update

__all__ = [
    "ACTIVATION_STEPS",
    "START_TASK",
    "TASKS",
    "ActivationNotReady",
    "Characteristic",
    "EntityName",
    "ExternalIdentity",
    "ItemUpdate",
    "NewItem",
    "PartyRef",
    "PartyValues",
    "PlaceRef",
    "PlaceValues",
    "Relationship",
    "ResourceRef",
    "ResourceValues",
    "ServiceDetails",
    "SpecificationValues",
    "bundle_activation_step",
    "bundle_create",
    "bundle_edit",
    "bundle_mark_failed",
    "bundle_references_check",
    "bundle_request_activation",
    "bundle_retry",
    "bundle_run_task",
    "bundle_update",
    "bundles_stalled",
    "bundles_touch",
    "details_of",
    "party_create",
    "party_delete",
    "party_update",
    "place_create",
    "place_delete",
    "place_update",
    "resource_create",
    "resource_delete",
    "resource_update",
    "service_create",
    "service_update",
    "specification_create",
    "specification_delete",
    "specification_update",
    "values_of",
]
