"""Documented error answers of the BMC family, as inline JSON schemas.

``core.wire.bmc.error_responses`` documents the validation list as ``ValidationItemSerializer(many=True)``,
which drf-spectacular only wraps in an array for 2xx answers, so 4xx lists were documented as one object.
These inline schemas document the list as the array it is (and a status body where the endpoint answers one).
"""

from drf_spectacular.utils import OpenApiResponse

from core.wire.bmc import REASONS

VALIDATION_LIST = {
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
STATUS_BODY = {
    "type": "object",
    "properties": {
        "responseTimeStamp": {"type": "integer"},
        "statusCode": {"type": "string"},
        "statusMsg": {"type": "string"},
    },
    "required": ["responseTimeStamp", "statusCode", "statusMsg"],
}


def bmc_errors(*extra_codes: int, status_body_codes: tuple[int, ...] = (), either_codes: tuple[int, ...] = ()) -> dict:
    """400/401/403/500 (+ extra) as validation lists; ``status_body_codes`` as status bodies; ``either_codes``
    as one or the other (e.g. a 400 that is a schema error or an invalid id in the path)."""
    out = {}
    for code in sorted({400, 401, 403, 500, *extra_codes, *status_body_codes, *either_codes}):
        if code in either_codes:
            schema = {"oneOf": [VALIDATION_LIST, STATUS_BODY]}
        elif code in status_body_codes:
            schema = STATUS_BODY
        else:
            schema = VALIDATION_LIST
        out[code] = OpenApiResponse(schema, description=REASONS.get(code, "Error"))
    return out
