"""Oracle UIM family (``/InventoryRSOpenAPI/serviceInventoryManagement/{version}/``): JSON, TMF-style errors.

Error body: ``{"code", "reason", "message": [...], "status", "referenceError", "entityType"}``.
``status`` is the HTTP code with an extension: 400-1 malformed body, 400-2 validation, 400-3 business rule
(state precondition), 401-1, 403-1, 404-1 (``entityType`` names what was not found), 405-1, 415-1, 500-1.

The family serves the inventory alone, so it lives in the app's door layer; ``InventoryConfig.ready()`` registers
it (``core/families.py``) for the error pages and the metrics.
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import context
from core.auth import BasicAuthentication, JWTAuthentication
from core.wire.common import (
    Problem,
    WireError,
    WirePermission,
    make_exception_handler,
    reason_phrase,
    render_standalone,
)
from core.wire.links import public_base_url
from core.wire.parsers import WireJSONParser

from ..choices import ENTITY_TYPES

PREFIX = "/InventoryRSOpenAPI/"
VERSIONS = ("v1", "v2", "v3")
CURRENT_VERSION = VERSIONS[-1]  # the version events name when no request says which (docs/inventory.md)


_CODES = {
    "malformed": ("MALFORMED_REQUEST", 1),
    "validation": ("INVALID_REQUEST", 2),
    "business": ("INVALID_STATE", 3),
    "unauthenticated": ("NOT_AUTHENTICATED", 1),
    "forbidden": ("NOT_AUTHORIZED", 1),
    "not_found": ("ENTITY_NOT_FOUND", 1),
    "method": ("METHOD_NOT_ALLOWED", 1),
    "not_acceptable": ("NOT_ACCEPTABLE", 1),
    "media": ("UNSUPPORTED_MEDIA_TYPE", 1),
    "conflict": ("CONFLICT", 1),
    "too_large": ("PAYLOAD_TOO_LARGE", 1),
    "throttled": ("TOO_MANY_REQUESTS", 1),
    "server": ("INTERNAL_ERROR", 1),
    "unavailable": ("SERVICE_UNAVAILABLE", 1),
}


class UIMNotFound(WireError):
    """A referenced entity does not exist: 404 naming its entity type and id."""

    def __init__(self, entity_type: str, entity_id: str, *, what: str | None = None):
        label = what or entity_type
        super().__init__(
            f"{label} {entity_id} not found.", status_code=404, code="ENTITY_NOT_FOUND", entityType=entity_type
        )


def error_body(problem: Problem, request) -> dict:
    code, extension = _CODES.get(problem.kind, ("ERROR", 1))
    if problem.kind == "business" and problem.wire_code:
        code = str(problem.wire_code)
        extension = 1 if problem.status != 400 else 3
    messages = [f"{p}: {m}" if p else m for p, m in problem.errors] if problem.errors else [problem.message]
    body = {
        "code": code,
        "reason": reason_phrase(problem.status),
        "message": messages,
        "status": f"{problem.status}-{extension}",
        "referenceError": f"{public_base_url(request)}api/docs/",
    }
    rid = context.request_id()
    if rid:
        body["requestId"] = rid  # ours, beside the spec's fields (docs/operations.md): the X-Request-ID
    entity_type = problem.extra.get("entityType")
    if entity_type:
        body["entityType"] = entity_type
    return body


def render_problem(problem: Problem, request, view=None) -> Response:
    return Response(error_body(problem, request), status=problem.status)


exception_handler = make_exception_handler(render_problem)


def standalone_response(problem: Problem, request):
    return render_standalone(render_problem(problem, request), request, JSONRenderer())


class UIMAPIView(APIView):
    """Base view of every UIM endpoint: JSON, Basic/JWT/session auth, UIM error envelope."""

    renderer_classes = [JSONRenderer]
    parser_classes = [WireJSONParser]
    authentication_classes = [BasicAuthentication, JWTAuthentication, SessionAuthentication]
    permission_classes = [WirePermission]
    permission_model = None

    def get_exception_handler(self):
        return exception_handler


class UIMErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()
    message = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    referenceError = serializers.CharField()
    entityType = serializers.ChoiceField(choices=ENTITY_TYPES, required=False)
    requestId = serializers.CharField(required=False, help_text="Ours: the request's X-Request-ID.")


def error_responses(*extra_codes: int) -> dict:
    codes = sorted({400, 401, 403, 500, *extra_codes})
    return {code: OpenApiResponse(UIMErrorSerializer, description=reason_phrase(code)) for code in codes}
