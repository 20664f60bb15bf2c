"""How the BMC events-service answers each blackouts domain error: the one table (``ANSWERS``).

The core raises :mod:`core.errors` with stable codes; every blackouts endpoint inherits :class:`BlackoutsAPIView`,
which turns a domain error into the product's answer through this table, keyed by (operation, domain code) with
``"*"`` for any operation:

- a **status body** (``{"responseTimeStamp", "statusCode", "statusMsg": "[...]"}``) when the answer has a
  ``status_code`` (``POLICY_NOT_EXIST``, ``BLACKOUT_POLICY_ACTIVE``...);
- else a **validation list** ``[{"key": "<http status>", "message": "Bad Request : ..."}]``, one item per error;
  an :class:`~core.errors.Invalid`'s field path becomes the request body's JSON pointer
  (``timeframe.endsOn.endDate`` -> ``[Path '/configurations/definition/timeframeDetails/endsOn/endDate']``).

``message`` is a template over the error's params (``{id}``, ``{value}``); without one the domain message is used.
"""

from dataclasses import dataclass, field

from rest_framework.exceptions import APIException

from core.errors import DomainError
from core.wire.common import WireCode

from .bmc import BMCAPIView, BMCStatusError, BMCValidationError, validation_item

REASONS = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}


@dataclass(frozen=True)
class Answer:
    status: int
    status_code: str | None = None  # a status body's statusCode; None: a validation list
    message: str | None = None  # template over the error's params; None: the domain message
    extra: dict = field(default_factory=dict)  # extra status-body fields


NOT_EXIST_UPDATE = Answer(404, "POLICY_NOT_EXIST", "Failed to update policy, entry doesn't exist in database")
NOT_EXIST_DELETE = Answer(404, "POLICY_NOT_EXIST", "Failed to delete policy, entry doesn't exist in database")
INVALID_RESOURCE = Answer(400, None, "Invalid resource id specified: {id}")
IDS_EMPTY = Answer(400, None, "Property is null or empty : resources")

ANSWERS: dict[tuple[str, str], Answer] = {
    ("policy_create", "blackouts.policy_name_taken"): Answer(409, "POLICY_ALREADY_EXIST"),
    ("policy_get", "blackouts.policy_not_found"): Answer(
        404, "404", "No policy found matching input request!", {"blackoutPolicy": None}
    ),
    ("policy_get", "blackouts.bad_policy_id"): Answer(
        400, "400", "Invalid UUID string: {value}", {"blackoutPolicy": None}
    ),
    ("policy_update", "blackouts.policy_not_found"): NOT_EXIST_UPDATE,
    ("policy_update", "blackouts.policy_active"): Answer(409, "BLACKOUT_POLICY_ACTIVE"),
    ("policy_delete", "blackouts.policy_not_found"): NOT_EXIST_DELETE,
    ("policies_delete", "blackouts.policy_not_found"): NOT_EXIST_DELETE,
    ("policies_enable", "blackouts.policy_not_found"): INVALID_RESOURCE,
    ("policies_disable", "blackouts.policy_not_found"): INVALID_RESOURCE,
    ("*", "blackouts.bad_policy_id"): Answer(400, "400", "Invalid UUID string: {value}"),
    ("*", "blackouts.bad_resource_id"): INVALID_RESOURCE,
    ("*", "blackouts.ids_empty"): IDS_EMPTY,
    ("*", "invalid"): Answer(400),
    ("*", "not_found"): Answer(404, "404"),
    ("*", "conflict"): Answer(409, "409"),
    ("*", "invalid_state"): Answer(409, "409"),
}

# Model field -> the request body's JSON pointer (None: the message names the field itself, no [Path] prefix).
POINTERS = {
    "name": None,
    "description": "/description",
    "execution_order": "/executionOrder",
    "selector_criteria": None,
    "enabled": "/enabled",
    "timeframe": "/configurations/definition/timeframeDetails",
    "blackout_existing_events": "/configurations/definition/processing_action/blackoutExistingEvents",
    "reset_status_on_blackout_end": "/configurations/definition/processing_action/resetStatusOnBlackoutEnd",
}


def answer_for(exc: DomainError, operation: str) -> Answer:
    for key in ((operation, exc.code), ("*", exc.code), (operation, exc.kind), ("*", exc.kind)):
        if key in ANSWERS:
            return ANSWERS[key]
    return Answer(400)


def pointer(path: str | None) -> str | None:
    """A domain field path as the body's JSON pointer (``timeframe.endsOn.endDate`` -> ``/configurations/...``)."""
    if not path:
        return None
    name, _, rest = path.partition(".")
    base = POINTERS.get(name, f"/{name}")
    if base is None:
        return None
    return base + ("/" + rest.replace(".", "/") if rest else "")


def to_wire(exc: DomainError, operation: str) -> APIException:
    """The BMC exception (status body or validation list) that answers ``exc`` for ``operation``."""
    answer = answer_for(exc, operation)
    message = answer.message.format(**exc.params) if answer.message else exc.message
    if answer.status_code is not None:
        return BMCStatusError(answer.status_code, message, http_status=answer.status, **answer.extra)
    reason = REASONS.get(answer.status, "Bad Request")
    pairs = exc.errors if (exc.errors and not answer.message) else [(None, message)]
    items = []
    for path, text in pairs:
        where = pointer(path)
        items.append(validation_item(str(answer.status), f"{reason} : {f'[Path {where!r}] ' if where else ''}{text}"))
    return BMCValidationError(items)


# For core's renderer (``core.wire.common.describe``): the status of each kind. The status bodies above need
# ``to_wire`` because core renders NotFound and Conflict as validation lists, never as BMC status bodies.
DOMAIN_ERROR_CODES = {kind: WireCode(answer.status) for (op, kind), answer in ANSWERS.items() if op == "*"}


class BlackoutsAPIView(BMCAPIView):
    """Base of every blackouts endpoint: ``operations`` (HTTP method -> operation) names the rows of ``ANSWERS``
    its domain errors take."""

    operations: dict[str, str] = {}
    domain_error_codes = DOMAIN_ERROR_CODES

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            exc = to_wire(exc, self.operations.get(self.request.method, "*"))
        return super().handle_exception(exc)
