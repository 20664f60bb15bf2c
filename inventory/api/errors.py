"""The one table of how the inventory's domain errors are answered in the UIM envelope.

Keys are domain codes (``inventory/errors.py``) or, for codes not named, the error's kind. The envelope's
``entityType`` comes from a not-found's ``entity_type`` param; ``message`` is the domain message (prefixed
with its field path for ``Invalid``); ``status`` is ``<http>-<extension>`` (``inventory/api/uim.py``).
"""

from core.wire.common import WireCode

from .. import errors


def _entity_type(exc) -> dict:
    entity_type = exc.params.get("entity_type")
    return {"entityType": entity_type} if entity_type else {}


NOT_FOUND = WireCode(404, "ENTITY_NOT_FOUND", envelope=_entity_type)
INVALID_STATE = WireCode(400, "INVALID_STATE")  # 400-3: a business rule (state precondition) refused the request

DOMAIN_ERROR_CODES = {
    errors.BUNDLE_NOT_FOUND: NOT_FOUND,
    errors.SERVICE_NOT_FOUND: NOT_FOUND,
    errors.REFERENCE_NOT_FOUND: NOT_FOUND,
    "inventory.hub_not_found": NOT_FOUND,
    errors.BUNDLE_NOT_OPEN: INVALID_STATE,
    errors.BUNDLE_EMPTY: INVALID_STATE,
    errors.TASK_NOT_ALLOWED: INVALID_STATE,
    errors.RESOURCE_UNUSABLE: INVALID_STATE,
    errors.ACTIVATION_NOT_READY: INVALID_STATE,
    # A step that would contradict the bundle's recorded history (409; the UIM spec lists no closer status).
    errors.HISTORY_CONFLICT: WireCode(409, "CONFLICT"),
    # Kinds, for any code not named above.
    "not_found": NOT_FOUND,
    "invalid_state": INVALID_STATE,
    "invalid": WireCode(400, "INVALID_REQUEST", kind="validation"),  # 400-2, one message per field path
    "conflict": WireCode(409, "CONFLICT"),
}
