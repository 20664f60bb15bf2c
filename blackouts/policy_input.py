"""The one validator of blackout-policy input, used by every door.

- The wire API validates a request body against ``api.schemas.POLICY``, which is assembled from the pieces
  below (``TIMEFRAME`` and the bounds) and is also the request schema published in OpenAPI; the services then
  call :func:`clean_policy`.
- The model's ``clean_fields()`` calls :func:`clean_policy` (so the admin form, a ``ModelForm``, gets its errors
  from here, each on its own field, and a field that already failed its form validation is not judged again).
- The services call :func:`clean_policy` before every write.

:func:`clean_policy` takes model fields (``name``, ``description``, ``execution_order``, ``selector_criteria``,
``enabled``, ``timeframe``, ``blackout_existing_events``, ``reset_status_on_blackout_end``) and returns them
normalised (``"true"`` -> ``True`` in the timeframe, ``occurrences: "5"`` -> ``5``); it raises
:class:`core.errors.Invalid` whose ``errors`` are ``(field path, message)`` pairs such as
``("timeframe.recurrencePattern.details.dates", "32 is outside 1-31")``.
"""

from core import criteria
from core.errors import Invalid

from . import windows
from .event_slots import EVENT_SLOTS
from .schema_validation import schema_errors

MAX_NAME = 255
MAX_DESCRIPTION = 2000
MAX_CRITERIA = criteria.MAX_LENGTH
MIN_EXECUTION_ORDER, MAX_EXECUTION_ORDER = 0, 9999

# --- The shape of ``timeframeDetails`` (JSON schema, draft 7) ------------------------------------------------------
# Booleans may be sent as strings ("true"), as the spec's own examples do; ``occurrences`` may be a numeric string.
BOOLEAN = {"type": ["boolean", "string"], "enum": [True, False, "true", "false", "True", "False"]}
DATE = {"type": "string", "pattern": "^[0-9]{8}$", "description": "ddmmyyyy"}
TIME = {
    "type": "string",
    "pattern": "^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$",
    "description": "HH:MM, 24-hour (HH:MM:SS also accepted)",
}
NUMBER_LIST_ITEM = {"type": ["integer", "string"], "maxLength": 20}

TIMEFRAME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["startDate", "startTime", "endTime", "endsOn", "recurrencePattern"],
    "properties": {
        "startDate": DATE,
        "startTime": TIME,
        "endTime": TIME,
        "endsOn": {
            "type": "object",
            "additionalProperties": False,
            "description": "exactly one of endDate (inclusive), occurrences or never: true",
            "properties": {
                "endDate": DATE,
                "occurrences": {"type": ["integer", "string"], "pattern": "^[0-9]{1,5}$", "minimum": 1},
                "never": BOOLEAN,
            },
        },
        "recurrencePattern": {
            "type": "object",
            "additionalProperties": False,
            "required": ["recurrence"],
            "properties": {
                "recurrence": {"type": "string", "enum": list(windows.RECURRENCES)},
                "details": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "days": {"type": "string", "enum": ["all", "excludeWeekends"]},
                        "daysOfWeek": {
                            "type": ["array", "string"],
                            "description": 'Sunday = 1: [3, 4], ["1-3", 5] or "1-3,5"',
                            "maxItems": 31,
                            "maxLength": 100,
                            "items": NUMBER_LIST_ITEM,
                        },
                        "dates": {
                            "type": ["array", "string"],
                            "description": '"1-15", "1-3,15" or a list such as [1, "10-12"]',
                            "maxItems": 62,
                            "maxLength": 200,
                            "items": NUMBER_LIST_ITEM,
                        },
                    },
                },
            },
        },
        "timeZone": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "maxLength": 64, "description": "IANA zone; windows are computed in it"},
                "offset": {"type": "string", "maxLength": 16, "description": "informational, ignored"},
            },
        },
    },
}


