"""BMC Helix events-service family (``/events-service/api/v1.0/``): JSON, Bearer (or apiKey) JWT, two error shapes.

- Status bodies ``{"responseTimeStamp", "statusCode", "statusMsg": "[...]", ...}`` for business outcomes
  (``POLICY_NOT_EXIST``, ``BLACKOUT_POLICY_ACTIVE``...): raise :class:`BMCStatusError`.
- Validation lists ``[{"key", "level": "ERROR", "message", "additionalInfo": []}]`` for schema errors
  (``validation.schema.<keyword>``, worded like the product's JSON-schema validator) and for other client
  errors (``key`` = the HTTP status, ``message`` = ``"Bad Request : ..."``, as the spec's enable/disable examples).

The family serves blackouts alone, so it lives in the app's door layer; ``BlackoutsConfig.ready()`` registers it
(``core/families.py``) for the error pages and the metrics.
"""

import json
import time

from django.conf import settings
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import context
from core.auth import JWTAuthentication
from core.wire.common import (
    Problem,
    WireError,
    WirePermission,
    make_exception_handler,
    reason_phrase,
    render_standalone,
)
from core.wire.parsers import WireJSONParser

from ..schema_validation import SchemaError, schema_errors

PREFIX = "/events-service/api/v1.0/"


def now_ms() -> int:
    return int(time.time() * 1000)


def status_body(status_code: str, status_msg: str, **extra) -> dict:
    """A BMC status body; ``statusMsg`` is bracketed as the product does (``[Deleted policies.]``)."""
    return {"responseTimeStamp": now_ms(), "statusCode": status_code, "statusMsg": f"[{status_msg}]", **extra}


class BMCStatusError(WireError):
    """A business outcome answered with a status body, e.g. ``POLICY_NOT_EXIST`` with 404."""

    def __init__(self, status_code_text: str, message: str, *, http_status: int = 400, **extra):
        super().__init__(message, status_code=http_status, code=status_code_text, **extra)


class BMCValidationError(exceptions.ValidationError):
    """Pre-formed validation-list items (``key``/``message``) from the schema validator or an endpoint."""

    def __init__(self, items: list[dict]):
        super().__init__(detail=[item["message"] for item in items])
        self.items = items


def validation_item(key: str, message: str) -> dict:
    return {"key": key, "level": "ERROR", "message": message, "additionalInfo": []}


def bad_request(message: str) -> BMCValidationError:
    """The spec's ``{"key": "400", "message": "Bad Request : ..."}`` list."""
    return BMCValidationError([validation_item("400", f"Bad Request : {message}")])


# --- JSON-schema validation, worded as the product's validator words it ---------------------------
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", dict: "object", list: "array"}


def _type_name(value) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _pointer(path) -> str:
    return "/" + "/".join(str(p) for p in path) if path else ""


SHOWN = 60  # characters of a refused value quoted in a message: it names the value, never echoes the input


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 3]}..."


def _schema_item(error: SchemaError) -> dict:
    pointer = _pointer(error.path)
    prefix = f"[Path '{pointer}'] " if pointer else ""
    v, instance, expected = error.keyword, error.instance, error.expected
    if v == "type":
        allowed = expected if isinstance(expected, list) else [expected]
        message = (
            f"Instance type ({_type_name(instance)}) does not match any allowed primitive type "
            f"(allowed: {json.dumps(allowed, separators=(',', ':'))})"
        )
    elif v == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        message = f"Object instance has properties which are not allowed by the schema: {json.dumps(extra)}"
    elif v == "required":
        missing = sorted(k for k in expected if k not in instance)
        message = f"Object has missing required properties ({json.dumps(missing)})"
    elif v == "enum":
        shown = _shown(json.dumps(instance))
        message = f"Instance value ({shown}) not found in enum (possible values: {json.dumps(expected)})"
    elif v == "minimum":
        message = f"Numeric instance is lower than the required minimum (minimum: {expected}, found: {instance})"
    elif v == "maximum":
        message = f"Numeric instance is greater than the required maximum (maximum: {expected}, found: {instance})"
    elif v == "minLength":
        message = f'String "{_shown(instance)}" is too short (length: {len(instance)}, required minimum: {expected})'
    elif v == "maxLength":
        message = f'String "{_shown(instance)}" is too long (length: {len(instance)}, maximum allowed: {expected})'
    elif v == "minItems":
        message = (
            f"Array is too short: must have at least {expected} elements but instance has {len(instance)} elements"
        )
    elif v == "maxItems":
        message = f"Array is too long: must have at most {expected} elements but instance has {len(instance)} elements"
    elif v == "pattern":
        message = f'ECMA 262 regex "{expected}" does not match input string "{_shown(instance)}"'
    else:  # jsonschema's wording (SchemaError.message) quotes the instance: cut, a 10,000-event body is 8 MB of repr
        whole = error.message
        message = whole if len(whole) <= 4 * SHOWN else whole[: 4 * SHOWN - 3] + "..."
    return validation_item(f"validation.schema.{v}", prefix + message)


_BOUNDED: dict[int, tuple[dict, bool]] = {}


def _has_max_items(schema) -> bool:
    """Whether a schema (or one below it, through ``properties`` and ``items``) bounds an array (cached)."""
    if not isinstance(schema, dict):
        return False
    found = _BOUNDED.get(id(schema))
    if found is None or found[0] is not schema:
        below = [*(schema.get("properties") or {}).values(), schema.get("items")]
        found = _BOUNDED[id(schema)] = (schema, "maxItems" in schema or any(_has_max_items(s) for s in below))
    return found[1]


