"""The inventory's domain errors: one constructor per "no" that more than one module says.

Each carries a stable code (``inventory.<reason>``); a not-found carries ``entity_type`` and ``entity_id`` params,
which the UIM envelope shows as ``entityType`` (``inventory/api/errors.py`` holds the one table of wire codes).
"""

from core.errors import NotFound

BUNDLE_NOT_FOUND = "inventory.bundle_not_found"
SERVICE_NOT_FOUND = "inventory.service_not_found"
REFERENCE_NOT_FOUND = "inventory.reference_not_found"
BUNDLE_NOT_OPEN = "inventory.bundle_not_open"
BUNDLE_EMPTY = "inventory.bundle_empty"
TASK_NOT_ALLOWED = "inventory.task_not_allowed"
RESOURCE_UNUSABLE = "inventory.resource_unusable"
ACTIVATION_NOT_READY = "inventory.activation_not_ready"
HISTORY_CONFLICT = "inventory.history_conflict"
NOT_UPDATABLE = "inventory.not_updatable"
END_BEFORE_START = "inventory.end_before_start"


def bundle_not_found(bundle_id) -> NotFound:
    return NotFound(
        f"Bundle {bundle_id} not found.", code=BUNDLE_NOT_FOUND, entity_type="Service", entity_id=str(bundle_id)
    )


def service_not_found(service_id, *, what: str = "Service") -> NotFound:
    return NotFound(
        f"{what} {service_id} not found.", code=SERVICE_NOT_FOUND, entity_type="Service", entity_id=str(service_id)
    )


def reference_not_found(label: str, entity_type: str, entity_id) -> NotFound:
    """A referenced entity (specification, party, resource, place, related service) does not exist."""
    return NotFound(
        f"{label} {entity_id} not found.", code=REFERENCE_NOT_FOUND, entity_type=entity_type, entity_id=str(entity_id)
    )