def as_bool(value) -> bool:
    """The spec's booleans: ``true`` or the string ``"true"`` (any case)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def normalise_timeframe(details: dict) -> dict:
    """``timeframeDetails`` as stored: ``never`` a boolean (dropped when false), ``occurrences`` an integer,
    ``recurrencePattern.details`` present."""
    out = dict(details)
    ends_on = dict(out.get("endsOn") or {})
    if "never" in ends_on:
        ends_on["never"] = as_bool(ends_on["never"])
        if not ends_on["never"]:
            ends_on.pop("never")
    if "occurrences" in ends_on and str(ends_on["occurrences"]).strip().isdigit():
        ends_on["occurrences"] = int(ends_on["occurrences"])
    out["endsOn"] = ends_on
    pattern = dict(out.get("recurrencePattern") or {})
    pattern.setdefault("details", {})
    out["recurrencePattern"] = pattern
    return out


def _invalid(field: str, message: str, code: str = "blackouts.invalid_policy") -> Invalid:
    return Invalid(message, code=code, field=field)


def _timeframe_errors(value) -> tuple[list[Invalid], dict | None]:
    if not isinstance(value, dict):
        return [_invalid("timeframe", "timeframeDetails must be an object", windows.CODE)], None
    shape = schema_errors(value, TIMEFRAME)
    if shape:
        return [_invalid(".".join(["timeframe", *map(str, e.path)]), e.message, windows.CODE) for e in shape], None
    normalised = normalise_timeframe(value)
    try:
        windows.parse_timeframe(normalised)
    except Invalid as exc:
        return [exc], None
    return [], normalised


def _criteria_errors(value) -> list[Invalid]:
    if not isinstance(value, str):
        return [_invalid("selector_criteria", "eventSelectorCriteria must be a string", criteria.CODE)]
    if len(value) > MAX_CRITERIA:
        message = f"eventSelectorCriteria is longer than {MAX_CRITERIA} characters"
        return [_invalid("selector_criteria", message, criteria.CODE)]
    try:
        for pattern in criteria.patterns(criteria.parse(value, EVENT_SLOTS)):
            criteria.check_in_database(pattern)
    except Invalid as exc:
        return [exc]
    return []


def clean_policy(fields: dict, *, skip=()) -> dict:
    """Validate policy fields (all of them, each on its own) and return them normalised; fields named in
    ``skip`` (already refused elsewhere, e.g. by a form field) are neither judged nor returned changed."""
    errors: list[Invalid] = []
    out = dict(fields)
    if "name" not in skip:
        name = fields.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(_invalid("name", "name must not be empty"))
        elif len(name) > MAX_NAME:
            errors.append(_invalid("name", f"name is longer than {MAX_NAME} characters"))
    if "description" not in skip and len(fields.get("description") or "") > MAX_DESCRIPTION:
        errors.append(_invalid("description", f"description is longer than {MAX_DESCRIPTION} characters"))
    if "execution_order" not in skip:
        order = fields.get("execution_order")
        if isinstance(order, bool) or not isinstance(order, int):
            errors.append(_invalid("execution_order", "executionOrder must be an integer"))
        elif not MIN_EXECUTION_ORDER <= order <= MAX_EXECUTION_ORDER:
            message = f"executionOrder must be {MIN_EXECUTION_ORDER}-{MAX_EXECUTION_ORDER}"
            errors.append(_invalid("execution_order", message))
    if "selector_criteria" not in skip:
        errors.extend(_criteria_errors(fields.get("selector_criteria")))
    if "timeframe" not in skip:
        found, normalised = _timeframe_errors(fields.get("timeframe"))
        errors.extend(found)
        if normalised is not None:
            out["timeframe"] = normalised
    if len(errors) == 1:
        raise errors[0]
    if errors:
        pairs = [pair for exc in errors for pair in exc.errors]
        message = "; ".join(f"{path}: {text}" for path, text in pairs)
        raise Invalid(message, code="blackouts.invalid_policy", errors=pairs)
    return out