def check_max_items(data, schema: dict, path: tuple = ()) -> None:
    """The arrays' ``maxItems`` first, lengths only: an over-long array is refused before any element is validated
    (a 10,001-event body was otherwise judged event by event before its length was)."""
    if isinstance(data, list):
        bound = schema.get("maxItems")
        if bound is not None and len(data) > bound:
            prefix = f"[Path '{_pointer(path)}'] " if path else ""
            message = f"Array is too long: must have at most {bound} elements but instance has {len(data)} elements"
            raise BMCValidationError([validation_item("validation.schema.maxItems", prefix + message)])
        items = schema.get("items")
        if isinstance(items, dict) and _has_max_items(items):
            for index, item in enumerate(data):
                check_max_items(item, items, (*path, index))
    elif isinstance(data, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in data and _has_max_items(sub):
                check_max_items(data[name], sub, (*path, name))


def validate_schema(data, schema: dict) -> None:
    """Validate a request body against a JSON schema; raise the validation list on any error. The arrays'
    lengths are checked first (``check_max_items``), then the body by the compiled jsonschema-rs
    (``blackouts/schema_validation.py``: a 500-event ingest body costs 2 ms), whose errors are worded here as the
    product words them, sorted by path and keyword."""
    check_max_items(data, schema)
    errors = sorted(schema_errors(data, schema), key=lambda e: (list(e.path), e.keyword))
    if errors:
        raise BMCValidationError([_schema_item(e) for e in errors])


# --- Rendering --------------------------------------------------------------------------------------
def render_problem(problem: Problem, request, view=None) -> Response:
    if problem.kind == "business":
        rid = {"requestId": context.request_id()} if context.request_id() else {}  # ours: the X-Request-ID
        body = status_body(str(problem.wire_code or problem.status), problem.message, **problem.extra, **rid)
        return Response(body, status=problem.status)
    reason = reason_phrase(problem.status)
    if problem.errors:
        items = [
            validation_item(str(problem.status), f"{reason} : {f'[Path {path!r}] ' if path else ''}{message}")
            for path, message in problem.errors
        ]
    else:
        items = [validation_item(str(problem.status), f"{reason} : {problem.message}")]
    return Response(items, status=problem.status)


_base_handler = make_exception_handler(render_problem)


def exception_handler(exc, context):
    if isinstance(exc, BMCValidationError):
        return Response(exc.items, status=400)
    return _base_handler(exc, context)


def standalone_response(problem: Problem, request):
    return render_standalone(render_problem(problem, request), request, JSONRenderer())


def authentication_classes() -> list:
    """``settings.BMC_AUTHENTICATION_CLASSES``: the core JWT authentication, and with the access keys
    (``core.access_keys``) their JWTs too, as ``Bearer`` or ``apiKey`` (config names it: no app imports it)."""
    paths = getattr(settings, "BMC_AUTHENTICATION_CLASSES", None)
    return [import_string(path) for path in paths] if paths else [JWTAuthentication]


class BMCAPIView(APIView):
    """Base view of every BMC events-service endpoint: JSON only, ``Authorization: Bearer <JWT>`` (or ``apiKey
    <JWT>`` with an access key's, ``settings.BMC_AUTHENTICATION_CLASSES``).

    Set ``request_schema`` (a JSON schema; unknown properties and wrong types are refused before the view
    runs) and ``permission_model`` (or ``get_required_permissions``).
    """

    renderer_classes = [JSONRenderer]
    parser_classes = [WireJSONParser]
    authentication_classes = authentication_classes()
    permission_classes = [WirePermission]
    request_schema: dict | None = None
    permission_model = None

    def get_exception_handler(self):
        return exception_handler

    def validated_body(self, schema: dict | None = None):
        """``request.data`` once it satisfies the endpoint's JSON schema."""
        data = self.request.data
        validate_schema(data, schema or self.request_schema or {})
        return data


# Documented as inline JSON schemas: drf-spectacular wraps ``many=True`` serializers in an array only for 2xx
# answers, and these error lists are arrays at any status.
VALIDATION_LIST_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "level": {"type": "string"},
            "message": {"type": "string"},
            "additionalInfo": {"type": "array", "items": {}},
        },
        "required": ["key", "level", "message", "additionalInfo"],
    },
}
STATUS_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "responseTimeStamp": {"type": "integer"},
        "statusCode": {"type": "string"},
        "statusMsg": {"type": "string"},
        "requestId": {"type": "string", "description": "Ours: the request's X-Request-ID (on errors)."},
    },
    "required": ["responseTimeStamp", "statusCode", "statusMsg"],
}


def error_responses(
    *extra_codes: int, status_body_codes: tuple[int, ...] = (), either_codes: tuple[int, ...] = ()
) -> dict:
    """Documented errors: validation lists for 400/401/403/500 (+ ``extra_codes``), status bodies for
    ``status_body_codes``, one or the other for ``either_codes`` (a 400 that is a schema error or a bad id)."""
    out = {}
    for code in sorted({400, 401, 403, 500, *extra_codes, *status_body_codes, *either_codes}):
        if code in either_codes:
            schema = {"oneOf": [VALIDATION_LIST_SCHEMA, STATUS_BODY_SCHEMA]}
        elif code in status_body_codes:
            schema = STATUS_BODY_SCHEMA
        else:
            schema = VALIDATION_LIST_SCHEMA
        out[code] = OpenApiResponse(schema, description=reason_phrase(code))
    return out
